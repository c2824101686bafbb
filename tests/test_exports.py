"""Gradebook exports an instructor can import: Moodle (read here the way its importer reads it), Canvas,
Gradescope; the pre-flight that lists every row Moodle would reject; any student-controlled text stays one cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.canvas import write_canvas_csv
from reports.exports import gradescope_results, write_gradebooks
from reports.gradebook import cell, feedback, name_cell
from reports.moodle import write_moodle_csv
from reports.preflight import main as preflight_main
from reports.preflight import preflight, roster_identities
from reports.results import CheckResult, TargetResults
from reports.rubric import Rubric

RUBRIC = Rubric.by_section({"2": {"zk": 1, "broker": 3}, "3.2": {"shutdown": 1}})
# The French titles (their docstrings' FR: paragraph), which the gradebooks' feedback uses.
FRENCH = {"zk": "ZooKeeper répond", "broker": "le broker répond",
          "shutdown": "les données survivent à l'arrêt d'un broker"}


def student(sid: str, outcomes: dict[str, str], email: str = "", idnumber: str = "", name: str = "",
            roster: bool = True) -> TargetResults:
    results = [CheckResult(sid, check, f"title of {check}", "2.1.2", outcome, title_fr=FRENCH.get(check),
                           blocked_by="ZooKeeper" if outcome == "blocked" else None)
               for check, outcome in outcomes.items()]
    return TargetResults(sid, results, {"target": {"id": sid, "student": name, "email": email, "idnumber": idnumber,
                                                   "roster": "yes" if roster else ""}})


FLAWLESS = {"zk": "passed", "broker": "passed", "shutdown": "not_evaluated"}
BROKEN = {"zk": "failed", "broker": "blocked", "shutdown": "passed"}


def moodle_import(path: Path, grade_item: str = "TP Kafka") -> dict[str, tuple[float, str]]:
    """What Moodle's CSV grade import does with the file: the instructor maps one column to an identity
    (useremail or useridnumber), one to the grade item, one to its feedback; each row must identify one user
    and carry a numeric grade within the item's maximum (20); feedback is imported with a grade only."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    identity = [i for i, h in enumerate(header) if h in ("Email address", "ID number")]
    assert len(identity) == 1, f"one identity column to map, not {header}"
    grade, note = header.index(grade_item), header.index(f"{grade_item} (feedback)")
    imported: dict[str, tuple[float, str]] = {}
    for row in rows[1:]:
        assert len(row) == len(header), row
        who = row[identity[0]]
        assert who.strip(), "a blank identity: Moodle gives the grade to the row before or aborts"
        assert who not in imported, f"{who} twice"
        value = float(row[grade])
        assert 0 <= value <= 20, value
        assert row[note] and row[grade], "feedback paired with its grade"
        imported[who] = (value, row[note])
    return imported


def test_moodle_csv_imports_the_roster_students_by_email(tmp_path: Path) -> None:
    classes = [student("alice", FLAWLESS, "Alice.Martin@univ.fr"), student("bob", BROKEN, "bob@univ.fr"),
               student("carol", BROKEN, ""), student("submission-velib", FLAWLESS, roster=False),
               student("pi-node07", FLAWLESS, roster=False)]
    export = write_moodle_csv(classes, RUBRIC, tmp_path / "moodle.csv")
    imported = moodle_import(export.path)
    assert set(imported) == {"Alice.Martin@univ.fr", "bob@univ.fr"}  # as the roster spells it
    assert imported["Alice.Martin@univ.fr"][0] == 20.0 and imported["bob@univ.fr"][0] == 4.0
    assert export.identity == "Email address" and export.rows == 2
    assert [who for who, _ in export.left_out] == ["pi-node07", "submission-velib", "carol"]
    assert "carol (no Email address in the roster" in export.summary()


def test_moodle_csv_uses_moodles_id_number_when_the_roster_gives_it(tmp_path: Path) -> None:
    classes = [student("alice", FLAWLESS, "alice@univ.fr", "21900123"), student("bob", BROKEN, "", "21900124")]
    imported = moodle_import(write_moodle_csv(classes, RUBRIC, tmp_path / "moodle.csv").path)
    assert set(imported) == {"21900123", "21900124"}


