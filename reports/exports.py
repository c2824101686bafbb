"""Files an instructor imports elsewhere: a Moodle gradebook CSV, Gradescope-style results.json per student,
and one JSON line per result. (JUnit XML comes from pytest's own ``--junitxml``, set by ``--report-dir``.)
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .results import BLOCKED, FAILED, NOT_EVALUATED, PASSED, TargetResults
from .rubric import Rubric

MOODLE_GRADE_ITEM = "TP Kafka (/20)"


def _feedback(results: TargetResults) -> str:
    failed = [r.title for r in results.in_lab_order() if r.outcome in (FAILED, BLOCKED)]
    text = "Tout est correct." if not failed else "À revoir : " + " ; ".join(failed)
    not_evaluated = [r.title for r in results.in_lab_order() if r.outcome == NOT_EVALUATED]
    if not_evaluated:
        text += " Non évalué (sans effet sur la note) : " + " ; ".join(not_evaluated)
    return text


def write_moodle_csv(all_results: list[TargetResults], rubric: Rubric, path: Path) -> Path:
    """Moodle's grade import keys rows by email (or ID number); grade and feedback are imported together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email address", "ID number", MOODLE_GRADE_ITEM, f"{MOODLE_GRADE_ITEM} (feedback)"])
        for results in sorted(all_results, key=lambda r: r.target):
            info = results.meta.get("target", {})
            grade = rubric.grade(results)
            writer.writerow([info.get("email", ""), results.target, f"{grade.on_20:.2f}", _feedback(results)])
    return path


def gradescope_results(results: TargetResults, rubric: Rubric) -> dict:
    """Gradescope's autograder ``results.json``: score, per-test name/score/max_score/status/output."""
    tests = []
    for r in results.in_lab_order():
        weight = rubric.weight(r.check)
        parts = (r.reason, r.hint_fr and f"FR: {r.hint_fr}", r.hint_en and f"EN: {r.hint_en}")
        output = "\n".join(part for part in parts if part)
        tests.append({"name": r.title, "number": r.step, "score": weight if r.outcome == PASSED else 0,
                      "max_score": weight if r.counted else 0, "status": "passed" if r.outcome == PASSED else "failed",
                      "output": output, "visibility": "visible", "tags": [r.outcome]})
    grade = rubric.grade(results)
    started, finished = results.meta.get("started"), results.meta.get("finished")
    return {"score": grade.points, "execution_time": round(finished - started, 1) if started and finished else None,
            "output": f"Note : {grade.on_20:.2f}/20", "tests": tests}


def write_gradescope(results: TargetResults, rubric: Rubric, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope_results(results, rubric), indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_jsonl(all_results: list[TargetResults], path: Path) -> Path:
    """One flat line per result (like InSpec's json-min): easy to grep, load in pandas, or diff between runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for results in sorted(all_results, key=lambda r: r.target):
            for r in results.in_lab_order():
                row = {"target": r.target, "check": r.check, "step": r.step, "outcome": r.outcome,
                       "reason": r.reason, "duration_s": r.duration_s}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
