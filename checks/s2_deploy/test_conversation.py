"""§2.1.4–2.1.6 — the topic `conversation`: created, described consistently, altered to 2 partitions, kept."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.topic_checks import partitions_must_be, topic_must_exist
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.net import BrokerList
from fixtures.kafka import clients
from fixtures.kafka.facts import TopicFacts, begin_offsets, end_offsets
from fixtures.plugin.verdict import expect, fail, record_found

from . import hints

TOPIC = "conversation"
PARTITIONS_AFTER_ALTER = 2
# Below an hour, messages typed during the lab session may be gone when the grader reads them.
MIN_RETENTION_MS = 3_600_000


@pytest.mark.step("2.1.4", points=1)
def test_conversation_topic_exists(admin: KafkaAdminClient) -> None:
    """The topic `conversation` exists.

    FR: Le topic `conversation` existe."""
    topic_must_exist(admin, TOPIC, hints.TOPIC_MISSING.format(topic=TOPIC))


@pytest.mark.step("2.1.6", points=1)
def test_conversation_has_two_partitions(conversation: TopicFacts) -> None:
    """`conversation` has 2 partitions after `kafka-topics.sh --alter --partitions 2`.

    FR: `conversation` a 2 partitions après `kafka-topics.sh --alter --partitions 2`."""
    partitions_must_be(conversation, PARTITIONS_AFTER_ALTER)


@pytest.mark.step("2.1.4", points=0.5)
def test_conversation_description_is_consistent(conversation: TopicFacts, health: TargetHealth) -> None:
    """Every partition of `conversation` has one replication factor, a live leader among its replicas, a full ISR.

    FR: Chaque partition de `conversation` a un facteur de réplication de 1, un leader vivant parmi ses répliques, un
    ISR complet."""
    record_found(conversation.describe())
    live = {b.node_id for status in health.live_brokers() for b in status.brokers}
    problems = []
    if len(conversation.replication_factors) != 1:
        problems.append(f"replication factors differ between partitions: {sorted(conversation.replication_factors)}")
    for p in conversation.partitions:
        if p.leader < 0 or p.leader not in p.replicas:
            problems.append(f"partition {p.partition}: leader {p.leader} is not one of its replicas {p.replicas}")
        elif p.leader not in p.isr:
            problems.append(f"partition {p.partition}: leader {p.leader} is not in the ISR {p.isr}")
        if live and p.leader not in live:
            problems.append(f"partition {p.partition}: leader {p.leader} is not a live broker {sorted(live)}")
        if not set(p.isr) <= set(p.replicas):
            problems.append(f"partition {p.partition}: ISR {p.isr} has brokers that are not replicas {p.replicas}")
        elif set(p.isr) != set(p.replicas):
            problems.append(f"partition {p.partition}: ISR {p.isr} is missing replicas of {p.replicas}")
    if problems:
        fail("; ".join(problems), hints.DESCRIPTION.format(topic=TOPIC), expected="consistent description",
             found=conversation.describe())


@pytest.mark.step("2.1.6", points=0.5)
def test_conversation_keeps_messages_from_the_beginning(admin: KafkaAdminClient, conversation: TopicFacts,
                                                        bootstrap: BrokerList, check_timeout: float) -> None:
    """`conversation` holds messages that a consumer can still read `--from-beginning` (retention).

    FR: `conversation` garde des messages qu'un consumer peut encore lire avec `--from-beginning` (rétention)."""
    ends = end_offsets(admin, conversation)
    begins = begin_offsets(admin, conversation)
    stored = sum(ends[p] - begins[p] for p in ends)
    retention_ms = int(conversation.configs.get("retention.ms") or -1)
    record_found(f"{stored} message(s) stored; offsets begin {begins} end {ends}; "
                             f"retention.ms={retention_ms}")
    expect(stored > 0, f"topic {TOPIC!r} holds no message", hints.NO_MESSAGES.format(topic=TOPIC),
           expected="at least 1 message", found=f"{sum(ends.values())} produced, {stored} still stored")
    if 0 <= retention_ms < MIN_RETENTION_MS:
        fail(f"retention.ms of {TOPIC!r} is {retention_ms} ms: messages are deleted within the hour",
             hints.RETENTION.format(found=f"{retention_ms} ms"), expected=f">= {MIN_RETENTION_MS} ms",
             found=retention_ms)
    # Read the first message back, as `kafka-console-consumer.sh --from-beginning` would (no group).
    reader = clients.consumer(bootstrap, timeout_s=check_timeout, group_id=None, enable_auto_commit=False)
    try:
        partitions = [tp for tp in conversation.topic_partitions() if ends[tp.partition] > begins[tp.partition]]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        batch = reader.poll(timeout_ms=int(check_timeout * 1000), max_records=1)
    finally:
        reader.close()
    first = [record for records in batch.values() for record in records]
    expect(first, "no message could be read from the beginning within the check timeout",
           hints.NO_MESSAGES.format(topic=TOPIC), expected="a message at the earliest offset", found="none")
