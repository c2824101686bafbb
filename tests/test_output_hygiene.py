"""Output hygiene (issue 15): what a student controls reaches no terminal or text export with its control
characters, and no secret reaches any report, export, junit.xml or the terminal.

Properties of the one sanitiser (``reports.results.clean_text`` / ``reports.secrets.mask_secrets``), then a real
grading run on an embedded cluster where the student's consumer group ids hold a screen-clearing escape, a bidi
override and a named secret: pytest's output and every file under ``--report-dir`` are read back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from kafka import TopicPartition
from kafka.admin import NewTopic

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.plugin.results import SafeTerminal, _safe_report
from reports.results import CheckResult, clean_text, safe_text
from reports.secrets import add_secret, forget_secret, mask_secrets
from tests.support.groups import commit_offsets

from .conftest import GradeRun, grade

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
SECRET_NAMES = ("apiKey", "api_key", "API-KEY", "apikey", "password", "Passwd", "secret", "TOKEN")
# Text as hostile as a student can make it: any character, with escape sequences and controls made likely.
hostile = st.lists(st.one_of(st.characters(), st.sampled_from(["\x1b", "\x1b[", "\x1b]", "\x9b", "\x07", "\r", "\n",
                                                              "\t", "\x00", "\x7f", "\u202e", "\u2066", "2J", ";"]))
                   ).map("".join)


def shown_controls(text: str, multiline: bool) -> list[str]:
    kept = {"\n", "\t"} if multiline else set()
    return [c for c in text if (unicodedata.category(c) == "Cc" and c not in kept) or c in BIDI]


@given(hostile, st.booleans())
def test_no_control_character_survives(text: str, multiline: bool) -> None:
    assert shown_controls(clean_text(text, multiline), multiline) == []
    assert shown_controls(safe_text(text, multiline), multiline) == []


@given(hostile)
def test_cleaning_and_masking_are_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)
    assert mask_secrets(mask_secrets(text)) == mask_secrets(text)
    assert safe_text(safe_text(text)) == safe_text(text)


# How a secret is written: a URL's query, a config line, a Python assignment, YAML, JSON.
SPELLINGS = ("{name}={value}", "{name}: {value}", '{name} = "{value}"', "{name}='{value}'", '"{name}": "{value}"')


@given(before=hostile, name=st.sampled_from(SECRET_NAMES), spelling=st.sampled_from(SPELLINGS),
       value=st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+", min_size=8),
       after=st.sampled_from(["", " ", "&contract=lyon", "\n", ",", ";"]), multiline=st.booleans())
def test_any_named_secret_is_masked(before: str, name: str, spelling: str, value: str, after: str,
                                    multiline: bool) -> None:
    assume(value not in safe_text(before, multiline))
    assert value not in safe_text(before + spelling.format(name=name, value=value) + after, multiline)


@given(hostile, st.text("abcdef0123456789", min_size=32, max_size=32))
def test_a_secret_the_grader_holds_is_masked_anywhere(text: str, key: str) -> None:
    add_secret(key)
    try:
        assert key not in safe_text(text[: len(text) // 2] + key + text[len(text) // 2:])
    finally:
        forget_secret(key)  # the set is the process's: leave it as it was


def test_a_private_key_block_is_masked_even_cut_short() -> None:
    block = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
    assert safe_text(f"stolen: {block} done") == "stolen: [OPENSSH private key ***] done"
    assert "b3Blbn" not in safe_text(block[:60])  # the tail of an output may cut the block


def test_a_result_is_built_clean_and_masked() -> None:
    result = CheckResult.build(target="t", check="c", title="T\x1b[31mitle\n", step="2", outcome="failed",
                               reason="group 'a\x1b[2Jb' missing", found="groups:\nx\u202eevil\ntoken=abcdefgh",
                               logs={"broker\x07": "line\r\n\x1b]0;title\x07"})
    assert (result.title, result.reason) == ("Title ", "group 'ab' missing")
    assert result.found == "groups:\nxevil\ntoken=***"
    assert result.logs == {"broker": "line\n"}


class _Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_line(self, line: str, **markup: bool) -> None:
        self.lines.append(line)

    def section(self, title: str, sep: str = "=", **markup: bool) -> None:
        self.lines.append(title)


def test_the_terminal_verdict_and_pytest_s_own_report_are_safe() -> None:
    recorder = _Recorder()
    terminal = SafeTerminal(recorder)
    terminal.section("alice\u202e: 3/4")
    terminal.write_line("roster: line 2 'b\x1b[2Job' password=hunter2hunter2")
    assert recorder.lines == ["alice: 3/4", "roster: line 2 'bob' password=***"]
    report = pytest.TestReport("n", ("f", 1, "n"), {}, "failed", "failed\x1b[2J apiKey=k3yk3yk3y", "call",
                               [("Captured stdout call", "out\x1b[1;1H\u202e secret: s3cr3ts3cr3t\n")], 0.1,
                               user_properties=[("kafkalab.target", {"student": "Eve\u202e", "id": "eve"})])
    _safe_report(report)
    assert report.longrepr == "failed apiKey=***"
    assert report.sections == [("Captured stdout call", "out secret: ***\n")]
    assert report.user_properties == [("kafkalab.target", {"student": "Eve", "id": "eve"})]


# ---------------------------------------------------------------- a real grading run

HOSTILE_GROUP = "mygr\x1b[2Joup\u202egnp.exe"
SECRET_VALUE = "S3cretOfTheStudent42"
SECRET_GROUP = f"token={SECRET_VALUE}"


@pytest.fixture(scope="module")
def hostile_cluster() -> Iterator[EmbeddedCluster]:
    """A cluster whose `conversation` topic was read by two groups with the student's own ids."""
    with EmbeddedCluster(brokers=1) as cluster:
        admin = clients.admin(cluster.bootstrap)
        try:
            admin.create_topics([NewTopic("conversation", 2, 1)])
            for group in (HOSTILE_GROUP, SECRET_GROUP):
                commit_offsets(admin, group, {TopicPartition("conversation", p): 0 for p in (0, 1)})
        finally:
            admin.close()
        yield cluster


@pytest.mark.slow
def test_a_hostile_group_id_reaches_no_terminal_and_no_report(hostile_cluster: EmbeddedCluster,
                                                              tmp_path: Path) -> None:
    run: GradeRun = grade(tmp_path, "-k", "mygroup_exists", "-rA", "--zookeeper",
                          str(hostile_cluster.zookeeper_endpoint), "--bootstrap", hostile_cluster.bootstrap)
    assert run.outcomes == {"test_mygroup_exists": "failed"}, run.output
    found = run.result("test_mygroup_exists")["found"]
    assert found.splitlines() == ["groups:", "mygroupgnp.exe", "token=***"]
    # The terminal: pytest's failure section and the verdict both showed the group ids, cleaned.
    assert "mygroupgnp.exe" in run.output and "token=***" in run.output
    assert shown_controls(run.output, multiline=True) == [] and SECRET_VALUE not in run.output
    files = [p for p in (tmp_path / "report-0").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"junit.xml", "results.jsonl", "moodle-partial.csv", "index.html"}, files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert SECRET_VALUE not in text, path
        assert shown_controls(text, multiline=True) == [], path
        assert not re.search(r"\\u001b|\\u202e|&#27;|#x1B", text, re.IGNORECASE), path  # nor escaped in JSON/XML
