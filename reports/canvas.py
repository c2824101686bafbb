"""Canvas's gradebook import (Grades → Import): Student, ID, SIS User ID, SIS Login ID, Section, then the
assignment's column, ``TP Kafka (<assignment id>)`` when its id is known (else Canvas creates the assignment).

Canvas matches a row by its ID (Canvas's own user id, which a roster does not have), else SIS User ID (the
roster's idnumber), else SIS Login ID (the email): a student with neither is left out, never written blank.
The "Points Possible" row says the grade is on 20.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .gradebook import GRADE_ITEM, Export, name_cell, roster_students
from .results import TargetResults
from .rubric import SCALE, Rubric

HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def assignment_column(assignment_id: str | None = None) -> str:
    return f"{GRADE_ITEM} ({assignment_id})" if assignment_id else GRADE_ITEM


def write_canvas_csv(all_results: list[TargetResults], rubric: Rubric, path: Path,
                     assignment_id: str | None = None) -> Export:
    students, left_out = roster_students(all_results, rubric)
    export = Export(path, "SIS User ID / SIS Login ID", 0, left_out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, assignment_column(assignment_id)])
        writer.writerow(["    Points Possible", "", "", "", "", f"{SCALE:.2f}"])
        for student in students:
            if not (student.idnumber or student.email):
                export.left_out.append((student.results.target, "no idnumber nor email · ni numéro ni courriel"))
                continue
            writer.writerow([name_cell(student.name) or student.results.target, "", student.idnumber, student.email,
                             "", f"{student.grade.on_20:.2f}"])
            export.rows += 1
    return export