def test_the_feedback_is_french_with_the_points_lost_per_section() -> None:
    text = feedback(student("bob", BROKEN), RUBRIC)
    assert text.startswith("Note : 4,00/20.")
    # zk (1) and broker (3) of 5 points evaluated: 4 and 12 of 20 points lost in §2.
    assert ("§2 Déploiement de Kafka – ZooKeeper : −16,00 pt — ZooKeeper répond ; bloqué — ZooKeeper ne répond pas "
            "(1 vérification).") in text
    assert "§3.2" not in text and "passed" not in text and "failed" not in text
    flawless = feedback(student("alice", FLAWLESS), RUBRIC)
    assert flawless == ("Note : 20,00/20, sur les 16,00 points évalués des 20. Tout ce qui a été évalué est correct. "
                        "Non évalué, sans effet sur la note : les données survivent à l'arrêt d'un broker.")


def test_gradescope_score_is_the_grade_on_20_and_says_its_basis() -> None:
    data = gradescope_results(student("alice", FLAWLESS), RUBRIC)
    assert data["score"] == 20.0 and "16.00 of 20 points evaluated" in data["output"]
    # not evaluated: no test (Gradescope would show a 0/0 test as passed), named in the output instead
    assert all("title of shutdown" not in t["name"] for t in data["tests"])
    assert FRENCH["shutdown"] in data["output"]
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(20)
    broken = gradescope_results(student("bob", BROKEN), RUBRIC)
    assert sum(t["score"] for t in broken["tests"]) == pytest.approx(broken["score"]) == 4.0
    assert {t["status"] for t in broken["tests"]} == {"passed", "failed"}


