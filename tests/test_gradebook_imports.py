"""Every grade lands where it belongs (issue 23): each gradebook file is read back by a reader written from that
tool's own import rules, on a class with every outcome state and a namesake pair; JUnit says each state the way
CI dashboards count it; hostile rosters give a precise message; a Moodle feedback is French and one line per
section; a partial run shows "N of M checks" and no grade on 20.

The readers (``moodle_import``, ``canvas_import``, ``gradescope_read``) follow the rules in
``../shared/notes/anchors.md`` ("Gradebook formats"): Moodle's ``grade/import/csv`` load_data, Canvas's
``GradebookImporter``, Gradescope's autograder results specification.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.hosts.roster import parse
from reports.canvas import assignment_column, write_canvas_csv
from reports.classlist import column_name
from reports.exports import gradescope_results
from reports.gradebook import feedback
from reports.headline import headline
from reports.html import render_class, render_target
from reports.junit import junit_tree, write_junit
from reports.moodle import write_moodle_csv
from reports.preflight import main as preflight_main
from reports.preflight import preflight, write_run_roster
from reports.results import BLOCKED, FAILED, NOT_EVALUATED, OUTCOMES, PASSED, CheckResult, TargetResults
from reports.rubric import Rubric
from reports.terminal import verdict_lines

RUBRIC = Rubric.by_section({
    "2": {"zk": 1, "broker": 2, "topic": 1},
    "3.1": {"producer": 2},
    "3.2": {"cluster": 1, "replication": 1},
})
STEPS = {"zk": "2.1.2", "broker": "2.1.3", "topic": "2.1.4", "producer": "3.1.2", "cluster": "3.2.1",
         "replication": "3.2.2"}
NOT_SUBMITTED = "non rendu · not submitted: velib-get-stations.py not in handed/carol"
HARNESS = "error in the grader, not charged to the student · erreur du correcteur: KeyError: 'x'"


def result(sid: str, check: str, outcome: str, **extra: str) -> CheckResult:
    return CheckResult(sid, check, f"title of {check}", STEPS[check], outcome, title_fr=f"titre de {check}", **extra)


def subject(sid: str, outcomes: dict[str, str | tuple[str, dict]], **identity: str) -> TargetResults:
    results = []
    for check, value in outcomes.items():
        outcome, extra = value if isinstance(value, tuple) else (value, {})
        results.append(result(sid, check, outcome, **extra))
    info = {"id": sid, "student": identity.get("name", ""), "email": identity.get("email", ""),
            "idnumber": identity.get("idnumber", ""), "canvas_id": identity.get("canvas_id", ""), "roster": "yes"}
    return TargetResults(sid, results, {"target": info})


ALL = dict.fromkeys(STEPS, PASSED)
DOWN = {"broker": ("the broker", "needs the broker: connection refused")}


def blocked_by(what: str) -> tuple[str, dict]:
    return BLOCKED, {"blocked_by": what, "reason": f"needs {what}: connection refused"}


# Every outcome state, a harness error, "not submitted", a dead host, and a namesake pair (two Camille Martin).
CLASS = [
    subject("alice", {**ALL, "replication": (NOT_EVALUATED, {"reason": "destructive checks not allowed"})},
            name="Alice Martin", email="Alice.Martin@univ.fr", idnumber="219001", canvas_id="101"),
    subject("bob", {"zk": PASSED, "broker": (FAILED, {"reason": "port 9092 refused"}),
                    "topic": blocked_by("the broker"), "producer": PASSED, "cluster": blocked_by("the broker"),
                    "replication": blocked_by("the broker")},
            name="Bob Durand", email="bob@univ.fr", idnumber="219002", canvas_id="102"),
    subject("carol", {**ALL, "producer": (FAILED, {"reason": NOT_SUBMITTED})},
            name="Carol Petit", email="carol@univ.fr", idnumber="219003", canvas_id="103"),
    subject("dave", {**ALL, "cluster": (NOT_EVALUATED, {"reason": HARNESS, "harness_error": "Traceback …"})},
            name="Dave Roux", email="dave@univ.fr", idnumber="219004", canvas_id="104"),
    subject("camille1", ALL, name="Camille Martin", email="camille.martin@univ.fr", idnumber="219005",
            canvas_id="105"),
    subject("camille2", {**ALL, "zk": (FAILED, {"reason": "srvr not answered"})}, name="Camille Martin",
            email="camille.martin2@univ.fr", idnumber="219006"),
]

# The course as each LMS knows it: ids, SIS ids and logins. Camille 2's SIS id in Canvas is not the roster's
# ID number (the university's SIS uses a prefix): by SIS id she is not found, and Canvas falls back to her name.
LMS_USERS = [
    {"id": "101", "sis_user_id": "219001", "login_id": "Alice.Martin@univ.fr", "name": "Alice Martin",
     "email": "alice.martin@univ.fr", "idnumber": "219001"},
    {"id": "102", "sis_user_id": "219002", "login_id": "bob@univ.fr", "name": "Bob Durand", "email": "bob@univ.fr",
     "idnumber": "219002"},
    {"id": "103", "sis_user_id": "219003", "login_id": "carol@univ.fr", "name": "Carol Petit",
     "email": "carol@univ.fr", "idnumber": "219003"},
    {"id": "104", "sis_user_id": "219004", "login_id": "dave@univ.fr", "name": "Dave Roux", "email": "dave@univ.fr",
     "idnumber": "219004"},
    {"id": "105", "sis_user_id": "219005", "login_id": "camille.martin@univ.fr", "name": "Camille Martin",
     "email": "camille.martin@univ.fr", "idnumber": "219005"},
    {"id": "106", "sis_user_id": "S219006", "login_id": "cmartin2", "name": "Camille Martin",
     "email": "Camille.Martin2@univ.fr", "idnumber": "219006"},
]
EXPECTED = {"alice": 20.0, "bob": 7.5, "carol": 15.0, "dave": 20.0, "camille1": 20.0, "camille2": 17.5}
BY_TARGET = {"alice": "101", "bob": "102", "carol": "103", "dave": "104", "camille1": "105", "camille2": "106"}


# ------------------------------------------------------------------------------------------------ Moodle


class MoodleAbort(Exception):
    """Moodle's import stops: nothing is imported."""


