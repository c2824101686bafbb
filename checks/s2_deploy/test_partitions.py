"""§2.1.6 — two consumers of one group share the partitions of `conversation`."""

from __future__ import annotations

import pytest

from checks.s2_deploy.groups import assignments_of_two_consumers, settled
from fixtures.kafka_facts import TopicFacts
from fixtures.net import BrokerList
from fixtures.verdict import expect, fail, record_found

from . import hints


@pytest.mark.step("2.1.6")
def test_partitions_are_shared_by_two_consumers_of_a_group(conversation: TopicFacts, bootstrap: BrokerList,
                                                            check_timeout: float) -> None:
    """Two consumers of one group get disjoint partitions of `conversation` that cover them all.

    FR: Deux consumers d'un même groupe reçoivent des partitions disjointes de `conversation` qui les couvrent
    toutes."""
    if conversation.partition_count < 2:
        fail(f"`conversation` has {conversation.partition_count} partition: the second consumer would stay idle",
             hints.SECOND_CONSUMER_IDLE.format(found=conversation.partition_count),
             expected=">= 2 partitions", found=conversation.partition_count)
    first, second = assignments_of_two_consumers(bootstrap, conversation.name, conversation.partition_count,
                                                 timeout_s=check_timeout)
    record_found(f"consumer 1: partitions {sorted(first)}; consumer 2: partitions {sorted(second)}")
    every = {p.partition for p in conversation.partitions}
    expect(settled(first, second, len(every)),
           "the two consumers' partitions overlap, leave one idle, or miss some",
           hints.SECOND_CONSUMER_IDLE.format(found=conversation.partition_count),
           expected=f"two disjoint sets covering {sorted(every)}", found=(sorted(first), sorted(second)))
