"""The outputs the written answers show, from real runs: replay the reference and write its transcripts.

``python -m reference.transcripts --out DIR [--kafka-version 2.7.0 --kafka-version 3.9.2]`` starts the embedded
reference cluster (ZooKeeper and two brokers) for each version, plays every reference of the lab on it in
order (``reference/plays.toml``, plus the plays that only the answers need: §2.1.1's archive, §3.1.1's
``curl | python -m json.tool``, §3.1.4's two monitors side by side, §3.2's unclean election), and writes
``DIR/<version>/<play>/<entry>.txt`` for every named entry, and ``DIR/<version>/<play>.txt`` for the whole play.
Addresses are written as the lab names them (``localhost:2181``, ``localhost:9092``, ``localhost:9093``).

In the answers (``reference/answers/*.md``) a shown output is a fenced block right after a marker
``<!-- transcript: <version>/<play>/<entry> [sort] -->``; ``sort`` compares the lines as a set (several
partitions or consumers print in any order); ``placement`` (Kafka 4, whose controller places replicas at random)
compares a topic's partition lines as a set of (leader, replicas, in-sync replicas), partition numbers and the
replicas' order left out. ``--update-answers`` rewrites those blocks from the run;
``tests/test_answers.py`` fails when a block no longer matches a fresh run once :func:`normalise` has replaced
what changes from run to run (ids, times, durations), up to a renumbering of the brokers.

A version is added by listing it in ``VERSIONS`` (and, for a runtime without ZooKeeper, giving the plays a
cluster of that kind): nothing else here depends on the version.
"""

from __future__ import annotations

import argparse
import itertools
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from fixtures.hosts.net import Endpoint
from fixtures.jcdecaux import JCDecauxStandIn
from fixtures.kafka import properties
from fixtures.kafka.cluster import KRAFT_CONFIG, EmbeddedCluster
from fixtures.kafka.plays import Play, broker_overrides, plays
from fixtures.runtime import KafkaRuntime
from fixtures.system.paths import REPO
from fixtures.system.wait import wait_until
from reference.s2 import LabShell, Transcript

VERSIONS = ("2.7.0", "3.9.2", "4.4.0")
ANSWERS = REPO / "reference" / "answers"
MARKER = re.compile(r"<!-- transcript: (?P<path>[\w.]+/[\w-]+/[\w-]+)(?P<options>(?: \w+)*) -->\n```[^\n]*\n"
                    r"(?P<body>.*?)```", re.S)
# Plays the answers need beyond the graded ones, in the order they run (after the play they follow).
EXTRA_PLAYS: list[tuple[str, str, str]] = [
    ("kraft", "reference.transcripts:kraft_play", "s2"),
    ("archive", "reference.transcripts:archive_play", "s2"),
    ("jsontool", "reference.transcripts:jsontool_play", "s2"),
    ("pair", "reference.velib.pair:play", "velib"),
    ("unclean", "reference.transcripts:unclean_play", "s3_2"),
    ("election", "reference.election:play", "s3_2"),
]


# §2 is played on a cluster of one broker, as the lab's (its ``describe`` shows broker 0 alone); the plays from
# §3 on need two brokers and get a second cluster.
LAB_CLUSTER_PLAYS = frozenset({"s2", "kraft", "archive", "jsontool"})
# Played on two brokers at the lab's own settings (no lowered leader imbalance interval): the election of §3.2.
LAB_SETTINGS_PLAYS = frozenset({"election"})


# ---------------------------------------------------------------- the plays only the answers need
def kraft_play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, cluster: EmbeddedCluster) -> Transcript:
    """§2.1.1 under Kafka 4: ``kafka-storage.sh random-uuid`` then ``format`` with that id, run for real on the
    lab's ``config/kraft/server.properties`` (the cluster's own storage was formatted when it started). Nothing
    before Kafka 4."""
    transcript = Transcript()
    if not runtime.version.kraft_only:
        return transcript
    assert cluster.workdir is not None
    storage = LabShell(runtime, zookeeper, broker, transcript)
    cluster_id = storage.run("kafka-storage.sh", "random-uuid", name="random-uuid").strip()
    config = cluster.workdir / "config" / "server.properties"
    config.parent.mkdir(parents=True, exist_ok=True)
    values = properties.load(KRAFT_CONFIG / "server.properties")
    values["log.dirs"] = str(cluster.workdir / "kraft-combined-logs")  # shown as the lab's /tmp/kraft-combined-logs
    config.write_text(properties.render(values))
    storage.run("kafka-storage.sh", "format", "-t", cluster_id, "-c", str(config), "--standalone", name="format")
    return transcript