def moodle_import(data: str, users: list[dict], identity_field: str) -> dict[str, tuple[float, str]]:
    """Moodle's CSV grade import (grade/import/csv load_data): the instructor maps one column to ``useremail``
    or ``useridnumber``; an email is matched without case, an email several accounts hold is refused; a row
    whose identity is not found **aborts the whole import**; an empty identity cell keeps the previous row's user;
    a grade is a number (empty or "-" = no grade); feedback maps to the item's feedback."""
    rows = list(csv.reader(io.StringIO(data, newline="")))
    header, imported, user = rows[0], {}, None
    column = header.index({"email": "Email address", "idnumber": "ID number"}[identity_field])
    grade_col, feedback_col = header.index("TP Kafka"), header.index("TP Kafka (feedback)")
    for row in rows[1:]:
        value = row[column].strip()
        if value:  # Moodle: an empty identity leaves $this->studentid as it was
            if identity_field == "email":
                found = [u for u in users if u["email"].casefold() == value.casefold()]
            else:
                found = [u for u in users if u["idnumber"] == value]
            if len(found) != 1:
                raise MoodleAbort(f"{identity_field} {value!r}: {len(found)} user(s)")
            user = found[0]["id"]
        grade = row[grade_col].strip()
        if grade not in ("", "-"):
            imported[user] = (float(grade), row[feedback_col])
    return imported


@pytest.mark.parametrize("by", ["email", "idnumber"])
def test_moodle_imports_every_student_of_the_class_on_their_own_account(tmp_path: Path, by: str) -> None:
    classes = CLASS if by == "idnumber" else [
        subject(r.target, {c.check: c.outcome for c in r.results}, **{**r.meta["target"], "idnumber": ""})
        for r in CLASS]
    export = write_moodle_csv(classes, RUBRIC, tmp_path / "moodle.csv")
    assert export.identity == {"email": "Email address", "idnumber": "ID number"}[by]
    imported = moodle_import(export.path.read_text(encoding="utf-8"), LMS_USERS, by)
    # by email, the roster's case need not be Moodle's: Alice.Martin@ is alice.martin@ to Moodle
    grades = {user: grade for user, (grade, _) in imported.items()}
    assert grades == {BY_TARGET[t]: g for t, g in EXPECTED.items()}


def test_one_unknown_row_aborts_moodles_import_and_the_preflight_says_so_first(tmp_path: Path) -> None:
    export = write_moodle_csv(CLASS, RUBRIC, tmp_path / "moodle.csv")
    text = export.path.read_text(encoding="utf-8") + "219999,10.00,Inconnu\n"
    with pytest.raises(MoodleAbort):
        moodle_import(text, LMS_USERS, "idnumber")
    roster = {"idnumber": [u["idnumber"] for u in LMS_USERS], "email": [], "id": []}
    problems = preflight(text.encode(), roster)
    assert [(p.line, p.identity) for p in problems] == [(8, "219999")]
    assert "aborts the whole import" in problems[0].problem


