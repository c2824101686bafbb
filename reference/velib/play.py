"""The reference of §3.1, played on a cluster as the lab describes it, against the stand-in JCDecaux API.

Topic ``velib-stations`` created with 1 partition (lab's ``kafka-topics.sh``), the reference producer for
a few polls, the topic altered to 10 partitions (§3.1.4), the producer again, then the reference monitor
in group ``velib-monitor-stations`` until the group has committed everything, and the group described.
The API key is a fresh random one, given to the producer in its environment only: the transcript never
holds it.

Run it by hand: ``python -m reference.velib.play --zookeeper localhost:2181 --bootstrap localhost:9092``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fixtures.hosts.net import Endpoint
from fixtures.jcdecaux import JCDecauxStandIn, make_api_key
from fixtures.kafka import clients
from fixtures.kafka.facts import caught_up
from fixtures.runtime import KafkaRuntime
from fixtures.system.wait import WaitTimeout, wait_until
from reference.cli import play_main
from reference.s2 import LabShell, Transcript

TOPIC = "velib-stations"
GROUP = "velib-monitor-stations"
PARTITIONS = 10
HERE = Path(__file__).resolve().parent
PRODUCER = HERE / "velib-get-stations.py"
MONITOR = HERE / "velib-monitor-stations.py"
# A guard, not a wait (each wait ends as soon as its condition holds): generous for a loaded machine (the play of
# a KRaft student in a simulated host once needed more than 120 s beside a CI run, at a load of 17).
RUN_TIMEOUT_S = 240.0
# The monitors' own stop when no record comes, past every guard of a play: a group slow to form on a loaded
# machine (60 s once, at a load of 15) made both monitors of §3.1.4 stop before they had joined.
MONITOR_IDLE_S = 300
# What a timed-out wait quotes of each monitor's stderr.
STDERR_TAIL_LINES = 40


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JCDECAUX")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def _produce(transcript: Transcript, api: JCDecauxStandIn, key: str, broker: Endpoint, polls: int,
             topic: str = TOPIC, name: str | None = None) -> None:
    args = ["--bootstrap-servers", str(broker), "--url", api.url, "--max-polls", str(polls), "--interval", "0"]
    if topic != TOPIC:
        args += ["--topic", topic]
    done = subprocess.run([sys.executable, str(PRODUCER), *args], env=_env(JCDECAUX_API_KEY=key),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    transcript.add(f"JCDECAUX_API_KEY=*** python velib-get-stations.py {' '.join(args)}", done.stdout + done.stderr,
                   name)
    if done.returncode != 0:
        raise RuntimeError(f"the reference producer exited with {done.returncode}:\n{done.stderr}")


def start_monitors(args: list[str], count: int = 1) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, str(MONITOR), *args], env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(count)]


def wait_while_running(procs: list[subprocess.Popen[str]], condition: Callable[[], bool], what: str,
                       state: Callable[[], str] | None = None) -> None:
    """Until ``condition`` holds, within ``RUN_TIMEOUT_S``; a monitor that exits ends the wait at once with its
    exit status and error output (the wait would otherwise run out without saying why). When the wait runs out,
    the error says what ``state`` tells (the group as the broker describes it) and what each monitor wrote on
    stderr: a run that failed once on a loaded machine must say why without being run again."""
    try:
        wait_until(lambda: any(proc.poll() is not None for proc in procs) or condition(), RUN_TIMEOUT_S, what)
    except WaitTimeout as timeout:
        raise WaitTimeout(f"{timeout}\n{_said(state)}\n{_stopped(procs)}") from timeout
    for proc in procs:
        if proc.poll() is not None:
            err = proc.communicate()[1]
            raise RuntimeError(f"the reference monitor exited with {proc.returncode} while waiting for {what}:\n{err}")


def _said(state: Callable[[], str] | None) -> str:
    if state is None:
        return ""
    try:
        return state()
    except Exception as exc:  # noqa: BLE001 - a diagnosis must not hide the timeout it explains
        return f"(the group could not be described: {type(exc).__name__}: {exc})"


def _stopped(procs: list[subprocess.Popen[str]]) -> str:
    """Stop the monitors as Ctrl-C does (killed if they do not stop) and return the end of each one's stderr."""
    tails = []
    for number, proc in enumerate(procs, 1):
        proc.send_signal(signal.SIGTERM)
        try:
            err = proc.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            err = proc.communicate()[1]
        tail = "\n".join(err.splitlines()[-STDERR_TAIL_LINES:]) or "(nothing)"
        tails.append(f"monitor {number} (exit {proc.returncode}), end of its stderr:\n{tail}")
    return "\n".join(tails)


