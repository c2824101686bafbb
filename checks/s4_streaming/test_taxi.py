"""§4.1 — the taxi topics: `taxirides` and `taxifares` exist and hold the taxi files, line for line.

The files are the class's (``--taxi-rides``, ``--taxi-fares``), by default the ones shipped with the lab
(`nycTaxiRides.gz`: 100,000 ride events, or its matched sample `nycTaxiRides-fared.gz`: 888;
`nycTaxiFares.gz`: 444), since the lab's download addresses no longer answer. The expected counts are the
files' lines, counted as a stream (the lab's full ride file has millions); the topics are counted from
their offsets. A bounded sample of records (the first ones, then some spread to the last) must be lines of
the file, as is: parsed as ride or fare lines (a fare in `taxirides`, or a console prompt sent as data, is
caught there) and found in the file (a line altered on the way, e.g. with a `\\r`, is caught there).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest
from kafka import KafkaAdminClient, TopicPartition

from fixtures.hosts.net import BrokerList
from fixtures.kafka import clients
from fixtures.kafka.facts import TopicFacts, begin_offsets, describe_topic, end_offsets
from fixtures.plugin.verdict import fail, needs, record_found
from fixtures.taxi.counts import count_records
from fixtures.taxi.files import (
    FARE,
    RIDE,
    count_ride_files,
    fare_file,
    find_lines,
    lines_at,
    sample_positions,
    summary,
)
from fixtures.taxi.ingest import FARES_TOPIC, RIDES_TOPIC
from fixtures.taxi.records import ParseError, parse_fare, parse_ride
from fixtures.titles import titled

from . import hints

# The records sampled per partition: the first HEAD, then SPREAD evenly spaced up to the last.
HEAD, SPREAD = 10, 10


def _counts(files: list[Path], kind: str) -> dict[int, str]:
    """Lines per accepted file (a streaming count, cached per file version), the number first."""
    return {summary(path, kind).lines: path.name for path in files}


def _count_or_fail(admin: KafkaAdminClient, topic: str, file: str, allowed: dict[int, str]) -> None:
    found = count_records(admin, topic)
    if not found.exists:
        fail(f"topic {topic} does not exist", hints.TAXI_TOPIC_MISSING.format(topic=topic),
             expected=f"topic {topic}", found="no such topic")
    record_found(f"{found.records} records in {topic}")
    if found.records in allowed:
        return
    want = " or ".join(f"{n} ({name})" for n, name in allowed.items())
    if found.records == 0:
        hint = hints.TAXI_EMPTY
    elif found.records > max(allowed):
        hint = hints.TAXI_TOO_MANY
    else:
        hint = hints.TAXI_TOO_FEW
    fail(f"topic {topic} holds {found.records} records, not the number of lines of {file}",
         hint.format(topic=topic, file=file), expected=want, found=found.records)


@pytest.mark.step("4.1", points=1)
@titled
def test_taxirides_holds_the_ride_file(admin: KafkaAdminClient) -> None:
    """`taxirides` holds every line of {ride_files} once.

    FR: `taxirides` contient chaque ligne de {ride_files} une fois."""
    files = count_ride_files()
    _count_or_fail(admin, RIDES_TOPIC, files[0].name, _counts(files, RIDE))


@pytest.mark.step("4.1", points=1)
@titled
def test_taxifares_holds_the_fare_file(admin: KafkaAdminClient) -> None:
    """`taxifares` holds every line of {fare_file} once.

    FR: `taxifares` contient chaque ligne de {fare_file} une fois."""
    _count_or_fail(admin, FARES_TOPIC, fare_file().name, _counts([fare_file()], FARE))


def _sampled_values(admin: KafkaAdminClient, bootstrap: BrokerList, facts: TopicFacts,
                    timeout_s: float) -> tuple[list[tuple[int, int, int, str]], int]:
    """(partition, position, offset, value) of the sampled records, and the topic's record count (from its
    offsets): a few seeks, never the whole topic."""
    begins, ends = begin_offsets(admin, facts), end_offsets(admin, facts)
    consumer = clients.consumer(bootstrap, timeout_s=timeout_s, group_id=None, enable_auto_commit=False)
    deadline = time.monotonic() + timeout_s
    sampled = []
    try:
        for partition, end in sorted(ends.items()):
            tp = TopicPartition(facts.name, partition)
            consumer.assign([tp])
            begin = begins.get(partition, 0)
            for position in sample_positions(end - begin, HEAD, SPREAD):
                consumer.seek(tp, begin + position)
                while time.monotonic() < deadline:
                    batch = consumer.poll(timeout_ms=500, max_records=1).get(tp)
                    if batch:
                        value = batch[0].value
                        text = value.decode("utf-8", "replace") if value is not None else ""
                        sampled.append((partition, position, batch[0].offset, text))
                        break
        return sampled, sum(end - begins.get(p, 0) for p, end in ends.items())
    finally:
        consumer.close()


def _not_in_files(sampled: list[tuple[int, int, int, str]], files: list[Path], kind: str,
                  records: int | None) -> list[tuple[int, int, str]]:
    """The sampled records that are no line of the files. A single-partition topic replayed in order holds
    line ``i`` at position ``i``: those are compared with the file's line there (one cached pass); any other
    record is looked for in the files (one pass, stopping once all are found). ``records``: the topic's
    record count when it has a single partition, else None."""
    unmatched = sampled
    for path in (f for f in files if records is not None and summary(f, kind).lines == records):
        at = lines_at(path, [position for _, position, _, _ in sampled])
        unmatched = [s for s in unmatched if at.get(s[1]) != s[3]]
    if not unmatched:
        return []
    found = find_lines(files, {value for *_, value in unmatched})
    return [(p, o, value) for p, _, o, value in unmatched if value not in found]


def _records_are_lines(admin: KafkaAdminClient, bootstrap: BrokerList, timeout_s: float, topic: str,
                       files: list[Path], kind: str, parse: Callable[[str], object]) -> None:
    name = files[0].name
    facts = describe_topic(admin, topic)
    if facts is None:
        needs(f"topic {topic}", "it does not exist (§4.1)")
    sampled, records = _sampled_values(admin, bootstrap, facts, min(timeout_s, 10.0))
    if not sampled:
        needs(f"records in {topic}", "the topic is empty (§4.1)")
    offsets = sorted(offset for _, _, offset, _ in sampled)
    record_found(f"{len(sampled)} records sampled (offsets {offsets[0]}…{offsets[-1]}); first: {sampled[0][3][:100]}")
    for partition, _, offset, value in sampled:
        try:
            parse(value)
        except ParseError as exc:
            fail(f"a record of {topic} (partition {partition} offset {offset}) is not a line of {name}: {exc}",
                 hints.TAXI_NOT_LINES.format(file=name),
                 expected=f"a {name} line", found=value[:120])
    strangers = _not_in_files(sampled, files, kind, records if len(facts.partitions) == 1 else None)
    if strangers:
        partition, offset, value = strangers[0]
        fail(f"{len(strangers)} of {len(sampled)} sampled records of {topic} are not lines of {name}; first: "
             f"partition {partition} offset {offset}", hints.TAXI_NOT_LINES.format(file=name),
             expected=f"lines of {' or '.join(f.name for f in files)}, as is", found=repr(value[:120]))


@pytest.mark.step("4.1", points=1)
@titled
def test_taxirides_records_are_ride_lines(admin: KafkaAdminClient, bootstrap: BrokerList, check_timeout: float) -> None:
    """Records of `taxirides`, sampled to the last, are ride lines of {ride_files}, as is.

    FR: Les enregistrements de `taxirides`, échantillonnés jusqu'au dernier, sont des lignes de courses de
    {ride_files}, telles quelles."""
    _records_are_lines(admin, bootstrap, check_timeout, RIDES_TOPIC, count_ride_files(), RIDE, parse_ride)


@pytest.mark.step("4.1", points=1)
@titled
def test_taxifares_records_are_fare_lines(admin: KafkaAdminClient, bootstrap: BrokerList, check_timeout: float) -> None:
    """Records of `taxifares`, sampled to the last, are fare lines of {fare_file}, as is.

    FR: Les enregistrements de `taxifares`, échantillonnés jusqu'au dernier, sont des lignes de tarifs de
    {fare_file}, telles quelles."""
    _records_are_lines(admin, bootstrap, check_timeout, FARES_TOPIC, [fare_file()], FARE, parse_fare)
