"""The reference of §2, played with the lab's own scripts as a student types them.

Every command goes through the ``*.sh`` wrappers of the cached Kafka runtime, against a given ZooKeeper and
broker; the transcript (commands and what they printed) is kept for the report and the written answers.
With Kafka < 3.0 ``kafka-topics.sh`` gets ``--zookeeper`` exactly as in the lab; from 3.0 on it needs
``--bootstrap-server`` (the option was removed), which is the only deviation up to 3.9. Kafka 4 (KRaft) also
drops the producer's ``--broker-list``, and ZooKeeper's check becomes ``kafka-metadata-quorum.sh describe``
(the storage was formatted with ``kafka-storage.sh`` by the cluster, see ``fixtures/kafka/cluster.py``).

Run it by hand: ``python -m reference.s2 --zookeeper localhost:2181 --bootstrap localhost:9092``.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

from kafka.partitioner import murmur2

from fixtures.hosts.net import Endpoint
from fixtures.kafka import clients
from fixtures.kafka.facts import group_offsets
from fixtures.runtime import KafkaRuntime
from fixtures.system.wait import wait_until
from reference import terminal
from reference.cli import play_main

TOPIC = "conversation"
GROUP = "mygroup"
COMMAND_TIMEOUT_S = 60.0
PER_PARTITION = 4
# Lines sent to the one-partition topic before its two consumers start (3 + 2 + 2): the group's committed offset.
LINES_BEFORE_PAIR = 7


def keyed_lines(partitions: int = 2, per_partition: int = PER_PARTITION) -> list[str]:
    """``key:value`` lines with as many keys for each partition, chosen with the producer's own hash
    (murmur2), so that each of the two consumers knows how many messages it must receive."""
    chosen: dict[int, list[str]] = {p: [] for p in range(partitions)}
    for key in (f"cle-{i}" for i in range(1000)):
        bucket = chosen[(murmur2(key.encode()) & 0x7FFFFFFF) % partitions]
        if len(bucket) < per_partition:
            bucket.append(key)
    keys = [key for bucket in chosen.values() for key in bucket]
    return [f"{key}:message {i} pour deux consumers" for i, key in enumerate(sorted(keys))]


@dataclass
class Transcript:
    """Commands and what they printed; an entry the written answers show has a ``name`` (see
    ``reference/transcripts.py``, which writes each named entry to its own file)."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # entry index -> name

    def add(self, command: str, output: str, name: str | None = None) -> None:
        if name is not None:
            self.names[len(self.entries)] = name
        self.entries.append((command, output))

    def text(self) -> str:
        return "\n".join(entry_text(command, output) for command, output in self.entries)

    def named(self) -> dict[str, str]:
        return {name: entry_text(*self.entries[index]) for index, name in self.names.items()}


def entry_text(command: str, output: str) -> str:
    """A command as typed after the prompt; a ``# comment`` (a step narrated, a harness summary) without one."""
    return f"{command if command.startswith('#') else '$ ' + command}\n{output.rstrip()}\n"