def test_the_preflight_checks_identities_by_default_with_the_runs_roster(tmp_path: Path, capsys) -> None:
    export = write_moodle_csv(CLASS, RUBRIC, tmp_path / "moodle.csv")
    assert preflight_main([str(export.path)]) == 2  # no roster anywhere: identities NOT checked, said so
    assert "identities NOT checked" in capsys.readouterr().out
    write_run_roster([r.meta["target"] for r in CLASS[:-1]], tmp_path / "preflight" / "roster.json")
    assert preflight_main([str(export.path)]) == 1  # camille2 is not in that roster
    out = capsys.readouterr().out
    assert "checked against the run's roster" in out and "(219006): no such idnumber in the roster" in out
    write_run_roster([r.meta["target"] for r in CLASS], tmp_path / "preflight" / "roster.json")
    assert preflight_main([str(export.path)]) == 0


def test_the_preflight_matches_emails_without_case_as_moodle_does() -> None:
    data = "Email address,TP Kafka,TP Kafka (feedback)\nALICE.martin@UNIV.fr,20.00,Bien.\n"
    assert preflight(data.encode(), {"email": ["Alice.Martin@univ.fr"]}) == []
    moodle_import(data, LMS_USERS, "email")  # and Moodle agrees


# ------------------------------------------------------------------------------------------------ Canvas


def canvas_import(data: str, users: list[dict], assignments: list[dict]) -> tuple[dict[str, float], list[str]]:
    """Canvas's GradebookImporter: rows matched by ID, then SIS User ID, then SIS Login ID (exact, case-sensitive),
    then by exact name (the first student of that name); a column matched by its "(id)", else its exact title,
    else a new assignment. Returns {Canvas user id: grade} and how each row was matched."""
    rows = list(csv.reader(io.StringIO(data, newline="")))
    header, body = rows[0], rows[1:]
    if body and body[0][0].strip() == "Points Possible":
        body = body[1:]
    column = header[5]
    ids = [a for a in assignments if column.endswith(f"({a['id']})")]
    titles = [a for a in assignments if a["title"] == column]
    if not (ids or titles):
        raise AssertionError(f"Canvas would create a new assignment {column!r}")
    grades, how = {}, []
    for row in body:
        student, cid, sis, login = row[:4]
        for field, value in (("id", cid), ("sis_user_id", sis), ("login_id", login), ("name", student)):
            found = [u for u in users if value and u[field] == value]
            if found:
                grades[found[0]["id"]] = float(row[5])
                how.append(field)
                break
        else:
            how.append("unmatched")
    return grades, how


def test_canvas_puts_every_grade_on_its_own_student_never_on_a_namesake(tmp_path: Path) -> None:
    export = write_canvas_csv(CLASS, RUBRIC, tmp_path / "canvas.csv", "TP Kafka (1234)")
    grades, how = canvas_import(export.path.read_text(encoding="utf-8"), LMS_USERS,
                                [{"id": "1234", "title": "TP Kafka (groupe B)", "points": 20}])
    assert "name" not in how and "unmatched" not in how
    expected = {BY_TARGET[t]: g for t, g in EXPECTED.items() if t != "camille2"}
    assert grades == expected  # without the refusal, camille2's 17.5 would have landed on 105 by name
    left_out = dict(export.left_out)
    assert set(left_out) == {"camille2"} and "same name as camille1" in left_out["camille2"]
    assert "canvas_id" in left_out["camille2"]


def test_canvas_refuses_a_row_it_could_only_match_by_name(tmp_path: Path) -> None:
    nobody = subject("zoe", ALL, name="Zoé Lefèvre")
    export = write_canvas_csv([nobody], RUBRIC, tmp_path / "canvas.csv")
    assert export.rows == 0 and "Canvas would match the name only" in dict(export.left_out)["zoe"]


def test_the_canvas_column_carries_the_assignment_id() -> None:
    assert assignment_column("TP Kafka (1234)") == "TP Kafka (1234)"
    assert assignment_column("1234") == "TP Kafka (1234)"
    assert assignment_column(None) == "TP Kafka"
    with pytest.raises(ValueError, match="Title \\(id\\)"):
        assignment_column("TP Kafka")


