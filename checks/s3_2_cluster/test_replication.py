"""§3.2.2 — replication survives a broker shutdown (destructive: it stops a broker and always restores it).

After Apache Kafka's replication system test: produce K records with ``acks=all`` and keep the acknowledged
ones; stop the broker that leads most partitions of ``velib-stations``; then, each within a deadline, every
partition has a live leader, the ISRs shrank to the live brokers, every acknowledged record is still
readable (acknowledged − consumed = ∅), and producing and consuming still work with the target's
bootstrap list; finally the broker is started again and the check waits until no partition is
under-replicated. The trial writes into a grader topic placed exactly like ``velib-stations`` (same
replicas), never into the student's topic.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from kafka import KafkaAdminClient

from checks.s3_2_cluster.brokers import MIN_BROKERS, registered_ids
from checks.s3_2_cluster.survival import leaderless, mirror_topic, produce_acked, read_back, under_replicated
from fixtures import clients
from fixtures.control import BrokerControl
from fixtures.control.guard import stopped_broker
from fixtures.control.journal import Journal
from fixtures.health import TargetHealth
from fixtures.kafka_facts import TopicFacts, describe_topic
from fixtures.net import BrokerList
from fixtures.targets import Target
from fixtures.verdict import fail, needs
from fixtures.wait import WaitTimeout, wait_until

from . import hints

RECORDS = 200
AFTER_RECORDS = 20
# A clean shutdown first moves leadership away; partitions with no other replica make the broker retry
# (controlled.shutdown.max.retries=3, 5 s apart) before it gives up and exits: allow for that.
STOP_TIMEOUT_S = 90.0


def _index_of(target: Target, health: TargetHealth, node_id: int) -> int:
    """Position among the target's brokers (what the control backends number) of broker ``node_id``."""
    advertised = {b.node_id: b for status in health.live_brokers() for b in status.brokers}
    info = advertised.get(node_id)
    for index, endpoint in enumerate(target.brokers):
        if info is not None and endpoint.port == info.port:
            return index
    return node_id  # the lab's numbering: broker.id 0 is server.properties, 1 is server1.properties


def _survivors(health: TargetHealth, stopped: int) -> list[str]:
    return sorted({f"{b.host}:{b.port}" for s in health.live_brokers() for b in s.brokers if b.node_id != stopped})


@pytest.mark.destructive
@pytest.mark.step("3.2.2")
def test_replication_survives_a_broker_shutdown(target: Target, health: TargetHealth, admin: KafkaAdminClient,
                                                broker_control: BrokerControl, journal: Journal,
                                                check_timeout: float, record_property) -> None:
    """Stopping the broker that leads most partitions loses no acknowledged record, and it is restored."""
    ids = registered_ids(health)
    if len(ids) < MIN_BROKERS:
        needs("a second broker", f"only broker(s) {ids} are registered (§3.2.1)")
    velib = describe_topic(admin, "velib-stations")
    if velib is None:
        needs("topic velib-stations", "it does not exist (§3.2.2)")
    bootstrap = [str(b) for b in target.brokers]  # the student's list, as their clients would use it
    phases: dict[str, float] = {}
    problems: list[str] = []
    hint = None

    mirror = mirror_topic(admin, velib, check_timeout)
    topic = mirror.name
    acked = produce_acked(bootstrap, topic, mirror.partition_count, RECORDS, check_timeout)
    if len(acked) < RECORDS:
        fail(f"only {len(acked)} of {RECORDS} records were acknowledged with acks=all before any shutdown")
    victim = Counter(p.leader for p in velib.partitions).most_common(1)[0][0]
    index = _index_of(target, health, victim)
    survivors = _survivors(health, victim)

    victim_port = _port_of(health, victim)
    only_victim = all(b.port == victim_port for b in target.brokers)

    def restored() -> None:
        # The broker is registered again and no partition of the cluster is under-replicated.
        def settled() -> bool:
            client = clients.admin(sorted({*survivors, *bootstrap}), timeout_s=5)
            try:
                registered = {b.get("broker_id", b.get("node_id")) for b in client.describe_cluster()["brokers"]}
                return victim in registered and not under_replicated(client)
            finally:
                client.close()

        wait_until(settled, 2 * check_timeout + 30, f"broker {victim} to be back and no partition under-replicated")

    started = time.monotonic()
    with stopped_broker(broker_control, index, journal, target.name, max(check_timeout, STOP_TIMEOUT_S),
                        settle=restored) as outage:
        phases["stop"] = outage.stopped_at - started
        watcher = clients.admin(survivors, timeout_s=5)
        try:
            phases["leadership"], dead = _await_leaders(watcher, mirror, victim, check_timeout)
            if dead:
                problems.append(f"partitions {dead} have no leader since broker {victim} stopped: their only "
                                f"replica was on it")
                hint = hints.SURVIVAL_LOST
            shrink_started = time.monotonic()
            try:
                wait_until(lambda: all(victim not in p.isr for p in describe_topic(watcher, topic).partitions),
                           check_timeout, f"broker {victim} to leave every ISR")
            except WaitTimeout as exc:
                problems.append(str(exc))
            phases["isr_shrink"] = time.monotonic() - shrink_started
        finally:
            watcher.close()
        phases["read_acked"], missing, read_error = _read_acked(bootstrap, topic, acked, dead, check_timeout)
        if missing:
            problems.append(f"{len(missing)} of {len(acked)} acknowledged records are not readable with broker "
                            f"{victim} stopped (acknowledged − consumed ≠ ∅){read_error}")
            hint = hint or hints.SURVIVAL_LOST
        phases["produce_consume"], problem = _produce_consume(bootstrap, topic, mirror.partition_count, dead,
                                                               check_timeout)
        if problem:
            problems.append(problem)
        if only_victim and (problem or missing):
            problems.append(f"the bootstrap list {','.join(bootstrap)} names only the stopped broker {victim}")
            hint = hints.SURVIVAL_BOOTSTRAP.format(first=str(target.brokers[0]),
                                                   second=survivors[0] if survivors else "…:9093")
    phases["restore"] = outage.restore_s or 0.0
    phases["total"] = time.monotonic() - started
    summary = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in phases.items())
    record_property("found", f"stopped broker {victim}; {summary}")
    if problems:
        fail("; ".join(problems) + f" [{summary}]", hint, expected="no acknowledged record lost, a live leader "
             "everywhere, clients still working", found=f"stopped broker {victim}")


