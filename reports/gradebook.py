"""What the gradebook exports share: who is exported (roster students only, with an identity the LMS matches),
the cells (student-controlled text made safe) and the feedback in French, with the points lost per section.

A row without identity is never written: Moodle's importer would give that grade to the previous student or
abort the import. Rows are per ``TargetResults`` (the roster id): a student's submission results are in it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .causes import cause_fr
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
    canvas_id: str = ""  # Canvas's own user id (the roster's canvas_id column): the identity Canvas matches first


@dataclass
class Export:
    """A written gradebook file, and every graded entry left out of it with the reason (told to the instructor)."""

    path: Path
    identity: str = ""
    rows: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the instructor should know about the identity chosen

    def summary(self) -> str:
        text = f"{self.path.name}: {self.rows} student(s)" + (f" by {self.identity}" if self.identity else "")
        if self.notes:
            text += " (" + "; ".join(self.notes) + ")"
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
                                cell(info.get("student")), rubric.grade(results), cell(info.get("canvas_id"))))
    return students, left_out


def on_20(points: float, grade: Grade) -> float:
    """Rubric points on the grade's scale: what a check is worth out of 20 points evaluated."""
    return SCALE * points / grade.max_points if grade.max_points else 0.0


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")  # French text: decimal comma (the grade cells keep the point)


# How the grader words a check failed because nothing was handed in (fixtures.plugin.verdict.NOT_SUBMITTED).
NOT_SUBMITTED_PREFIX = "non rendu"


def _section_losses(checks: list[CheckResult], rubric: Rubric, grade: Grade) -> str:
    """One section's failed and blocked checks: each failed one by name, the blocked ones by cause and the ones
    with nothing handed in together (a whole section lost to one cause is one phrase, not one per check)."""
    failed, groups = [], {}
    for r in checks:
        if r.outcome == BLOCKED:
            group = f"bloqué — {cause_fr(r.blocked_by)}"
        elif r.reason.startswith(NOT_SUBMITTED_PREFIX):
            group = "non rendu"
        else:
            failed.append(r.title_fr or r.title)
            continue
        groups[group] = groups.get(group, 0) + 1
    lost = _number(sum(on_20(rubric.weight(r.check), grade) for r in checks))
    if not failed and len(groups) == 1:
        return f"{next(iter(groups))} (−{lost} pt)"
    grouped = [f"{group} ({n} vérification{'s' if n > 1 else ''})" for group, n in groups.items()]
    return f"−{lost} pt — " + " ; ".join(failed + grouped)


def feedback(results: TargetResults, rubric: Rubric, grade: Grade | None = None) -> str:
    """The student's feedback, in French throughout: the grade and its basis, then per lab section the points lost
    (on 20), the failed checks by name and the blocked ones by their cause, in one line per section; what was
    not evaluated is named (a whole section as one) and costs nothing; what does not apply is not mentioned."""
    grade = grade or rubric.grade(results)
    text = f"Note : {_number(grade.on_20)}/20"
    if not grade.complete:
        text += f", sur les {_number(grade.evaluated_on_20)} points évalués des 20"
    text += "."
    other = "Autres vérifications"
    order = [s.title for s in rubric.sections] + [other]
    sections: dict[str, list[CheckResult]] = {}
    for r in results.in_lab_order():
        section = rubric.section_of(r.check)
        sections.setdefault(section.title if section else other, []).append(r)
    for title in sorted(sections, key=order.index):
        lost = [r for r in sections[title] if r.outcome in (FAILED, BLOCKED)]
        if lost:
            text += f" {title} : {_section_losses(lost, rubric, grade)}."
    if all(r.outcome == PASSED for r in results.results if r.counted):
        text += " Tout ce qui a été évalué est correct."
    not_evaluated = []
    for title in sorted(sections, key=order.index):
        applicable = [r for r in sections[title] if r.applicable]
        skipped = [r for r in applicable if r.outcome == NOT_EVALUATED]
        if skipped and len(skipped) == len(applicable) and len(skipped) > 1:
            not_evaluated.append(f"{title} en entier")
        else:
            not_evaluated += [r.title_fr or r.title for r in skipped]
    if not_evaluated:
        text += " Non évalué, sans effet sur la note : " + " ; ".join(not_evaluated) + "."
    return cell(text)
