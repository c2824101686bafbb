"""§2.1.6 — consumer groups: `mygroup` has read `conversation`, and a group consumes each message once."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.group_checks import group_must_have_committed, student_groups
from checks.s2_deploy.groups import NOT_EVALUATED, PASSED, exactly_once_trial
from fixtures.kafka_facts import TopicFacts, group_exists
from fixtures.load import LoadMeter
from fixtures.net import BrokerList
from fixtures.verdict import expect, not_evaluated

from . import hints

GROUP = "mygroup"


@pytest.mark.step("2.1.6")
def test_mygroup_exists(admin: KafkaAdminClient, record_property) -> None:
    """The consumer group `mygroup` exists (`kafka-consumer-groups.sh --list`)."""
    groups = student_groups(admin)
    record_property("found", f"groups: {groups}")
    expect(group_exists(admin, GROUP), f"group {GROUP!r} does not exist", hints.GROUP_MISSING,
           expected=GROUP, found=groups or "no group")


@pytest.mark.step("2.1.6")
def test_mygroup_has_committed_offsets_on_conversation(admin: KafkaAdminClient, conversation: TopicFacts,
                                                       record_property) -> None:
    """`mygroup` committed offsets on `conversation` past the start (`kafka-consumer-groups.sh --describe`)."""
    group_must_have_committed(admin, GROUP, conversation, hints.GROUP_MISSING, hints.GROUP_AT_START.format(group=GROUP),
                              record_property)


@pytest.mark.step("2.1.6")
def test_group_consumes_each_message_exactly_once(admin: KafkaAdminClient, bootstrap: BrokerList,
                                                  check_timeout: float, record_property) -> None:
    """A group resumes where it stopped: messages sent while its consumer was off arrive once, none twice."""
    with LoadMeter() as load:
        trial = exactly_once_trial(admin, bootstrap, timeout_s=check_timeout)
    record_property("found", trial.summary())
    record_property("grader_load", load.summary())
    judgement = trial.judge()
    if judgement.state == NOT_EVALUATED:
        not_evaluated(f"{judgement.reason}; {load.summary()}")
    expect(judgement.state == PASSED, judgement.reason, hints.OFFSETS_NOT_KEPT,
           expected=f"{trial.produced} acknowledged messages, each consumed once, from the committed offsets",
           found=trial.summary())
