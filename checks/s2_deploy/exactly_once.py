"""The exactly-once trial of the consumer groups (§2.1.6), run on a target with the grader's own topic and group.

``exactly_once_trial`` replays the lab's experiment with uniquely tagged records: consume part,
stop (committing), produce more while the consumer is off, restart in the same group. Like Kafka's own
system tests it decides from facts, not from how much arrived before a deadline: the records the broker
acknowledged and where (partition, offset), the offsets the group committed (read back through the admin
client when its consumer stops and again before the restart), and where the restarted consumer got to.
``missing = acked − consumed``; a missing record before an offset the group committed or went past is the
cluster's fault, one beyond where the grader's consumer got is the grader's (*not evaluated*).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError, NodeNotReadyError
from kafka.structs import OffsetAndMetadata

from fixtures.hosts.net import BrokerList
from fixtures.kafka import clients
from fixtures.kafka.facts import COORDINATOR_WAIT_S, group_offsets
from fixtures.system.wait import WaitTimeout, wait_until

from .groups import FAILED, NOT_EVALUATED, PASSED, Judgement, offsets_topic_problem

# Raised when the grader's own budget ran out (its clients did not get an answer in time): says nothing about
# the student's broker, which already answered the health checks this one depends on.
GRADER_SIDE = (KafkaTimeoutError, WaitTimeout, KafkaConnectionError, NodeNotReadyError)


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    value: str


def _offsets_text(offsets: dict[int, int] | None) -> str:
    if offsets is None:
        return "unknown"
    return "{" + ", ".join(f"p{p}: {o}" for p, o in sorted(offsets.items())) + "}" if offsets else "none"


@dataclass
class ExactlyOnceTrial:
    """The facts of one trial. ``judge()`` decides from them only, never from how much arrived in time."""

    acked: dict[str, tuple[int, int]] = field(default_factory=dict)  # value -> (partition, offset) acknowledged
    first_run: list[Record] = field(default_factory=list)
    second_run: list[Record] = field(default_factory=list)
    committed_by_grader: dict[int, int] | None = None  # what the first consumer committed on stopping
    committed_at_stop: dict[int, int] | None = None  # the group's offsets read by the admin client then
    committed_at_restart: dict[int, int] | None = None  # … and just before the restarted consumer joined
    reached: dict[int, int] = field(default_factory=dict)  # the restarted consumer's positions at its end
    broker_error: str = ""  # the cluster answered with an error: a fact against it
    stalled: str = ""  # the grader's budget ran out: no fact either way
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def produced(self) -> int:
        return len(self.acked)

    @property
    def duplicates(self) -> list[str]:
        counts = Counter(r.value for r in self.first_run + self.second_run)
        return sorted(value for value, n in counts.items() if n > 1)

    @property
    def missing(self) -> list[str]:
        """Acknowledged by the broker, consumed by neither run (Kafka system tests: acked − consumed)."""
        consumed = {r.value for r in self.first_run + self.second_run}
        return sorted(set(self.acked) - consumed)

    def _skipped(self) -> list[str]:
        """Missing records the group went past: before an offset it committed, or before where the restarted
        consumer got to. Missing records beyond both were never reached by the grader's consumer."""
        committed = self.committed_at_restart or {}
        return [v for v in self.missing
                if self.acked[v][1] < max(committed.get(self.acked[v][0], 0), self.reached.get(self.acked[v][0], 0))]

    def judge(self) -> Judgement:
        if self.broker_error:
            return Judgement(FAILED, self.broker_error)
        if self.committed_at_stop is not None and self.committed_by_grader is not None \
                and self.committed_at_stop != self.committed_by_grader:
            return Judgement(FAILED, f"the group's offsets read back after its consumer stopped are "
                             f"{_offsets_text(self.committed_at_stop)}, its consumer committed "
                             f"{_offsets_text(self.committed_by_grader)}: the broker did not keep them")
        if self.committed_at_restart is not None and self.committed_at_stop is not None \
                and self.committed_at_restart != self.committed_at_stop:
            return Judgement(FAILED, f"the group's offsets changed while none of its consumers ran: "
                             f"{_offsets_text(self.committed_at_stop)} when its consumer stopped, "
                             f"{_offsets_text(self.committed_at_restart)} when it restarted")
        if self.duplicates:
            return Judgement(FAILED, f"{len(self.duplicates)} message(s) received twice: the restarted consumer "
                             f"did not resume from the committed offsets {_offsets_text(self.committed_at_restart)}")
        skipped = self._skipped()
        if skipped:
            return Judgement(FAILED, f"{len(skipped)} acknowledged message(s) skipped: the group went past them "
                             f"(committed {_offsets_text(self.committed_at_restart)}, restarted consumer reached "
                             f"{_offsets_text(self.reached)}) without delivering them")
        if self.stalled or self.missing:
            why = self.stalled or (f"the restarted consumer reached {_offsets_text(self.reached)} of log ends "
                                   f"{_offsets_text(self.log_ends())} before the grader's budget ran out")
            return Judgement(NOT_EVALUATED, f"the grader's trial did not finish: {why} ({self.summary()})")
        return Judgement(PASSED)

    def log_ends(self) -> dict[int, int]:
        ends: dict[int, int] = {}
        for partition, offset in self.acked.values():
            ends[partition] = max(ends.get(partition, 0), offset + 1)
        return ends

    def summary(self) -> str:
        text = (f"produced {self.produced} (acknowledged, log ends {_offsets_text(self.log_ends())}); first consumer "
                f"read {len(self.first_run)}, stopped, committed {_offsets_text(self.committed_by_grader)}; group "
                f"offsets read back {_offsets_text(self.committed_at_stop)}, at restart "
                f"{_offsets_text(self.committed_at_restart)}; restarted consumer read {len(self.second_run)}, reached "
                f"{_offsets_text(self.reached)}; {len(self.duplicates)} duplicate(s), {len(self.missing)} missing")
        if self.seconds:
            text += "; " + ", ".join(f"{phase} {s:.1f} s" for phase, s in self.seconds.items())
        problem = self.broker_error or self.stalled
        return f"{text}; {problem}" if problem else text


