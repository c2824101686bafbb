"""The two-consumer trial of the consumer groups (§2.1.6), run on a target with the grader's own group.

``pair_trial`` starts two consumers of one group (as processes, like the lab's two terminals) and reports
every attempt.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from fixtures.hosts.net import BrokerList
from fixtures.kafka import clients
from fixtures.system import reaper
from fixtures.system.wait import WaitTimeout, wait_until

from .groups import FAILED, NOT_EVALUATED, PASSED, Judgement, offsets_topic_problem


def _group_member(bootstrap: BrokerList, topic: str, group: str, timeout_s: float, conn: Connection) -> None:
    """One consumer of the group, in its own process: polls until told to stop, reporting its partitions."""
    reaper.die_with_parent()
    consumer = clients.consumer(bootstrap, topic, timeout_s=timeout_s, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="latest")
    conn.send(READY)
    reported: set[int] | None = None
    try:
        while not conn.poll():  # a message, or the grader's end of the pipe closed: stop
            consumer.poll(timeout_ms=200)
            mine = {tp.partition for tp in consumer.assignment()}
            if mine != reported:
                conn.send(sorted(mine))
                reported = mine
    finally:
        consumer.close(autocommit=False)


ATTEMPTS = 3
MIN_ATTEMPT_S = 10.0  # a rebalance of two fresh members takes a few seconds on a calm machine
MEMBERS_UP_S = 60.0  # at most this long for the two consumer processes to start, before the group's budget
READY = "ready"


def settled(first: set[int], second: set[int], partitions: int) -> bool:
    """Both members have partitions, none twice, all of them: the group's assignment after a rebalance."""
    return bool(first and second) and not first & second and len(first | second) == partitions


@dataclass
class PairAttempt:
    first: set[int]
    second: set[int]
    seconds: float
    settled: bool
    up_s: float | None = None  # how long the two consumer processes took to start (None: they never did)

    def text(self, number: int) -> str:
        state = "settled" if self.settled else "not settled"
        up = f"processes up in {self.up_s:.1f} s" if self.up_s is not None else "processes never up"
        return (f"attempt {number}: consumer 1 partitions {sorted(self.first)}, consumer 2 partitions "
                f"{sorted(self.second)}, {state} after {self.seconds:.1f} s ({up})")


@dataclass
class PairTrial:
    """Every attempt of the two-consumer trial, and what the cluster's configuration says if none settled."""

    partitions: int
    attempts: list[PairAttempt] = field(default_factory=list)
    offsets_problem: str | None = None

    def judge(self) -> Judgement:
        # One settled assignment is proof the cluster shares partitions: retries cannot manufacture it.
        if any(a.settled for a in self.attempts):
            return Judgement(PASSED)
        # Without one, only a fact about the cluster is charged to it; anything else is the grader's trouble
        # (a member of a starved grader stops heartbeating and the group settles on the other one).
        if self.offsets_problem:
            return Judgement(FAILED, f"no consumer group can work on this cluster: {self.offsets_problem}")
        return Judgement(NOT_EVALUATED, f"no attempt settled within the grader's budget ({self.summary()})")

    @property
    def last(self) -> tuple[set[int], set[int]]:
        return (self.attempts[-1].first, self.attempts[-1].second) if self.attempts else (set(), set())

    def summary(self) -> str:
        return "; ".join(a.text(n) for n, a in enumerate(self.attempts, 1))


def pair_trial(admin: KafkaAdminClient, bootstrap: BrokerList, topic: str, partitions: int,
               timeout_s: float) -> PairTrial:
    """Two consumers of one fresh group, up to ``ATTEMPTS`` times sharing the budget, until one attempt settles.

    Members report their partitions as they change, so the two reports may briefly overlap while the group
    rebalances: only a settled assignment ends an attempt.

    Each consumer is its own process, like the lab's two terminals. On a loaded machine a kafka-python member
    now and then stops heartbeating during the rebalance that the second member starts (seen about once in
    eight tries at a load of 8 on 2 cores); the group then settles on one member. That says nothing about the
    student's cluster: such an attempt is reported, and tried again with a fresh group.
    """
    trial = PairTrial(partitions)
    for _ in range(ATTEMPTS):
        started = time.monotonic()
        first, second, up_s = _one_pair_trial(bootstrap, topic, partitions, max(timeout_s / ATTEMPTS, MIN_ATTEMPT_S))
        seconds = time.monotonic() - started
        trial.attempts.append(PairAttempt(first, second, seconds, settled(first, second, partitions), up_s))
        if trial.attempts[-1].settled:
            return trial
        # A cluster that cannot run any group is a fact: trying again would only spend the budget.
        with contextlib.suppress(KafkaError):
            trial.offsets_problem = offsets_topic_problem(admin)
        if trial.offsets_problem:
            return trial
    return trial


def _one_pair_trial(bootstrap: BrokerList, topic: str, partitions: int,
                    timeout_s: float) -> tuple[set[int], set[int], float | None]:
    """One attempt: both members' partitions at the end, and how long they took to be up (None: never)."""
    group = clients.grader_name("pair")
    context = multiprocessing.get_context("spawn")
    links = [context.Pipe() for _ in range(2)]
    members = [context.Process(target=_group_member, args=(bootstrap, topic, group, timeout_s, child), daemon=True)
               for _, child in links]
    started = time.monotonic()
    for member in members:
        member.start()
        reaper.adopt(member.pid)
    latest: list[set[int]] = [set(), set()]
    ready = [False, False]

    def read() -> None:
        for index, (parent, _) in enumerate(links):
            while parent.poll():
                message = parent.recv()
                if message == READY:
                    ready[index] = True
                else:
                    latest[index] = set(message)

    def both_ready() -> bool:
        read()
        return all(ready)

    def both_assigned() -> bool:
        read()
        return settled(latest[0], latest[1], partitions)

    try:
        # Starting two Python processes and their clients is the grader's own work: on a starved grader it can
        # take longer than the rebalance itself, so the budget for the group starts once both are up.
        with contextlib.suppress(WaitTimeout):
            wait_until(both_ready, max(timeout_s, MEMBERS_UP_S), "the two consumer processes to start")
        up_s = time.monotonic() - started if all(ready) else None
        # On timeout the attempt is reported as it stood.
        with contextlib.suppress(WaitTimeout):
            if up_s is not None:
                wait_until(both_assigned, timeout_s,
                           f"two consumers of group {group} to both get partitions of {topic}")
        return latest[0], latest[1], up_s
    finally:
        for parent, _ in links:
            with contextlib.suppress(OSError):
                parent.send("stop")
        for member in members:
            member.join(timeout=10)
            if member.is_alive():
                member.kill()
                member.join(timeout=5)
            reaper.release(member.pid)
