"""A real Gradescope autograder for what Gradescope can reach: the files a student submits (§3.1 scripts, §4
Spark job). Gradescope takes no results.json from outside: it runs the course's ``autograder.zip`` in its own
container (``setup.sh`` once to build the image, ``run_autograder`` per submission, which grades
``/autograder/submission`` and writes ``/autograder/results/results.json``).

    python -m reports.gradescope build [--out autograder.zip]      # the zip to upload to Gradescope
    python -m reports.gradescope grade [--root /autograder]        # what run_autograder runs, per submission

``grade`` writes a one-student roster naming the submission folder and runs ``pytest checks -m submitted``:
the grader's own embedded cluster and JCDecaux stand-in are started in the container, the student's scripts run
against them (sandboxed as in the instructor's run), and the results become results.json. The cluster checks
(§2, §3.2, the topics of §3.1 and §4.1) need the student's Raspberry Pi, which Gradescope cannot reach: they stay
in the instructor's run, and results.json says so. Scores are the rubric's points (the Gradescope assignment is
worth the points of the submitted checks, printed by ``build``), each test with ``status``, ``visibility`` and
``output_format``. A grader that breaks writes a results.json that says so and costs nothing: no test, score 0
with "not graded, the instructor re-runs it" (Gradescope lets the instructor re-run a submission).

``KAFKALAB_AUTOGRADER_ROOT`` moves ``/autograder`` (the tests run ``run_autograder`` in a folder laid out like
it) and ``KAFKALAB_AUTOGRADER_PYTHON`` names the Python with the harness installed (default: setup.sh's venv).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .exports import gradescope_results
from .results import TargetResults
from .rubric import Rubric

REPO = Path(__file__).resolve().parents[1]
ROOT_ENV, PYTHON_ENV = "KAFKALAB_AUTOGRADER_ROOT", "KAFKALAB_AUTOGRADER_PYTHON"
STUDENT = "student"
# What the zip holds of the repository: the packages the grader installs and runs (not its own tests).
SOURCES = ("checks", "fixtures", "reports", "reference", "dashboard", "conftest.py", "pyproject.toml", "README.md")
GRADE_TIMEOUT_S = 1800  # a Spark job, a §3.1 run and the cluster's start, on Gradescope's default 2 CPUs
CLUSTER_NOTE = ("Les vérifications du cluster (§2, §3.2, topics du §3.1 et du §4.1) demandent votre Raspberry Pi : "
                "elles sont faites dans la correction de l'enseignant·e, pas ici · The cluster checks (§2, §3.2, "
                "the topics of §3.1 and §4.1) need your Raspberry Pi: they are graded in the instructor's run, not "
                "here.")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image (Ubuntu): a JDK 17 and Maven for Kafka and
# Spark (their jars come from Maven Central), Python with the harness and its Spark extra, then the jars.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven python3 python3-pip python3-venv \\
    iproute2 ca-certificates
python3 -m venv /autograder/venv
cd /autograder/source
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install -e '.[spark]'
/autograder/venv/bin/python -m fixtures.runtime fetch
/autograder/venv/bin/python -m fixtures.spark fetch
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission: grade /autograder/submission, write /autograder/results/results.json.
# KAFKALAB_AUTOGRADER_ROOT moves /autograder (tests); KAFKALAB_AUTOGRADER_PYTHON names the harness's Python.
set -u
ROOT="${KAFKALAB_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${KAFKALAB_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export KAFKALAB_DATA="${KAFKALAB_DATA:-$ROOT/source/data}"
cd "$ROOT/source"
exec "$PYTHON" -m reports.gradescope grade --root "$ROOT"
"""


