"""Benchmark of a lab day (issue 22): a class of N students (30 by default), each with a complete submission (the
§3.1 producer and monitor and the §4 Spark script), graded as an instructor would, at each ``-n`` given. Prints
figures, asserts nothing.

The students' clusters are the simulated submission class's (``tests/support/submission_class.py``: ada's
flawless reference cluster, ben's ZooKeeper without a broker, cleo's and dan's Pis stopped at §2.1.5, eve's
broker advertising ``localhost``, fay's dead host), cycled over the roster: student k grades host k mod 6. Each
student hands in their own folder, generated from the reference and its broken variants in turn
(``tests/velib/broken/``, ``tests/spark/variants/``): one in three is the reference, the others carry one
realistic mistake each, in §3.1 or in §4.

Printed per ``-n``: the wall time, the JVMs the run started (``bench/jvms.py``), the ERROR lines, the grades on 20
and whether every check's outcome equals the first run's (the JSON reports compared).

Host names start with ``lday-``: it may run beside the tests' classes (``subj-``, ``pi-``).

Usage (root, for the network namespaces): python bench/bench_lab_day.py [--students 30] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.jvms import run_counting  # noqa: E402
from reports.results import TargetResults  # noqa: E402
from reports.rubric import Rubric  # noqa: E402
from tests.support.paths import REFERENCE_SPARK_SCRIPT, REFERENCE_VELIB  # noqa: E402
from tests.support.submission_class import MONITOR, PRODUCER, STUDENTS, submission_class  # noqa: E402

SPARK_NAME = "sstreaming-spark-out.py"  # the lab's name for the job, the one graded
VELIB_BROKEN = REPO / "tests" / "velib" / "broken"
SPARK_VARIANTS = REPO / "tests" / "spark" / "variants"
# One mistake per broken student, in turn: (the file replaced, the variant handed in instead).
MISTAKES: list[tuple[str, Path]] = [
    (PRODUCER, VELIB_BROKEN / "city_keyed_producer.py"),
    (SPARK_NAME, SPARK_VARIANTS / "no_watermark.py"),
    (MONITOR, VELIB_BROKEN / "groupless_monitor.py"),
    (SPARK_NAME, SPARK_VARIANTS / "no_cleaning.py"),
    (PRODUCER, VELIB_BROKEN / "unkeyed_producer.py"),
    (SPARK_NAME, SPARK_VARIANTS / "wrong_key.py"),
    (MONITOR, VELIB_BROKEN / "single_instance_monitor.py"),
    (SPARK_NAME, SPARK_VARIANTS / "cash_as_card.py"),
]


def hand_in(folder: Path, index: int) -> str:
    """Student ``index``'s complete submission; returns what it holds ("reference" or the mistake)."""
    folder.mkdir(parents=True)
    shutil.copy(REFERENCE_VELIB / PRODUCER, folder / PRODUCER)
    shutil.copy(REFERENCE_VELIB / MONITOR, folder / MONITOR)
    shutil.copy(REFERENCE_SPARK_SCRIPT, folder / SPARK_NAME)
    shutil.copy(REFERENCE_SPARK_SCRIPT, folder / "sstreaming.py")  # what a variant job imports
    if index % 3 == 0:
        return "reference"
    replaced, variant = MISTAKES[(index - index // 3 - 1) % len(MISTAKES)]
    shutil.copy(variant, folder / replaced)
    return variant.stem


def lab_day_roster(workdir: Path, hosts: dict[str, str], count: int) -> tuple[Path, dict[str, str]]:
    rows, kinds = ["id,name,email,host,submission"], {}
    for index in range(count):
        student = f"s{index:02d}"
        kinds[student] = hand_in(workdir / "handed-in" / student, index)
        host = hosts[STUDENTS[index % len(STUDENTS)]]
        rows.append(f"{student},Student {index},{student}@univ.example,{host},handed-in/{student}")
    roster = workdir / "lab-day.csv"
    roster.write_text("\n".join(rows) + "\n")
    return roster, kinds


def results(report: Path) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Every check's outcome and the grade on 20, per student, from the run's JSON reports."""
    outcomes, grades, rubric = {}, {}, Rubric.load()
    for path in report.glob("*.json"):
        try:
            graded = TargetResults.read_json(path)
        except (KeyError, TypeError, ValueError):
            continue  # not a student's report
        outcomes[graded.target] = {r.check: r.outcome for r in graded.results}
        grades[graded.target] = rubric.grade(graded).on_20
    return outcomes, grades


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, submission_class(Path(tmp) / "class", prefix="lday-") as klass:
        roster, kinds = lab_day_roster(Path(tmp), klass.hosts, args.students)
        mistakes = sum(1 for kind in kinds.values() if kind != "reference")
        print(f"lab day: {args.students} students with complete submissions ({mistakes} with one mistake), "
              f"{len(STUDENTS)} hosts cycled; load at start {os.getloadavg()[0]:.1f}")
        baseline = None
        for workers in (int(n) for n in args.workers.split(",")):
            report = Path(tmp) / f"report-n{workers}"
            argv = [sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "--roster", str(roster),
                    "--report-dir", str(report), *(["-n", str(workers)] if workers > 1 else [])]
            run = run_counting(argv, cwd=str(REPO), timeout=7200)
            errors = sum(1 for line in run.output.splitlines() if line.startswith("ERROR"))
            outcomes, grades = results(report)
            baseline = baseline or outcomes
            differ = sum(1 for s in outcomes for c in outcomes[s] if baseline.get(s, {}).get(c) != outcomes[s][c])
            label = f"-n {workers}" if workers > 1 else "serial"
            print(f"  {label:<6} {run.wall_s:7.1f} s ({run.wall_s / 60:.1f} min)   JVMs started {run.jvms}   "
                  f"ERROR lines {errors}   students graded {len(outcomes)}   outcomes differing from the first "
                  f"run: {differ}   (load {os.getloadavg()[0]:.1f})")
        print("grades of the first run: " + ", ".join(f"{s} {kinds[s]} {grades.get(s)}" for s in sorted(kinds)))


if __name__ == "__main__":
    main()
