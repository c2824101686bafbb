"""Canvas's gradebook import (Grades → Import): Student, ID, SIS User ID, SIS Login ID, Section, then the
assignment's column, ``Title (id)`` (``--canvas-assignment "TP Kafka (1234)"``), then a "Points Possible" row.

Canvas's ``GradebookImporter`` matches a row by ID (Canvas's own user id: the roster's ``canvas_id``), else SIS
User ID (the roster's ``idnumber``), else SIS Login ID (its ``email``), each exact and case-sensitive, and
**then by exact name, taking the first student of that name**. So a row is written only when Canvas can match it
by an identity: a student with none (name only) is left out, and so are two roster students of the same name
without a ``canvas_id`` (if their SIS ids are not Canvas's, both grades would land on the first of them). The
column is matched by its id, else its exact title, else Canvas creates an assignment with the column's points:
without ``--canvas-assignment`` the column is ``TP Kafka`` and the README tells the instructor what to check.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .gradebook import GRADE_ITEM, Export, Student, name_cell, roster_students
from .results import TargetResults
from .rubric import SCALE, Rubric

HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Canvas's own header for an assignment column: "Title (id)".
_ASSIGNMENT = re.compile(r"^(?P<title>.*\S)\s*\((?P<id>\d+)\)$")


def assignment_column(assignment: str | None = None) -> str:
    """The grade column's header: ``--canvas-assignment`` as Canvas names the assignment ("TP Kafka (1234)"), or
    a bare id ("1234") under our grade item's title; without either, the title alone."""
    if not assignment:
        return GRADE_ITEM
    if assignment.strip().isdigit():
        return f"{GRADE_ITEM} ({assignment.strip()})"
    match = _ASSIGNMENT.match(assignment.strip())
    if not match:
        raise ValueError(f"--canvas-assignment {assignment!r}: expected Canvas's column header, 'Title (id)' as in "
                         "its gradebook export, e.g. 'TP Kafka (1234)' · attendu « Titre (id) »")
    return f"{match['title']} ({match['id']})"


def _refused(students: list[Student]) -> dict[str, str]:
    """Why a student's row would not reach the right Canvas user (by target id)."""
    refused: dict[str, str] = {}
    names: dict[str, list[Student]] = {}
    for student in students:
        names.setdefault(student.name, []).append(student)
    for student in students:
        if not (student.canvas_id or student.idnumber or student.email):
            refused[student.results.target] = ("no canvas_id, idnumber nor email: Canvas would match the name only "
                                               "· ni identifiant Canvas, ni numéro, ni courriel : nom seul")
        elif student.name and len(names[student.name]) > 1 and not student.canvas_id:
            others = ", ".join(s.results.target for s in names[student.name] if s is not student)
            refused[student.results.target] = (f"same name as {others}: Canvas falls back to the name and gives both "
                                               "grades to the first; add the canvas_id column · homonyme : "
                                               "ajoutez canvas_id")
    return refused


def write_canvas_csv(all_results: list[TargetResults], rubric: Rubric, path: Path,
                     assignment: str | None = None) -> Export:
    students, left_out = roster_students(all_results, rubric)
    refused = _refused(students)
    export = Export(path, "ID / SIS User ID / SIS Login ID", 0, left_out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, assignment_column(assignment)])
        writer.writerow(["    Points Possible", "", "", "", "", f"{SCALE:.2f}"])
        for student in students:
            if student.results.target in refused:
                export.left_out.append((student.results.target, refused[student.results.target]))
                continue
            writer.writerow([name_cell(student.name) or student.results.target, student.canvas_id, student.idnumber,
                             student.email, "", f"{student.grade.on_20:.2f}"])
            export.rows += 1
    return export
