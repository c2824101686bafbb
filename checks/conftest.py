"""Fixtures the checks depend on, forming the check50-style dependency chain.

Each fixture stands for an earlier lab step (ZooKeeper up, broker up, broker reachable by its advertised
address, topic created …). When that step is missing the fixture *skips* every check that needs it, with the
reason, once: its outcome is cached for the target, so a dead host never costs one timeout per check.
The check that grades the step itself (e.g. ``test_broker_speaks_kafka``) is the one that fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient

from checks.topic_checks import existing_topic
from fixtures import clients
from fixtures.health import TargetHealth
from fixtures.kafka_facts import (
    TopicFacts,
    advertised_problem,
    cleanup_grader_objects,
)
from fixtures.net import BrokerList
from fixtures.probes import KafkaStatus, ZooKeeperStatus
from fixtures.targets import Target
from fixtures.verdict import needs


@pytest.fixture(scope="session")
def zookeeper(health: TargetHealth) -> ZooKeeperStatus:
    if not health.zookeeper.up:
        needs("ZooKeeper", health.zookeeper.problem)
    return health.zookeeper


@pytest.fixture(scope="session")
def broker(health: TargetHealth) -> KafkaStatus:
    """The lab's first broker (port 9092), speaking Kafka."""
    first = health.first_broker
    if not first.speaks_kafka:
        needs("the broker", first.problem)
    return first


@pytest.fixture(scope="session")
def reachable_broker(target: Target, broker: KafkaStatus, health: TargetHealth) -> KafkaStatus:
    """A broker whose *advertised* address works from here: clients follow it after bootstrapping."""
    problem = advertised_problem(target, broker, health)
    if problem:
        needs("a broker advertising an address the grader can reach", problem)
    return broker


@pytest.fixture(scope="session")
def admin(target: Target, reachable_broker: KafkaStatus, health: TargetHealth,
          check_timeout: float) -> Iterator[KafkaAdminClient]:
    client = clients.admin(BrokerList(b.endpoint for b in health.live_brokers()), timeout_s=min(check_timeout, 15.0))
    yield client
    cleanup_grader_objects(client)
    client.close()


@pytest.fixture(scope="session")
def bootstrap(health: TargetHealth, reachable_broker: KafkaStatus) -> BrokerList:
    """The live brokers' addresses, for the grader's own producers and consumers."""
    return BrokerList(b.endpoint for b in health.live_brokers())


@pytest.fixture(scope="session")
def conversation(admin: KafkaAdminClient) -> TopicFacts:
    return existing_topic(admin, "conversation", "§2.1.4: kafka-topics.sh --create … --topic conversation")
