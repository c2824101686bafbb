"""Setting a group's committed offsets as a student's consumer would have left them, for the tests' plays."""

from __future__ import annotations

from collections.abc import Mapping

from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import NoError
from kafka.structs import OffsetAndMetadata

from fixtures.system.wait import wait_until

COMMIT_WAIT_S = 60.0


def commit_offsets(admin: KafkaAdminClient, group: str, offsets: Mapping[TopicPartition, int],
                   timeout_s: float = COMMIT_WAIT_S) -> None:
    """Commit ``offsets`` for ``group`` (no member running), asking again until every partition is acknowledged.

    kafka-python raises when no coordinator is found but returns the commit's own errors per partition: a
    coordinator still loading ``__consumer_offsets`` (a fresh cluster on a loaded machine) answered
    COORDINATOR_LOAD_IN_PROGRESS for every partition, the play took it for done, and a check then found no group
    where the test had meant one. Every error means "again" (``wait_until`` names the last one if time runs out)."""
    wanted = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()}

    def committed() -> bool:
        errors = {f"{tp.topic}-{tp.partition}": error.__name__
                  for tp, error in admin.alter_group_offsets(group, wanted).items() if error is not NoError}
        if errors:
            raise CommitRefused(f"the coordinator answered {errors}")
        return True

    wait_until(committed, timeout_s, f"group {group!r} to have its offsets committed")


class CommitRefused(Exception):
    """Some partitions' commits came back with an error (named)."""
