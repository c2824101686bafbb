"""Each import-linter contract of pyproject.toml fails when it is broken on purpose (run by ``tox -e lint``).

A contract that nothing can break is decoration: for each one, a copy of the tree gets one import that breaks it
(and only the kind of import an engineer could really add), and ``lint-imports`` must report that contract
BROKEN. The untouched copy must keep every contract. A plain script, not a pytest test: the lint environment has
import-linter and nothing of the harness (``python tests/contract_violations.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("checks", "dashboard", "fixtures", "reference", "reports", "tests", "bench")
TIMEOUT_S = 120

# contract name (its start) -> (file, the line added to it)
VIOLATIONS: dict[str, tuple[str, str]] = {
    "Layers:": ("reports/steps.py", "import fixtures.system.paths"),
    "Inside fixtures:": ("fixtures/system/wait.py", "import fixtures.plugin.verdict"),
    "Only the plugin layer": ("reports/catalogue.py", "import pytest"),
    "The grader's core needs no test tool": ("checks/conftest.py", "import hypothesis"),
    "Nothing that grades imports the answers": ("fixtures/plugin/targets.py", "import reference.s2"),
    "Lab sections are independent": ("checks/s2_deploy/hints.py", "import checks.s3_1_velib.hints"),
}


def copy_tree(into: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")


def lint(tree: Path) -> tuple[int, str]:
    # A wide terminal: lint-imports wraps long contract names, which would split "<name> BROKEN".
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(tree), "COLUMNS": "400"}
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=TIMEOUT_S, env=env)
    return done.returncode, done.stdout + done.stderr


def broken(output: str) -> set[str]:
    """The contracts lint-imports reports BROKEN ("<name> BROKEN" lines of its summary)."""
    return {match.group(1).strip() for match in re.finditer(r"^(.+?)\s+BROKEN\s*$", output, re.MULTILINE)}


def main() -> int:
    contracts = re.findall(r'^name = "(.+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE)
    contracts = [name for name in contracts if name != "kafkalab-grader"]
    missing = [name for name in contracts if not any(name.startswith(start) for start in VIOLATIONS)]
    if missing:
        print(f"no deliberate violation for: {missing}", file=sys.stderr)
        return 1
    failures = []
    with tempfile.TemporaryDirectory(prefix="kafkalab-contracts-") as folder:
        tree = Path(folder) / "tree"
        copy_tree(tree)
        code, output = lint(tree)
        if code != 0:
            print(f"the untouched tree breaks a contract:\n{output}", file=sys.stderr)
            return 1
        for start, (file, line) in VIOLATIONS.items():
            target = tree / file
            original = target.read_text(encoding="utf-8")
            target.write_text(original + f"\n{line}  # deliberate violation\n", encoding="utf-8")
            try:
                code, output = lint(tree)
            finally:
                target.write_text(original, encoding="utf-8")
            named = {name for name in broken(output) if name.startswith(start)}
            verdict = "fails as it must" if code != 0 and named else "NOT CAUGHT"
            print(f"{verdict}: {file} + `{line}` -> contract {start!r}")
            if verdict != "fails as it must":
                failures.append(f"{file} + `{line}`: {start!r} not reported BROKEN\n{output[-2000:]}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
