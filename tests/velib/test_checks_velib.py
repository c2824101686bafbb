"""Every §3.1 check passes on the reference play and fails on a broken variant of it.

Each test puts a real cluster in one state (the reference play, or records written the way a student's
broken script would), runs the checks as an instructor would (``pytest checks --zookeeper … --bootstrap …
-k velib``) in a subprocess, and reads the outcome of every velib check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaAdminClient

from fixtures.jcdecaux.snapshots import Snapshot
from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.wait import wait_until
from reference.velib.play import play
from tests.conftest import deletions_done
from tests.support.outcomes import assert_exact_run

from .kafka_helpers import create_topic, end_offsets

pytestmark = pytest.mark.slow
TOPIC, GROUP = "velib-stations", "velib-monitor-stations"
CHECKS = ("test_velib_topic_exists", "test_velib_topic_has_ten_partitions", "test_velib_records_are_station_json",
          "test_velib_monitor_group_has_committed_offsets", "test_velib_each_station_is_in_one_partition")


@pytest.fixture
def fresh(admin: KafkaAdminClient, velib_cluster: EmbeddedCluster) -> Iterator[KafkaAdminClient]:
    """The module's cluster without any velib topic or group (what a test left is removed first)."""
    topics = [t for t in admin.list_topics() if t.startswith("velib")]
    if topics:
        admin.delete_topics(topics)
        wait_until(lambda: not any(t.startswith("velib") for t in admin.list_topics()), 30, "velib topics deleted")
        # Out of the metadata is not gone: re-created too early, the topic is refused "marked for deletion".
        wait_until(lambda: deletions_done(velib_cluster), 60, "the deletion of the velib topics to finish")
    if any(g["group_id"] == GROUP for g in admin.list_groups()):
        admin.delete_groups([GROUP])
    yield admin


def make_topic(admin: KafkaAdminClient, topic: str, partitions: int) -> None:
    # Just deleted, a topic may still be "marked for deletion": retry the creation until it is accepted.
    wait_until(lambda: create_topic(admin, topic, partitions) or True, 30, f"topic {topic} created")


def by_station(station: dict) -> bytes:
    return f"{station['contract_name']}:{station['number']}".encode()


def produce(cluster: EmbeddedCluster, topic: str, snapshots: list[Snapshot], keyed: bool = True,
            whole_list: bool = False, key: Callable[[dict], bytes] = by_station) -> None:
    """What a student's producer writes: one record per station (keyed by ``key`` or not), or the whole answer."""
    producer = clients.producer(cluster.bootstrap)
    try:
        for snapshot in snapshots:
            if whole_list:
                producer.send(topic, value=snapshot.body)
                continue
            for station in snapshot.stations:
                producer.send(topic, key=key(station) if keyed else None, value=json.dumps(station).encode())
            producer.flush(timeout=15)  # one poll after the other: distinct timestamps, as in the lab
        producer.flush(timeout=15)
    finally:
        producer.close(timeout=5)


def consume(cluster: EmbeddedCluster, admin: KafkaAdminClient, topic: str, group: str | None) -> None:
    """A monitor that reads everything; with a group it commits, without one (group_id=None) it cannot."""
    want = sum(end_offsets(admin, topic).values())
    consumer = clients.consumer(cluster.bootstrap, topic, group_id=group, enable_auto_commit=False)
    got = 0

    def read_all() -> bool:
        nonlocal got
        got += sum(len(batch) for batch in consumer.poll(timeout_ms=500).values())
        return got >= want

    try:
        wait_until(read_all, 30, f"{want} records of {topic}")
        if group:
            consumer.commit()
    finally:
        consumer.close(autocommit=False)


def exact(run, failed: set[str], blocked: set[str] = frozenset()) -> None:  # noqa: ANN001 - conftest's GradeRun
    """Among the five checks of a student's §3.1 cluster, exactly these fail (or are blocked), the others pass
    (the submission checks, run with ``--velib-submission`` only, are not judged here)."""
    assert_exact_run(run, failed, blocked, among=CHECKS)


def target_args(cluster: EmbeddedCluster) -> list[str]:
    return ["--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap, "--check-timeout",
            "10", "-k", "velib"]


def test_the_reference_play_passes_every_velib_check(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                                     run_checks: Callable) -> None:
    transcript = play(velib_cluster.runtime, velib_cluster.zookeeper_endpoint, velib_cluster.broker_endpoints[0])
    assert "PartitionCount: 10" in transcript.text()
    run = run_checks(*target_args(velib_cluster))
    exact(run, set())
    assert "lag 0" in run.result("test_velib_monitor_group_has_committed_offsets")["found"]


