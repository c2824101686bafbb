"""What §3.2 counts as "a cluster": how many brokers, and which ones the cluster metadata lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from fixtures.hosts.health import TargetHealth
from fixtures.kafka.facts import PartitionFacts

MIN_BROKERS = 2


def registered_ids(health: TargetHealth) -> list[int]:
    """Brokers in the cluster metadata (a broker is listed once it registered in ZooKeeper)."""
    return sorted({b.node_id for status in health.live_brokers() for b in status.brokers})


def out_of_sync(partitions: Iterable[PartitionFacts], live: Collection[int]) -> dict[int, str]:
    """Partition -> why it is not fully in sync, judged against the brokers alive (``live``; empty: unknown).

    ISR = replicas is not enough: a partition whose only replica is on a stopped broker keeps that broker in its
    ISR (ZooKeeper keeps the last ISR of a partition that has no live leader to shrink it), so a topic at
    replication factor 1 with a broker down would look "in sync". A partition with no live leader, or whose ISR
    names a broker that is not alive, is not.
    """
    found: dict[int, str] = {}
    for p in partitions:
        dead = sorted(set(p.isr) - set(live)) if live else []
        if p.leader < 0 or (live and p.leader not in live):
            found[p.partition] = f"no live leader (replicas {p.replicas}, ISR {p.isr})"
        elif set(p.isr) != set(p.replicas):
            found[p.partition] = f"ISR {p.isr} misses replicas of {p.replicas}"
        elif dead:
            found[p.partition] = f"ISR {p.isr} names broker(s) {dead} that are not alive"
    return found
