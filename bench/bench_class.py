"""Benchmark of class grading (issue 7): prints figures, asserts nothing.

- grading time per live student, and for the whole simulated class, serial vs ``-n 2`` (the speed-up);
- the cost of each kind of dead host (does not resolve, refuses, drops packets, silent, another protocol);
- the grader's peak memory;
- how total time grows from 5 to 50 hosts (dead hosts — refusing loopback addresses and names that do not
  resolve — stand in for the larger counts).

Usage (root, for the network namespaces): python bench/bench_class.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


def main() -> None:
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
