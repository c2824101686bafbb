"""§2.1.6 — consumer groups: `mygroup` has read `conversation`, and a group consumes each message once."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.group_checks import group_must_have_committed, student_groups
from checks.kraft import block_without_quorum_leader
from checks.s2_deploy.exactly_once import exactly_once_trial
from checks.s2_deploy.groups import NOT_EVALUATED, PASSED
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.net import BrokerList
from fixtures.kafka.facts import TopicFacts, group_exists
from fixtures.plugin.verdict import expect, not_evaluated, record_found
from fixtures.system.load import LoadMeter

from . import hints

GROUP = "mygroup"


@pytest.mark.step("2.1.6", points=1)
def test_mygroup_exists(admin: KafkaAdminClient) -> None:
    """The consumer group `mygroup` exists (`kafka-consumer-groups.sh --list`).

    FR: Le groupe de consumers `mygroup` existe (`kafka-consumer-groups.sh --list`)."""
    # One per line, as `kafka-consumer-groups.sh --list` prints them (a group id is the student's text: the
    # results are cleaned of control characters before any terminal or export shows them).
    listed = "\n".join(student_groups(admin))
    found = f"groups:\n{listed}" if listed else "no group"
    record_found(found)
    expect(group_exists(admin, GROUP), f"group {GROUP!r} does not exist", hints.GROUP_MISSING, expected=GROUP,
           found=found)


@pytest.mark.step("2.1.6", points=1)
def test_mygroup_has_committed_offsets_on_conversation(admin: KafkaAdminClient, conversation: TopicFacts) -> None:
    """`mygroup` committed offsets on `conversation` past the start (`kafka-consumer-groups.sh --describe`).

    FR: `mygroup` a validé des offsets sur `conversation` au-delà du début (`kafka-consumer-groups.sh --describe`)."""
    group_must_have_committed(admin, GROUP, conversation, hints.GROUP_MISSING, hints.GROUP_AT_START.format(group=GROUP))


# This trial stands alone, before `mygroup` exists (decided for issue 11): it runs the grader's own group on
# the grader's own topic, so it grades the student's *broker* (can it keep group offsets? e.g.
# offsets.topic.replication.factor=3 on one broker cannot), which is a prerequisite of mygroup, not a result
# of it. Blocking it until mygroup exists would hide the one check that explains why mygroup could not be made.
@pytest.mark.step("2.1.6", points=1)
def test_group_consumes_each_message_exactly_once(admin: KafkaAdminClient, bootstrap: BrokerList, health: TargetHealth,
                                                  check_timeout: float, record_property) -> None:
    """A group resumes where it stopped: messages sent while its consumer was off arrive once, none twice.

    FR: Un groupe reprend où il s'est arrêté : les messages envoyés pendant l'arrêt de son consumer arrivent une
    fois, aucun deux fois."""
    # Under KRaft the trial's topic can only be created through the quorum's leader: without one the trial would
    # time out, a second point lost for the quorum's failure.
    block_without_quorum_leader(health.quorum if health.kraft else None, "a metadata quorum with a leader")
    with LoadMeter() as load:
        trial = exactly_once_trial(admin, bootstrap, timeout_s=check_timeout)
    record_found(trial.summary())
    record_property("note", f"grader load · charge du correcteur: {load.summary()}")
    judgement = trial.judge()
    if judgement.state == NOT_EVALUATED:
        not_evaluated(f"{judgement.reason}; {load.summary()}")
    expect(judgement.state == PASSED, judgement.reason, hints.OFFSETS_NOT_KEPT,
           expected=f"{trial.produced} acknowledged messages, each consumed once, from the committed offsets",
           found=trial.summary())
