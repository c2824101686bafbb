"""Every §2 check fails on a broken variant of the lab, and passes on the reference.

Each test puts a real cluster in one broken state, runs the checks as an instructor would
(``pytest checks --zookeeper … --bootstrap …``) in a subprocess, and reads the outcome of every check.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError

from fixtures.hosts.net import BrokerList, Endpoint, Route
from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster, free_port
from fixtures.kafka.facts import TopicFacts, describe_topic
from fixtures.system.wait import wait_until
from tests.support import hosts
from tests.support.groups import commit_offsets
from tests.support.outcomes import assert_exact_run as exact

pytestmark = pytest.mark.slow

TOPIC_EXISTS = "test_conversation_topic_exists"
TWO_PARTITIONS = "test_conversation_has_two_partitions"
KEEPS = "test_conversation_keeps_messages_from_the_beginning"
SHARED = "test_partitions_are_shared_by_two_consumers_of_a_group"
MYGROUP = "test_mygroup_exists"
COMMITTED = "test_mygroup_has_committed_offsets_on_conversation"
EXACTLY_ONCE = "test_group_consumes_each_message_exactly_once"


@pytest.fixture
def admin(cluster: EmbeddedCluster) -> Iterator[KafkaAdminClient]:
    """An admin client on a cluster reset to empty: no `conversation`, no `mygroup`."""
    client = clients.admin(cluster.bootstrap)
    if "conversation" in client.list_topics():
        client.delete_topics(["conversation"])
        wait_until(lambda: "conversation" not in client.list_topics(), 30, "topic conversation to be deleted")
    if any(g["group_id"] == "mygroup" for g in client.list_groups()):
        client.delete_groups(["mygroup"])
    yield client
    client.close()


def target_args(cluster: EmbeddedCluster) -> list[str]:
    return ["--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap, "--check-timeout", "10"]


def make_conversation(cluster: EmbeddedCluster, admin: KafkaAdminClient, partitions: int, messages: int = 5) -> None:
    def created() -> bool:
        # A topic still "marked for deletion" by the reset cannot be created again yet: retry until it can.
        admin.create_topics([NewTopic("conversation", partitions, 1)])
        return True

    wait_until(created, 30, "topic conversation to be created again")
    producer = clients.producer(cluster.bootstrap)
    for i in range(messages):
        producer.send("conversation", f"message {i}".encode(), partition=i % partitions)
    producer.flush(10)
    producer.close()


def commit_mygroup(admin: KafkaAdminClient, offset: int) -> None:
    """Commit ``offset`` on both partitions of `conversation` for `mygroup`. On a fresh cluster the offsets topic
    is created by the first group request: until then the coordinator is not available, ask again."""
    commit_offsets(admin, "mygroup", {TopicPartition("conversation", p): offset for p in (0, 1)})


def test_roots_pass_and_topic_checks_fail_on_an_empty_cluster(cluster, admin, run_checks):
    run = run_checks(*target_args(cluster), "--step", "2")
    # The roots pass, and the grader's own group trial, which does not depend on the student's topic.
    exact(run, {TOPIC_EXISTS, MYGROUP}, blocked={TWO_PARTITIONS, SHARED, COMMITTED, KEEPS,
                                                 "test_conversation_description_is_consistent"})
    assert "kafka-topics.sh --create" in run.result(TOPIC_EXISTS)["hint_en"]
    for check in (TWO_PARTITIONS, SHARED, COMMITTED):
        assert "needs topic conversation" in run.reason(check)
    assert run.returncode == 1


def test_a_topic_left_at_one_partition_and_no_group_fail(cluster, admin, run_checks):
    make_conversation(cluster, admin, partitions=1)
    run = run_checks(*target_args(cluster), "--step", "2", "-k", "conversation or partitions or mygroup")
    exact(run, {TWO_PARTITIONS, SHARED, MYGROUP, COMMITTED})  # the topic, its description and messages pass
    assert "--partitions 2" in run.result(SHARED)["hint_en"]


def test_a_group_that_rereads_from_the_start_fails(cluster, admin, run_checks):
    make_conversation(cluster, admin, partitions=2)
    commit_mygroup(admin, 0)
    run = run_checks(*target_args(cluster), "--step", "2", "-k", "mygroup or partitions")
    exact(run, {COMMITTED})
    assert "read every message again" in run.reason("test_mygroup_has_committed_offsets_on_conversation")
    result = run.result("test_mygroup_has_committed_offsets_on_conversation")
    # The report's picture holds what the check saw (offset 0 of 5 and 0 of … per partition) and the command
    # to try again names this check and this cluster.
    (lag,) = result["figures"]
    assert lag["group"] == "mygroup" and [p["committed"] for p in lag["partitions"]] == [0, 0]
    assert sum(p["end"] for p in lag["partitions"]) == 5
    assert result["rerun"] == (f"pytest checks --target 127.0.0.1 --zookeeper {cluster.zookeeper_endpoint} --bootstrap "
                               f"{cluster.bootstrap} -k test_mygroup_has_committed_offsets_on_conversation")
    assert result["title_fr"].startswith("`mygroup` a validé des offsets")


def test_a_group_with_committed_offsets_passes(cluster, admin, run_checks):
    make_conversation(cluster, admin, partitions=2)
    commit_mygroup(admin, 2)
    run = run_checks(*target_args(cluster), "-k", "mygroup")
    exact(run, set(), set())
    assert "lag" in run.result("test_mygroup_has_committed_offsets_on_conversation")["found"]


def test_a_retention_shorter_than_an_hour_fails(cluster, admin, run_checks):
    make_conversation(cluster, admin, partitions=2)
    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "conversation", {"retention.ms": "1000"})])
    run = run_checks(*target_args(cluster), "-k", "keeps_messages")
    exact(run, {KEEPS})
    assert "retention.ms" in run.reason("test_conversation_keeps_messages_from_the_beginning")


def test_an_empty_topic_fails_the_retention_check(cluster, admin, run_checks):
    make_conversation(cluster, admin, partitions=2, messages=0)
    run = run_checks(*target_args(cluster), "-k", "keeps_messages")
    exact(run, {KEEPS})
    assert "holds no message" in run.reason("test_conversation_keeps_messages_from_the_beginning")


def test_zookeeper_down_fails_its_check_and_skips_the_registration(cluster, run_checks):
    closed = free_port()
    run = run_checks("--zookeeper", f"127.0.0.1:{closed}", "--bootstrap", cluster.bootstrap, "--step", "2", "-k",
                     "zookeeper or broker")
    exact(run, {"test_zookeeper_answers_on_its_port"}, {"test_broker_is_registered_in_zookeeper"})
    assert "zookeeper-server-start.sh" in run.result("test_zookeeper_answers_on_its_port")["hint_en"]


def test_a_broker_registered_under_another_zookeeper_path_fails_the_registration(run_checks):
    """`zookeeper.connect=host:2181/kafka` (a chroot): the broker runs, but this ZooKeeper has no /brokers/ids."""
    with EmbeddedCluster(brokers=1, broker_overrides={0: {"zookeeper.connect": "{zookeeper}/kafka"}}) as chrooted:
        run = run_checks(*target_args(chrooted), "--step", "2", "-k", "zookeeper or broker")
    assert chrooted.workdir is not None and not chrooted.workdir.exists(), "the cluster's temporary folder is left"
    exact(run, {"test_broker_is_registered_in_zookeeper"})
    assert "is not in ZooKeeper's /brokers/ids" in run.reason("test_broker_is_registered_in_zookeeper")
    assert str(run.result("test_broker_is_registered_in_zookeeper")["found"]) == "[]"
    assert "zookeeper.connect" in run.result("test_broker_is_registered_in_zookeeper")["hint_en"]


def test_broker_down_fails_its_check_and_skips_the_rest(cluster, run_checks):
    closed = free_port()
    run = run_checks("--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", f"127.0.0.1:{closed}")
    others = [c for c in run.applicable if c not in ("test_zookeeper_answers_on_its_port", "test_broker_speaks_kafka")]
    exact(run, {"test_broker_speaks_kafka"}, set(others))  # ZooKeeper passes, everything after the broker blocked
    assert len(others) > 10, run.outcomes
    assert "kafka-server-start.sh" in run.result("test_broker_speaks_kafka")["hint_en"]
    assert all("needs the broker" in run.reason(c) for c in others)


class _HttpOnly(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_web_server_on_the_broker_port_is_not_kafka(cluster, run_checks):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HttpOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        run = run_checks("--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", f"127.0.0.1:{port}",
                         "--step", "2", "-k", "broker")
    finally:
        server.shutdown()
    exact(run, {"test_broker_speaks_kafka"}, {"test_broker_is_registered_in_zookeeper",
                                              "test_broker_advertises_a_reachable_address"})
    assert "HTTP server, not Kafka" in run.reason("test_broker_speaks_kafka")
    assert "Another service" in run.result("test_broker_speaks_kafka")["hint_en"]


def test_a_client_pointed_at_zookeeper_gets_its_own_hint(cluster, run_checks):
    run = run_checks("--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", str(cluster.zookeeper_endpoint),
                     "-k", "broker_speaks")
    exact(run, {"test_broker_speaks_kafka"})
    assert "ZooKeeper's port" in run.result("test_broker_speaks_kafka")["hint_en"]


def test_a_silent_service_fails_within_the_probe_timeout(cluster, run_checks):
    """A port that accepts connections but never answers (a hung process) is not waited on forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        port = listener.getsockname()[1]
        run = run_checks("--zookeeper", f"127.0.0.1:{port}", "--bootstrap", f"127.0.0.1:{port}", timeout=60)
    finally:
        listener.close()
    roots = {"test_zookeeper_answers_on_its_port", "test_broker_speaks_kafka"}
    exact(run, roots, {c for c in run.applicable if c not in roots})  # both fail, everything after them blocked
    assert "said nothing in time to a Kafka request" in run.reason("test_broker_speaks_kafka")


