"""What the gradebook exports share: who is exported (roster students only, with an identity the LMS matches),
the cells (student-controlled text made safe) and the feedback in French, with the points lost per section.

A row without identity is never written: Moodle's importer would give that grade to the previous student or
abort the import. Rows are per ``TargetResults`` (the roster id): a student's submission results are in it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .results import BLOCKED, FAILED, NOT_EVALUATED, PASSED, CheckResult, TargetResults, safe_text
from .rubric import SCALE, Grade, Rubric

GRADE_ITEM = "TP Kafka"
FEEDBACK_SUFFIX = " (feedback)"
# A cell starting with one of these is a formula in a spreadsheet (CSV injection, OWASP).
_FORMULA = ("=", "+", "-", "@")


def cell(text: object) -> str:
    """Text for one CSV cell, one line: the one sanitiser of student text (``reports.results.safe_text``: escape
    sequences, control characters, line separators and bidi overrides gone, line ends and tabs made spaces,
    secrets masked), stripped. A cell never moves the cursor, breaks a line or reverses what follows."""
    return safe_text(unicodedata.normalize("NFC", str(text or "")), multiline=False).strip()


def name_cell(text: object) -> str:
    """A name a student chose: a cell that a spreadsheet will show as text, never run as a formula."""
    value = cell(text)
    return "'" + value if value.startswith(_FORMULA) else value


@dataclass(frozen=True)
class Student:
    """One exported row: the results, the identities the roster gives, the grade."""

    results: TargetResults
    email: str
    idnumber: str
    name: str
    grade: Grade


@dataclass
class Export:
    """A written gradebook file, and every graded entry left out of it with the reason (told to the instructor)."""

    path: Path
    identity: str = ""
    rows: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.path.name}: {self.rows} student(s)" + (f" by {self.identity}" if self.identity else "")
        if self.left_out:
            text += "; left out · non exporté(s): " + "; ".join(f"{who} ({why})" for who, why in self.left_out)
        return text


def roster_students(all_results: list[TargetResults], rubric: Rubric) -> tuple[list[Student], list[tuple[str, str]]]:
    """The roster's students (in id order) and the graded entries that are not (``--target``, a submission
    graded alone): those have no one to give a grade to in a gradebook."""
    students, left_out = [], []
    for results in sorted(all_results, key=lambda r: r.target):
        info = results.meta.get("target", {})
        if info.get("roster") != "yes":
            left_out.append((results.target, "not a roster student · absent de la liste"))
            continue
        students.append(Student(results, cell(info.get("email")), cell(info.get("idnumber")),
                                cell(info.get("student")), rubric.grade(results)))
    return students, left_out


def on_20(points: float, grade: Grade) -> float:
    """Rubric points on the grade's scale: what a check is worth out of 20 points evaluated."""
    return SCALE * points / grade.max_points if grade.max_points else 0.0


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")  # French text: decimal comma (the grade cells keep the point)


def feedback(results: TargetResults, rubric: Rubric, grade: Grade | None = None) -> str:
    """The student's feedback, in French: the grade and its basis, then per lab section the points lost (on
    20) and the checks that cost them; what was not evaluated is named and costs nothing."""
    grade = grade or rubric.grade(results)
    text = f"Note : {_number(grade.on_20)}/20"
    if not grade.complete:
        text += f", sur les {_number(grade.evaluated_on_20)} points évalués des 20"
    text += "."
    ordered = results.in_lab_order()
    sections: dict[str, list[CheckResult]] = {}
    for r in ordered:
        if r.outcome in (FAILED, BLOCKED):
            section = rubric.section_of(r.check)
            sections.setdefault(section.title if section else "Autres vérifications", []).append(r)
    order = [s.title for s in rubric.sections] + ["Autres vérifications"]
    for title in sorted(sections, key=order.index):
        lost = sum(on_20(rubric.weight(r.check), grade) for r in sections[title])
        checks = " ; ".join(f"{rubric.label(r.check, r.title)}" + (
            f" (bloqué par {r.blocked_by})" if r.outcome == BLOCKED and r.blocked_by else
            " (bloqué)" if r.outcome == BLOCKED else "") for r in sections[title])
        text += f" {title} : −{_number(lost)} pt — {checks}."
    if all(r.outcome == PASSED for r in ordered if r.counted):
        text += " Tout ce qui a été évalué est correct."
    not_evaluated = [rubric.label(r.check, r.title) for r in ordered if r.outcome == NOT_EVALUATED]
    if not_evaluated:
        text += " Non évalué, sans effet sur la note : " + " ; ".join(not_evaluated) + "."
    return cell(text)