def archive_play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint) -> Transcript:
    """§2.1.1: what the runtime holds: the lab's scripts and, among its jars, ZooKeeper's."""
    transcript = Transcript()
    jars = sorted(path.name for path in runtime.lib.glob("*.jar"))
    transcript.add("ls bin/", "\n".join(sorted(p.name for p in runtime.bin.iterdir())), name="bin")
    zookeeper = [jar for jar in jars if "zookeeper" in jar]
    # The lab's archive names the folder libs/; the harness assembles the same jars from Maven Central in lib/.
    transcript.add("ls lib/ | grep -i zookeeper", "\n".join(zookeeper) or "(none)", name="zookeeper-jars")
    transcript.add("ls lib/ | wc -l", str(len(jars)), name="jar-count")
    return transcript


def _terminal(text: str) -> str:
    """What a terminal keeps of a line redrawn with carriage returns (curl's progress meter): the last draw."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def _curl(url: str, shown: str, head: int | None = None) -> tuple[str, str]:
    """The lab's command as typed (no ``-s``), run for real through bash: curl's progress meter goes to stderr,
    which the terminal shows too, before the JSON (``json.tool`` prints once curl has finished)."""
    tail = f" | head -{head}" if head else ""
    pipeline = f"curl {shlex.quote(url)} | {shlex.quote(sys.executable)} -m json.tool{tail}"
    done = subprocess.run(["bash", "-c", pipeline], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    return f"curl {shown} | python -m json.tool{tail}", _terminal(done.stdout.decode())


def jsontool_play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint) -> Transcript:
    """§3.1.1: the stand-in API's real answers through ``python -m json.tool``: the example key, then a good one."""
    transcript = Transcript()
    key = secrets.token_hex(20)
    with JCDecauxStandIn(key) as api:
        shown = "https://api.jcdecaux.com/vls/v1/stations?apiKey="
        transcript.add(*_curl(f"{api.url}?apiKey=XXX", shown + "XXX"), name="wrong-key")
        transcript.add(*_curl(f"{api.url}?apiKey={key}", shown + "<votre clé>", head=22), name="good-key")
    return transcript


def unclean_play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, cluster: EmbeddedCluster) -> Transcript:
    """§3.2, one step further: broker 0 stopped, then broker 1 too, then broker 0 alone comes back. It was out
    of every ISR: with ``unclean.leader.election.enable=false`` (the default) no partition gets a leader."""
    from reference.s3_2 import _leaders
    from reference.velib.play import TOPIC

    transcript = Transcript()
    first, second = cluster.broker_endpoints[:2]
    cluster.stop_broker(0)
    wait_until(lambda: all(isr == [1] for _, isr in _leaders([str(second)]).values()), 60,
               "broker 1 to lead every partition alone")
    cluster.stop_broker(1)
    cluster.start_broker(0)
    transcript.add("# broker 0 stopped, then broker 1; broker 0 restarted alone", "")
    LabShell(runtime, zookeeper, first, transcript).topics("--describe", "--topic", TOPIC, name="leader-none")
    cluster.start_broker(1)
    wait_until(lambda: all(len(isr) == 2 for _, isr in _leaders([str(first), str(second)]).values()), 120,
               "both brokers back in every ISR")
    return transcript


# ---------------------------------------------------------------- running and writing
def _ordered_plays() -> list[tuple[str, str]]:
    ordered: list[tuple[str, str]] = []
    for play in plays():
        ordered.append((play.name, play.call))
        ordered += [(extra, call) for extra, call, after in EXTRA_PLAYS if after == play.name]
    return ordered


