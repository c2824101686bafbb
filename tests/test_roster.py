"""Rosters: good rows become targets, a bad row is reported with its line and column and the rest still graded."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from fixtures.roster import COLUMNS, parse

GOOD = """id,name,email,host,zookeeper,bootstrap,ssh,submission
alice,Alice Martin,alice@univ.fr,pi-node07,,,pi@pi-node07,
bob,Bob Durand,bob@univ.fr,pi-node08,pi-node08:12181,pi-node08:19092,,subs/bob
"""


def test_good_rows_become_targets_with_the_lab_ports() -> None:
    roster = parse(GOOD)
    assert roster.errors == []
    alice, bob = roster.specs
    assert alice.id == "alice" and alice.name == "pi-node07" and alice.student_name == "Alice Martin"
    assert [str(b) for b in alice.resolve().brokers] == ["pi-node07:9092", "pi-node07:9093"]
    assert str(bob.resolve().zookeeper) == "pi-node08:12181" and bob.resolve().bootstrap == "pi-node08:19092"
    assert "ssh" not in alice.describe()  # credentials never reach a report


def test_a_bad_row_is_reported_with_line_and_column_and_the_others_kept() -> None:
    text = GOOD + "carol,Carol,,,,,,\n" + "dave,Dave,,pi node,,,,\n" + "alice,Again,,pi-node09,,,,\n" \
        + "erin,Erin,,pi-node10,,pi-node10:99999,,\n" + "frank,Frank,,pi-node11,,,,\n"
    roster = parse(text)
    assert [s.id for s in roster.specs] == ["alice", "bob", "frank"]
    described = [str(e) for e in roster.errors]
    assert "line 4, column 'host': is empty" in described
    assert any(e.startswith("line 5, column 'host'") for e in described)
    assert any(e.startswith("line 6, column 'id'") and "twice" in e for e in described)
    assert any(e.startswith("line 7, column 'bootstrap'") and "out of range" in e for e in described)


def test_a_header_without_host_is_refused_plainly() -> None:
    roster = parse("id,name\nalice,Alice\n")
    assert roster.specs == [] and str(roster.errors[0]) == "line 1, column 'host': column missing from the header"


def test_toml_rosters_are_read_too() -> None:
    roster = parse('[[students]]\nid = "alice"\nhost = "pi-node07"\n', ".toml")
    assert [s.id for s in roster.specs] == ["alice"]


ids = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True)


@given(st.lists(st.tuples(ids, st.text(max_size=30), hosts), max_size=10, unique_by=lambda t: t[0]))
def test_any_valid_roster_round_trips(rows: list[tuple[str, str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for student_id, name, host in rows:
        writer.writerow([student_id, name, "", host, "", "", "", ""])
    roster = parse(buffer.getvalue())
    assert roster.errors == []
    assert [(s.id, s.name) for s in roster.specs] == [(i, h) for i, _, h in rows]


@given(st.text())
def test_any_text_gives_targets_or_located_errors(text: str) -> None:
    roster = parse("id,host\n" + text)
    assert all(e.line >= 1 and e.column and e.message for e in roster.errors)
