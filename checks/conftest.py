"""Fixtures the checks depend on, forming the check50-style dependency chain.

Each fixture stands for an earlier lab step (ZooKeeper up, broker up, broker metadata usable, topic
created …). When that step is missing the fixture *skips* every check that needs it, with the
reason, once: its outcome is cached for the target, so a dead host never costs one timeout per check.
The check that grades the step itself (e.g. ``test_broker_speaks_kafka``) is the one that fails.

A wrong ``advertised.listeners`` blocks nothing but the checks that judge the student's own clients
(``reachable_broker``): the grader's clients (``admin``, ``bootstrap``) carry routes to the bootstrap
addresses that answered (fixtures.kafka.clients), so topics, groups and partitions are still graded. The one
exception is a KRaft broker advertising its CONTROLLER listener (``bootstrap``): that port is reachable but serves
no client API, so the checks through a client are blocked by the roles check that fails on it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient

from checks.kraft import skip_kraft_check_under_zookeeper, skip_zookeeper_check_under_kraft
from checks.topic_checks import existing_topic
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.net import BrokerList
from fixtures.hosts.probes import KafkaStatus, QuorumStatus, ZooKeeperStatus
from fixtures.hosts.targets import Target
from fixtures.kafka import clients
from fixtures.kafka.facts import (
    TopicFacts,
    advertised_problem,
    cleanup_grader_objects,
    controller_listener_problem,
    grader_routes,
    metadata_problem,
)
from fixtures.plugin.verdict import needs


@pytest.fixture(scope="session")
def zookeeper(health: TargetHealth) -> ZooKeeperStatus:
    skip_zookeeper_check_under_kraft(health, "brokers register with the metadata quorum, not in ZooKeeper")
    if not health.zookeeper.up:
        needs("ZooKeeper", health.zookeeper.problem)
    return health.zookeeper


@pytest.fixture(scope="session")
def quorum(health: TargetHealth, broker: KafkaStatus) -> QuorumStatus:
    """The KRaft metadata quorum as the first broker describes it; not applicable under ZooKeeper."""
    skip_kraft_check_under_zookeeper(health)
    assert health.quorum is not None  # a KRaft target's broker was asked
    return health.quorum


@pytest.fixture(scope="session")
def broker(health: TargetHealth) -> KafkaStatus:
    """The lab's first broker (port 9092), speaking Kafka."""
    first = health.first_broker
    if not first.speaks_kafka:
        needs("the broker", first.problem)
    return first


@pytest.fixture(scope="session")
def reachable_broker(target: Target, broker: KafkaStatus, health: TargetHealth) -> KafkaStatus:
    """A broker whose *advertised* address works from here, as the student's own clients need it."""
    problem = advertised_problem(target, broker, health)
    if problem:
        needs("a broker advertising an address the grader can reach", problem)
    return broker


@pytest.fixture(scope="session")
def bootstrap(target: Target, broker: KafkaStatus, health: TargetHealth) -> BrokerList:
    """The live brokers' addresses for the grader's own clients, routed around unreachable advertised addresses."""
    problem = metadata_problem(broker)
    if problem:
        needs("a broker whose metadata names itself", problem)
    # Under KRaft a broker advertising its CONTROLLER listener sends every client (the grader's too) to a port
    # that serves the quorum's APIs only: no route helps, as the address is reachable but not a broker's. Every
    # check through a client is blocked by the check that judges it, rather than failed (or charged to the
    # grader) by clients that get "does not support MetadataRequest".
    problem = controller_listener_problem(broker, health.quorum) if health.kraft else None
    if problem:
        needs("a broker advertising its client listener", f"{problem} (test_kraft_node_roles_and_listeners)")
    return BrokerList(b.endpoint for b in health.live_brokers()).routed(grader_routes(target, health))


@pytest.fixture(scope="session")
def admin(bootstrap: BrokerList, check_timeout: float) -> Iterator[KafkaAdminClient]:
    client = clients.admin(bootstrap, timeout_s=min(check_timeout, 15.0))
    yield client
    cleanup_grader_objects(client)
    client.close()


@pytest.fixture(scope="session")
def conversation(admin: KafkaAdminClient) -> TopicFacts:
    return existing_topic(admin, "conversation", "§2.1.4: kafka-topics.sh --create … --topic conversation")
