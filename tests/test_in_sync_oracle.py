"""The §3.2 "in sync" oracle (checks.s3_2_multinode.brokers.out_of_sync): ISR = replicas is not enough, the leader
and every ISR member must be alive. The real-cluster case (replication factor 1, a broker down) is in
tests/test_checks_s3_2.py::test_a_single_broker_fails_and_the_survival_check_is_skipped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checks.s3_2_multinode.brokers import out_of_sync
from fixtures.kafka.facts import PartitionFacts


def test_a_partition_whose_only_replica_is_dead_is_not_in_sync() -> None:
    # What ZooKeeper shows for a replication-factor-1 partition on a stopped broker: no leader, the last ISR kept.
    offline = PartitionFacts(3, -1, [1], [1])
    healthy = PartitionFacts(0, 0, [0], [0])
    assert set(out_of_sync([offline, healthy], live=[0])) == {3}
    assert "no live leader" in out_of_sync([offline], live=[0])[3]


def test_an_isr_naming_a_dead_broker_is_not_in_sync() -> None:
    stale = PartitionFacts(1, 0, [0, 1], [0, 1])  # broker 1 gone, the ISR not shrunk yet
    assert "not alive" in out_of_sync([stale], live=[0])[1]
    assert out_of_sync([stale], live=[0, 1]) == {}


brokers = st.integers(0, 3)
partitions = st.builds(lambda n, leader, replicas, isr: PartitionFacts(n, leader, replicas, isr), st.integers(0, 9),
                       st.integers(-1, 3), st.lists(brokers, min_size=1, max_size=3, unique=True),
                       st.lists(brokers, max_size=3, unique=True))


@given(st.lists(partitions, max_size=10), st.lists(brokers, min_size=1, max_size=4, unique=True))
def test_in_sync_means_a_live_leader_and_a_full_live_isr(parts: list[PartitionFacts], live: list[int]) -> None:
    found = out_of_sync(parts, live)
    for p in parts:
        healthy = p.leader in live and set(p.isr) == set(p.replicas) and set(p.isr) <= set(live)
        # Several partitions may share a number in generated data: a partition judged bad marks its number.
        if not healthy:
            assert p.partition in found
    assert set(found) <= {p.partition for p in parts}


@given(st.lists(partitions, max_size=10))
def test_with_the_live_brokers_unknown_only_the_metadata_judges(parts: list[PartitionFacts]) -> None:
    found = out_of_sync(parts, live=[])
    expected = {p.partition for p in parts if p.leader < 0 or set(p.isr) != set(p.replicas)}
    assert set(found) == expected