def test_canvas_csv_has_canvas_columns_and_identities(tmp_path: Path) -> None:
    classes = [student("alice", FLAWLESS, "alice@univ.fr", "21900123", "=HYPERLINK(\"x\")"),
               student("bob", BROKEN, "bob@univ.fr", name="Bob"), student("carol", BROKEN)]
    export = write_canvas_csv(classes, RUBRIC, tmp_path / "canvas.csv", assignment="4242")
    rows = list(csv.reader(export.path.open(newline="", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "TP Kafka (4242)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "20.00"
    assert rows[2] == ["'=HYPERLINK(\"x\")", "", "21900123", "alice@univ.fr", "", "20.00"]
    assert rows[3] == ["Bob", "", "", "bob@univ.fr", "", "4.00"] and len(rows) == 4
    assert [(who, why.split(":")[0]) for who, why in export.left_out] == [("carol", "no canvas_id, idnumber nor email")]


def test_the_gradebooks_of_a_partial_run_are_suffixed(tmp_path: Path) -> None:
    exports = write_gradebooks([student("alice", FLAWLESS, "a@u.fr")], RUBRIC, tmp_path, "-partial")
    assert [e.path.name for e in exports] == ["moodle-partial.csv", "canvas-partial.csv"]


GOOD = "Email address,TP Kafka,TP Kafka (feedback)\nalice@univ.fr,20.00,Bien.\nbob@univ.fr,4.00,À revoir.\n"
ROSTER = "id,email,host\nalice,alice@univ.fr,pi-1\nbob,Bob@univ.fr,pi-2\n"


def test_a_good_file_passes_the_preflight() -> None:
    assert preflight(GOOD.replace("bob@", "Bob@").encode(), roster_identities(ROSTER.encode())) == []


@pytest.mark.parametrize(("text", "line", "says"), [
    (GOOD + ",12.00,Sans identité\n", 4, "blank identity"),
    (GOOD + "zoe@univ.fr,12.00,Inconnue\n", 4, "no such email in the roster"),
    (GOOD + "carol@univ.fr,douze,Note en lettres\n", 4, "is not a number"),
    (GOOD + "carol@univ.fr,20.5,Trop\n", 4, "is not between 0 and 20"),
    (GOOD + "carol@univ.fr,-1,Négatif\n", 4, "is not between 0 and 20"),
    (GOOD + "ALICE@univ.fr,12.00,Encore\n", 4, "same student as line 2"),
    (GOOD + "carol@univ.fr,,Un commentaire sans note\n", 4, "feedback without a grade"),
    ("Email address,Autre note,TP Kafka (feedback)\nalice@univ.fr,12,Bien.\n", 1, "without its grade column"),
    ("Email address,ID number,TP Kafka\nalice@univ.fr,219,20\n", 1, "2 identity columns"),
    ("Name,TP Kafka\nAlice,20\n", 1, "0 identity columns"),
])
def test_the_preflight_lists_each_row_moodle_would_reject(text: str, line: int, says: str) -> None:
    roster = roster_identities((ROSTER + "carol,carol@univ.fr,pi-3\n").encode())
    if "zoe" not in text and "carol" not in text and line > 1:
        roster = None
    problems = preflight(text.encode(), roster)
    assert len(problems) == 1 and problems[0].line == line and says in problems[0].problem, problems


def test_the_preflight_compares_emails_without_case_as_moodle_does() -> None:
    """Moodle's own test "Fetch by email, different case" expects a match: Bob@ in the roster is bob@ here."""
    assert preflight(GOOD.encode(), roster_identities(ROSTER.encode())) == []
    shared = roster_identities((ROSTER + "bobby,BOB@univ.fr,pi-3\n").encode())
    assert [str(p) for p in preflight(GOOD.encode(), shared)] == [
        "line 3 (bob@univ.fr): 2 accounts hold this email ('Bob@univ.fr', 'BOB@univ.fr'): Moodle refuses it · "
        "identité partagée par plusieurs comptes"]


def test_the_preflight_command_checks_the_written_export(tmp_path: Path, capsys) -> None:
    roster = tmp_path / "participants.csv"
    # Moodle's participants export, French, as its own grade import will match it.
    roster.write_bytes("Prénom;Nom;Numéro d'identification;Adresse de courriel;hôte\nAlice;M;219;alice@univ.fr;pi-1\n"
                       .encode("cp1252"))
    export = write_moodle_csv([student("alice", FLAWLESS, "alice@univ.fr", "219")], RUBRIC, tmp_path / "m.csv")
    assert preflight_main([str(export.path), "--roster", str(roster)]) == 0
    assert "ready for Moodle's import" in capsys.readouterr().out
    (tmp_path / "bad.csv").write_text("ID number,TP Kafka\n220,21\n")
    assert preflight_main([str(tmp_path / "bad.csv"), "--roster", str(roster)]) == 1
    out = capsys.readouterr().out
    assert "line 2 (220): no such idnumber in the roster" in out and "line 2 (220): grade 21" in out


# Anything a student controls: their name (from the roster), and the text of check results (reasons, titles).
hostile = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.tuples(hostile, hostile, hostile), min_size=1, max_size=5))
def test_any_student_text_gives_valid_rows_without_control_characters(people) -> None:
    import tempfile

    classes = []
    for index, (name, email, reason) in enumerate(people):
        results = student(f"s{index}", BROKEN, email=f"{cell(email) or 'x'}{index}@u.fr", name=name)
        results.results[0].reason = reason
        results.results[0].title = reason
        classes.append(results)
    with tempfile.TemporaryDirectory() as folder:
        for export in write_gradebooks(classes, Rubric({"zk": 1, "broker": 3, "shutdown": 1}), Path(folder)):
            raw = export.path.read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(raw, newline="")))
            # every student is written, but for Canvas's namesakes (left out, told: see test_gradebook_imports)
            written = len(classes) - len(export.left_out)
            assert len({len(row) for row in rows}) == 1 and len(rows) - 1 - ("canvas" in export.path.name) == \
                written == export.rows
            for value in (v for row in rows for v in row):
                assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value), value
            if "moodle" in export.path.name:
                assert len(moodle_import(export.path)) == len(classes)


@given(hostile)
def test_a_cell_is_one_line_of_text_and_a_name_never_a_formula(text: str) -> None:
    value = name_cell(text)
    assert "\n" not in value and "\r" not in value and value == value.strip()
    assert not value.startswith(("=", "+", "-", "@"))


def test_a_class_report_dir_gets_every_gradebook(tmp_path: Path) -> None:
    exports = write_gradebooks([student("alice", FLAWLESS, "a@u.fr")], RUBRIC, tmp_path)
    assert [e.path.name for e in exports] == ["moodle.csv", "canvas.csv"]
    # What the terminal says of each: the file, how many students, by which identity, nobody left out.
    summaries = [e.summary() for e in exports]
    assert [s.split(" by ")[0] for s in summaries] == ["moodle.csv: 1 student(s)", "canvas.csv: 1 student(s)"]
    assert not any("left out" in s for s in summaries), summaries