def test_a_column_without_id_makes_canvas_create_an_assignment(tmp_path: Path) -> None:
    """What the --canvas-assignment option prevents: a differently named assignment gets a new column."""
    export = write_canvas_csv(CLASS, RUBRIC, tmp_path / "canvas.csv")
    with pytest.raises(AssertionError, match="new assignment"):
        canvas_import(export.path.read_text(encoding="utf-8"), LMS_USERS, [{"id": "1234", "title": "TP 3 Kafka"}])


# ------------------------------------------------------------------------------------------------ Gradescope

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def gradescope_read(data: dict) -> dict[str, str]:
    """Gradescope's results specification, as its page shows a submission: ``score`` overrides the tests' sum;
    each test is passed or failed by its ``status`` (without one: passed when score == max_score, which a 0/0 test
    always is); visibility and output formats from the documented sets. Returns {test name: shown state}."""
    assert isinstance(data["score"], (int, float)) and data.get("output_format", "simple_format") in FORMATS
    shown = {}
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "visibility", "output_format"}, test
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert test["output_format"] in FORMATS and 0 <= test["score"] <= test["max_score"]
        shown[test["name"]] = test["status"] if "status" in test else (
            "passed" if test["score"] == test["max_score"] else "failed")
    return shown


@pytest.mark.parametrize("results", CLASS, ids=[r.target for r in CLASS])
def test_gradescope_shows_each_check_as_its_outcome(results: TargetResults) -> None:
    data = json.loads(json.dumps(gradescope_results(results, RUBRIC, note="cluster: instructor's run")))
    shown = gradescope_read(data)
    assert data["score"] == EXPECTED[results.target]
    for r in results.results:
        name = r.title_fr
        if r.outcome == NOT_EVALUATED:  # never a test shown as passed: named in the output, no effect
            assert name not in shown and name in data["output"]
        else:
            assert shown[name] == ("passed" if r.outcome == PASSED else "failed")
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"], abs=0.01)
    assert "cluster: instructor's run" in data["output"]


# ------------------------------------------------------------------------------------------------ JUnit


def test_junit_says_each_state_as_ci_dashboards_count_it(tmp_path: Path) -> None:
    root = ET.parse(write_junit(CLASS, tmp_path / "junit.xml")).getroot()
    cases = {(s.get("name"), c.get("name")): c for s in root for c in s}
    state = {key: (case[0].tag if len(case) else "passed") for key, case in cases.items()}
    assert state[("bob", "broker")] == "failure" and state[("bob", "topic")] == "failure"  # failed, blocked
    assert state[("carol", "producer")] == "failure"  # not submitted: the student's, 0 points
    assert "non rendu" in cases[("carol", "producer")][0].get("message")
    assert state[("dave", "cluster")] == "error" and cases[("dave", "cluster")][0].text == "Traceback …"
    assert state[("alice", "replication")] == "skipped" and state[("alice", "zk")] == "passed"
    bob = next(s for s in root if s.get("name") == "bob")
    assert (bob.get("tests"), bob.get("failures"), bob.get("errors"), bob.get("skipped")) == ("6", "4", "0", "0")


@given(st.sampled_from(OUTCOMES), st.booleans(), st.text(max_size=30), st.text(min_size=1, max_size=30))
def test_any_outcome_maps_to_its_junit_element(outcome: str, broken: bool, reason: str, trace: str) -> None:
    r = CheckResult("s", "zk", "t", "2", outcome, reason=reason, harness_error=trace if broken else None,
                    blocked_by="ZooKeeper" if outcome == BLOCKED else None)
    xml = ET.tostring(junit_tree([TargetResults("s", [r])]).getroot(), encoding="unicode")
    case = ET.fromstring(xml)[0][0]  # parses back: no character XML refuses
    tag = case[0].tag if len(case) else None
    expected = {PASSED: None, FAILED: "failure", BLOCKED: "failure",
                NOT_EVALUATED: "error" if broken else "skipped"}[outcome]
    assert tag == expected
    if tag in ("failure", "error", "skipped"):
        assert case[0].get("message")  # always says why


# ------------------------------------------------------------------------------------------------ feedback


