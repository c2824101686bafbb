"""Small Kafka helpers for the velib tests: topics, reading a whole topic back (a group's lag: fixtures.kafka.facts)."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord

from fixtures.kafka import clients, facts
from fixtures.system.wait import wait_until

TIMEOUT_S = 30.0


def create_topic(admin: KafkaAdminClient, topic: str, partitions: int) -> None:
    admin.create_topics([NewTopic(topic, partitions, 1)])

    def ready() -> bool:
        (described,) = admin.describe_topics([topic])
        parts = described["partitions"]
        return len(parts) == partitions and all(p["leader_id"] >= 0 for p in parts)

    wait_until(ready, TIMEOUT_S, f"topic {topic} to have a leader for its {partitions} partitions")


def end_offsets(admin: KafkaAdminClient, topic: str) -> dict[int, int]:
    described = facts.describe_topic(admin, topic)
    assert described is not None, f"topic {topic} does not exist"
    return facts.end_offsets(admin, described)


def wait_caught_up(admin: KafkaAdminClient, group: str, topic: str, timeout: float = TIMEOUT_S) -> None:
    facts.wait_caught_up(admin, group, topic, timeout)


def read_all(bootstrap: str, admin: KafkaAdminClient, topic: str,
             timeout: float = TIMEOUT_S) -> list[ConsumerRecord]:
    """Every record of ``topic``, partition by partition, up to the current end offsets (no group)."""
    ends = end_offsets(admin, topic)
    consumer: KafkaConsumer = clients.consumer(bootstrap, timeout_s=timeout, group_id=None,
                                               enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p, end in ends.items() if end > 0]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout
        while sum(ends.values()) > len(records):
            if time.monotonic() > deadline:
                total = sum(ends.values())
                raise AssertionError(f"read {len(records)} of {total} records of {topic} in time")
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
