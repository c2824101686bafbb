"""§2.1.3 — the Kafka broker runs, is registered in ZooKeeper, and can be reached by its advertised address."""

from __future__ import annotations

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
from kazoo.handlers.threading import KazooTimeoutError

from checks.kraft import NOTHING_ANSWERS
from fixtures.hosts.health import UNKNOWN, TargetHealth
from fixtures.hosts.net import is_loopback
from fixtures.hosts.probes import KafkaStatus, ZooKeeperStatus
from fixtures.hosts.targets import ZOOKEEPER_PORT, Target
from fixtures.kafka.facts import advertised_problem, metadata_problem
from fixtures.plugin.verdict import expect, fail, needs, record_found

from . import hints


@pytest.mark.step("2.1.3", points=1)
def test_broker_speaks_kafka(target: Target, health: TargetHealth) -> None:
    """The broker answers Kafka requests (ApiVersions, Metadata) on its port.

    FR: Le broker répond aux requêtes Kafka (ApiVersions, Metadata) sur son port."""
    first = health.first_broker
    endpoint = first.endpoint
    if first.speaks_kafka:
        record_found(f"Kafka broker, {len(first.brokers)} broker(s) in the cluster metadata; "
                     f"mode {health.mode_evidence()}")
        return
    reach = first.answer.reach
    if not reach.ok:
        # ZooKeeper up: the lab's "start the broker after ZooKeeper"; nothing up: maybe an unformatted Kafka 4 node.
        closed = NOTHING_ANSWERS if health.mode == UNKNOWN else hints.BROKER_CLOSED
        fail(first.problem + _storage_not_formatted(target), hints.unreachable(reach, endpoint.host, endpoint.port,
                                                                               closed),
             expected=f"a Kafka broker on {endpoint}", found=reach.value)
    looks_like_zookeeper = endpoint.port == ZOOKEEPER_PORT or endpoint == health.zookeeper.endpoint or (
        "ZooKeeper" in first.problem)
    hint = hints.BROKER_IS_ZOOKEEPER if looks_like_zookeeper else hints.BROKER_FOREIGN
    fail(first.problem, hint.format(port=endpoint.port), expected="a Kafka ApiVersions response",
         found=first.answer.data[:80] or "no answer")


@pytest.mark.step("2.1.3", points=0.5)
def test_broker_is_registered_in_zookeeper(zookeeper: ZooKeeperStatus, broker: KafkaStatus,
                                           check_timeout: float) -> None:
    """The broker is registered in ZooKeeper under /brokers/ids.

    FR: Le broker est enregistré dans ZooKeeper sous /brokers/ids."""
    client = KazooClient(hosts=str(zookeeper.endpoint), timeout=5.0, connection_retry={"max_tries": 1},
                         command_retry={"max_tries": 1})
    try:
        client.start(timeout=min(check_timeout, 10.0))
        # No /brokers/ids at all: no broker ever registered in this ZooKeeper (another one, or a chroot).
        ids = sorted(int(i) for i in client.get_children("/brokers/ids")) if client.exists("/brokers/ids") else []
    except KazooTimeoutError:
        fail(f"could not open a ZooKeeper session on {zookeeper.endpoint} in time")
    except NoNodeError:  # /brokers/ids removed between the two calls: the same finding
        ids = []
    finally:
        client.stop()
        client.close()
    record_found(f"/brokers/ids = {ids}")
    behind = broker.broker_behind()
    if behind is None and ids:
        # Its metadata names no broker (it cannot reach the address it advertises): which id is this broker's is
        # unknown, so a registered broker is not failed here (the advertised-address check says why).
        needs("a broker whose metadata names itself", metadata_problem(broker) or "its metadata lists no broker")
    expected_id = behind.node_id if behind else None
    expect(expected_id in ids, f"broker {expected_id} (on {broker.endpoint}) is not in ZooKeeper's /brokers/ids",
           hints.BROKER_NOT_REGISTERED, expected=f"{expected_id} in /brokers/ids", found=ids)


@pytest.mark.step("2.1.3", points=1)
def test_broker_advertises_a_reachable_address(target: Target, broker: KafkaStatus, health: TargetHealth) -> None:
    """The broker advertises an address that clients on other machines can reach (not localhost).

    FR: Le broker annonce une adresse que les clients d'autres machines peuvent joindre (pas localhost)."""
    behind = broker.broker_behind()
    advertised = str(behind.endpoint) if behind else "?"
    record_found(f"advertised {advertised}")
    problem = advertised_problem(target, broker, health)
    if problem:
        hint = hints.ADVERTISED_LOOPBACK if behind and is_loopback(behind.host) else hints.ADVERTISED_UNREACHABLE
        fail(problem, hint.format(advertised=advertised, host=broker.endpoint.host, port=broker.endpoint.port),
             expected=f"an address reachable as {broker.endpoint}", found=advertised)


def _storage_not_formatted(target: Target) -> str:
    """When the servers' logs can be read (the embedded cluster): a KRaft node's reason for exiting."""
    logs = target.read_logs() if target.read_logs else {}
    for name, text in logs.items():
        line = next((line for line in text.splitlines() if "meta.properties" in line), None)
        if line:
            return f" ({name} exited: its storage was never formatted; its log says {line.strip()[:200]!r})"
    return ""