def test_a_student_whose_host_is_down_reads_one_french_line_per_section() -> None:
    down = subject("erin", {"zk": (FAILED, {"reason": "refused"}), "broker": blocked_by("ZooKeeper"),
                            "topic": blocked_by("the broker"), "producer": PASSED,
                            "cluster": blocked_by("the broker"), "replication": blocked_by("the broker")})
    text = feedback(down, RUBRIC)
    assert "§3.2 Passage de Kafka en mode cluster : bloqué — le broker ne répond pas (−5,00 pt)." in text
    assert ("§2 Déploiement de Kafka – ZooKeeper : −10,00 pt — titre de zk ; bloqué — ZooKeeper ne répond pas "
            "(1 vérification) ; bloqué — le broker ne répond pas (1 vérification).") in text
    for english in ("blocked", "the broker", "needs", "passed", "failed", "title of"):
        assert english not in text, english


# ------------------------------------------------------------------------------------------------ partial run


def test_a_partial_run_says_n_of_m_checks_and_no_grade_on_20() -> None:
    partial = subject("pi", {"zk": PASSED, "broker": PASSED, "topic": PASSED})
    partial.meta["partial"] = ["-k 'mygroup'"]
    grade = RUBRIC.grade(partial)
    assert grade.on_20 == 20.0  # the JSON keeps the points…
    lines = [text for text, _ in verdict_lines(partial, grade, first=headline(partial, RUBRIC, grade))]
    first = " ".join(line.strip() for line in lines[:2])
    assert "3 vérifications sur 6" in first and "3 of 6 checks" in first and "/20" not in first  # …the verdict: none
    assert "/20" not in gradescope_results(partial, RUBRIC)["output"].splitlines()[0]
    page = render_target(partial, RUBRIC)
    assert "3 vérifications sur 6" in page and "20.00/20" not in page
    assert "3/6 vérif." in render_class([partial], RUBRIC, [])
    partial.meta["partial"] = []
    assert headline(partial, RUBRIC) == "20.00/20"


# ------------------------------------------------------------------------------------------------ rosters


@pytest.mark.parametrize("header", ["Numéro d’identification", "Numéro\u00a0d'identification",
                                    "NUMERO D'IDENTIFICATION", "numéro d\u2018identification",
                                    "Numéro d\u02bcidentification"])
def test_a_french_header_is_read_whatever_the_spreadsheet_did_to_it(header: str) -> None:
    assert column_name(header) == "idnumber"
    roster = parse(f"Prénom;Nom;{header};Adresse\u00a0de courriel;Hôte\nZoé;L;21900123;z@u.fr;pi-1\n".encode())
    assert roster.errors == [] and roster.specs[0].idnumber == "21900123"


@pytest.mark.parametrize("username", ["alice@univ.fr", "o'neil", "jean-marc.d_2"])
def test_a_moodle_username_is_a_student_id(username: str) -> None:
    roster = parse(f"id,host\n{username},pi-1\n".encode())
    assert roster.errors == [] and roster.specs[0].student_id == username
    assert "'" not in roster.specs[0].id and "@" not in roster.specs[0].id  # file-safe for reports and test ids


@pytest.mark.parametrize(("text", "message"), [
    ("id,email,host\nalice,alice@univ.fr,pi-1\nalice2,ALICE@univ.fr,pi-2\n",
     "line 3, column 'email': 'ALICE@univ.fr' is the email of line 2 ('alice@univ.fr'): Moodle compares emails "
     "without case"),
    ('id,name,host\nalice,"Alice Martin,pi-1\nbob,Bob,pi-2\n',
     'line 2: CSV syntax error · erreur de syntaxe CSV: a quote (") opens a cell that is never closed'),
    ('id,name,host\nalice,"Al"ice",pi-1\nbob,Bob,pi-2\n',
     "line 2: CSV syntax error · erreur de syntaxe CSV: ',' expected after '\"' (a quote inside a quoted cell "
     "must be doubled"),
    ("id,canvas_id,host\nalice,abc,pi-1\n", "line 2, column 'canvas_id': 'abc' is not a Canvas user id"),
    ("id,host\nal ice,pi-1\n", "line 2, column 'id': 'al ice' may only hold letters, digits"),
])
def test_a_hostile_roster_gives_a_precise_message(text: str, message: str) -> None:
    roster = parse(text.encode())
    described = [str(e) for e in roster.errors]
    assert any(e.startswith(message) for e in described), described
    assert not any("is empty" in e for e in described), described  # never the old "host is empty"


def test_the_unclosed_quote_leaves_the_rows_before_it() -> None:
    roster = parse(b'id,name,host\nzoe,Zoe,pi-0\nalice,"Alice Martin,pi-1\nbob,Bob,pi-2\n')
    assert [s.id for s in roster.specs] == ["zoe"] and [e.line for e in roster.errors] == [3]