def _create_topic(admin: KafkaAdminClient, topic: str, partitions: int, timeout_s: float) -> None:
    admin.create_topics([NewTopic(topic, partitions, 1)])

    def ready() -> bool:
        (described,) = admin.describe_topics([topic])
        return len(described["partitions"]) == partitions and all(p["leader_id"] >= 0 for p in described["partitions"])

    wait_until(ready, timeout_s, f"topic {topic} to have a leader for each of its {partitions} partitions")


def _read(consumer: KafkaConsumer, want: int, deadline: float, max_records: int | None = None) -> list[Record]:
    received: list[Record] = []
    while len(received) < want and time.monotonic() < deadline:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        batch = consumer.poll(timeout_ms=min(remaining_ms, 1000), max_records=max_records or want - len(received))
        received += [Record(r.partition, r.offset, r.value.decode()) for records in batch.values() for r in records]
    return received


def _read_until(consumer: KafkaConsumer, wanted: set[str], deadline: float) -> list[Record]:
    """Poll until every value of ``wanted`` arrived (whatever else comes with them) or the deadline."""
    received: list[Record] = []
    while not wanted <= {r.value for r in received} and time.monotonic() < deadline:
        received += _read(consumer, 1, deadline)
    return received


def _group_stuck(admin: KafkaAdminClient, what: str) -> str:
    """The verdict for a consumer that never got anywhere: the cluster's fault if its config says so, else
    the grader's (``stalled``)."""
    problem = offsets_topic_problem(admin)
    if problem:
        raise _BrokerFault(f"{what}: {problem}")
    return what


class _BrokerFault(Exception):
    pass


