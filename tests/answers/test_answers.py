"""The written answers: every question of the lab linked, the §4 ranking and the shown outputs from real runs.

The fast tests read files only. ``test_shown_outputs_match_a_fresh_run`` replays the whole reference on the
embedded cluster of each version (``python -m reference.transcripts``) and compares every marked block of the
answers with the fresh transcripts, ids, times and broker numbering normalised.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.system.paths import REPO
from reference import transcripts

from .ranking import MIN_CARD_RIDES, TOP, ranking_table
from .treatments import TABLES

ANSWERS = REPO / "reference" / "answers"
LAB = REPO.parent / "shared" / "tp" / "tp3-kafka.md"
# \s: French typography puts a no-break space (U+00A0) inside « » and before ; : ! ?
ROW = re.compile(r"^\| (?P<section>[\d.]+) \| (?P<ask>[^|]+) \| `(?P<file>[\w-]+\.md)` — «\s(?P<heading>.+?)\s» \|"
                 r" (?P<reference>[^|]+) \| (?P<check>[^|]+) \|$")
SECTION = re.compile(r"^#{2,3}\s+(?P<number>\d+(?:\.\d+)*)\s")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def lab_questions() -> list[tuple[str, str]]:
    """(section, line) for every question or open task of the lab: lines outside code blocks that ask."""
    if not LAB.exists():
        pytest.skip(f"the lab text is not at {LAB}")
    section, asks = "", []
    for line in LAB.read_text().splitlines():
        heading = SECTION.match(line)
        if heading:
            section = heading["number"]
            continue
        if line.startswith((" ", "\t")):
            continue
        if ("?" in line or line.startswith(("•", "Question", "-\tPourriez"))
                or re.match(r"\* (Expliquer|Modifier)", line) or "outil d'administration" in line):
            asks.append((section, _flat(line.lstrip("•*-\t "))))
    return asks


def table_rows() -> list[re.Match[str]]:
    rows = [ROW.match(line) for line in (ANSWERS / "README.md").read_text().splitlines() if line.startswith("| ")]
    return [row for row in rows if row]


def test_every_question_of_the_lab_has_a_row() -> None:
    rows = table_rows()
    missing = []
    for section, ask in lab_questions():
        if not any(row["section"] == section and _flat(row["ask"].split("»")[0].strip("«\u00a0 ")) in ask
                   for row in rows if "«" in row["ask"]):
            missing.append(f"§{section}: {ask}")
    assert not missing, "questions of the lab without a row in reference/answers/README.md:\n" + "\n".join(missing)
    assert len(lab_questions()) >= 25


def test_every_row_points_at_a_heading_and_real_checks() -> None:
    rows = table_rows()
    assert len(rows) >= 30
    checks = "\n".join(path.read_text() for path in (REPO / "checks").rglob("test_*.py"))
    for row in rows:
        text = (ANSWERS / row["file"]).read_text()
        assert re.search(rf"^#{{2,3}} {re.escape(row['heading'])}\s*$", text, re.M), (row["file"], row["heading"])
        for name in re.findall(r"`(test_\w+)`", row["check"]):
            assert f"def {name}(" in checks, name


def test_the_ranking_shown_is_the_oracle_s() -> None:
    text = (ANSWERS / "s4-spark.md").read_text()
    marker = f"<!-- ranking: min-card-rides={MIN_CARD_RIDES} top={TOP} -->\n"
    assert marker in text
    shown = text.split(marker, 1)[1].split("\n\n", 1)[0].strip()
    assert shown == ranking_table()


@pytest.mark.parametrize("name", TABLES)
def test_the_treatment_tables_shown_are_the_recomputed_outputs(name: str) -> None:
    """§4.2 and §4.4: the tables are the scripts' outputs (tests/spark/test_treatments.py: Spark writes them)."""
    pytest.importorskip("shapely")
    text = (ANSWERS / "s4-spark.md").read_text()
    marker = f"<!-- treatment: {name} -->\n"
    assert marker in text
    shown = text.split(marker, 1)[1].split("\n\n", 1)[0].strip()
    assert shown == TABLES[name]()


def test_shown_blocks_name_entries_of_the_plays() -> None:
    blocks = transcripts.shown_blocks()
    assert len(blocks) >= 15
    plays = {name for name, _ in transcripts._ordered_plays()}
    keys = [key for _, key, _, _ in blocks]
    for key in keys:
        version, play, _ = key.split("/")
        assert version in transcripts.VERSIONS and play in plays, key
    assert {"3.9.2/pair/two-monitors-avec-cle", "3.9.2/pair/two-monitors-sans-cle", "2.7.0/archive/zookeeper-jars",
            "3.9.2/jsontool/wrong-key"} <= set(keys)


def test_normalise_hides_what_changes_between_runs() -> None:
    head = "Topic: velib\tTopicId: {}\tPartitionCount: 2\n\tPartition: 0\t"
    one = head.format("AbCdEfGhIjKlMnOpQrStUv") + "Leader: 1\tReplicas: 1,0\tIsr: 1,0"
    two = head.format("ZZCdEfGhIjKlMnOpQrStUv") + "Leader: 0\tReplicas: 0,1\tIsr: 0,1"
    assert transcripts.same(one, two)
    assert transcripts.same("Leader: none Replicas: 0,1 Isr: 1", "Leader: none Replicas: 1,0 Isr: 0")
    assert not transcripts.same("Leader: none Replicas: 0,1 Isr: 1", "Leader: none Replicas: 1,0 Isr: 1")
    assert not transcripts.same("Leader: 0 Isr: 0", "Leader: none Isr: 0")
    assert transcripts.same("b\na", "a\nb", ["sort"])
    # a one-replica partition on broker 1 in this run, on broker 0 in the answers: the same up to numbering
    assert transcripts.same("Leader: 0 Replicas: 0 Isr: 0", "Leader: 1 Replicas: 1 Isr: 1")
    assert not transcripts.same("Leader: 0 Replicas: 0,1", "Leader: 1 Replicas: 0,1")
    # broker 0 was the one stopped (ISR 1,0 everywhere): the assignment started at the other broker this time
    row = "\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: 1,0"
    shown = "\n".join(row.format(p, p % 2, "0,1" if p % 2 == 0 else "1,0") for p in range(4))
    fresh = "\n".join(row.format(p, (p + 1) % 2, "1,0" if p % 2 == 0 else "0,1") for p in range(4))
    assert transcripts.same(shown, fresh)
    assert not transcripts.same(shown, fresh.replace("Isr: 1,0", "Isr: 1", 1))  # a replica out of sync
    assert not transcripts.same(shown, fresh.replace("Leader: 1\t", "Leader: 0\t", 1))