def test_an_unkeyed_producer_fails_the_keying_check(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                                    snapshots: list[Snapshot], run_checks: Callable) -> None:
    make_topic(fresh, TOPIC, 10)
    produce(velib_cluster, TOPIC, snapshots[:3], keyed=False)
    consume(velib_cluster, fresh, TOPIC, GROUP)
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_each_station_is_in_one_partition"})
    # Which fact shows it depends on kafka-python's sticky partitioner: the unkeyed polls spread a station over
    # partitions, or (seen once in CI) all landed in one partition and the check reads the keys: none at all.
    reason = run.reason("test_velib_each_station_is_in_one_partition")
    assert "more than one partition" in reason or reason.startswith("0 distinct key(s)"), reason
    assert "key=" in run.result("test_velib_each_station_is_in_one_partition")["hint_en"]


@pytest.mark.parametrize("coarse", [lambda s: s["contract_name"].encode(), lambda s: b"velib"],
                         ids=["city", "constant"])
def test_a_key_coarser_than_the_station_fails_the_keying_check(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                                               snapshots: list[Snapshot], run_checks: Callable,
                                                               coarse: Callable[[dict], bytes]) -> None:
    """Keyed by city or by a constant: each station stays in one partition, but the whole city with it."""
    make_topic(fresh, TOPIC, 10)
    produce(velib_cluster, TOPIC, snapshots[:3], key=coarse)
    consume(velib_cluster, fresh, TOPIC, GROUP)
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_each_station_is_in_one_partition"})
    assert "distinct key(s) for" in run.reason("test_velib_each_station_is_in_one_partition")
    assert "not the city" in run.result("test_velib_each_station_is_in_one_partition")["hint_en"]


def test_a_topic_left_at_one_partition_fails(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                             snapshots: list[Snapshot], run_checks: Callable) -> None:
    make_topic(fresh, TOPIC, 1)
    produce(velib_cluster, TOPIC, snapshots[:2])
    consume(velib_cluster, fresh, TOPIC, GROUP)
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_topic_has_ten_partitions"}, {"test_velib_each_station_is_in_one_partition"})
    assert "--partitions 10" in run.result("test_velib_topic_has_ten_partitions")["hint_en"]
    assert "several partitions" in run.reason("test_velib_each_station_is_in_one_partition")


def test_a_monitor_without_a_group_fails(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                         snapshots: list[Snapshot], run_checks: Callable) -> None:
    make_topic(fresh, TOPIC, 10)
    produce(velib_cluster, TOPIC, snapshots[:3])
    consume(velib_cluster, fresh, TOPIC, group=None)
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_monitor_group_has_committed_offsets"})
    assert "no committed offset" in run.reason("test_velib_monitor_group_has_committed_offsets")
    assert "velib-monitor-stations" in run.result("test_velib_monitor_group_has_committed_offsets")["hint_fr"]


def test_a_wrong_topic_name_fails(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                  snapshots: list[Snapshot], run_checks: Callable) -> None:
    make_topic(fresh, "velib-station", 10)  # the lab's own typo (§3.1.2)
    produce(velib_cluster, "velib-station", snapshots[:2])
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_topic_exists"}, set(CHECKS[1:]))
    assert "'velib-station': a typo?" in run.reason("test_velib_topic_exists")
    for check in CHECKS[1:]:
        assert "needs topic velib-stations" in run.reason(check), check


def test_records_that_are_not_stations_fail(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                                            snapshots: list[Snapshot], run_checks: Callable) -> None:
    make_topic(fresh, TOPIC, 10)
    produce(velib_cluster, TOPIC, snapshots[:2], whole_list=True)  # the API's answer as one record
    run = run_checks(*target_args(velib_cluster))
    # nothing consumed them either: no group offsets; and no station to place in partitions (blocked, not failed)
    exact(run, {"test_velib_records_are_station_json", "test_velib_monitor_group_has_committed_offsets"},
          {"test_velib_each_station_is_in_one_partition"})
    assert "not a JSON object but a list" in run.result("test_velib_records_are_station_json")["found"]
    assert "json.dumps(station)" in run.result("test_velib_records_are_station_json")["hint_en"]


def test_an_empty_topic_fails(velib_cluster: EmbeddedCluster, fresh: KafkaAdminClient,
                              run_checks: Callable) -> None:
    make_topic(fresh, TOPIC, 10)
    run = run_checks(*target_args(velib_cluster))
    exact(run, {"test_velib_records_are_station_json", "test_velib_monitor_group_has_committed_offsets"},
          {"test_velib_each_station_is_in_one_partition"})
    assert "holds no record" in run.reason("test_velib_records_are_station_json")
    assert "JCDECAUX_API_KEY" in run.result("test_velib_records_are_station_json")["hint_en"]
