"""Files an instructor imports elsewhere: the gradebooks (Moodle ``moodle.csv``, Canvas ``canvas.csv``),
Gradescope-style results.json per student, and one JSON line per result. (JUnit XML comes from pytest's own
``--junitxml``, set by ``--report-dir``.)
"""

from __future__ import annotations

import json
from pathlib import Path

from .canvas import write_canvas_csv
from .gradebook import Export, on_20
from .moodle import write_moodle_csv
from .results import OUTCOME_LABELS, PASSED, TargetResults
from .rubric import Rubric

__all__ = ["write_canvas_csv", "write_gradebooks", "write_moodle_csv", "gradescope_results", "write_jsonl"]


def write_gradebooks(all_results: list[TargetResults], rubric: Rubric, out: Path, suffix: str = "") -> list[Export]:
    """The class's gradebook files; ``suffix`` ("-partial") keeps a partial run's apart from the class's."""
    return [write_moodle_csv(all_results, rubric, out / f"moodle{suffix}.csv"),
            write_canvas_csv(all_results, rubric, out / f"canvas{suffix}.csv")]


def gradescope_results(results: TargetResults, rubric: Rubric) -> dict:
    """Gradescope's autograder ``results.json``. The score is the grade on 20, and each test's score and
    max_score are its points on that scale (they add up to the score and to 20); a test not evaluated has
    max_score 0 and says why; the output states on how many points the grade stands."""
    grade = rubric.grade(results)
    tests = []
    for r in results.in_lab_order():
        worth = round(on_20(rubric.weight(r.check), grade), 4) if r.counted else 0.0
        parts = (r.reason, r.blocked_by and f"bloqué par · blocked by: {r.blocked_by}",
                 r.hint_fr and f"FR: {r.hint_fr}", r.hint_en and f"EN: {r.hint_en}")
        test = {"name": r.title, "number": r.step, "score": worth if r.outcome == PASSED else 0.0,
                "max_score": worth, "output": "\n".join(part for part in parts if part), "visibility": "visible",
                "tags": [r.outcome]}
        if r.counted:  # a test not evaluated has no status: it neither passed nor failed
            test["status"] = "passed" if r.outcome == PASSED else "failed"
        else:
            test["name"] += f" ({' · '.join(OUTCOME_LABELS[r.outcome])})"
        tests.append(test)
    started, finished = results.meta.get("started"), results.meta.get("finished")
    return {"score": grade.on_20, "execution_time": round(finished - started, 1) if started and finished else None,
            "output": f"Note · grade: {grade.basis()}", "tests": tests}


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