def lab_addresses(text: str, cluster: EmbeddedCluster) -> str:
    """The run's addresses and folders as the lab names them."""
    names = {str(cluster.zookeeper_endpoint): "localhost:2181"}
    names.update({str(e): f"localhost:{9092 + i}" for i, e in enumerate(cluster.broker_endpoints)})
    if cluster.controller_endpoint is not None:  # Kafka 4: the quorum's port, 9094 in the lab's KRaft config
        names[str(cluster.controller_endpoint)] = "localhost:9094"
    for real, lab in names.items():
        text = text.replace(real, lab)
    text = text.replace(f"{cluster.workdir}/config/", "config/")  # kraft_play's copy of the lab's file
    return text.replace(str(cluster.workdir), "/tmp")


def replay(version: str, out: Path, log: Callable[[str], None] = print,
           until: Iterable[str] | None = None) -> dict[str, str]:
    """Play everything of ``version``, each stage on a fresh cluster: §2 on one broker as the lab's, §3 and §4 on
    two brokers with the reference's settings, the leader election on two brokers at the lab's settings; write and
    return ``{"play/entry": text}``. ``until``: stop once these plays have run (within a stage the plays before
    them still run: later plays build on them; a stage with none of them is skipped)."""
    waiting = None if until is None else set(until)
    shown: dict[str, str] = {}
    ordered = _ordered_plays()
    reference_cluster = LAB_CLUSTER_PLAYS | LAB_SETTINGS_PLAYS
    # (brokers, the reference's §3.2 settings?, plays)
    stages = [(1, False, [p for p in ordered if p[0] in LAB_CLUSTER_PLAYS]),
              (2, True, [p for p in ordered if p[0] not in reference_cluster]),
              (2, False, [p for p in ordered if p[0] in LAB_SETTINGS_PLAYS])]
    for brokers, tuned, stage in stages:
        if waiting is not None and not (waiting & {name for name, _ in stage}):
            continue  # none of this stage's plays is wanted: no cluster for it
        workdir = Path(tempfile.mkdtemp(prefix=f"kafkalab-transcripts-{version}-"))
        overrides = {index: broker_overrides() for index in range(brokers)} if tuned else {}
        try:
            with EmbeddedCluster(brokers=brokers, version=version, workdir=workdir,
                                 broker_overrides=overrides) as cluster:
                for name, call in stage:
                    shown.update(_play_one(version, name, call, cluster, out, log))
                    if waiting is not None:
                        waiting.discard(name)
                        if not waiting & {later for later, _ in stage}:
                            break  # what is still wanted is in a later stage
        except Exception as exc:
            # The brokers' logs say what the group coordinator did: kept for whoever reads the failure.
            _note(exc, f"the cluster's folder, with its brokers' logs, is kept: {workdir}")
            raise
        shutil.rmtree(workdir, ignore_errors=True)
    return shown


def _note(exc: BaseException, note: str) -> None:
    if hasattr(exc, "add_note"):  # Python 3.11 and later; older ones lose only this hint
        exc.add_note(note)


def _play_one(version: str, name: str, call: str, cluster: EmbeddedCluster, out: Path,
              log: Callable[[str], None]) -> dict[str, str]:
    play = Play(name, call)
    extra = {"cluster": cluster} if play.needs_cluster else {}
    log(f"[{version}] {name}")
    transcript = play.load()(cluster.runtime, cluster.zookeeper_endpoint, cluster.broker_endpoints[0], **extra)
    folder = out / version / name
    folder.mkdir(parents=True, exist_ok=True)
    (out / version / f"{name}.txt").write_text(lab_addresses(transcript.text(), cluster))
    shown: dict[str, str] = {}
    for entry, text in transcript.named().items():
        text = lab_addresses(text, cluster)
        (folder / f"{entry}.txt").write_text(text)
        shown[f"{version}/{name}/{entry}"] = text
    return shown


def load(out: Path) -> dict[str, str]:
    return {f"{p.parent.parent.name}/{p.parent.name}/{p.stem}": p.read_text() for p in out.glob("*/*/*.txt")}


