"""The reference producer against a real broker and the stand-in API: keying, errors, shutdown, secrecy."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable

import pytest
from kafka import KafkaAdminClient

from fixtures.jcdecaux import Fault, JCDecauxStandIn, make_api_key
from fixtures.jcdecaux.snapshots import Snapshot
from fixtures.kafka.cluster import EmbeddedCluster, free_port

from .kafka_helpers import create_topic, read_all
from .procs import CapturedOutput, Script, leaks, log_files

pytestmark = pytest.mark.slow
WRONG_KEY = make_api_key()
ERRORS_DEADLINE_S = 40.0


def produced_lines(script: Script) -> list[str]:
    return [line for line in script.lines if line.endswith("station records")]


def test_one_keyed_record_per_station_per_poll(admin: KafkaAdminClient, velib_cluster: EmbeddedCluster,
                                              run_producer: Callable[..., Script],
                                              snapshots: list[Snapshot]) -> None:
    create_topic(admin, "velib-keyed", 10)
    producer = run_producer("velib-keyed", "--max-polls", "20", "--interval", "0")
    assert producer.wait(60) == 0, producer.stderr
    # The lab's line, once per poll: "<time> Produced 114 station records".
    lines = [line.split(" ", 1)[1] for line in produced_lines(producer)]
    assert lines == ["Produced 114 station records"] * 20

    records = read_all(velib_cluster.bootstrap, admin, "velib-keyed")
    assert len(records) == 20 * 114
    partitions: dict[bytes, set[int]] = defaultdict(set)
    values: dict[bytes, list[dict]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        partitions[record.key].add(record.partition)
        values[record.key].append(json.loads(record.value))
    assert all(len(p) == 1 for p in partitions.values()), "a station landed in more than one partition"
    assert len({p for ps in partitions.values() for p in ps}) >= 8, "keys should spread over the partitions"
    for key, seen in values.items():
        contract, number = key.decode().split(":")
        expected = [s for snap in snapshots for s in snap.stations
                    if s["contract_name"] == contract and s["number"] == int(number)]
        assert seen == expected, f"station {key!r}: records differ from the snapshots (or are out of order)"


def test_keeps_going_through_api_errors_in_bounded_time(admin: KafkaAdminClient,
                                                       velib_cluster: EmbeddedCluster,
                                                       standin: JCDecauxStandIn,
                                                       run_producer: Callable[..., Script],
                                                       snapshots: list[Snapshot]) -> None:
    create_topic(admin, "velib-errors", 1)
    standin.inject(Fault.HTTP_500, Fault.SLOW, Fault.TRUNCATED, Fault.CUT, Fault.INVALID_JSON,
                   Fault.NOT_A_LIST)
    started = time.monotonic()
    producer = run_producer("velib-errors", "--max-polls", "3", "--interval", "0", "--http-timeout", "1",
                            "--retries", "8", "--backoff", "0.05", "--max-backoff", "0.2", "--verbose")
    assert producer.wait(ERRORS_DEADLINE_S) == 0, producer.stderr
    assert time.monotonic() - started < ERRORS_DEADLINE_S
    for sign in ("HTTP 500", "no answer within 1s", "not valid JSON", "connection closed mid-answer",
                 "not the list of stations"):
        assert sign in producer.stderr, f"{sign!r} not reported:\n{producer.stderr}"
    assert len(produced_lines(producer)) == 3
    records = read_all(velib_cluster.bootstrap, admin, "velib-errors")
    assert [json.loads(r.value) for r in records] == [s for snap in snapshots[:3] for s in snap.stations]


def test_a_poll_that_fails_is_reported_and_the_next_one_works(admin: KafkaAdminClient,
                                                             velib_cluster: EmbeddedCluster,
                                                             standin: JCDecauxStandIn,
                                                             run_producer: Callable[..., Script]) -> None:
    create_topic(admin, "velib-retry", 1)
    standin.inject(Fault.HTTP_500, times=3)
    producer = run_producer("velib-retry", "--max-polls", "2", "--interval", "0", "--retries", "1",
                            "--backoff", "0.05", "--max-backoff", "0.1")
    assert producer.wait(30) == 0, producer.stderr
    assert "poll 1: no stations this time: HTTP 500" in producer.stderr
    assert len(produced_lines(producer)) == 1
    assert len(read_all(velib_cluster.bootstrap, admin, "velib-retry")) == 114


def test_a_refused_key_is_reported_without_showing_it(standin: JCDecauxStandIn,
                                                     run_producer: Callable[..., Script]) -> None:
    producer = run_producer("velib-refused", "--max-polls", "2", "--interval", "0", "--backoff", "0.05",
                            "--max-backoff", "0.1", key=WRONG_KEY)
    assert producer.wait(30) == 0, producer.stderr
    assert "refused the key" in producer.stderr
    assert standin.state()["rejected"] == 2, "a refused key is not worth retrying at once"
    assert produced_lines(producer) == []
    assert WRONG_KEY not in producer.stdout + producer.stderr


def test_no_key_is_a_clear_error(run_producer: Callable[..., Script]) -> None:
    producer = run_producer("velib-nokey", "--max-polls", "1", key="")
    assert producer.wait(30) == 2
    assert "no API key" in producer.stderr and "JCDECAUX_API_KEY" in producer.stderr


def test_a_bad_url_is_a_clear_error(run_producer: Callable[..., Script]) -> None:
    producer = run_producer("velib-badurl", "--max-polls", "1", "--url", "htp://nowhere/stations")
    assert producer.wait(30) == 2
    assert "must be an http(s) URL" in producer.stderr


def test_unreachable_kafka_is_a_clear_error_in_bounded_time(run_producer: Callable[..., Script]) -> None:
    started = time.monotonic()
    producer = run_producer("velib-nokafka", "--max-polls", "1", "--kafka-timeout", "3",
                            bootstrap=f"127.0.0.1:{free_port()}")
    assert producer.wait(30) == 2
    assert time.monotonic() - started < 20
    assert "Kafka injoignable" in producer.stderr


def test_sigterm_stops_it_cleanly(admin: KafkaAdminClient, run_producer: Callable[..., Script]) -> None:
    create_topic(admin, "velib-sigterm", 1)
    producer = run_producer("velib-sigterm", "--interval", "30")  # the lab's pacing, made long
    producer.wait_for_output(lambda out: "Produced 114 station records" in out, 30, "a first poll")
    started = time.monotonic()
    assert producer.stop(timeout=15) == 0, producer.stderr
    assert time.monotonic() - started < 10, "SIGTERM must interrupt the wait between polls"
    assert "summary: polls=1 failed=0 records=114" in producer.stderr


def test_zz_no_api_key_in_any_output(api_key: str, transcript: CapturedOutput,
                                     velib_cluster: EmbeddedCluster) -> None:
    """Runs last in this module: every script output, in-process log and broker log, grepped for the keys."""
    assert len(transcript.entries) >= 10, "the transcript should hold this module's runs"
    assert velib_cluster.workdir is not None
    found = leaks([api_key, WRONG_KEY], transcript, log_files(velib_cluster.workdir))
    assert not found, f"an API key appears in: {found}"
