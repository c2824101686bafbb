"""§2.1.2 and §2.1.3 under Kafka 4 (KRaft): the metadata quorum answers, in ZooKeeper's place.

Not applicable (not evaluated, never counted) on a ZooKeeper cluster, as ZooKeeper's checks are on a KRaft one:
each student is graded on the checks of the mode their cluster runs in, found from what it answers.
"""

from __future__ import annotations

import pytest

from checks.kraft import (
    BROKER_NOT_IN_QUORUM,
    CONTROLLER_ADVERTISED,
    MAX_VOTER_LAG,
    QUORUM_LAGGING,
    QUORUM_NO_ANSWER,
    QUORUM_NO_LEADER,
    block_without_quorum_leader,
    skip_kraft_check_under_zookeeper,
)
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.probes import KafkaStatus, QuorumStatus
from fixtures.kafka.facts import controller_listener_problem
from fixtures.plugin.verdict import expect, fail, record_found


# Kafka 4 (KRaft): in place of the two ZooKeeper checks, the same points (each mode's checks are not applicable in
# the other, so a KRaft student and a ZooKeeper student who both did everything get the same grade).
@pytest.mark.step("2.1.2", points=1)
def test_metadata_quorum_answers(health: TargetHealth, broker: KafkaStatus, record_property) -> None:
    """The KRaft metadata quorum answers DescribeQuorum with a leader, its voters caught up.

    FR: Le quorum de métadonnées KRaft répond à DescribeQuorum avec un leader, ses votants à jour."""
    skip_kraft_check_under_zookeeper(health)
    quorum = health.quorum
    assert quorum is not None  # a KRaft target's broker was asked
    endpoint = broker.endpoint
    record_property("mode", health.mode_evidence())
    if not quorum.answered:
        fail(f"the metadata quorum does not answer through {endpoint}: {quorum.problem}",
             QUORUM_NO_ANSWER.format(host=endpoint.host, port=endpoint.port),
             expected="a DescribeQuorum answer with a leader", found=quorum.problem)
    record_found(quorum.summary())
    voters = [v.node_id for v in quorum.voters]
    expect(quorum.leader_id is not None, f"the metadata quorum has no leader (voters {voters}): a majority of "
           f"its voters is not running or they cannot reach each other", QUORUM_NO_LEADER,
           expected="a LeaderId", found=f"no leader, voters {voters}")
    lagging = {v.node_id: v.lag for v in quorum.voters if v.lag > MAX_VOTER_LAG}
    expect(not lagging, f"voter(s) {sorted(lagging)} trail the leader's high watermark {quorum.high_watermark} by "
           f"{lagging} records (more than {MAX_VOTER_LAG}): stopped or cut off from the leader", QUORUM_LAGGING,
           expected=f"every voter within {MAX_VOTER_LAG} records", found=lagging)


@pytest.mark.step("2.1.3", points=0.5)
def test_kraft_node_roles_and_listeners(quorum: QuorumStatus, broker: KafkaStatus) -> None:
    """The node on 9092 is a broker of the quorum, and clients are given its client listener, not the controller's.

    FR: Le nœud du port 9092 est un broker du quorum, et les clients reçoivent son listener client, pas celui du
    contrôleur."""
    # Roles are read from the quorum's answer: without one, or without a leader, the voters, observers and
    # controller endpoints are unknown, not wrong. The quorum check fails on that; this one is blocked by it.
    block_without_quorum_leader(quorum, "a metadata quorum with a leader")
    advertised = [f"{b.node_id}@{b.endpoint}" for b in broker.brokers]
    controllers = {node: [str(e) for e in ends] for node, ends in quorum.controller_endpoints.items()}
    record_found(f"brokers {advertised}; controllers {controllers or '?'}; voters {[v.node_id for v in quorum.voters]}")
    behind = broker.broker_behind()
    problem = controller_listener_problem(broker, quorum)
    if problem:
        fail(problem, CONTROLLER_ADVERTISED.format(advertised=str(behind.endpoint) if behind else "?",
                                                   host=broker.endpoint.host, port=broker.endpoint.port),
             expected=f"the client listener {broker.endpoint} advertised", found=advertised)
    members = {v.node_id for v in (*quorum.voters, *quorum.observers)}
    expect(behind is not None and behind.node_id in members,
           f"broker {behind.node_id if behind else '?'} answers on {broker.endpoint} but is neither a voter nor an "
           f"observer of the metadata quorum (voters and observers {sorted(members)})", BROKER_NOT_IN_QUORUM,
           expected="the broker among the quorum's voters or observers", found=sorted(members))