# ---------------------------------------------------------------- comparing with the answers
_VOLATILE = [
    (re.compile(r"TopicId: [\w-]{22}"), "TopicId: <id>"),
    (re.compile(r"\b(console-consumer|kafka-python)-[\w.-]+"), r"\1-<id>"),
    (re.compile(r"(?<![\w.])/127\.0\.0\.1\b"), "/<host>"),
    # a group member's id: its client id and a UUID given by the coordinator
    (re.compile(r"\b([\w.-]+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), r"\1-<uuid>"),
    # Kafka 4: the cluster's and the voter's random ids, and how far the metadata log has gone
    (re.compile(r"^ClusterId:\s+[\w-]{22}$", re.M), "ClusterId: <id>"),
    (re.compile(r'"directoryId": "[\w-]{22}"'), '"directoryId": "<id>"'),
    (re.compile(r"^HighWatermark:\s+\d+$", re.M), "HighWatermark: <n>"),
    (re.compile(r"(?<=kafka-storage\.sh format -t )[\w-]{22}\b"), "<id>"),
    (re.compile(r"^[\w-]{22}$", re.M), "<id>"),  # what kafka-storage.sh random-uuid prints
    # kafka-leader-election.sh lists the partitions it moved in any order, and which half of the topic's
    # partitions broker 0 prefers depends on where Kafka started the assignment: their number is what is stable
    (re.compile(r"(?<=for partitions )[\w.-]+-\d+(?:, [\w.-]+-\d+)*"),
     lambda m: f"<{len(m[0].split(', '))} partitions>"),
    (re.compile(r"\b1[67]\d{8}(\.\d+)?\b"), "<time>"),  # Unix times (the producer's lines)
    (re.compile(r"\b\d+\.\d+s\b"), "<seconds>"),
    (re.compile(r"Processed a total of \d+ messages"), "Processed a total of <n> messages"),
    (re.compile(r"^instance \d: ", re.M), "instance: "),  # which instance got partitions 0-4 is chance
    (re.compile(r"http://127\.0\.0\.1:\d+/"), "http://<stand-in>/"),
    (re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.M), "<date> "),
    (re.compile(r"busy_s=[\d.]+ rate=[\d.]+/s"), "busy_s=<s> rate=<r>/s"),
    # curl's progress meter: sizes, speeds and times of this transfer (its two heading lines are kept)
    (re.compile(r"^ *\d+ +[\d.]+[kMG]?( +\d+ +[\d.]+[kMG]?){2}( +[\d.]+[kMG]?){2}( +[-:\d]+){3} +[\d.]+[kMG]?$",
                re.M), "<progress meter>"),
]
_BROKER_FIELDS = re.compile(r"(Leader|Replicas|Isr): ([\d,]+|none)")


def _broker_ids(text: str) -> list[str]:
    return sorted({i for m in _BROKER_FIELDS.finditer(text) for i in m[2].split(",") if i != "none"})


def _renumber(text: str, mapping: dict[str, str]) -> str:
    return _BROKER_FIELDS.sub(lambda m: f"{m[1]}: " + ",".join(mapping.get(i, i) for i in m[2].split(",")), text)


_PARTITION = re.compile(r"\bPartition: (\d+)\b")


def _shift_partitions(text: str, shift: int) -> str:
    """In each table of partitions (a run of ``Partition: p`` lines), ``p`` renamed ``(p + shift) % count`` and the
    lines put back in partition order: Kafka starts a topic's replica assignment at a random broker, so
    partition 0's replicas in one run are partition 1's in the next."""
    if not shift:
        return text
    lines = text.splitlines()
    runs: list[list[int]] = []
    for i, line in enumerate(lines):
        if _PARTITION.search(line):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    for run in runs:
        count = len(run)

        def rename(m: re.Match[str], count: int = count) -> str:
            return f"Partition: {(int(m[1]) + shift) % count}"

        renamed = sorted(((int(_PARTITION.search(lines[i])[1]) + shift) % count, _PARTITION.sub(rename, lines[i]))
                         for i in run)
        for slot, (_, line) in zip(run, renamed):
            lines[slot] = line
    return "\n".join(lines)


def _placement(line: str) -> str:
    """A partition's line without what KRaft's replica placer draws at random: which partition it is and the
    order of its replicas (the preferred leader). Kept: who leads, which brokers hold it, which are in sync."""
    line = _PARTITION.sub("Partition: <p>", line)
    return re.sub(r"\b(Replicas|Isr): ([\d,]+)", lambda m: f"{m[1]}: " + ",".join(sorted(m[2].split(","))), line)


_COUNT = re.compile(r"^Processed a total of (\d+|<n>) messages?$")


def normalise(text: str, options: Iterable[str] = ()) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    lines = [re.sub(r"[ \t]+", " ", line).rstrip() for line in text.strip().splitlines()]
    # The console consumer's count goes to stderr as it exits, after its messages on a terminal; through pipes its
    # buffered stdout may arrive at the same moment or after, in either order (seen under load): put it last.
    lines = [line for line in lines if not _COUNT.match(line)] + [line for line in lines if _COUNT.match(line)]
    if "digits" in options:
        lines = [re.sub(r"\d+", "<n>", line) for line in lines]
    if "placement" in options:  # Kafka 4: partitions placed at random, compared as a set of placements
        lines = [_placement(line) for line in lines]
    if "sort" in options or "placement" in options:
        lines = sorted(set(lines))
    return "\n".join(lines)


def same(shown: str, fresh: str, options: Iterable[str] = ()) -> bool:
    """Equal once normalised, up to a renumbering of the brokers or a rotation of the partitions: Kafka starts a
    new topic's replica lists at a random broker, so ``Replicas: 0,1`` in one run is ``Replicas: 1,0`` in the
    next. A rotation keeps what is real (which broker was stopped, leads, is in the ISR, in which order)."""
    want = normalise(shown, options)
    # Both texts' ids: a one-replica topic may sit on broker 1 in one run and on broker 0 in the next.
    ids = sorted(set(_broker_ids(fresh)) | set(_broker_ids(shown)))
    partitions = max(1, len(set(_PARTITION.findall(fresh))))  # the largest table's size bounds the shifts
    return any(normalise(_shift_partitions(_renumber(fresh, dict(zip(ids, order))), shift), options) == want
               for order in itertools.permutations(ids) for shift in range(partitions))


def shown_blocks(answers: Path = ANSWERS) -> list[tuple[Path, str, tuple[str, ...], str]]:
    """Every marked block of the answers: (file, ``version/play/entry``, options, text)."""
    return [(path, m["path"], tuple(m["options"].split()), m["body"])
            for path in sorted(answers.glob("*.md")) for m in MARKER.finditer(path.read_text())]


def shown_plays(version: str) -> set[str]:
    """The plays of ``version`` whose outputs the answers show (a fresh run for the comparison needs no other)."""
    return {key.split("/")[1] for _, key, _, _ in shown_blocks() if key.split("/")[0] == version}


def mismatches(fresh: dict[str, str], versions: Iterable[str]) -> list[str]:
    wanted = set(versions)
    problems = []
    for path, key, options, body in shown_blocks():
        if key.split("/")[0] not in wanted:
            continue
        if key not in fresh:
            problems.append(f"{path.name}: {key} is not an entry of the fresh run")
        elif not same(body, fresh[key], options):
            problems.append(f"{path.name}: {key} differs from the fresh run:\n--- shown\n{body}--- fresh\n{fresh[key]}")
    return problems


def update_answers(fresh: dict[str, str]) -> int:
    """Rewrite every marked block whose entry is in ``fresh``; returns how many changed."""
    changed = 0
    for path in sorted(ANSWERS.glob("*.md")):
        text = path.read_text()

        def block(m: re.Match[str]) -> str:
            nonlocal changed
            body = fresh.get(m["path"])
            if body is None or body == m["body"]:
                return m[0]
            changed += 1
            return m[0][: m.start("body") - m.start()] + body.rstrip("\n") + "\n```"

        new = MARKER.sub(block, text)
        if new != text:
            path.write_text(new)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.transcripts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kafka-version", action="append", choices=VERSIONS, help="default: all of them")
    parser.add_argument("--reuse", action="store_true", help="read the transcripts already in --out")
    parser.add_argument("--update-answers", action="store_true", help="rewrite the answers' shown outputs")
    args = parser.parse_args(argv)
    versions = args.kafka_version or list(VERSIONS)
    fresh: dict[str, str] = load(args.out) if args.reuse else {}
    if not args.reuse:
        for version in versions:
            fresh.update(replay(version, args.out, lambda message: print(message, file=sys.stderr)))
    if args.update_answers:
        print(f"{update_answers(fresh)} block(s) rewritten")
    problems = mismatches(fresh, versions)
    print("\n".join(problems) or "every shown output matches the run")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
