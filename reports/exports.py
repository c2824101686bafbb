"""Files an instructor imports elsewhere: the gradebooks (Moodle ``moodle.csv``, Canvas ``canvas.csv``),
Gradescope-style results.json per student (for reading: Gradescope itself runs ``reports.gradescope``'s
autograder), and one JSON line per result. (JUnit XML: ``reports.junit``.)
"""

from __future__ import annotations

import json
from pathlib import Path

from .canvas import write_canvas_csv
from .gradebook import Export, on_20
from .headline import headline
from .moodle import write_moodle_csv
from .results import NOT_EVALUATED, PASSED, TargetResults
from .rubric import Rubric

__all__ = ["write_canvas_csv", "write_gradebooks", "write_moodle_csv", "gradescope_results", "write_jsonl"]


def write_gradebooks(all_results: list[TargetResults], rubric: Rubric, out: Path, suffix: str = "",
                     canvas_assignment: str | None = None) -> list[Export]:
    """The class's gradebook files; ``suffix`` ("-partial") keeps a partial run's apart from the class's;
    ``canvas_assignment``: the Canvas column, "TP Kafka (1234)"."""
    return [write_moodle_csv(all_results, rubric, out / f"moodle{suffix}.csv"),
            write_canvas_csv(all_results, rubric, out / f"canvas{suffix}.csv", canvas_assignment)]


def gradescope_results(results: TargetResults, rubric: Rubric, note: str = "", on_points: bool = False) -> dict:
    """Gradescope's autograder ``results.json`` (its spec: every test ``passed`` or ``failed``; a test without a
    ``status`` shows as passed when its score equals its max_score, so every test here has one, with its
    ``visibility`` and ``output_format``). The score is the grade on 20 and each test's score and max_score are
    its points on that scale. A check not evaluated is no test (Gradescope has no such state, and a 0/0 test
    reads as passed): the output names it, with why it costs nothing; ``note`` adds what the autograder does
    not grade (the cluster, graded in the instructor's run). ``on_points``: the rubric's points instead of the
    scale of 20 (the autograder grades a part of the lab: its assignment is worth that part's points)."""
    grade = rubric.grade(results)
    tests = []
    for r in results.in_lab_order():
        if not r.counted:
            continue
        worth = rubric.weight(r.check) if on_points else round(on_20(rubric.weight(r.check), grade), 4)
        parts = (r.reason, r.blocked_by and f"bloqué par · blocked by: {r.blocked_by}",
                 r.hint_fr and f"FR: {r.hint_fr}", r.hint_en and f"EN: {r.hint_en}")
        tests.append({"name": r.title_fr or r.title, "number": r.step, "score": worth if r.outcome == PASSED else 0.0,
                      "max_score": worth, "status": "passed" if r.outcome == PASSED else "failed",
                      "output": "\n".join(part for part in parts if part), "output_format": "text",
                      "visibility": "visible", "tags": [r.outcome], "extra_data": {"check": r.check}})
    lines = [f"Points : {grade.points:g}/{grade.max_points:g} · points: {grade.points:g} of {grade.max_points:g}"
             if on_points else f"Note · grade: {headline(results, rubric, grade)}"]
    skipped = [r for r in results.in_lab_order() if r.outcome == NOT_EVALUATED and r.applicable]
    if skipped:
        lines.append("Non évalué, sans effet sur la note · not evaluated, no effect on the grade:")
        lines += [f"- {r.title_fr or r.title} ({r.step}): {r.reason or '?'}" for r in skipped]
    if note:
        lines.append(note)
    started, finished = results.meta.get("started"), results.meta.get("finished")
    return {"score": grade.points if on_points else grade.on_20,
            "execution_time": round(finished - started, 1) if started and finished else None,
            "output": "\n".join(lines), "output_format": "text", "test_output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


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
