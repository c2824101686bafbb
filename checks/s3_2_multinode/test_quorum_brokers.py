"""§3.2.1 under Kafka 4 (KRaft): both brokers registered with the metadata quorum (not applicable under ZooKeeper)."""

from __future__ import annotations

import pytest

from checks.kraft import BROKER_NOT_IN_QUORUM, MAX_VOTER_LAG, block_without_quorum_leader
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.probes import QuorumStatus
from fixtures.hosts.targets import Target
from fixtures.plugin.verdict import fail, record_found

from .brokers import MIN_BROKERS, registered_ids


# KRaft only, with no ZooKeeper-mode twin in §3.2: no points, or a KRaft student who has not done §3.2 would lose
# one more than a ZooKeeper student (tests/test_mode_fairness.py). Its verdict is still shown; the brokers are
# counted by test_cluster_has_at_least_two_brokers in both modes.
@pytest.mark.step("3.2.1", points=0)
def test_brokers_registered_with_the_quorum(target: Target, health: TargetHealth, quorum: QuorumStatus) -> None:
    """Both brokers are registered with the metadata quorum (voters or observers, caught up) and listed.

    FR: Les deux brokers sont inscrits auprès du quorum de métadonnées (votants ou observateurs, à jour)."""
    # Membership is read from the quorum's answer: without one, or without a leader, it is unknown, not wrong.
    block_without_quorum_leader(quorum, "the metadata quorum")
    listed = registered_ids(health)
    members = {v.node_id: v.lag for v in (*quorum.voters, *quorum.observers)}
    record_found(f"brokers in the metadata {listed}; quorum members (lag) {members}")
    registered = [node for node in listed if node in members and members[node] <= MAX_VOTER_LAG]
    if len(registered) >= MIN_BROKERS:
        return
    silent = [s for s in health.brokers[1:] if not s.speaks_kafka]
    detail = f"; {silent[0].endpoint}: {silent[0].problem}" if silent else ""
    fail(f"{len(registered)} broker(s) registered with the metadata quorum ({registered}), {MIN_BROKERS} "
         f"expected{detail}", BROKER_NOT_IN_QUORUM, expected=f"{MIN_BROKERS} brokers registered", found=registered)