def _port_of(health: TargetHealth, node_id: int) -> int | None:
    return next((b.port for s in health.live_brokers() for b in s.brokers if b.node_id == node_id), None)


def _await_leaders(admin: KafkaAdminClient, mirror: TopicFacts, victim: int,
                   timeout: float) -> tuple[float, list[int]]:
    """Seconds until every partition that has a surviving replica is led by one; partitions that have none."""
    started = time.monotonic()
    topic = mirror.name
    hopeless = sorted(p.partition for p in mirror.partitions if set(p.replicas) <= {victim})

    def led() -> bool:
        current = describe_topic(admin, topic)
        return all(p.partition in hopeless for p in leaderless(current, victim))

    try:
        wait_until(led, timeout, f"a live leader on every partition of {topic} that has a surviving replica")
    except WaitTimeout:
        current = describe_topic(admin, topic) or mirror
        hopeless = sorted({*hopeless, *(p.partition for p in leaderless(current, victim))})
    return time.monotonic() - started, hopeless


def _read_acked(bootstrap: BrokerList, topic: str, acked: dict, dead: list[int],
                timeout: float) -> tuple[float, set, str]:
    started = time.monotonic()
    until: dict[int, int] = {}
    for partition, offset in acked:
        if partition not in dead:
            until[partition] = max(until.get(partition, 0), offset + 1)
    error = ""
    try:
        consumed = read_back(bootstrap, topic, until, timeout)
    except Exception as exc:  # noqa: BLE001 - a client that cannot bootstrap is a finding, not a crash
        consumed, error = {}, f" ({type(exc).__name__}: {exc})"
    missing = {key for key, value in acked.items() if consumed.get(key) != value}
    return time.monotonic() - started, missing, error


def _produce_consume(bootstrap: BrokerList, topic: str, partitions: int, dead: list[int],
                     timeout: float) -> tuple[float, str | None]:
    """New records sent with the target's bootstrap list while the broker is down, then read back."""
    started = time.monotonic()
    live = [p for p in range(partitions) if p not in dead]
    try:
        acked = produce_acked(bootstrap, topic, partitions, AFTER_RECORDS, timeout)
        expected = {k: v for k, v in acked.items() if k[0] in live}
        wanted = sum(1 for i in range(AFTER_RECORDS) if i % partitions in live)
        if len(expected) < wanted:
            return time.monotonic() - started, (f"with bootstrap {','.join(bootstrap)}, only {len(expected)} of "
                                                f"{wanted} new records were acknowledged")
        until: dict[int, int] = {}
        for partition, offset in expected:
            until[partition] = max(until.get(partition, 0), offset + 1)
        consumed = read_back(bootstrap, topic, until, timeout)
        lost = [k for k in expected if consumed.get(k) != expected[k]]
        if lost:
            return time.monotonic() - started, f"{len(lost)} new records could not be read back"
    except Exception as exc:  # noqa: BLE001 - e.g. "Unable to bootstrap": the finding itself
        return time.monotonic() - started, (f"producing/consuming with bootstrap {','.join(bootstrap)} failed "
                                            f"while a broker was down: {type(exc).__name__}: {exc}")
    return time.monotonic() - started, None
