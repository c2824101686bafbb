"""What §3.2 counts as "a cluster": how many brokers, and which ones the cluster metadata lists."""

from __future__ import annotations

from fixtures.hosts.health import TargetHealth

MIN_BROKERS = 2


def registered_ids(health: TargetHealth) -> list[int]:
    """Brokers in the cluster metadata (a broker is listed once it registered in ZooKeeper)."""
    return sorted({b.node_id for status in health.live_brokers() for b in status.brokers})