def group_description(bootstrap: list[str], group: str) -> dict:
    """DescribeGroups' answer for ``group`` (state, members), with an admin client of its own."""
    admin = clients.admin(bootstrap)
    try:
        return admin.describe_groups([group])[group]
    finally:
        admin.close()


def describe_group(bootstrap: list[str], group: str) -> str:
    """The group as the broker describes it: state, and each member's id, client host and partitions."""
    described = group_description(bootstrap, group)
    members = [f"  {m.get('member_id')} from {m.get('client_host')}: {m.get('member_assignment')}"
               for m in described.get("members", [])]
    error = f" (error: {described['error']})" if described.get("error") else ""
    head = f"group {group}: {described.get('group_state')}, {len(members)} member(s){error}"
    return "\n".join([head, *members])


def group_caught_up(bootstrap: list[str], topic: str = TOPIC, group: str = GROUP) -> bool:
    """``facts.caught_up`` with an admin client of its own: §3.2 restarts a broker while the monitor runs, and a
    client kept across polls may still name the stopped one."""
    admin = clients.admin(bootstrap)
    try:
        return caught_up(admin, group, topic)
    finally:
        admin.close()


def run_monitor(transcript: Transcript, bootstrap: list[str], require_lines: bool = True,
                name: str | None = None) -> None:
    """The reference monitor until its group has committed every offset, then Ctrl-C (also used by §3.2)."""
    args = ["--bootstrap-servers", ",".join(bootstrap), "--group", GROUP, "--idle-timeout", str(MONITOR_IDLE_S)]
    [proc] = start_monitors(args)
    try:
        wait_while_running([proc], lambda: group_caught_up(bootstrap),
                           f"group {GROUP} to commit every offset of {TOPIC}", lambda: describe_group(bootstrap, GROUP))
        proc.send_signal(signal.SIGTERM)  # what Ctrl-C does: a clean stop
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    transcript.add(f"python velib-monitor-stations.py {' '.join(args)}   # then Ctrl-C", out + err, name)
    if proc.returncode != 0 or (require_lines and not out.strip()):
        raise RuntimeError(f"the reference monitor exited with {proc.returncode} and printed "
                           f"{len(out.splitlines())} line(s):\n{err}")


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, polls_before: int = 2,
         polls_after: int = 3) -> Transcript:
    """Play §3.1 on a cluster without ``velib-stations``; raises if a step does not behave as expected."""
    transcript = Transcript()
    sh = LabShell(runtime, zookeeper, broker, transcript)
    sh.topics("--create", "--replication-factor", "1", "--partitions", "1", "--topic", TOPIC, name="create")
    key = make_api_key()
    with JCDecauxStandIn(key) as api:
        _produce(transcript, api, key, broker, polls_before)
        # §3.1.4, then the producer is restarted: a running one would keep hashing over 1 partition until its
        # metadata refresh (metadata.max.age.ms, 5 minutes).
        sh.topics("--alter", "--topic", TOPIC, "--partitions", str(PARTITIONS), name="alter")
        sh.topics("--describe", "--topic", TOPIC, name="describe-10-partitions")
        _produce(transcript, api, key, broker, polls_after)
    run_monitor(transcript, [str(broker)], name="monitor")
    sh.groups("--describe", "--group", GROUP, name="describe-group")
    return transcript


def main(argv: list[str] | None = None) -> int:
    return play_main(play, "python -m reference.velib.play", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
