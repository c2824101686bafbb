"""§2.1.6 — two consumers of one group share the partitions of `conversation`."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.s2_deploy.consumer_pair import pair_trial
from checks.s2_deploy.groups import NOT_EVALUATED, PASSED
from fixtures.hosts.net import BrokerList
from fixtures.kafka.facts import TopicFacts
from fixtures.plugin.verdict import expect, fail, not_evaluated, record_found
from fixtures.system.load import LoadMeter

from . import hints


@pytest.mark.step("2.1.6", points=1)
def test_partitions_are_shared_by_two_consumers_of_a_group(admin: KafkaAdminClient, conversation: TopicFacts,
                                                            bootstrap: BrokerList, check_timeout: float,
                                                            record_property) -> None:
    """Two consumers of one group get disjoint partitions of `conversation` that cover them all.

    FR: Deux consumers d'un même groupe reçoivent des partitions disjointes de `conversation` qui les couvrent
    toutes."""
    if conversation.partition_count < 2:
        fail(f"`conversation` has {conversation.partition_count} partition: the second consumer would stay idle",
             hints.SECOND_CONSUMER_IDLE.format(found=conversation.partition_count),
             expected=">= 2 partitions", found=conversation.partition_count)
    with LoadMeter() as load:
        trial = pair_trial(admin, bootstrap, conversation.name, conversation.partition_count, timeout_s=check_timeout)
    record_found(trial.summary())
    record_property("note", f"grader load · charge du correcteur: {load.summary()}")
    judgement = trial.judge()
    if judgement.state == NOT_EVALUATED:
        not_evaluated(f"{judgement.reason}; {load.summary()}")
    every = sorted(p.partition for p in conversation.partitions)
    # With two partitions or more, only a cluster that cannot run consumer groups fails here.
    expect(judgement.state == PASSED, judgement.reason, hints.OFFSETS_NOT_KEPT,
           expected=f"two disjoint sets covering {every}", found=trial.summary())