@pytest.mark.slow
@pytest.mark.parametrize("version", transcripts.VERSIONS)
def test_shown_outputs_match_a_fresh_run(version: str, tmp_path: Path) -> None:
    # Only up to the last play the answers show for this version (no §4 ingestion: the answers show none of it).
    fresh = transcripts.replay(version, tmp_path, log=lambda message: None, until=transcripts.shown_plays(version))
    problems = transcripts.mismatches(fresh, [version])
    assert not problems, "\n".join(problems)


METER_HEAD = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
              "                                 Dload  Upload   Total   Spent    Left  Speed\n")


@given(size=st.integers(0, 10**9), speed=st.integers(0, 10**6), unit=st.sampled_from(["", "k", "M", "G"]))
def test_curl_progress_meter_is_compared_as_such(size: int, speed: int, unit: str) -> None:
    """The lab's ``curl`` without ``-s`` prints its meter: its figures change from run to run, its place does not."""
    shown = METER_HEAD + "100    25  100    25    0     0  20850      0 --:--:-- --:--:-- --:--:-- 25000\n{\n}"
    redrawn = (" 0 0 0 0 0 0 0 0 --:--:-- --:--:-- --:--:-- 0\r"
               f"100 {size} 100 {size} 0 0 {speed}{unit} 0 --:--:-- 0:00:01 --:--:-- {speed}{unit}")
    fresh = transcripts._terminal(METER_HEAD + redrawn + "\n{\n}")
    assert transcripts.same(shown, fresh)
    assert not transcripts.same(shown, METER_HEAD + "{\n}")  # the meter missing: not what the terminal shows
    # JSON lines with figures are never taken for the meter
    assert not transcripts.same('{\n    "number": 42,\n}', '{\n    "number": 43,\n}')


CONFIG_BLOCK = re.compile(r"<!-- config: (?P<path>[\w./-]+) -->\n```[^\n]*\n(?P<body>.*?)```", re.S)


def test_shown_config_blocks_are_the_files_settings() -> None:
    """A configuration shown as a file's (``<!-- config: path -->``) holds only that file's settings, as written."""
    from fixtures.kafka import properties

    blocks = [(path.name, m) for path in sorted(ANSWERS.glob("*.md")) for m in CONFIG_BLOCK.finditer(path.read_text())]
    assert blocks, "no marked configuration block"
    for name, block in blocks:
        settings = properties.load(REPO / block["path"])
        shown = properties.parse(block["body"])
        assert shown, (name, block["path"])
        wrong = {key: value for key, value in shown.items() if settings.get(key) != value}
        assert not wrong, f"{name}: shown as {block['path']} but the file says otherwise: {wrong}"


def test_no_text_follows_a_closing_fence() -> None:
    """```` ``` Attention`` ```` is not a closing fence in Markdown: the code block would run on into the text."""
    for path in sorted(ANSWERS.glob("*.md")):
        inside = False
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith("```"):
                assert not (inside and line.strip() != "```"), f"{path.name}:{number}: text after a closing fence"
                inside = not inside


def test_placement_compares_kraft_partitions_as_a_set_of_placements() -> None:
    """Kafka 4 places replicas at random: another run's order of ``Replicas`` is the same outcome, a replica out
    of sync or a partition led by the wrong broker is not."""
    line = "\tTopic: t\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}"
    shown = "\n".join(line.format(p, p % 2, "0,1" if p % 2 == 0 else "1,0", "0,1") for p in range(4))
    fresh = "\n".join(line.format(p, int(p in (1, 2)), "1,0" if p in (1, 2) else "0,1", "1,0") for p in range(4))
    assert transcripts.same(shown, fresh, ["placement"])
    assert not transcripts.same(shown, fresh, [])
    assert not transcripts.same(shown, fresh.replace("Isr: 1,0", "Isr: 1", 1), ["placement"])
    stopped = "\n".join(line.format(p, 1, "0,1", "1") for p in range(4))
    assert not transcripts.same(stopped, stopped.replace("Leader: 1", "Leader: none", 1), ["placement"])


def test_the_console_consumer_s_count_is_compared_wherever_the_pipes_put_it() -> None:
    """Its stderr count and its buffered stdout may arrive in either order through pipes (seen under load); a
    terminal shows the count last. A message missing, or two in another order, still differs (the count itself
    is one of the figures that change from run to run)."""
    shown = "$ kafka-console-consumer.sh --from-beginning\nBonjour\nSalut\nProcessed a total of 2 messages"
    fresh = "$ kafka-console-consumer.sh --from-beginning\nProcessed a total of 2 messages\nBonjour\nSalut"
    assert transcripts.same(shown, fresh)
    assert not transcripts.same(shown, fresh.replace("\nSalut", ""))
    assert not transcripts.same(shown, fresh.replace("Bonjour\nSalut", "Salut\nBonjour"))
