"""A group's lag from its committed offsets (``fixtures.kafka.facts.lag``), the one "caught up" criterion of
the reference plays, the §3.1 checks and the velib tests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fixtures.kafka.facts import lag

offsets = st.dictionaries(st.integers(0, 20), st.integers(0, 1000), max_size=12)


@given(ends=offsets, committed=offsets)
def test_lag_is_what_is_left_to_commit_on_each_partition_behind(ends: dict[int, int],
                                                                committed: dict[int, int]) -> None:
    behind = lag(ends, committed)
    assert set(behind) <= set(ends) and all(n > 0 for n in behind.values())
    for partition, end in ends.items():
        assert committed.get(partition, 0) + behind.get(partition, 0) >= end
    assert list(behind) == sorted(behind)


@given(ends=offsets)
def test_a_group_that_committed_every_end_offset_is_caught_up(ends: dict[int, int]) -> None:
    assert lag(ends, dict(ends)) == {}
    assert lag(ends, {}) == {p: end for p, end in sorted(ends.items()) if end > 0}  # nothing committed yet