def exactly_once_trial(admin: KafkaAdminClient, bootstrap: BrokerList, timeout_s: float, before: int = 20,
                       while_off: int = 10, first_read: int = 7, between: Callable[[str, str], None] | None = None,
                       restart_reset: str = "earliest") -> ExactlyOnceTrial:
    """Consume part, stop committing, produce more, restart in the same group: the facts of each step.

    ``between(topic, group)`` runs while no consumer of the group is running (the harness's tests use it to
    make the group lose or rewind its offsets); ``restart_reset`` is the restarted consumer's
    ``auto.offset.reset`` (a partition without a committed offset starts there).
    """
    run = uuid.uuid4().hex[:8]
    topic, group = clients.grader_name("once"), clients.grader_name("once-group")
    trial = ExactlyOnceTrial()
    first_values = [f"kafkalab-once-{run}-{i:04d}" for i in range(before)]
    later_values = [f"kafkalab-once-{run}-{i:04d}" for i in range(before, before + while_off)]
    started = time.monotonic()

    def phase(name: str) -> None:
        nonlocal started
        trial.seconds[name] = time.monotonic() - started
        started = time.monotonic()

    try:
        _create_topic(admin, topic, 2, timeout_s)
        # zip without strict=: Python 3.9 (the Pi's) has none; send_acked returns exactly one ack per value.
        trial.acked.update(zip(first_values, clients.send_acked(bootstrap, topic, (v.encode() for v in first_values),
                                                                 timeout_s, acks="all")))
        phase("produce")
        # Find the group's coordinator first: on a fresh cluster that creates __consumer_offsets (50 partitions),
        # which can take longer than the consumer's budget on a loaded machine; it is not the consumer's time.
        try:
            group_offsets(admin, group, topic)
        except WaitTimeout:
            trial.stalled = _group_stuck(admin, f"the grader's group got no coordinator within "
                                                f"{COORDINATOR_WAIT_S:.0f}s")
            return trial
        phase("coordinator")
        deadline = time.monotonic() + timeout_s
        consumer = clients.consumer(bootstrap, topic, timeout_s=timeout_s, group_id=group, enable_auto_commit=False)
        try:
            trial.first_run = _read(consumer, first_read, deadline, max_records=first_read)
            if not trial.first_run:
                trial.stalled = _group_stuck(admin, f"the grader's consumer in a new group received nothing "
                                                    f"within {timeout_s:.0f}s")
                return trial
            # Commit a position for *every* assigned partition, as a clean stop (Ctrl-C) of the console consumer
            # does once it has fetched from all: a partition the consumer had not fetched from yet would
            # otherwise have no committed offset, and where the restart begins on it would depend on timing.
            remaining_ms = max(1000, int((deadline - time.monotonic()) * 1000))
            positions = {tp: consumer.position(tp, timeout_ms=remaining_ms) for tp in consumer.assignment()}
            if None in positions.values() or len(positions) != 2:
                trial.stalled = f"the grader's consumer had no position on all 2 partitions: {positions}"
                return trial
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in positions.items()})
            trial.committed_by_grader = {tp.partition: offset for tp, offset in positions.items()}
        finally:
            consumer.close(autocommit=False)
        trial.committed_at_stop = group_offsets(admin, group, topic)
        phase("first consumer")
        trial.acked.update(zip(later_values, clients.send_acked(bootstrap, topic, (v.encode() for v in later_values),
                                                                 timeout_s, acks="all")))
        if between:
            between(topic, group)
        trial.committed_at_restart = group_offsets(admin, group, topic)
        phase("produce while off")
        committed = trial.committed_at_restart
        wanted = {v for v, (p, o) in trial.acked.items() if o >= committed.get(p, 0)}
        consumer = clients.consumer(bootstrap, topic, timeout_s=timeout_s, group_id=group, enable_auto_commit=False,
                                    auto_offset_reset=restart_reset)
        try:
            trial.second_run = _read_until(consumer, wanted, time.monotonic() + timeout_s)
            trial.reached = {p: max(o for q, o in ((r.partition, r.offset + 1) for r in trial.second_run) if q == p)
                             for p in {r.partition for r in trial.second_run}}
            for tp in consumer.assignment():  # where it stands now, records or not (started at the log end?)
                with contextlib.suppress(*GRADER_SIDE):
                    position = consumer.position(tp, timeout_ms=2000)
                    if position is not None:
                        trial.reached[tp.partition] = max(trial.reached.get(tp.partition, 0), position)
        finally:
            consumer.close(autocommit=False)
        phase("restarted consumer")
    except _BrokerFault as exc:
        trial.broker_error = str(exc)
    except GRADER_SIDE as exc:
        trial.stalled = f"{type(exc).__name__}: {exc}"
    except KafkaError as exc:
        trial.broker_error = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            admin.delete_topics([topic])
            admin.delete_groups([group])
        except KafkaError:
            pass  # the session's cleanup removes every grader object again
    return trial
