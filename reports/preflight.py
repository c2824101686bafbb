"""Pre-flight of a Moodle grade import: every row Moodle would reject or give to the wrong student, before the
instructor uploads the file.

    python -m reports.preflight out/moodle.csv [--roster participants.csv]

Exit status 0 when the file would import cleanly, 1 with one line per problem (line of the file, identity,
what Moodle would do). Moodle aborts the whole import at the first row whose identity it cannot find, so the
identities are always checked: against ``--roster`` (best: Moodle's own participants export, CSV), else the
roster of the run that wrote the file (``preflight/roster.json`` beside it, written by ``--report-dir``); with neither,
the exit status is 2 (identities not checked). Emails are compared as Moodle does: without case; an email two
roster accounts share is refused, as Moodle refuses it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from .classlist import column_name, decode, read_csv, records
from .gradebook import FEEDBACK_SUFFIX
from .rubric import SCALE

# The identities Moodle's import maps a column to (useremail, useridnumber, username).
IDENTITIES = ("email", "idnumber", "id")


@dataclass(frozen=True)
class Rejection:
    line: int
    identity: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f" ({self.identity})" if self.identity else "") + f": {self.problem}"


@dataclass(frozen=True)
class Layout:
    identity: int  # the identity column's index
    kind: str  # email, idnumber or id
    grades: tuple[int, ...]  # grade item columns
    feedback: dict[int, int]  # feedback column → its grade column


def _layout(header: list[str]) -> tuple[Layout | None, list[Rejection]]:
    problems = []
    identities = [(i, column_name(h)) for i, h in enumerate(header) if column_name(h) in IDENTITIES]
    if len(identities) != 1:
        names = ", ".join(header[i] for i, _ in identities) or "none"
        problems.append(Rejection(1, "", f"{len(identities)} identity columns ({names}): Moodle maps exactly one "
                                  "(Email address or ID number) · une seule colonne d'identité"))
    feedback, grades = {}, []
    for index, name in enumerate(header):
        if name.endswith(FEEDBACK_SUFFIX):
            item = name[: -len(FEEDBACK_SUFFIX)]
            if item not in header:
                problems.append(Rejection(1, "", f"feedback column {name!r} without its grade column {item!r}: "
                                          "Moodle imports feedback only with a grade item · commentaire sans note"))
            else:
                feedback[index] = header.index(item)
        elif column_name(name) is None:
            grades.append(index)
    if not grades:
        problems.append(Rejection(1, "", "no grade column · aucune colonne de note"))
    if problems:
        return None, problems
    return Layout(identities[0][0], str(identities[0][1]), tuple(grades), feedback), []


def _grade_problem(text: str) -> str | None:
    if not text.strip():
        return None  # no grade: Moodle leaves the gradebook as it is
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return f"grade {text!r} is not a number · note non numérique"
    if not math.isfinite(value) or value < 0 or value > SCALE:
        return f"grade {text} is not between 0 and {SCALE} (the grade item's maximum) · note hors de 0–{SCALE}"
    return None


# The file the run writes beside its gradebooks: the identities of its roster's students (in a folder of its
# own: ``out/<id>.json`` is a student's report, whatever the id).
RUN_ROSTER = "preflight/roster.json"
NOT_CHECKED = 2


def roster_identities(data: bytes) -> dict[str, list[str]]:
    """The emails, ID numbers and usernames of a roster or Moodle participants export, as spelled there (a
    list: an identity two accounts hold is there twice)."""
    table = read_csv(data)
    return {kind: [v for v in (row.get(kind, "").strip() for _, row in table.rows) if v] for kind in IDENTITIES}


def write_run_roster(students: list[dict[str, str]], path: Path) -> Path:
    """The run's roster identities (email, idnumber, id of each roster student), for the pre-flight."""
    identities = {kind: [s.get(kind, "") for s in students if s.get(kind)] for kind in IDENTITIES}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(identities, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _matches(kind: str, who: str, known: list[str]) -> list[str]:
    """The roster's accounts Moodle would match ``who`` to: emails without case, other identities exactly."""
    if kind == "email":
        return [value for value in known if value.casefold() == who.casefold()]
    return [value for value in known if value == who]


def preflight(data: bytes, roster: dict[str, list[str]] | None = None) -> list[Rejection]:
    """Every row of a Moodle grade import that Moodle would reject or give to another student."""
    text, _, error = decode(data)
    if text is None:
        return [Rejection(error.line, "", error.message)] if error else []
    reader = csv.reader(io.StringIO(text, newline=""))
    layout, problems = _layout(next(reader, []))
    if layout is None:
        return problems
    seen: dict[str, int] = {}
    known = list((roster or {}).get(layout.kind, []))
    for line, cells in records(reader, lambda error: problems.append(Rejection(error.line, "", error.message))):
        if not any(c.strip() for c in cells):
            continue
        cells += [""] * (layout.identity + 1 - len(cells))
        who = cells[layout.identity].strip()
        if not who:
            problems.append(Rejection(line, "", "blank identity: Moodle gives this grade to no one, or to the row "
                                      "before · identité vide"))
            continue
        key = who.casefold() if layout.kind == "email" else who
        if key in seen:
            problems.append(Rejection(line, who, f"same student as line {seen[key]}: Moodle keeps one of the two "
                                      "grades · étudiant·e en double"))
        seen.setdefault(key, line)
        if roster is not None:
            accounts = _matches(layout.kind, who, known)
            if not accounts:
                problems.append(Rejection(line, who, f"no such {layout.kind} in the roster: Moodle finds no one "
                                          "and aborts the whole import · inconnu·e : Moodle annule tout l'import"))
            elif len(accounts) > 1:
                problems.append(Rejection(line, who, f"{len(accounts)} accounts hold this {layout.kind} "
                                          f"({', '.join(map(repr, accounts))}): Moodle refuses it · identité "
                                          "partagée par plusieurs comptes"))
        for index in layout.grades:
            problem = _grade_problem(cells[index] if index < len(cells) else "")
            if problem:
                problems.append(Rejection(line, who, problem))
        for index, item in layout.feedback.items():
            has_feedback = index < len(cells) and cells[index].strip()
            if has_feedback and not (item < len(cells) and cells[item].strip()):
                problems.append(Rejection(line, who, "feedback without a grade on this row · commentaire sans note"))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.preflight", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="the grade import file (out/moodle.csv)")
    parser.add_argument("--roster", type=Path, help="the class (roster CSV or, best, Moodle's participants export); "
                        f"default: the run's roster ({RUN_ROSTER} beside the file)")
    args = parser.parse_args(argv)
    run_roster = args.csv.parent / RUN_ROSTER
    if args.roster:
        roster = roster_identities(args.roster.read_bytes())
    elif run_roster.is_file():
        roster = json.loads(run_roster.read_text(encoding="utf-8"))
        print(f"identities checked against the run's roster · identités vérifiées avec la liste du run: {run_roster}")
    else:
        roster = None
    problems = preflight(args.csv.read_bytes(), roster)
    for problem in problems:
        print(problem)
    if roster is None and not problems:
        print(f"{args.csv}: identities NOT checked (no --roster and no {RUN_ROSTER} beside it): one unknown row "
              "aborts Moodle's whole import · identités non vérifiées")
        return NOT_CHECKED
    print(f"{args.csv}: " + (f"{len(problems)} problem(s) · problème(s)" if problems else
                             "ready for Moodle's import · prêt pour l'import Moodle"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
