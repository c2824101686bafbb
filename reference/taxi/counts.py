"""How many records a topic holds (end minus beginning offset, over its partitions), and the §4.1 comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kafka import KafkaAdminClient

from fixtures import clients
from fixtures.kafka_facts import begin_offsets, describe_topic, end_offsets


@dataclass(frozen=True)
class TopicCount:
    topic: str
    exists: bool
    records: int


def count_records(admin: KafkaAdminClient, topic: str) -> TopicCount:
    """Records in ``topic``. Exact for the lab's topics: no compaction, no transactions, nothing expired yet."""
    facts = describe_topic(admin, topic)
    if facts is None:
        return TopicCount(topic, False, 0)
    ends, begins = end_offsets(admin, facts), begin_offsets(admin, facts)
    return TopicCount(topic, True, sum(ends[p] - begins.get(p, 0) for p in ends))


def topic_records(bootstrap: str, topic: str, timeout_s: float = 15.0) -> TopicCount:
    admin = clients.admin(bootstrap, timeout_s)
    try:
        return count_records(admin, topic)
    finally:
        admin.close()


def count_problems(bootstrap: str, expected: Mapping[str, int], timeout_s: float = 15.0) -> list[str]:
    """One sentence per topic that is missing or holds another number of records than ``expected``."""
    problems = []
    for topic, want in expected.items():
        found = topic_records(bootstrap, topic, timeout_s)
        if not found.exists:
            problems.append(f"topic {topic} does not exist (expected {want} records)")
        elif found.records != want:
            more_or_less = "more" if found.records > want else "fewer"
            problems.append(f"topic {topic} holds {found.records} records, {more_or_less} than the {want} "
                            "lines of its file" + (": was the file sent twice?" if found.records > want else ""))
    return problems
