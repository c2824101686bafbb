"""§4.1 — the taxi topics: `taxirides` and `taxifares` exist and hold the taxi files, line for line.

The expected counts are the lines of the files shipped with the lab (`nycTaxiRides.gz`: 100,000 ride events,
or its matched sample `nycTaxiRides-fared.gz`: 888; `nycTaxiFares.gz`: 444), since the lab's download
addresses no longer answer. A sample of records from the start of each topic must parse as lines of the
right file (a fare in `taxirides`, or a console prompt sent as data, is caught there).
"""

from __future__ import annotations

from typing import Callable

import pytest
from kafka import KafkaAdminClient, TopicPartition

from fixtures import clients
from fixtures.kafka_facts import describe_topic
from fixtures.net import BrokerList
from fixtures.taxi.counts import count_records
from fixtures.taxi.files import FARED_RIDES, FARES, RIDES
from fixtures.taxi.ingest import FARES_TOPIC, RIDES_TOPIC
from fixtures.taxi.records import ParseError, parse_fare, parse_ride
from fixtures.verdict import fail, needs, record_found

from . import hints

SAMPLE = 20
RIDE_COUNTS = {RIDES.lines: RIDES.name, FARED_RIDES.lines: FARED_RIDES.name}


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


@pytest.mark.step("4.1")
def test_taxirides_holds_the_ride_file(admin: KafkaAdminClient) -> None:
    """`taxirides` holds every line of the ride file once (100,000, or the 888 of the matched sample).

    FR: `taxirides` contient chaque ligne du fichier des courses une fois (100 000, ou les 888 de l'échantillon
    apparié)."""
    _count_or_fail(admin, RIDES_TOPIC, RIDES.name, RIDE_COUNTS)


@pytest.mark.step("4.1")
def test_taxifares_holds_the_fare_file(admin: KafkaAdminClient) -> None:
    """`taxifares` holds every line of the fare file once (444).

    FR: `taxifares` contient chaque ligne du fichier des tarifs une fois (444)."""
    _count_or_fail(admin, FARES_TOPIC, FARES.name, {FARES.lines: FARES.name})


def _first_values(bootstrap: BrokerList, topic: str, partitions: list[int], timeout_s: float) -> list[str]:
    consumer = clients.consumer(bootstrap, timeout_s=timeout_s, group_id=None, enable_auto_commit=False,
                                consumer_timeout_ms=int(timeout_s * 1000))
    try:
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        values = []
        for message in consumer:
            values.append(message.value.decode("utf-8", "replace") if message.value is not None else "")
            if len(values) >= SAMPLE:
                break
        return values
    finally:
        consumer.close()


def _records_are_lines(admin: KafkaAdminClient, bootstrap: BrokerList, timeout_s: float, topic: str, file: str,
                       parse: Callable[[str], object]) -> None:
    facts = describe_topic(admin, topic)
    if facts is None:
        needs(f"topic {topic}", "it does not exist (§4.1)")
    values = _first_values(bootstrap, topic, [p.partition for p in facts.partitions], min(timeout_s, 10.0))
    if not values:
        needs(f"records in {topic}", "the topic is empty (§4.1)")
    record_found(f"first record: {values[0][:100]}")
    for value in values:
        try:
            parse(value)
        except ParseError as exc:
            fail(f"a record of {topic} is not a line of {file}: {exc}", hints.TAXI_NOT_LINES.format(file=file),
                 expected=f"a {file} line", found=value[:120])


@pytest.mark.step("4.1")
def test_taxirides_records_are_ride_lines(admin: KafkaAdminClient, bootstrap: BrokerList, check_timeout: float) -> None:
    """The first records of `taxirides` are ride lines (11 fields, START or END), as in the file.

    FR: Les premiers enregistrements de `taxirides` sont des lignes de courses (11 champs, START ou END), comme dans
    le fichier."""
    _records_are_lines(admin, bootstrap, check_timeout, RIDES_TOPIC, RIDES.name, parse_ride)


@pytest.mark.step("4.1")
def test_taxifares_records_are_fare_lines(admin: KafkaAdminClient, bootstrap: BrokerList, check_timeout: float) -> None:
    """The first records of `taxifares` are fare lines (8 fields), as in the file.

    FR: Les premiers enregistrements de `taxifares` sont des lignes de tarifs (8 champs), comme dans le fichier."""
    _records_are_lines(admin, bootstrap, check_timeout, FARES_TOPIC, FARES.name, parse_fare)
