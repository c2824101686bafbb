"""What several lab steps check of their topic: that it exists (with a typo spotted), and its partition count."""

from __future__ import annotations

import difflib

from kafka import KafkaAdminClient

from fixtures.kafka.facts import TopicFacts, describe_topic
from fixtures.plugin.verdict import Hint, expect, fail, needs, record_found

PARTITIONS = Hint(
    "Passez le topic à {expected} partitions : `kafka-topics.sh --alter --topic {topic} --partitions {expected} …`.",
    "Raise the topic to {expected} partitions: `kafka-topics.sh --alter --topic {topic} --partitions {expected} …`.",
)


def existing_topic(admin: KafkaAdminClient, topic: str, where: str) -> TopicFacts:
    """The description of a topic a later step depends on; its absence *blocks* that step (``where``: the lab
    section and command that create it), the check of the creating step being the one that fails."""
    facts = describe_topic(admin, topic)
    if facts is None:
        needs(f"topic {topic}", f"it does not exist ({where})")
    return facts


def topic_must_exist(admin: KafkaAdminClient, topic: str, hint: Hint) -> TopicFacts:
    """The topic's description, or a failure naming the topics there are (and a close name, for a typo)."""
    facts = describe_topic(admin, topic)
    if facts is None:
        topics = sorted(t for t in admin.list_topics() if not t.startswith("__"))
        close = difflib.get_close_matches(topic, topics, n=1, cutoff=0.7)
        reason = f"topic {topic!r} does not exist" + (f" (there is {close[0]!r}: a typo?)" if close else "")
        fail(reason, hint, expected=topic, found=topics or "no topic")
    record_found(facts.describe())
    return facts


def partitions_must_be(facts: TopicFacts, expected: int) -> None:
    """The topic has ``expected`` partitions (after the lab's ``kafka-topics.sh --alter``)."""
    record_found(f"{facts.partition_count} partition(s)")
    expect(facts.partition_count == expected, f"topic {facts.name!r} has {facts.partition_count} partition(s)",
           PARTITIONS.format(topic=facts.name, expected=expected), expected=expected,
           found=facts.partition_count)
