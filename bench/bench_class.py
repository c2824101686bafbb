"""Benchmark of class grading (issue 7): prints figures, asserts nothing.

- grading time per live student, and for the whole simulated class, serial vs ``-n 2`` (the speed-up);
- the cost of each kind of dead host (does not resolve, refuses, drops packets, silent, another protocol);
- the grader's peak memory;
- how total time grows from 5 to 50 hosts (dead hosts — refusing loopback addresses and names that do not
  resolve — stand in for the larger counts).

- ``--sweep``: 60 roster entries over the live clusters and the dead hosts (no submissions), graded at
  ``-n 1/4/8/16``: wall time, the JVMs the grader started (none is needed: nothing was handed in), ERROR lines,
  and whether every check's outcome equals the serial run's (the JSON reports compared, not pytest's summary).

Usage (root, for the network namespaces): python bench/bench_class.py [--sweep] [--workers 1,4,8,16]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.jvms import run_counting  # noqa: E402
from tests.support.simulated_class import LIVE, simulated_class  # noqa: E402

_RUN_PYTEST = ("import resource, sys, pytest; code = pytest.main(sys.argv[1:]); "
               "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)")


def grade(roster: str, out: Path, *extra: str) -> tuple[float, float, dict[str, float]]:
    """Grade a roster (§2 only); returns total seconds, the grader's peak RSS (MiB), seconds per student."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "class.csv").write_text(roster)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _RUN_PYTEST, "checks", "-q", "-p", "no:cacheprovider", "--roster",
                           str(out / "class.csv"), "--step", "2", "--report-dir", str(out / "report"), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - started
    peaks = [int(line.split()[1]) / 1024 for line in done.stdout.splitlines() if line.startswith("PEAK_RSS_KIB")]
    per_student = {}
    for path in (out / "report").glob("*.json"):
        data = json.loads(path.read_text())
        per_student[data["target"]] = sum(r["duration_s"] for r in data["results"])
    return elapsed, peaks[0] if peaks else float("nan"), per_student


def sixty_entries(roster_csv: str, count: int = 60) -> str:
    """``count`` roster entries cycling over the simulated class's hosts (live and dead), each its own student."""
    header, *rows = roster_csv.strip().splitlines()
    entries = [header]
    for index in range(count):
        student, name, _email, host = rows[index % len(rows)].split(",")  # id,name,email,host
        entries.append(f"{student}{index:02d},{name} {index},{student}{index:02d}@univ.example,{host}")
    return "\n".join(entries) + "\n"


def outcomes(report: Path) -> dict[str, dict[str, str]]:
    return {d["target"]: {r["check"]: r["outcome"] for r in d["results"]}
            for d in (json.loads(p.read_text()) for p in report.glob("*.json"))}


def sweep(roster_csv: str, workdir: Path, workers: list[int]) -> None:
    """The same 60-entry class at each -n: time, JVMs started, ERROR lines, outcomes against the serial run."""
    roster = workdir / "sixty.csv"
    roster.write_text(sixty_entries(roster_csv))
    baseline: dict[str, dict[str, str]] | None = None
    print(f"60 entries, no submissions, §2 ({len(LIVE)} live clusters, the rest dead hosts):")
    for n in workers:
        report = workdir / f"sweep-n{n}"
        argv = [sys.executable, "-m", "pytest", "checks", "-q", "--roster", str(roster), "--step", "2",
                "--report-dir", str(report), *(["-n", str(n)] if n > 1 else [])]
        run = run_counting(argv, cwd=str(REPO), timeout=3600)
        errors = sum(1 for line in run.output.splitlines() if line.startswith("ERROR"))
        got = outcomes(report)
        baseline = baseline if baseline is not None else got
        differ = sum(1 for s in got for c in got[s] if baseline.get(s, {}).get(c) != got[s][c])
        label = f"-n {n}" if n > 1 else "serial"
        print(f"  {label:<6} {run.wall_s:6.1f} s   JVMs started {run.jvms}   ERROR lines {errors}   "
              f"outcomes differing from the first run: {differ}   (load {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description="class grading figures")
    parser.add_argument("--sweep", action="store_true", help="only the 60-entry sweep over -n")
    parser.add_argument("--workers", default="1,4,8,16", help="the -n values of the sweep")
    args = parser.parse_args()
    if args.sweep:
        # Host names of its own ("bc-"), so that it can run beside the class tests (their hosts are "pi-").
        with tempfile.TemporaryDirectory() as tmp, simulated_class(Path(tmp) / "class", prefix="bc-") as klass:
            sweep(klass.roster_csv, Path(tmp), [int(n) for n in args.workers.split(",")])
        return
    with tempfile.TemporaryDirectory() as tmp, simulated_class(Path(tmp) / "class") as klass:
        serial, peak, per_student = grade(klass.roster_csv, Path(tmp) / "serial")
        parallel, peak_parallel, _ = grade(klass.roster_csv, Path(tmp) / "parallel", "-n", "2")
        print(f"simulated class: {len(klass.hosts)} hosts ({len(LIVE)} live clusters)")
        for student in LIVE:
            print(f"  live student {student:<6} checks took {per_student.get(student, float('nan')):6.1f} s")
        for student, kind in (("erin", "does not resolve"), ("frank", "refuses"), ("gina", "drops packets"),
                              ("hank", "accepts, never answers"), ("ivan", "answers HTTP")):
            print(f"  dead host {student:<6} ({kind:<22}) cost {per_student.get(student, float('nan')):6.1f} s")
        print(f"whole class, serial:        {serial:6.1f} s")
        print(f"whole class, -n 2:          {parallel:6.1f} s   speed-up x{serial / parallel:.2f}")
        print(f"grader peak RSS: serial {peak:.0f} MiB, controller with -n 2 {peak_parallel:.0f} MiB")
        for count in (5, 10, 20, 50):
            rows = klass.roster_csv.splitlines()[: 1 + min(count, len(klass.hosts))]
            for index in range(count - (len(rows) - 1)):
                host = f"127.0.0.{10 + index}" if index % 2 else f"pi-dead{index:02d}.invalid"
                rows.append(f"dead{index:02d},Dead {index},,{host}")
            total, _, _ = grade("\n".join(rows) + "\n", Path(tmp) / f"grow{count}", "-n", "2")
            print(f"{count:3d} hosts (-n 2): {total:6.1f} s")


if __name__ == "__main__":
    main()
