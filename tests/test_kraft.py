"""Kafka 4 (KRaft): the grader finds the mode from what answers, and each KRaft check fails on its broken variant.

Real KRaft clusters (``EmbeddedCluster(version="4.x")``), graded as an instructor would (``pytest checks``).
"""

from __future__ import annotations

from collections import Counter

import pytest

from checks.kraft import choose_victim, stop_refusal
from fixtures.hosts.health import KRAFT, TargetHealth, probe_target
from fixtures.hosts.net import Endpoint, Reach
from fixtures.hosts.probes import Answer, QuorumStatus, Voter, quorum_status
from fixtures.hosts.targets import Target
from fixtures.kafka.cluster import ClusterError, EmbeddedCluster, free_port
from fixtures.plugin.verdict import CheckFailed
from fixtures.runtime import KafkaRuntime
from fixtures.system.wait import wait_until
from reference import s2, s3_2
from reference.s3_2 import CLUSTER_OVERRIDES
from reference.velib import play as velib
from tests.support import hosts
from tests.support.outcomes import assert_exact_run as exact

pytestmark = pytest.mark.skipif(not KafkaRuntime.for_version("4.x").is_installed(),
                                reason="Kafka 4 is not cached (python -m fixtures.runtime fetch --kafka 4.x)")
NOT_APPLICABLE_UNDER_KRAFT = {"test_zookeeper_answers_on_its_port", "test_broker_is_registered_in_zookeeper"}
# A KRaft node's own §2.1 checks, judged exactly by the tests below whose cluster holds no `conversation` nor group.
KRAFT_NODE_CHECKS = ("test_broker_speaks_kafka", "test_metadata_quorum_answers", "test_kraft_node_roles_and_listeners",
                     "test_broker_advertises_a_reachable_address")


def _quorum(voters: list[int], leader: int | None = 0, observers: list[int] = ()) -> QuorumStatus:
    answer = Answer(Endpoint("127.0.0.1", 9092), Reach.OPEN, b"x")
    return QuorumStatus(answer, True, leader_id=leader, voters=[Voter(v, 10, 0) for v in voters],
                        observers=[Voter(o, 10, 0) for o in observers])


class _KRaftHealth(TargetHealth):
    mode = KRAFT  # type: ignore[assignment]

    def __init__(self, quorum: QuorumStatus):  # noqa: D107 - only the quorum matters to the victim's choice
        self.quorum = quorum


def test_the_only_controller_is_never_stopped() -> None:
    quorum = _quorum([0], observers=[1])
    assert "only controller" in stop_refusal(0, quorum)
    assert stop_refusal(1, quorum) is None  # a pure broker
    # Broker 0 leads most partitions but is the only controller: broker 1 is stopped instead, and the note says why.
    victim, note = choose_victim(Counter({0: 7, 1: 3}), _KRaftHealth(quorum))
    assert victim == 1 and "only controller" in note
    # Only the controller holds replicas: the trial refuses, with a clear message.
    with pytest.raises(CheckFailed, match="refused to stop a broker: broker 0 is the only controller"):
        choose_victim(Counter({0: 10}), _KRaftHealth(quorum))


def test_either_voter_of_two_is_needed_and_one_of_three_is_not() -> None:
    assert "not a majority" in stop_refusal(1, _quorum([0, 1]))
    assert stop_refusal(1, _quorum([0, 1, 2])) is None
    with pytest.raises(CheckFailed, match="not a majority"):
        choose_victim(Counter({0: 5, 1: 5}), _KRaftHealth(_quorum([0, 1])))


# ------------------------------------------------------------------ real clusters


def _args(cluster: EmbeddedCluster) -> list[str]:
    """Grade a running cluster as a remote target, its ZooKeeper port closed (KRaft has none)."""
    return ["--bootstrap", cluster.bootstrap, "--zookeeper", str(cluster.zookeeper_endpoint)]


def test_a_kraft_node_is_told_from_a_zookeeper_one_by_what_it_answers(tmp_path) -> None:
    with EmbeddedCluster(brokers=1, version="4.x", workdir=tmp_path / "c") as cluster:
        target = Target("kraft", cluster.zookeeper_endpoint, tuple(cluster.broker_endpoints))
        health = probe_target(target, 2.0)
        assert health.mode == KRAFT and not health.zookeeper.up
        quorum = health.quorum
        assert quorum.answered and quorum.leader_id == 0 and [v.node_id for v in quorum.voters] == [0]
        assert "DescribeQuorum" in health.mode_evidence()


def test_two_voters_with_one_stopped_have_no_quorum(tmp_path, run_checks) -> None:
    with EmbeddedCluster(brokers=2, version="4.x", all_voters=True, workdir=tmp_path / "c") as cluster:
        cluster.stop_broker(1)
        wait_until(lambda: quorum_status(cluster.broker_endpoints[0], 2.0).leader_id is None, 60,
                   "node 0 to lose the quorum's leader (2 voters, 1 stopped)")
        run = run_checks(*_args(cluster), "--step", "2.1", "--step", "3.2.1")
    # No `conversation` nor group on this cluster: only the node's own checks are judged exactly. Without a leader
    # the roles and the quorum's membership cannot be read, and the exactly-once trial cannot create its topic:
    # blocked by the quorum check, named (the roles check was once seen failing, the trial timing out: a second
    # and third point lost for one mistake). Broker 1 is down: the two-brokers check fails, rightly.
    blocked = {"test_kraft_node_roles_and_listeners", "test_brokers_registered_with_the_quorum",
               "test_group_consumes_each_message_exactly_once"}
    exact(run, {"test_metadata_quorum_answers", "test_cluster_has_at_least_two_brokers"}, blocked,
          among=(*KRAFT_NODE_CHECKS, *blocked, "test_cluster_has_at_least_two_brokers"))
    for check in blocked:
        assert "test_metadata_quorum_answers" in run.reason(check), (check, run.reason(check))
    reason = run.reason("test_metadata_quorum_answers")
    assert "no leader" in reason or "does not answer" in reason, reason
    print(reason)  # shown with -s: what DescribeQuorum gave without a leader
    assert "a majority of 2 is 2" in run.result("test_metadata_quorum_answers")["hint_en"]