def test_a_canvas_id_column_reaches_the_export() -> None:
    roster = parse(b"id,Canvas User ID,host\nalice,101,pi-1\n")
    assert roster.errors == [] and roster.specs[0].describe()["canvas_id"] == "101"


# How spreadsheets and word processors rewrite a header: case, accents dropped or composed differently, the
# apostrophe made typographic, spaces made no-break or doubled, underscores.
_APOSTROPHES = st.sampled_from(["'", "\u2019", "\u2018", "\u02bc", "\u00b4"])
_SPACES = st.sampled_from([" ", "\u00a0", "\u202f", "  ", "_"])


@given(st.sampled_from(["Numéro d'identification", "Adresse de courriel", "Nom d'utilisateur", "Prénom",
                        "Email address", "ID number", "Canvas user id"]), st.data())
def test_any_spelling_of_a_known_header_folds_to_its_column(header: str, data) -> None:
    import unicodedata

    expected = column_name(header)
    assert expected is not None
    text = header.replace("'", data.draw(_APOSTROPHES)).replace(" ", data.draw(_SPACES))
    text = "".join(c.upper() if data.draw(st.booleans()) else c for c in text)
    text = unicodedata.normalize(data.draw(st.sampled_from(["NFC", "NFD"])), text)
    if data.draw(st.booleans()):  # an accent lost on the way
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    assert column_name(text) == expected, (header, text)


def test_a_graded_roster_writes_every_gradebook_the_way_the_tools_read_it(tmp_path: Path) -> None:
    """Through pytest itself (no cluster started: nothing handed in, only the submission checks): the namesake
    pair, a username with '@', the Canvas column, the run's roster for the pre-flight, JUnit's failures."""
    import subprocess
    import sys

    from fixtures.system.paths import REPO

    (tmp_path / "handed").mkdir()
    (tmp_path / "class.csv").write_text(
        "id,name,email,idnumber,canvas_id,host,submission\n"
        "camille1,Camille Martin,camille@univ.fr,219005,105,127.0.0.1,handed\n"
        "camille2,Camille Martin,camille2@univ.fr,219006,,127.0.0.1,handed\n"
        "alice@univ.fr,Alice Martin,Alice@univ.fr,219001,101,127.0.0.1,handed\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
                           "--roster", str(tmp_path / "class.csv"), "-m", "submitted", "--report-dir", str(out),
                           "--canvas-assignment", "TP Kafka (1234)"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert (out / "canvas-partial.csv").is_file(), done.stdout[-3000:] + done.stderr[-2000:]
    grades, how = canvas_import((out / "canvas-partial.csv").read_text(encoding="utf-8"), LMS_USERS,
                                [{"id": "1234", "title": "TP 3"}])
    assert grades == {"105": 0.0, "101": 0.0} and "name" not in how
    assert "camille2 (same name as camille1" in done.stdout
    assert preflight_main([str(out / "moodle-partial.csv")]) == 0  # against the run's roster, by default
    moodle = moodle_import((out / "moodle-partial.csv").read_text(encoding="utf-8"), LMS_USERS, "idnumber")
    assert set(moodle) == {"105", "106", "101"}
    section = "§3.1 Mode standalone : stations de vélos"
    assert all(text.startswith(f"Note : 0,00/20. {section} : non rendu (−") and "§4" in text and
               text.count("non rendu") == 2 for _, text in moodle.values())  # one phrase per section
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    assert set(suites) == {"camille1", "camille2", "alice_univ.fr"}
    assert all(s.get("failures") == s.get("tests") != "0" for s in suites.values())  # not submitted: failures
    assert "vérifications sur" in done.stdout and "/20" not in done.stdout.split("TP Kafka — camille1")[1][:200]


def test_moodle_says_why_it_did_not_use_the_id_numbers(tmp_path: Path) -> None:
    """A roster where one student lacks an ID number: moodle.csv goes by email, and says so (never silently)."""
    export = write_moodle_csv(CLASS[:2] + [subject("zoe", ALL, email="zoe@univ.fr")], RUBRIC, tmp_path / "m.csv")
    assert export.identity == "Email address"
    assert "not by ID number: 1 of 3 student(s) have none (zoe)" in export.summary()
    assert "not by ID number" not in write_moodle_csv(CLASS, RUBRIC, tmp_path / "m2.csv").summary()
