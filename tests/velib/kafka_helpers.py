"""Small Kafka helpers for the velib tests: topics, reading a whole topic back, a group's lag."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic, OffsetSpec
from kafka.consumer.fetcher import ConsumerRecord

from fixtures.kafka import clients
from fixtures.system.wait import wait_until

TIMEOUT_S = 30.0


def create_topic(admin: KafkaAdminClient, topic: str, partitions: int) -> None:
    admin.create_topics([NewTopic(topic, partitions, 1)])

    def ready() -> bool:
        (described,) = admin.describe_topics([topic])
        parts = described["partitions"]
        return len(parts) == partitions and all(p["leader_id"] >= 0 for p in parts)

    wait_until(ready, TIMEOUT_S, f"topic {topic} to have a leader for its {partitions} partitions")


def partitions_of(admin: KafkaAdminClient, topic: str) -> list[TopicPartition]:
    (described,) = admin.describe_topics([topic])
    return [TopicPartition(topic, p["partition_index"]) for p in described["partitions"]]


def end_offsets(admin: KafkaAdminClient, topic: str) -> dict[int, int]:
    answer = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions_of(admin, topic)})
    return {tp.partition: found.offset for tp, found in answer.items()}


def committed(admin: KafkaAdminClient, group: str, topic: str) -> dict[int, int]:
    offsets = admin.list_group_offsets(group).get(group, {})
    return {tp.partition: meta.offset for tp, meta in offsets.items()
            if tp.topic == topic and meta.offset >= 0}


def lag(admin: KafkaAdminClient, group: str, topic: str) -> dict[int, int]:
    done = committed(admin, group, topic)
    return {p: end - done.get(p, 0) for p, end in end_offsets(admin, topic).items()}


def wait_caught_up(admin: KafkaAdminClient, group: str, topic: str, timeout: float = TIMEOUT_S) -> None:
    """Until ``group`` has committed the end offset of every non-empty partition (Kafka's system tests'
    criterion: everything acknowledged has been consumed)."""
    wait_until(lambda: not any(lag(admin, group, topic).values()), timeout,
               f"group {group} to commit every offset of {topic}")


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