def _tracked(folder: Path) -> list[Path]:
    """The repository's files under ``folder`` that git does not ignore (no caches, venvs or reports), or every
    file when this is not a git checkout."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(folder)]
    try:
        done = subprocess.run(command, cwd=REPO, capture_output=True, timeout=60, check=True)
        found = [REPO / name for name in done.stdout.decode().split("\0") if name]
        return [path for path in found if path.is_file()]  # a tracked file deleted in the working tree is gone
    except (OSError, subprocess.SubprocessError):
        return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts] if folder.is_dir() \
            else [folder]


def submitted_points(rubric: Rubric) -> float:
    """The points of the checks Gradescope grades (the rubric's, for the checks of submitted files)."""
    names = {name for name in rubric.weights if name.startswith(("test_velib_", "test_spark_"))}
    checks = (REPO / "checks" / "s3_1_velib" / "test_velib_submission.py", REPO / "checks" / "s4_streaming" /
              "test_spark.py")
    text = "\n".join(path.read_text(encoding="utf-8") for path in checks if path.is_file())
    return sum(rubric.weights[name] for name in names if f"def {name}(" in text)


def build(out: Path, data: Path | None = None) -> Path:
    """``autograder.zip``: setup.sh and run_autograder at its root (Gradescope unpacks it in /autograder/source and
    copies run_autograder to /autograder), the harness's sources, and the lab's data (``data/``)."""
    data = data or Path(os.environ.get("KAFKALAB_DATA") or REPO.parent / "shared" / "data")
    out.parent.mkdir(parents=True, exist_ok=True)
    executable = (stat.S_IFREG | 0o755) << 16
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = executable
            archive.writestr(info, text)
        for source in SOURCES:
            for path in _tracked(REPO / source):
                archive.write(path, path.relative_to(REPO).as_posix())
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            archive.write(path, "data/" + path.relative_to(data).as_posix())
    return out


def _broken(output: str, seconds: float) -> dict:
    """The grader broke: not the student's fault, nothing graded, said in both languages."""
    return {"score": 0.0, "execution_time": round(seconds, 1), "output_format": "text", "visibility": "visible",
            "output": "Erreur du correcteur : votre rendu n'a pas été noté, l'enseignant·e le relancera · Grader "
                      "error: your submission was not graded, the instructor will re-run it.\n\n" + output[-3000:],
            "tests": [], "extra_data": {"harness_error": True}}


def grade(root: Path, rubric: Rubric | None = None) -> dict:
    """Grade ``root/submission`` as one student with the grader's own cluster; write and return results.json."""
    rubric = rubric or Rubric.load()
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kafkalab-autograder-") as work:
        roster, report = Path(work) / "roster.csv", Path(work) / "out"
        # host: the cluster checks are deselected (-m submitted); it is never contacted.
        roster.write_text(f"id,host,submission\n{STUDENT},localhost,{(root / 'submission').resolve()}\n",
                          encoding="utf-8")
        command = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-m", "submitted", "-p", "no:cacheprovider",
                   "-q", "--roster", str(roster), "--report-dir", str(report), "--basetemp", str(Path(work) / "tmp")]
        try:
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S)
            output = done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            output = f"timeout after {GRADE_TIMEOUT_S} s: {exc}"
        # run_autograder's stdout: hidden from students (stdout_visibility), kept for the instructor; it names the
        # harness that graded (the zip's own, in /autograder/source).
        print(f"kafkalab autograder: harness {REPO}\n{output}")
        json_report = report / f"{STUDENT}.json"
        if not json_report.is_file():
            data = _broken(output, time.monotonic() - started)
        else:
            results = TargetResults.read_json(json_report)
            data = gradescope_results(results, rubric, note=CLUSTER_NOTE, on_points=True)
            data["execution_time"] = round(time.monotonic() - started, 1)
    results_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.gradescope", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write autograder.zip for Gradescope")
    build_parser.add_argument("--out", type=Path, default=Path("autograder.zip"))
    build_parser.add_argument("--data", type=Path, help="the lab's data folder (default ../shared/data)")
    grade_parser = commands.add_parser("grade", help="grade ROOT/submission into ROOT/results/results.json")
    grade_parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, "/autograder")))
    args = parser.parse_args(argv)
    if args.command == "build":
        path = build(args.out, args.data)
        print(f"{path}: upload it as the assignment's autograder; set the assignment's points to "
              f"{submitted_points(Rubric.load()):g} (the rubric's points of the submitted files' checks)")
        return 0
    data = grade(args.root)
    print(f"results.json: score {data['score']}, {len(data['tests'])} test(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
