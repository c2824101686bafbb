"""Rosters: good rows become targets, a bad row is reported with its line and column and the rest still graded."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.hosts.roster import load, parse
from reports.classlist import write_csv

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
    assert roster.specs == []
    assert str(roster.errors[0]).startswith("line 1, column 'host': column missing from the header")


def test_toml_rosters_are_read_too() -> None:
    roster = parse('[[students]]\nid = "alice"\nhost = "pi-node07"\n', ".toml")
    assert [s.id for s in roster.specs] == ["alice"]



# A French spreadsheet's "CSV" (Excel, LibreOffice): semicolons, Windows-1252, sometimes a BOM, CRLF.
FRENCH = [{"id": "zoe", "name": "Zoé Lefèvre", "email": "zoe@univ.fr", "host": "pi-node07"},
          {"id": "noel", "name": "Noël d'Arçy; «junior»", "email": "noel@univ.fr", "host": "pi-node08"}]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_a_spreadsheet_roster_is_read_in_any_dialect_and_encoding(tmp_path: Path, delimiter: str,
                                                                   encoding: str) -> None:
    path = tmp_path / "class.csv"
    path.write_bytes(write_csv(FRENCH, delimiter=delimiter, encoding=encoding))
    roster = load(path)
    assert roster.errors == [], roster.errors
    assert [(s.id, s.student_name, s.name) for s in roster.specs] == [
        ("zoe", "Zoé Lefèvre", "pi-node07"), ("noel", "Noël d'Arçy; «junior»", "pi-node08")]
    assert roster.delimiter == delimiter


def test_the_semicolon_latin1_file_of_the_issue_is_read(tmp_path: Path) -> None:
    """The file a French Excel saves: BOM-less Windows-1252, semicolons, CRLF (it used to say 'id' and 'host'
    were missing, then stop on a bare codec error)."""
    path = tmp_path / "class.csv"
    path.write_bytes("id;nom complet;email;hôte\r\nzoe;Zoé Lefèvre;zoe@univ.fr;pi-node07\r\n".encode("cp1252"))
    roster = load(path)
    assert roster.errors == [] and roster.encoding == "cp1252"
    assert roster.specs[0].student_name == "Zoé Lefèvre" and roster.specs[0].name == "pi-node07"


def test_a_bad_byte_is_reported_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "class.csv"
    # A UTF-8 file (é é è written right) with one byte pasted from a Latin-1 file on line 3.
    path.write_bytes("id,name,host\nzoe,Zoé Lefèvre,pi-1\nnoel,Noël".encode() + b"\xe9t\xe9,pi-2\n")
    roster = load(path)
    assert roster.specs == [] and [str(e) for e in roster.errors][0].startswith("line 3, column 10: byte 0xe9")
    # A byte Windows-1252 does not define either (0x81) in a file that is not UTF-8.
    path.write_bytes(b"id,name,host\nzoe,Zo\xe9,pi-1\nnoel,N\x81l,pi-2\n")
    assert str(load(path).errors[0]).startswith("line 3, column 7: byte 0x81 is neither UTF-8 nor Windows-1252")


MOODLE_EN = ("First name,Last name,ID number,Email address,Groups,host\n"
             "Zoé,Lefèvre,21900123,Zoe.Lefevre@univ.fr,TP1,pi-node07\n"
             "Noël,Martin,,noel.martin@univ.fr,TP1,pi-node08\n")
MOODLE_FR = ("Prénom;Nom;Numéro d'identification;Adresse de courriel;Groupes;Hôte\n"
             "Zoé;Lefèvre;21900123;Zoe.Lefevre@univ.fr;TP1;pi-node07\n"
             "Noël;Martin;;noel.martin@univ.fr;TP1;pi-node08\n")


@pytest.mark.parametrize("export", [MOODLE_EN, MOODLE_FR], ids=["english", "french"])
def test_moodles_participants_export_with_a_host_column_is_a_roster(tmp_path: Path, export: str) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes(export.encode("utf-8-sig"))
    roster = load(path)
    assert roster.errors == []  # Moodle's other columns (groups…) are not typos
    zoe, noel = roster.specs
    assert (zoe.id, zoe.student_name, zoe.email, zoe.idnumber) == ("21900123", "Zoé Lefèvre", "Zoe.Lefevre@univ.fr",
                                                                   "21900123")
    assert (noel.id, noel.student_name, noel.idnumber, noel.name) == ("noel.martin", "Noël Martin", "", "pi-node08")
    assert zoe.describe()["idnumber"] == "21900123" and zoe.describe()["roster"] == "yes"


def test_a_student_nobody_can_identify_is_refused() -> None:
    roster = parse("name,host\nZoé,pi-1\n")
    assert roster.specs == [] and "who is this student" in str(roster.errors[0])


ids = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True)
# Names as students write them: accents, apostrophes, commas, semicolons, quotes, tabs and line breaks.
latin_names = st.text(st.sampled_from("abzAZ éèàçÉÀ'-,;\"\t\n"), max_size=20).map(str.strip)
any_names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                    max_size=20).map(str.strip)
DIALECTS = [(d, e) for d in (",", ";", "\t") for e in ("utf-8", "utf-8-sig", "utf-16", "cp1252")]


@given(st.sampled_from(DIALECTS), st.data())
def test_any_roster_round_trips_through_each_dialect_and_encoding(dialect: tuple[str, str], data) -> None:
    delimiter, encoding = dialect
    names = latin_names if encoding == "cp1252" else any_names
    rows = data.draw(st.lists(st.fixed_dictionaries({"id": ids, "name": names, "host": hosts,
                                                     "idnumber": st.from_regex(r"[0-9]{0,8}", fullmatch=True)}),
                              max_size=8, unique_by=lambda r: r["id"]))
    roster = parse(write_csv(rows, delimiter=delimiter, encoding=encoding))
    assert roster.errors == []
    assert [(s.id, s.student_name, s.name, s.idnumber) for s in roster.specs] == [
        (r["id"], r["name"], r["host"], r["idnumber"]) for r in rows]


@given(st.text())
def test_any_text_gives_targets_or_located_errors(text: str) -> None:
    roster = parse("id,host\n" + text)
    assert all(e.line >= 1 and e.column and e.message for e in roster.errors)


@given(st.binary())
def test_any_bytes_give_targets_or_located_errors(data: bytes) -> None:
    roster = parse(b"id;host\n" + data)
    assert all(e.line >= 1 and e.column and e.message for e in roster.errors)


def test_a_pinned_host_key_reaches_the_target_and_a_malformed_one_is_reported() -> None:
    pinned = "SHA256:" + "q" * 42 + "0"
    roster = parse("id,host,host_key\nalice,pi-node07," + pinned + "\nbob,pi-node08,MD5:aa:bb\ncarol,pi-node09,\n")
    assert [(s.id, s.resolve().host_key) for s in roster.specs] == [("alice", pinned), ("carol", None)]
    assert [str(e) for e in roster.errors] == [
        "line 3, column 'host_key': 'MD5:aa:bb' is not a SHA256:… fingerprint (ssh-keygen -lf "
        "/etc/ssh/ssh_host_ed25519_key.pub)"]
    assert "host_key" not in roster.specs[0].describe()


def test_the_roster_option_is_declared_and_read_the_same_way_in_every_command(tmp_path: Path) -> None:
    """``pytest checks``, ``kafkalab grade`` and ``python -m dashboard`` all declare ``--roster`` with
    ``roster.add_option`` and read it with ``roster.from_option``."""
    import argparse

    from fixtures.hosts import roster
    from fixtures.plugin import cli

    parser = argparse.ArgumentParser()
    roster.add_option(parser.add_argument, required=True)
    assert parser.parse_args(["--roster", "class.csv"]).roster == "class.csv"
    assert "fixtures/hosts/roster.py" in cli._grade_parser().format_help()  # the one help, not its own
    with pytest.raises(ValueError, match=f"--roster {tmp_path / 'nope.csv'}: no such file"):
        roster.from_option(tmp_path / "nope.csv")
    only_bad = tmp_path / "bad.csv"
    only_bad.write_text("id,host\nalice,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"no student to grade in {only_bad}: line 2"):
        roster.from_option(only_bad)
    assert roster.from_option(only_bad, need_students=False).specs == []  # other --target options may follow
    good = tmp_path / "class.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert [s.id for s in roster.from_option(str(good)).specs] == ["alice", "bob"]
