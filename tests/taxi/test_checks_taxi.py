"""Every §4.1 check passes on the reference play and fails on a broken ingestion.

Each test puts a real cluster in one state and runs the checks as an instructor would
(``pytest checks -k taxi --zookeeper … --bootstrap …``) in a subprocess.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.wait import wait_until
from fixtures.taxi.files import FARED_RIDES, FARES, read_lines
from fixtures.taxi.ingest import FARES_TOPIC, RIDES_TOPIC, create_topics, replay
from reference.taxi.play import play
from tests.support.outcomes import assert_exact_run

from ..conftest import GradeRun

pytestmark = pytest.mark.slow
COUNTS = ("test_taxirides_holds_the_ride_file", "test_taxifares_holds_the_fare_file")
LINES = ("test_taxirides_records_are_ride_lines", "test_taxifares_records_are_fare_lines")


def exact(run: GradeRun, failed: set[str], blocked: set[str] = frozenset()) -> None:
    """Among the four §4.1 checks, exactly these fail (or are blocked), the others pass."""
    assert_exact_run(run, failed, blocked, among=COUNTS + LINES)


@pytest.fixture
def admin(cluster: EmbeddedCluster) -> Iterator[KafkaAdminClient]:
    """An admin client on the cluster without taxi topics (what a test left is removed first)."""
    client = clients.admin(cluster.bootstrap)
    present = [t for t in (RIDES_TOPIC, FARES_TOPIC) if t in client.list_topics()]
    if present:
        client.delete_topics(present)
        wait_until(lambda: not set(present) & set(client.list_topics()), 30, "taxi topics deleted")
    yield client
    client.close()


def check_taxi(run_checks, cluster: EmbeddedCluster) -> GradeRun:
    return run_checks("-k", "taxi", "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap,
                      "--check-timeout", "10")


def recreate(cluster: EmbeddedCluster, topics: list[str]) -> None:
    # Just deleted, a topic may still be "marked for deletion": retry until the creation is accepted.
    wait_until(lambda: create_topics(cluster.bootstrap, topics, timeout_s=5) or True, 30, "taxi topics created")


def test_missing_and_empty_topics_fail_with_the_commands_to_run(cluster, admin, run_checks) -> None:
    recreate(cluster, [FARES_TOPIC])
    run = check_taxi(run_checks, cluster)
    rides = run.result("test_taxirides_holds_the_ride_file")
    assert rides["outcome"] == "failed" and "kafka-topics.sh --create" in rides["hint_en"]
    fares = run.result("test_taxifares_holds_the_fare_file")
    assert fares["outcome"] == "failed" and str(fares["found"]) == "0" and "split -l 10000" in fares["hint_en"]
    assert "does not exist" in run.reason("test_taxirides_records_are_ride_lines")
    assert "the topic is empty" in run.reason("test_taxifares_records_are_fare_lines")
    exact(run, set(COUNTS), set(LINES))


def test_reference_play_passes(cluster, admin, run_checks) -> None:
    play(cluster.runtime, cluster.zookeeper_endpoint, cluster.broker_endpoints[0])
    run = check_taxi(run_checks, cluster)
    exact(run, set())
    assert run.result("test_taxirides_holds_the_ride_file")["found"] == "888 records in taxirides"


def test_fares_sent_twice_and_into_the_rides_topic(cluster, admin, run_checks) -> None:
    recreate(cluster, [RIDES_TOPIC, FARES_TOPIC])
    fares = read_lines(FARES)
    for topic in (RIDES_TOPIC, FARES_TOPIC, FARES_TOPIC):
        replay(cluster.bootstrap, topic, fares, chunk_size=1000, pause_s=0, via="python")
    run = check_taxi(run_checks, cluster)
    exact(run, {*COUNTS, "test_taxirides_records_are_ride_lines"})  # the fare lines themselves are fine
    twice = run.result("test_taxifares_holds_the_fare_file")
    assert twice["outcome"] == "failed" and str(twice["found"]) == "888" and "sent more than once" in twice["hint_en"]
    wrong = run.result("test_taxirides_records_are_ride_lines")
    assert wrong["outcome"] == "failed" and "11 comma-separated fields, not 8" in wrong["reason"]
    fewer = run.result("test_taxirides_holds_the_ride_file")
    assert fewer["outcome"] == "failed" and "stopped early" in fewer["hint_en"]  # 444 is no ride file's count


def test_lines_altered_on_the_way_are_not_the_file_lines(cluster, admin, run_checks) -> None:
    """Windows line ends (`\\r` kept in every record) still parse (Python and Spark read `21.5\\r` as a number)
    and give the right count: only finding the sampled records in the file catches them."""
    recreate(cluster, [RIDES_TOPIC, FARES_TOPIC])
    replay(cluster.bootstrap, RIDES_TOPIC, read_lines(FARED_RIDES), chunk_size=1000, pause_s=0, via="python")
    replay(cluster.bootstrap, FARES_TOPIC, [line + "\r" for line in read_lines(FARES)], chunk_size=1000, pause_s=0,
           via="python")
    run = check_taxi(run_checks, cluster)
    exact(run, {"test_taxifares_records_are_fare_lines"})
    altered = run.result("test_taxifares_records_are_fare_lines")
    assert "20 of 20 sampled records of taxifares are not lines of nycTaxiFares.gz" in altered["reason"]
    assert "\\r\\n" in altered["hint_en"]