# What a client needs a broker's client listener for: every §2 check that reads or writes through a client.
THROUGH_A_CLIENT = {"test_conversation_topic_exists", "test_conversation_description_is_consistent",
                    "test_conversation_has_two_partitions", "test_conversation_keeps_messages_from_the_beginning",
                    "test_mygroup_exists", "test_mygroup_has_committed_offsets_on_conversation",
                    "test_group_consumes_each_message_exactly_once",
                    "test_partitions_are_shared_by_two_consumers_of_a_group"}


def test_a_controller_listener_advertised_to_clients_fails(tmp_path, run_checks) -> None:
    """The roles check fails and the address check with it; every check through a client is blocked by it, named.
    Once seen: the exactly-once trial failed ("does not support MetadataRequest" taken for a broker fault) and the
    topic and group checks were charged to the grader (not evaluated)."""
    overrides = {0: {"advertised.listeners": "PLAINTEXT://127.0.0.1:{controller_port}"}}
    with EmbeddedCluster(brokers=1, version="4.x", broker_overrides=overrides, await_registration=False,
                         workdir=tmp_path / "c") as cluster:
        run = run_checks(*_args(cluster), "--step", "2")
    exact(run, {"test_kraft_node_roles_and_listeners", "test_broker_advertises_a_reachable_address"},
          THROUGH_A_CLIENT)
    assert "CONTROLLER listener" in run.reason("test_kraft_node_roles_and_listeners")
    for check in THROUGH_A_CLIENT:
        reason = run.reason(check)
        assert "needs a broker advertising its client listener" in reason, (check, reason)
        assert "test_kraft_node_roles_and_listeners" in reason, (check, reason)


def test_storage_never_formatted_says_why_and_never_only_start_zookeeper(tmp_path, run_checks) -> None:
    cluster = EmbeddedCluster(brokers=1, version="4.x", format_storage=False, workdir=tmp_path / "c")
    with pytest.raises(ClusterError, match="meta.properties"):  # the node exits at once, saying so in its log
        cluster.start()
    port = free_port()
    run = run_checks("--bootstrap", f"127.0.0.1:{port}", "--zookeeper", f"127.0.0.1:{free_port()}",
                     "--step", "2.1")
    assert run.outcomes["test_broker_speaks_kafka"] == "failed", run.output
    for check in ("test_broker_speaks_kafka", "test_zookeeper_answers_on_its_port"):
        hint = run.result(check)["hint_en"]
        assert "kafka-storage.sh format" in hint and "No meta.properties found" in hint, hint


def test_a_second_broker_that_cannot_reach_the_controller_fails(tmp_path, run_checks) -> None:
    closed = free_port()
    overrides = {1: {"controller.quorum.bootstrap.servers": f"127.0.0.1:{closed}"}}
    with EmbeddedCluster(brokers=2, version="4.x", broker_overrides=overrides, unawaited=frozenset({1}),
                         workdir=tmp_path / "c") as cluster:
        run = run_checks(*_args(cluster), "--step", "3.2.1")
    exact(run, {"test_brokers_registered_with_the_quorum", "test_cluster_has_at_least_two_brokers"})
    assert "controller.quorum.bootstrap.servers" in run.result("test_brokers_registered_with_the_quorum")["hint_en"]


# ------------------------------------------------------------------ a KRaft student, graded by host name


@pytest.mark.slow
@pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))
def test_a_kraft_student_gets_the_grade_of_a_zookeeper_student(tmp_path, run_checks) -> None:
    """A student on Kafka 4 who followed the Kafka 4 steps on their own host (a controller and two brokers on the
    lab's ports, storage formatted, §2, §3.1 and §3.2 played with --bootstrap-server) passes every check but
    ZooKeeper's, which are not applicable: the same grade as a ZooKeeper student who followed the lab (all
    passed, tests/test_reference.py), and never a hint to start ZooKeeper."""
    overrides = {i: dict(CLUSTER_OVERRIDES) for i in (0, 1)}
    with hosts.simulated_host("kraft-pi4") as pi, \
            EmbeddedCluster(brokers=2, version="4.x", host=pi.address, netns=pi.namespace, broker_overrides=overrides,
                            workdir=tmp_path / "cluster") as cluster:
        first = cluster.broker_endpoints[0]
        s2.play(cluster.runtime, cluster.zookeeper_endpoint, first)
        velib.play(cluster.runtime, cluster.zookeeper_endpoint, first)
        s3_2.play(cluster.runtime, cluster.zookeeper_endpoint, first, cluster)
        run = run_checks("--target", pi.name, "--step", "2", "--step", "3.1", "--step", "3.2")
    evaluated = {check: outcome for check, outcome in run.outcomes.items() if outcome != "not_evaluated"}
    assert set(evaluated.values()) == {"passed"}, run.output
    not_applicable = {check for check, outcome in run.outcomes.items()
                      if outcome == "not_evaluated" and "not applicable under KRaft" in run.reason(check)}
    assert not_applicable == NOT_APPLICABLE_UNDER_KRAFT
    assert {"test_metadata_quorum_answers", "test_kraft_node_roles_and_listeners",
            "test_brokers_registered_with_the_quorum"} <= set(evaluated)
    assert "zookeeper-server-start" not in run.output
    assert run.grade_on_20 == 20.0, run.output
