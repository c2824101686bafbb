"""§4.1 ingestion against a real broker: chunked replays (console producer and kafka-python) and the counts."""

from __future__ import annotations

import pytest

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.taxi.counts import count_problems, topic_records
from fixtures.taxi.files import FARED_RIDES, FARES, RIDES, read_lines
from fixtures.taxi.ingest import FARES_TOPIC, RIDES_TOPIC, IngestError, chunks, create_topics, ingest, replay
from reference.taxi.__main__ import main as taxi_main

pytestmark = pytest.mark.slow


def first_values(bootstrap: str, topic: str, count: int) -> list[str]:
    consumer = clients.consumer(bootstrap, topic, consumer_timeout_ms=5000, group_id=None)
    try:
        values = []
        for message in consumer:
            values.append(message.value.decode())
            if len(values) == count:
                break
        return values
    finally:
        consumer.close()


def test_chunks_like_split() -> None:
    assert [len(c) for c in chunks(list(range(25)), 10)] == [10, 10, 5]
    with pytest.raises(ValueError):
        list(chunks([1], 0))


def test_console_producer_replays_both_files_in_chunks(cluster: EmbeddedCluster) -> None:
    """The lab's pipeline: kafka-console-producer.sh per chunk of lines, a pause after each, both topics at once."""
    rides, fares = read_lines(FARED_RIDES), read_lines(FARES)
    create_topics(cluster.bootstrap)
    reports = ingest(cluster.bootstrap, rides, fares, chunk_size=450, pause_s=0.05, via="console")
    assert (reports[RIDES_TOPIC].records, reports[RIDES_TOPIC].chunks) == (888, 2)
    assert (reports[FARES_TOPIC].records, reports[FARES_TOPIC].chunks) == (444, 1)
    assert count_problems(cluster.bootstrap, {RIDES_TOPIC: 888, FARES_TOPIC: 444}) == []
    # One partition, one producer at a time: the topic keeps the file's order, line for line.
    assert first_values(cluster.bootstrap, RIDES_TOPIC, 5) == rides[:5]


def test_counts_say_what_is_wrong(cluster: EmbeddedCluster) -> None:
    create_topics(cluster.bootstrap, ["fares-twice"])
    fares = read_lines(FARES)
    for _ in range(2):
        replay(cluster.bootstrap, "fares-twice", fares, chunk_size=1000, pause_s=0, via="python")
    problems = count_problems(cluster.bootstrap, {"fares-twice": 444, "no-such-topic": 444})
    assert problems == [
        "topic fares-twice holds 888 records, more than the 444 lines of its file: was the file sent twice?",
        "topic no-such-topic does not exist (expected 444 records)",
    ]
    assert topic_records(cluster.bootstrap, "no-such-topic").exists is False


def test_kafka_python_replays_the_100k_rides(cluster: EmbeddedCluster) -> None:
    lines = read_lines(RIDES)
    create_topics(cluster.bootstrap, ["rides-100k"])
    report = replay(cluster.bootstrap, "rides-100k", lines, via="python")  # split -l 10000; sleep 0.2
    assert (report.records, report.chunks) == (100_000, 10)
    assert report.seconds >= 10 * 0.2
    assert topic_records(cluster.bootstrap, "rides-100k").records == RIDES.lines


def test_cli_count(cluster: EmbeddedCluster, capsys) -> None:
    assert taxi_main(["count", "--bootstrap", cluster.bootstrap, "--rides", "fared"]) == 0
    assert "ok: taxirides holds 888 records, taxifares 444" in capsys.readouterr().out
    assert taxi_main(["count", "--bootstrap", cluster.bootstrap, "--rides", "full"]) == 1
    assert "taxirides holds 888 records, fewer than the 100000" in capsys.readouterr().err


def test_console_producer_failure_is_reported(cluster: EmbeddedCluster) -> None:
    with pytest.raises(IngestError, match="kafka-console-producer.sh"):
        replay("127.0.0.1:1", "taxirides", ["x"], via="console", pause_s=0, chunk_timeout_s=6)
