"""What several lab steps check of a consumer group: that it committed offsets on its topic past the start.

Shared by §2.1.6 (``mygroup`` on ``conversation``) and §3.1.3 (``velib-monitor-stations`` on ``velib-stations``):
the lag per partition is recorded the way ``kafka-consumer-groups.sh --describe`` prints it.
"""

from __future__ import annotations

from kafka import KafkaAdminClient

from fixtures.kafka import clients
from fixtures.kafka.facts import TopicFacts, end_offsets, group_offsets
from fixtures.plugin.verdict import Hint, expect, fail, record_figure, record_found
from reports.figures import lag_figure


def student_groups(admin: KafkaAdminClient) -> list[str]:
    """The cluster's consumer groups, without the grader's own."""
    return sorted(g["group_id"] for g in admin.list_groups() if not g["group_id"].startswith(clients.GRADER_PREFIX))


def group_must_have_committed(admin: KafkaAdminClient, group: str, topic: TopicFacts, missing: Hint,
                              at_start: Hint) -> dict[int, int]:
    """The group's committed offset per partition of ``topic``; fails when there is none, or only offset 0
    (the group would read everything again)."""
    committed = group_offsets(admin, group, topic.name)
    ends = end_offsets(admin, topic)
    record_found("\n".join(
        f"partition {p}: current-offset {committed.get(p, '-')} log-end-offset {ends[p]} lag "
        f"{ends[p] - committed[p] if p in committed else '-'}" for p in sorted(ends)))
    record_figure(lag_figure(group, topic.name, committed, ends))  # the same figures, drawn
    if not committed:
        fail(f"group {group!r} has no committed offset on {topic.name!r}", missing,
             expected=f"offsets of group {group}", found=f"groups: {student_groups(admin) or 'none'}")
    expect(any(offset > 0 for offset in committed.values()),
           f"group {group!r} committed only offset 0: it would read every message again", at_start,
           expected="an offset > 0", found=committed)
    return committed
