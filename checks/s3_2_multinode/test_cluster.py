"""§3.2 — cluster mode: two brokers registered, `velib-stations` replicated (RF ≥ 2, 10 partitions),
its leaders spread over the brokers (about half each, the imbalance settings reported) and every in-sync
replica set full.
"""

from __future__ import annotations

from collections import Counter

import pytest
from kafka import KafkaAdminClient

from checks.topic_checks import existing_topic
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.probes import KafkaStatus
from fixtures.kafka.facts import TopicFacts, broker_configs
from fixtures.plugin.verdict import expect, fail, needs, record_found

from . import hints
from .brokers import MIN_BROKERS, out_of_sync, registered_ids

TOPIC = "velib-stations"
PARTITIONS = 10
MIN_REPLICATION = 2
IMBALANCE_SETTINGS = ("auto.leader.rebalance.enable", "leader.imbalance.check.interval.seconds")


@pytest.fixture(scope="session")
def replicated_topic(admin: KafkaAdminClient) -> TopicFacts:
    return existing_topic(admin, TOPIC, "§3.2.2: kafka-topics.sh --create --replication-factor 2 --partitions 10 "
                                        "--topic velib-stations")


@pytest.mark.step("3.2.1", points=1)
def test_cluster_has_at_least_two_brokers(health: TargetHealth, broker: KafkaStatus) -> None:
    """At least two brokers are registered in the cluster (the second one from server1.properties).

    FR: Au moins deux brokers sont enregistrés dans le cluster (le second depuis server1.properties)."""
    ids = registered_ids(health)
    record_found(f"brokers {ids}")
    if len(ids) >= MIN_BROKERS:
        return
    silent = [status for status in health.brokers[1:] if not status.speaks_kafka]
    detail = "; ".join(f"{s.endpoint}: {s.problem}" for s in silent)
    reason = f"{len(ids)} broker registered (ids {ids}), at least {MIN_BROKERS} expected"
    if silent:
        reason += (f"; the second broker is not running ({detail}). A second broker sharing broker.id or "
                   f"log.dirs with the first stops at start-up: it does not start")
    fail(reason, hints.SECOND_BROKER_MISSING, expected=f">= {MIN_BROKERS} brokers", found=ids)


@pytest.mark.step("3.2.2", points=1)
def test_cluster_velib_stations_is_replicated(replicated_topic: TopicFacts) -> None:
    """`velib-stations` has 10 partitions and a replication factor of at least 2.

    FR: `velib-stations` a 10 partitions et un facteur de réplication d'au moins 2."""
    factors = sorted(replicated_topic.replication_factors)
    record_found(f"{replicated_topic.partition_count} partitions, replication factor {factors}")
    expect(min(factors) >= MIN_REPLICATION and replicated_topic.partition_count == PARTITIONS,
           f"{TOPIC} has {replicated_topic.partition_count} partitions with replication factor {factors}",
           hints.VELIB_NOT_REPLICATED, expected=f"{PARTITIONS} partitions, replication factor >= {MIN_REPLICATION}",
           found=f"{replicated_topic.partition_count} partitions, replication factor {factors}")


@pytest.mark.step("3.2.2", points=1)
def test_cluster_leaders_are_spread(replicated_topic: TopicFacts, admin: KafkaAdminClient) -> None:
    """Each broker holding replicas leads about its share of the partitions (half each with two brokers).

    FR: Chaque broker qui porte des répliques mène à peu près sa part des partitions (la moitié chacun avec deux
    brokers)."""
    holders = sorted({r for p in replicated_topic.partitions for r in p.replicas})
    leaders = Counter(p.leader for p in replicated_topic.partitions)
    off_preferred = [p.partition for p in replicated_topic.partitions if p.replicas and p.leader != p.replicas[0]]
    # §3.2.2: after a restart, leadership returns to the preferred replicas at the next imbalance check.
    settings = {b: broker_configs(admin, b, IMBALANCE_SETTINGS) for b in holders}
    shown = "; ".join(f"broker {b}: " + (", ".join(f"{k}={v}" for k, v in sorted(c.items())) or "settings unreadable")
                      for b, c in settings.items())
    record_found("leaders per broker: " + ", ".join(f"{b}: {leaders[b]}" for b in holders)
                 + f"; {len(off_preferred)} partition(s) not led by their preferred replica; {shown}")
    if len(holders) < MIN_BROKERS:
        needs("replicas on two brokers", f"every replica of {TOPIC} is on broker(s) {holders} "
                                         f"(test_cluster_velib_stations_is_replicated)")
    least = fair_share(replicated_topic.partition_count, len(holders))
    short = {b: leaders[b] for b in holders if leaders[b] < least}
    expect(not short, f"broker(s) {sorted(short)} lead {sorted(short.values())} of "
                      f"{replicated_topic.partition_count} partitions, at least {least} each expected",
           hints.LEADERS_NOT_SPREAD, expected=f">= {least} partitions led by each of brokers {holders}",
           found=f"{dict(sorted(leaders.items()))}; {shown}")


def fair_share(partitions: int, brokers: int) -> int:
    """The fewest partitions a broker may lead and still lead "about its share": one less than an even split
    (10 partitions on 2 brokers: 4)."""
    return max(partitions // brokers - 1, 1)


@pytest.mark.step("3.2.2", points=1)
def test_cluster_in_sync_replicas_are_full(replicated_topic: TopicFacts, health: TargetHealth) -> None:
    """Every partition of `velib-stations` has a live leader and all its replicas in sync (ISR = replicas, alive).

    FR: Chaque partition de `velib-stations` a un leader vivant et toutes ses répliques synchronisées (ISR =
    répliques, vivantes)."""
    live = registered_ids(health)
    lagging = out_of_sync(replicated_topic.partitions, live)
    record_found(f"{len(lagging)} partition(s) not in sync; brokers alive {live}")
    expect(not lagging, f"partitions {sorted(lagging)} of {TOPIC} are under-replicated or offline "
           f"(brokers alive {live}): " + "; ".join(f"{p}: {why}" for p, why in sorted(lagging.items())),
           hints.ISR_NOT_FULL, expected="a live leader and ISR = replicas, every one alive", found=lagging)
