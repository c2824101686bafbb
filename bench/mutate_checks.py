"""Mutation check of the graded checks: empty the body of each check in turn (it then passes whatever it is given)
and run the test that the README's table "Every check proven both ways" names for it. That test must fail:
a check whose emptied body leaves its test green "survived", and nothing shows that it can fail.

    python bench/mutate_checks.py --list                 # the checks and their tests
    python bench/mutate_checks.py -k spark -k zookeeper  # only the checks whose name holds one of the words
    python bench/mutate_checks.py --json out/mutants.json

Runs outside CI (each try costs the test's own time: a cluster per test module, 1 to 10 minutes). The mutants
live in a copy of the repository's files beside it (``../mutant-<pid>``, so that ``../shared`` is found as from
the repository itself), removed at the end; the repository is never changed. Each test runs under the machine-wide
lock of the namespace tests (``--lock``) when it makes network namespaces (``NAMESPACE_TESTS``).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.system.paths import REPO  # noqa: E402
from tests.support.proofs import Proof, proofs  # noqa: E402

LOCK = "/tmp/kafkalab-netns-tests.lock"
# The tests of the table that make network namespaces (the sandbox's, simulated hosts): only these take the lock.
NAMESPACE_TESTS = ("tests/velib/test_submission_checks.py", "tests/velib/test_sandbox_checks.py",
                   "tests/test_class_submissions.py")
_COUNTS = re.compile(r"(\d+) (failed|passed|error|errors|skipped)\b")


@dataclass
class Try:
    check: str
    test: str
    verdict: str  # killed, survived, not run (skipped, not collected, timed out)
    seconds: float
    summary: str
    detail: str = ""  # the assertion lines of a failing baseline, to tell a flaky test from a broken copy


def check_function(copy: Path, check: str) -> tuple[Path, ast.FunctionDef]:
    """The file of ``checks/`` that defines ``check``, and its definition."""
    for path in sorted((copy / "checks").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == check:
                return path, node
    raise LookupError(f"no check {check} in checks/")


def emptied(source: str, node: ast.FunctionDef) -> str:
    """``source`` with the body of ``node`` replaced by ``return`` (its docstring kept: titles are read from it)."""
    lines = source.splitlines(keepends=True)
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if not body:
        return source
    first, last = body[0].lineno - 1, body[-1].end_lineno
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    return "".join(lines[:first] + [f"{indent}return  # mutant: body emptied\n"] + lines[last:])


def copy_repository(target: Path) -> None:
    """The repository's tracked and not-ignored files (no venv, cache or report), in ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def imports_from(copy: Path) -> Path:
    """Where a pytest run in ``copy`` imports the checks from (must be the copy, not an editable install)."""
    done = subprocess.run([sys.executable, "-c", "import checks; print(checks.__file__)"], cwd=copy,
                          capture_output=True, text=True, check=True, timeout=60)
    return Path(done.stdout.strip()).resolve()


def verdict_of(returncode: int | None, output: str) -> tuple[str, str]:
    last = next((line for line in reversed(output.strip().splitlines()) if _COUNTS.search(line)), "")
    counts = {kind: int(n) for n, kind in _COUNTS.findall(last)}
    if returncode is None:
        return "not run", "timed out"
    if counts.get("failed") or counts.get("error") or counts.get("errors"):
        return "killed", last.strip("= ")
    if counts.get("passed"):
        return "survived", last.strip("= ")
    return "not run", last.strip("= ") or f"exit status {returncode}"


def run_test(copy: Path, test: str, timeout: float, lock: str | None) -> tuple[str, str, float, str]:
    """(verdict, pytest's summary line, seconds, its ``E`` lines) of one run of ``test`` in the copy as it is."""
    command = [sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider", "-q", "-x", "-rs"]
    if lock and test.startswith(NAMESPACE_TESTS):
        command = ["flock", lock, *command]
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=timeout)
        returncode, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, output = None, str(exc.stdout or "")
    errors = "\n".join(line for line in output.splitlines() if line.startswith("E "))[-2000:]
    return (*verdict_of(returncode, output), round(time.monotonic() - start, 1), errors)


def try_one(copy: Path, proof: Proof, timeout: float, lock: str | None) -> Try:
    path, node = check_function(copy, proof.check)
    original = path.read_text(encoding="utf-8")
    path.write_text(emptied(original, node), encoding="utf-8")
    try:
        verdict, summary, seconds, _ = run_test(copy, proof.test, timeout, lock)
    finally:
        path.write_text(original, encoding="utf-8")
    return Try(proof.check, proof.test, verdict, seconds, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", action="append", default=[], help="only checks whose name holds this word")
    parser.add_argument("--list", action="store_true", help="list the checks and their tests, run nothing")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for one test run")
    parser.add_argument("--lock", default=LOCK, help="flock this file around each run ('' for none)")
    parser.add_argument("--json", type=Path, help="write every try here")
    parser.add_argument("--no-baseline", action="store_true",
                        help="do not run each test once unmutated first (a test that fails unmutated kills nothing)")
    args = parser.parse_args(argv)
    chosen = [p for p in proofs() if not args.k or any(word in p.check for word in args.k)]
    if args.list:
        for proof in chosen:
            print(f"{proof.check}  ->  {proof.test}")
        return 0
    # SIGTERM (a timeout) ends the run through the ``finally`` below: the copy is removed, the checks restored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    copy = REPO.parent / f"mutant-{os.getpid()}"
    copy.mkdir()
    tries: list[Try] = []
    started = time.monotonic()
    try:
        copy_repository(copy)
        where = imports_from(copy)
        if copy.resolve() not in where.parents:
            print(f"the copy imports checks from {where}, not from itself: stopping", file=sys.stderr)
            return 2
        baseline: dict[str, tuple[str, str]] = {}
        for proof in chosen:
            if not args.no_baseline and proof.test not in baseline:
                verdict, summary, seconds, errors = run_test(copy, proof.test, args.timeout, args.lock or None)
                baseline[proof.test] = (summary, errors) if verdict != "survived" else ("", "")
                print(f"{'baseline':9} {seconds:7.1f} s  {proof.test}  ({summary})", flush=True)
            if baseline.get(proof.test, ("", ""))[0]:
                summary, errors = baseline[proof.test]
                result = Try(proof.check, proof.test, "not run", 0.0, f"fails unmutated: {summary}", errors)
            else:
                result = try_one(copy, proof, args.timeout, args.lock or None)
            tries.append(result)
            print(f"{result.verdict.upper():9} {result.seconds:7.1f} s  {result.check}  ({result.summary})", flush=True)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    survivors = [t.check for t in tries if t.verdict == "survived"]
    not_run = [t.check for t in tries if t.verdict == "not run"]
    print(f"\n{len(tries)} check(s) tried in {time.monotonic() - started:.0f} s: "
          f"{sum(t.verdict == 'killed' for t in tries)} killed, {len(survivors)} survived, {len(not_run)} not run")
    for name in survivors:
        print(f"  survived: {name}")
    for name in not_run:
        print(f"  not run: {name}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(t) for t in tries], indent=1), encoding="utf-8")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
