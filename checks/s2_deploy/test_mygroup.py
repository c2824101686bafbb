"""§2.1.6 — consumer groups: `mygroup` has read `conversation`, and a group consumes each message once."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.s2_deploy.groups import exactly_once_trial
from fixtures.kafka_facts import TopicFacts, end_offsets, group_exists, group_offsets
from fixtures.net import BrokerList
from fixtures.verdict import expect, fail

from . import hints

GROUP = "mygroup"


@pytest.mark.step("2.1.6")
def test_mygroup_exists(admin: KafkaAdminClient, record_property) -> None:
    """The consumer group `mygroup` exists (`kafka-consumer-groups.sh --list`)."""
    groups = sorted(g["group_id"] for g in admin.list_groups() if not g["group_id"].startswith("kafkalab-grader-"))
    record_property("found", f"groups: {groups}")
    expect(group_exists(admin, GROUP), f"group {GROUP!r} does not exist", hints.GROUP_MISSING,
           expected=GROUP, found=groups or "no group")


@pytest.mark.step("2.1.6")
def test_mygroup_has_committed_offsets_on_conversation(admin: KafkaAdminClient, conversation: TopicFacts,
                                                       record_property) -> None:
    """`mygroup` committed offsets on `conversation` past the start (`kafka-consumer-groups.sh --describe`)."""
    committed = group_offsets(admin, GROUP, conversation.name)
    ends = end_offsets(admin, conversation)
    lag = {p: ends[p] - committed[p] for p in committed}
    record_property("found", "\n".join(
        f"partition {p}: current-offset {committed.get(p, '-')} log-end-offset {ends[p]} lag "
        f"{lag.get(p, '-')}" for p in sorted(ends)))
    if not committed:
        fail(f"group {GROUP!r} has no committed offset on {conversation.name!r}", hints.GROUP_MISSING,
             expected="committed offsets", found="none")
    expect(any(offset > 0 for offset in committed.values()),
           f"group {GROUP!r} committed only offset 0: it would read every message again",
           hints.GROUP_AT_START.format(group=GROUP), expected="an offset > 0", found=committed)


@pytest.mark.step("2.1.6")
def test_group_consumes_each_message_exactly_once(admin: KafkaAdminClient, bootstrap: BrokerList,
                                                  check_timeout: float, record_property) -> None:
    """A group resumes where it stopped: messages sent while its consumer was off arrive once, none twice."""
    trial = exactly_once_trial(admin, bootstrap, timeout_s=check_timeout)
    record_property("found", trial.summary())
    if trial.error:
        fail(trial.error, hints.OFFSETS_NOT_KEPT, expected="offsets committed and resumed", found=trial.summary())
    expect(not trial.duplicates and not trial.missing,
           f"{len(trial.duplicates)} message(s) received twice, {len(trial.missing)} never received",
           hints.OFFSETS_NOT_KEPT, expected=f"{trial.produced} messages, each once", found=trial.summary())
