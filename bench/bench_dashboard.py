"""Benchmark of the live dashboard (issue 16): the duration of one pass for 10, 30 and 60 students with -n 1 and
-n 4. Prints figures, asserts nothing.

The simulated class (tests/support/simulated_class.py: live clusters with typical mistakes in network
namespaces, and a dead host of each kind) fills the first rows; dead stand-ins (refusing loopback addresses and
names that do not resolve) fill the larger counts, as a real room has students whose Pi is off.

Usage (root, for the network namespaces): python bench/bench_dashboard.py [--counts 10,30,60] [--workers 1,4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dashboard.passes import PassRunner  # noqa: E402
from tests.support.simulated_class import LIVE, simulated_class  # noqa: E402


def roster(base: str, count: int) -> str:
    rows = base.splitlines()[: 1 + count]
    for index in range(count - (len(rows) - 1)):
        host = f"127.0.0.{10 + index}" if index % 2 else f"pi-dead{index:02d}.invalid"
        rows.append(f"dead{index:02d},Dead {index},dead{index:02d}@univ.example,{host}")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="10,30,60")
    parser.add_argument("--workers", default="1,4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, simulated_class(Path(tmp) / "class", prefix="bdash-") as klass:
        print(f"live clusters: {len(LIVE)}; load average at start: {os.getloadavg()[0]:.1f}")
        print(f"{'students':>8} {'workers':>7} {'pass (s)':>9} {'graded':>7}")
        for count in (int(c) for c in args.counts.split(",")):
            path = Path(tmp) / f"roster-{count}.csv"
            path.write_text(roster(klass.roster_csv, count))
            for workers in (int(w) for w in args.workers.split(",")):
                extra = ["--step", "2"] + (["-n", str(workers)] if workers > 1 else [])
                runner = PassRunner(path, Path(tmp) / f"passes-{count}-{workers}", extra)
                started = time.monotonic()
                result = runner.run(1)
                print(f"{count:>8} {workers:>7} {time.monotonic() - started:>9.1f} {len(result.students):>7}")


if __name__ == "__main__":
    main()
