"""Stress benchmark of verdicts under load (issue 17): prints figures, asserts nothing.

The simulated class (tests/support/simulated_class.py) is graded once serially, then N times in a row under
load, each time in two ways:

- ``-n 16``: more pytest-xdist workers than the machine has cores (2 in CI);
- several graders at once on the same clusters (``--graders``, each with ``-n 4``), like instructors and a
  dashboard re-grading during a session.

For every run it prints the verdicts that differ from the serial run, split into *false failures* (failed
under load, not serially: a point wrongly taken from a student — the goal is 0), *not evaluated* (the grader
said it could not finish: honest, costs nothing) and any other difference, and the time of the run.

Usage (root, for the network namespaces): python bench/bench_stress.py [--runs 20] [--graders 3]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.plugin.verdict import NOT_EVALUATED_PREFIX  # noqa: E402
from tests.support.simulated_class import simulated_class  # noqa: E402

Verdicts = dict[tuple[str, str], str]  # (student, check) -> passed / failed / blocked / not evaluated / error


def start_grading(roster: Path, out: Path, *extra: str) -> subprocess.Popen:
    """One grader of the roster (§2), writing its reports under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "output.txt", "wb")  # noqa: SIM115 - the child writes it until it ends
    return subprocess.Popen([sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "--roster",
                             str(roster), "--step", "2", "--report-dir", str(out / "report"), *extra],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def verdicts(out: Path) -> Verdicts:
    found: Verdicts = {}
    for path in (out / "report").glob("*.json"):
        data = json.loads(path.read_text())
        for result in data["results"]:
            outcome, reason = result["outcome"], result.get("reason") or ""
            if outcome == "skipped":
                outcome = "not evaluated" if reason.startswith(NOT_EVALUATED_PREFIX) else "blocked"
            found[(data["target"], result["check"])] = outcome
    return found


def grade_together(roster: Path, outs: list[Path], *extra: str) -> tuple[float, list[Verdicts]]:
    started = time.monotonic()
    graders = [start_grading(roster, out, *extra) for out in outs]
    try:
        for grader in graders:
            grader.wait(timeout=3600)
    finally:  # Ctrl-C of the benchmark: the graders end too (they reap their own children)
        for grader in graders:
            if grader.poll() is None:
                grader.send_signal(signal.SIGINT)
                grader.wait(timeout=120)
    return time.monotonic() - started, [verdicts(out) for out in outs]


def compare(serial: Verdicts, loaded: Verdicts) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"false failures": [], "not evaluated": [], "other differences": []}
    for key in sorted(set(serial) | set(loaded)):
        was, now = serial.get(key, "absent"), loaded.get(key, "absent")
        if was == now:
            continue
        label = f"{key[0]}/{key[1]}: {was} -> {now}"
        kind = ("false failures" if now in ("failed", "error") else
                "not evaluated" if now == "not evaluated" else "other differences")
        kinds[kind].append(label)
    return kinds


def line(mode: str, run: int, seconds: float, kinds: dict[str, list[str]]) -> str:
    counts = ", ".join(f"{len(items)} {kind}" for kind, items in kinds.items())
    return f"{mode:<22} run {run:2d}: {seconds:6.1f} s; {sum(map(len, kinds.values()))} verdict(s) differ ({counts})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs in a row of each mode (default 20)")
    parser.add_argument("--graders", type=int, default=3, help="graders at once on the same clusters (default 3)")
    parser.add_argument("--workers", type=int, default=16, help="pytest-xdist workers of the -n run (default 16)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, simulated_class(Path(tmp) / "class", prefix="load-pi-") as klass:
        roster = Path(tmp) / "class.csv"
        roster.write_text(klass.roster_csv)
        serial_s, (serial,) = grade_together(roster, [Path(tmp) / "serial"])
        print(f"simulated class: {len(klass.hosts)} hosts, {len(serial)} verdicts; serial run {serial_s:.1f} s",
              flush=True)
        totals = {"false failures": 0, "not evaluated": 0, "other differences": 0}
        examples: list[str] = []
        for run in range(1, args.runs + 1):
            modes = [(f"-n {args.workers}", ["-n", str(args.workers)], 1),
                     (f"{args.graders} graders x -n 4", ["-n", "4"], args.graders)]
            for mode, extra, count in modes:
                outs = [Path(tmp) / f"run{run}-{mode.split()[0]}-{i}" for i in range(count)]
                seconds, loaded = grade_together(roster, outs, *extra)
                for result in loaded:
                    kinds = compare(serial, result)
                    print(line(mode, run, seconds, kinds), flush=True)
                    for kind, items in kinds.items():
                        totals[kind] += len(items)
                        examples += [f"  {kind}: {item}" for item in items[:3]]
        print("total: " + ", ".join(f"{n} {kind}" for kind, n in totals.items()))
        for example in examples[:20]:
            print(example)


if __name__ == "__main__":
    main()