class LabShell:
    """Runs the lab's scripts with a deadline each and records them in the transcript."""

    def __init__(self, runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, transcript: Transcript):
        self.runtime, self.zookeeper, self.broker, self.transcript = runtime, zookeeper, broker, transcript

    def _argv(self, script: str, args: list[str]) -> list[str]:
        return [str(self.runtime.script(script)), *args]

    def run(self, script: str, *args: str, stdin: str | None = None, timeout: float = COMMAND_TIMEOUT_S,
            name: str | None = None) -> str:
        shown = " ".join([script, *args]) + (" < messages" if stdin else "")
        # What the terminal shows, stdout and stderr in the order written, without the log4j warnings.
        done = terminal.run(self._argv(script, list(args)), stdin, timeout, self.runtime.tool_env())
        output = done.terminal(lambda line: not _log_noise(line))
        self.transcript.add(shown, output, name)
        if done.returncode != 0:
            raise RuntimeError(f"`{shown}` exited with {done.returncode}:\n{output}")
        return done.stdout

    def start(self, script: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self._argv(script, list(args)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.runtime.tool_env())

    def finish(self, proc: subprocess.Popen, shown: str, timeout: float = COMMAND_TIMEOUT_S,
               name: str | None = None) -> str:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            raise RuntimeError(f"`{shown}` did not finish within {timeout:.0f}s") from None
        self.transcript.add(shown, out, name)
        return out

    # ---- the lab's commands
    def topics(self, *args: str, name: str | None = None) -> str:
        if self.runtime.version.topics_accept_zookeeper:
            return self.run("kafka-topics.sh", *args, "--zookeeper", str(self.zookeeper), name=name)
        return self.run("kafka-topics.sh", *args, "--bootstrap-server", str(self.broker), name=name)

    def produce(self, lines: list[str], *extra: str, name: str | None = None) -> None:
        # The lab's --broker-list; Kafka 4 removed it (--bootstrap-server exists since 2.5).
        option = "--broker-list" if self.runtime.version.producer_accepts_broker_list else "--bootstrap-server"
        self.run("kafka-console-producer.sh", option, str(self.broker), "--topic", TOPIC, *extra,
                 stdin="\n".join(lines) + "\n", name=name)

    def quorum(self) -> str:
        """Kafka 4: how to check that the cluster runs (ZooKeeper's `srvr` in the lab)."""
        return self.run("kafka-metadata-quorum.sh", "--bootstrap-server", str(self.broker), "describe", "--status",
                        name="quorum")

    def consumer_args(self, *extra: str) -> list[str]:
        return ["--bootstrap-server", str(self.broker), "--topic", TOPIC, *extra]

    def groups(self, *args: str, name: str | None = None) -> str:
        return self.run("kafka-consumer-groups.sh", "--bootstrap-server", str(self.broker), *args, name=name)


def _await_members(broker: Endpoint, members: int, timeout: float = 90.0) -> None:
    """Wait until ``mygroup`` is stable with ``members`` consumers that all have partitions."""
    admin = clients.admin([str(broker)])
    try:
        def stable() -> bool:
            group = admin.describe_groups([GROUP])[GROUP]
            return group["group_state"] == "Stable" and len(group["members"]) == members

        wait_until(stable, timeout, f"group {GROUP} to be stable with {members} member(s)")
    finally:
        admin.close()


def _await_committed(broker: Endpoint, partitions: int, timeout: float = 90.0) -> None:
    admin = clients.admin([str(broker)])
    try:
        wait_until(lambda: len(group_offsets(admin, GROUP, TOPIC)) == partitions, timeout,
                   f"group {GROUP} to have committed a position on each of the {partitions} partitions")
    finally:
        admin.close()


def _check(condition: object, message: str) -> None:
    if not condition:
        raise RuntimeError(f"the reference of §2 did not behave as the lab says: {message}")


def _log_noise(line: str) -> bool:
    """A log line among a tool's output (Kafka 4's log4j2 warns on stdout when a console consumer is stopped)."""
    return " WARN " in line or "log4j:WARN" in line


def _messages(output: str) -> list[str]:
    return [line for line in output.splitlines() if not _log_noise(line)]


def _one_partition_pair(sh: LabShell, broker: Endpoint, group_args: list[str]) -> None:
    """The lab's "un seul des deux consumers va recevoir des messages": with one partition, the group gives it
    to one consumer and the other stays idle (``#PARTITIONS 0`` in ``--describe --members``)."""
    pair = [sh.start("kafka-console-consumer.sh", *group_args) for _ in range(2)]
    try:
        _await_members(broker, 2)
        sh.groups("--describe", "--group", GROUP, "--members", name="members-1-partition")
        lines = ["pour un seul des deux consumers", "lui aussi"]
        sh.produce(lines)
        admin = clients.admin([str(broker)])
        try:  # both lines read and committed by the group (auto-commit, every 5 s at most)
            wait_until(lambda: sum(group_offsets(admin, GROUP, TOPIC).values()) >= LINES_BEFORE_PAIR + len(lines),
                       60, f"group {GROUP} to commit the two lines sent to its two consumers")
        finally:
            admin.close()
    finally:
        for proc in pair:
            proc.terminate()  # Ctrl-C in the lab: the console consumer leaves its group and prints its count
    outputs = [sh.finish(proc, "kafka-console-consumer.sh " + " ".join(group_args) + f"  # consumer {i}")
               for i, proc in enumerate(pair, 1)]
    received = sorted(len(_messages(out)) for out in outputs)
    _check(received == [0, len(lines)], f"one consumer should get both lines and the other none, got {outputs}")


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint) -> Transcript:
    """Play every step of §2 on a fresh cluster; raises if a step does not behave as the lab says."""
    transcript = Transcript()
    sh = LabShell(runtime, zookeeper, broker, transcript)
    if runtime.version.kraft_only:  # §2.1.2 under Kafka 4: no ZooKeeper, the metadata quorum has a leader
        _check("LeaderId:" in sh.quorum(), "kafka-metadata-quorum.sh shows no leader")
    # §2.1.4 create, list, describe
    sh.topics("--create", "--replication-factor", "1", "--partitions", "1", "--topic", TOPIC, name="create")
    _check(TOPIC in sh.topics("--list", name="list").split(), "conversation is not listed")
    sh.topics("--describe", "--topic", TOPIC, name="describe")
    # §2.1.5-2.1.6 console producer, then a consumer --from-beginning reads everything back
    first = ["Bonjour", "Comment ça va ?", "Très bien, merci"]
    sh.produce(first, name="produce")
    read = sh.run("kafka-console-consumer.sh", *sh.consumer_args("--from-beginning", "--max-messages", "3"),
                  name="from-beginning")
    _check(read.splitlines() == first, f"--from-beginning read {read!r}")
    # A consumer in group mygroup gets what is sent while it runs, and commits when it stops.
    group_args = sh.consumer_args(runtime.version.consumer_property_option, f"group.id={GROUP}")
    consumer = sh.start("kafka-console-consumer.sh", *group_args, "--max-messages", "2")
    _await_members(broker, 1)
    sh.produce(["message reçu par mygroup", "un autre"])
    got = sh.finish(consumer, "kafka-console-consumer.sh " + " ".join(group_args) + " --max-messages 2")
    _check(got.splitlines() == ["message reçu par mygroup", "un autre"], f"mygroup read {got!r}")
    # Sent while the group's consumer is off: received once when it comes back, and nothing else.
    sh.produce(["envoyé pendant l'arrêt du consumer", "lui aussi"])
    got = sh.run("kafka-console-consumer.sh", *group_args, "--max-messages", "2")
    _check(got.splitlines() == ["envoyé pendant l'arrêt du consumer", "lui aussi"], f"mygroup read {got!r}")
    sh.groups("--list", name="groups-list")
    sh.groups("--describe", "--group", GROUP, name="describe-mygroup")
    # §2.1.6 a second consumer of mygroup while the topic has one partition: only one of the two receives
    _one_partition_pair(sh, broker, group_args)
    # §2.1.6 two partitions, then two consumers of mygroup share them
    sh.topics("--alter", "--topic", TOPIC, "--partitions", "2", name="alter")
    sh.topics("--describe", "--topic", TOPIC, name="describe-2-partitions")
    pair_args = [*group_args, "--max-messages", str(PER_PARTITION)]
    pair = [sh.start("kafka-console-consumer.sh", *pair_args) for _ in range(2)]
    _await_members(broker, 2)
    # The new partition has no committed offset: its consumer starts at "latest" once it has fetched its
    # position, which auto-commit then records. Producing before that would race with it.
    _await_committed(broker, partitions=2)
    lines = keyed_lines()
    sh.produce(lines, "--property", "parse.key=true", "--property", "key.separator=:")
    outputs = [sh.finish(proc, f"kafka-console-consumer.sh {' '.join(pair_args)}  # consumer {i}")
               for i, proc in enumerate(pair, 1)]
    received = [set(out.splitlines()) - {f"Processed a total of {PER_PARTITION} messages"} for out in outputs]
    expected = {line.split(":", 1)[1] for line in lines}
    _check(all(received) and not received[0] & received[1] and received[0] | received[1] == expected,
           f"two consumers of {GROUP} should share the messages, got {received}")
    sh.groups("--describe", "--group", GROUP, name="describe-mygroup-2-consumers")
    return transcript


def main(argv: list[str] | None = None) -> int:
    return play_main(play, "python -m reference.s2", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
