"""Moodle's grade import (Grades → Import → CSV file): one identity column, the grade on 20, its feedback.

Moodle maps each column by hand on import: the identity column to "Email address" or "ID number" (its
``useremail`` / ``useridnumber``), ``TP Kafka`` to the grade item, ``TP Kafka (feedback)`` to that item's
feedback. One identity column only, never blank: ID number when the roster gives one for every student
exported (it does not change when a student changes their email), else the email, as the roster spells it.
Steps in README.md ("Importer les notes dans Moodle").
"""

from __future__ import annotations

import csv
from pathlib import Path

from .gradebook import FEEDBACK_SUFFIX, GRADE_ITEM, Export, Student, feedback, roster_students
from .results import TargetResults
from .rubric import Rubric

EMAIL, IDNUMBER = "Email address", "ID number"


def choose_identity(students: list[Student]) -> str:
    """ID number when every student has one, else the email (whichever identifies more students)."""
    with_id = sum(1 for s in students if s.idnumber)
    with_email = sum(1 for s in students if s.email)
    return IDNUMBER if students and with_id == len(students) or with_id > with_email else EMAIL


def write_moodle_csv(all_results: list[TargetResults], rubric: Rubric, path: Path) -> Export:
    students, left_out = roster_students(all_results, rubric)
    identity = choose_identity(students)
    export = Export(path, identity, 0, left_out)
    without_id = [s.results.target for s in students if not s.idnumber]
    if identity == EMAIL and len(without_id) < len(students):  # never silently: some ID numbers were there
        export.notes.append(f"not by ID number: {len(without_id)} of {len(students)} student(s) have none "
                            f"({', '.join(without_id[:5])}{'…' if len(without_id) > 5 else ''}) · pas par numéro "
                            "d'identification : il manque à certain·e·s")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([identity, GRADE_ITEM, GRADE_ITEM + FEEDBACK_SUFFIX])
        for student in students:
            who = student.idnumber if identity == IDNUMBER else student.email
            if not who:
                export.left_out.append((student.results.target, f"no {identity} in the roster · pas de "
                                        f"{'numéro d’identification' if identity == IDNUMBER else 'courriel'}"))
                continue
            writer.writerow([who, f"{student.grade.on_20:.2f}", feedback(student.results, rubric, student.grade)])
            export.rows += 1
    return export