def test_a_broker_advertising_an_unresolvable_name_fails(run_checks):
    overrides = {0: {"advertised.listeners": "PLAINTEXT://pi-node99.invalid:{port}"}}
    with EmbeddedCluster(brokers=1, broker_overrides=overrides, await_registration=False) as wrong:
        run = run_checks(*target_args(wrong), "--step", "2", "-k", "broker or conversation")
    # This broker cannot reach itself at that name, so its metadata lists no broker: no client, not even the
    # grader's routed ones, can use it (a localhost mistake on a remote host is graded on: see below).
    # Which id is its own is unknown too: its registration is blocked, not failed (it did register).
    exact(run, {"test_broker_advertises_a_reachable_address"},
          {TOPIC_EXISTS, "test_conversation_description_is_consistent", TWO_PARTITIONS, KEEPS, COMMITTED,
           "test_broker_is_registered_in_zookeeper"})
    assert "advertises" in run.reason("test_broker_advertises_a_reachable_address")
    assert "metadata lists no broker" in run.reason("test_conversation_topic_exists")


def _do_section_2_through(bootstrap: BrokerList) -> None:
    """What a student does in §2.1.4–2.1.6 (topic with 2 partitions, messages, mygroup past the start)."""
    admin = clients.admin(bootstrap, timeout_s=20)
    try:
        admin.create_topics([NewTopic("conversation", 2, 1)])
        wait_until(lambda: len((describe_topic(admin, "conversation") or TopicFacts("", [])).partitions) == 2,
                   30, "conversation to have 2 partitions")
        clients.send_all(bootstrap, "conversation", [f"message {i}".encode() for i in range(6)], timeout_s=20)
        commit_offsets(admin, "mygroup", {TopicPartition("conversation", p): 1 for p in (0, 1)})
    finally:
        admin.close()


@pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))
def test_a_broker_advertising_localhost_to_other_machines_fails_that_check_only(run_checks, tmp_path):
    """The classic mistake: on its own host (a network namespace here) the broker advertises localhost.

    Everything else of §2 was done: only the advertised-address check fails, the topic, group and partition
    checks are graded through the bootstrap address the grader reaches (partial credit for one wrong line)."""
    overrides = {0: {"listeners": "PLAINTEXT://0.0.0.0:{port}", "advertised.listeners": "PLAINTEXT://localhost:{port}"}}
    with hosts.simulated_host("strength-pi-localhost") as pi, \
            EmbeddedCluster(brokers=1, host=pi.address, netns=pi.namespace, broker_overrides=overrides,
                            workdir=tmp_path / "cluster"):
        reachable = Endpoint(pi.address, 9092)
        plain = BrokerList([reachable])
        with pytest.raises(KafkaError):  # without a route the grader's client is lost, as the student's would be
            clients.admin(plain, timeout_s=5).list_topics()
        _do_section_2_through(plain.routed([Route(0, Endpoint("localhost", 9092), reachable)]))
        run = run_checks("--target", pi.name, "--step", "2")
    exact(run, {"test_broker_advertises_a_reachable_address"})
    assert len(run.applicable) > 10, run.outcomes
    assert "loopback" in run.reason("test_broker_advertises_a_reachable_address")
    hint = run.result("test_broker_advertises_a_reachable_address")["hint_en"]
    assert f"advertised.listeners=PLAINTEXT://{pi.name}:9092" in hint


@pytest.fixture(scope="module")
def offsets_cluster() -> Iterator[EmbeddedCluster]:
    # A multi-node server.properties copied to a single broker: the offsets topic cannot be created.
    with EmbeddedCluster(brokers=1, broker_overrides={0: {"offsets.topic.replication.factor": "3"}}) as running:
        yield running


def test_a_broker_that_cannot_keep_group_offsets_fails_exactly_once(offsets_cluster, run_checks):
    """Neither group trial calls it the grader's trouble: the broker's configuration is the evidence."""
    client = clients.admin(offsets_cluster.bootstrap)
    client.create_topics([NewTopic("conversation", 2, 1)])
    client.close()
    run = run_checks(*target_args(offsets_cluster), "-k", "exactly_once or shared_by_two")
    exact(run, {EXACTLY_ONCE, SHARED})
    for check in (EXACTLY_ONCE, SHARED):
        assert "offsets.topic.replication.factor=3 with 1 broker(s)" in run.reason(check)
        assert "offsets.topic.replication.factor" in run.result(check)["hint_en"]
