"""§3.1.4 played: two monitor instances side by side in one group, on a 10-partition topic.

Once with the reference producer (one key per station: ``contract:number``) and once with the lab's
producer as printed (no key: kafka-python picks a random partition for each record). Each run uses a fresh
topic of 10 partitions created with the lab's ``kafka-topics.sh`` and a fresh group; both monitors join the
group before anything is produced, so each gets five partitions. The transcript says which stations each
instance printed: with keys no station appears in both, without keys some do.

By hand: ``python -m reference.velib.pair --zookeeper localhost:2181 --bootstrap localhost:9092``.
"""

from __future__ import annotations

import json
import re
import secrets
import signal
import urllib.request
from functools import partial

from fixtures.hosts.net import Endpoint
from fixtures.jcdecaux import JCDecauxStandIn
from fixtures.kafka import clients
from fixtures.runtime import KafkaRuntime
from reference.cli import play_main
from reference.s2 import LabShell, Transcript

from .play import (
    MONITOR_IDLE_S,
    PARTITIONS,
    _produce,
    describe_group,
    group_caught_up,
    group_description,
    start_monitors,
    wait_while_running,
)

POLLS = 4
# Without a key kafka-python 3 (KIP-480 sticky partitioner) sends each poll's batch to one partition: with 4 polls
# all of them fell on one instance's 5 partitions about once in 8 runs and no station was printed by both.
# 12 polls make that 1 in 2048; the shown outputs do not depend on the number (``digits``).
UNKEYED_POLLS = 12
LINE = re.compile(r"^[+-]\d+ (?P<station>.+)$")


def _produce_without_key(api: JCDecauxStandIn, key: str, broker: Endpoint, topic: str, polls: int) -> str:
    """The lab's producer as printed (``producer.send(topic, json.dumps(station).encode())``), ``polls`` times."""
    producer = clients.producer([str(broker)])
    lines = []
    try:
        for _ in range(polls):
            with urllib.request.urlopen(f"{api.url}?apiKey={key}", timeout=10) as response:
                stations = json.loads(response.read().decode())
            for station in stations:
                producer.send(topic, json.dumps(station).encode())
            producer.flush(timeout=30)
            lines.append(f"Produced {len(stations)} station records")
    finally:
        producer.close()
    return "\n".join(lines)


def _members(broker: Endpoint, group: str) -> int:
    described = group_description([str(broker)], group)
    return len(described["members"]) if described["group_state"] == "Stable" else 0


def stations_of(output: str) -> set[str]:
    return {m["station"] for m in map(LINE.match, output.splitlines()) if m}


def side_by_side(sh: LabShell, api: JCDecauxStandIn, key: str, keyed: bool) -> tuple[set[str], set[str]]:
    """One run: fresh topic and group, two monitors, ``POLLS`` polls produced; the stations each printed."""
    label = "avec-cle" if keyed else "sans-cle"
    topic, group = f"velib-stations-{label}", f"velib-monitor-{label}"
    broker = sh.broker
    sh.topics("--create", "--replication-factor", "1", "--partitions", str(PARTITIONS), "--topic", topic)
    args = ["--bootstrap-servers", str(broker), "--topic", topic, "--group", group,
            "--idle-timeout", str(MONITOR_IDLE_S)]
    # --verbose (not shown: the transcript keeps the lab's command): each instance logs the partitions it is given
    # and loses on stderr, which a wait that runs out quotes.
    procs = start_monitors([*args, "--verbose"], 2)
    state = partial(describe_group, [str(broker)], group)
    try:
        wait_while_running(procs, lambda: _members(broker, group) == 2, f"group {group} to have 2 stable members",
                           state)
        if keyed:
            _produce(sh.transcript, api, key, broker, POLLS, topic=topic)
        else:
            out = _produce_without_key(api, key, broker, topic, UNKEYED_POLLS)
            shown = f"python velib-get-stations-du-tp.py   # the lab's producer, no key, {UNKEYED_POLLS} polls"
            sh.transcript.add(shown, out)
        wait_while_running(procs, lambda: group_caught_up([str(broker)], topic, group),
                           f"group {group} to commit everything", state)
        outputs = []
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            outputs.append(proc.communicate(timeout=30)[0])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    first, second = stations_of(outputs[0]), stations_of(outputs[1])
    both = sorted(first & second)
    summary = [f"instance 1: {len(outputs[0].splitlines())} lines, {len(first)} stations",
               f"instance 2: {len(outputs[1].splitlines())} lines, {len(second)} stations",
               f"stations printed by both instances: {len(both)}"]
    # Not the monitors' output (the answers say why they show a count): the harness's summary of the two outputs.
    sh.transcript.add(f"# harness summary of two `python velib-monitor-stations.py {' '.join(args)}` side by side, "
                      "stopped with Ctrl-C", "\n".join(summary), name=f"two-monitors-{label}")
    return first, second


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint) -> Transcript:
    transcript = Transcript()
    sh = LabShell(runtime, zookeeper, broker, transcript)
    key = secrets.token_hex(20)
    with JCDecauxStandIn(key) as api:
        keyed = side_by_side(sh, api, key, keyed=True)
        unkeyed = side_by_side(sh, api, key, keyed=False)
    if keyed[0] & keyed[1] or not (keyed[0] and keyed[1]):
        raise RuntimeError(f"with keys each station must be printed by one instance only: {keyed[0] & keyed[1]}")
    if not unkeyed[0] & unkeyed[1]:
        raise RuntimeError("without keys some station should be printed by both instances: none was")
    return transcript


def main(argv: list[str] | None = None) -> int:
    return play_main(play, "python -m reference.velib.pair", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
