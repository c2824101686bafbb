"""A simulated class where every student is one subject: a host with their cluster and a submission folder.

Each live student is a network namespace with a real ZooKeeper and broker(s) (``tests.support.hosts``); each
has a folder of handed-in scripts named in the roster's ``submission`` column:

* ``ada``: flawless: the reference cluster (two brokers, every reference play) and the reference scripts
  (the Spark one under the lab's name, ``sstreaming-spark-out.py``);
* ``ben``: the Spark job has no watermark (``tests/spark/variants/no_watermark.py`` under the lab's name,
  ``sstreaming-spark-out.py``, beside the ``sstreaming.py`` it imports: the lab's name is the one run); his Pi
  runs ZooKeeper only (the broker never started);
* ``cleo``: the producer keys by city (``tests/velib/broken/city_keyed_producer.py``); §2 stopped at §2.1.5;
* ``dan``: an empty folder (nothing handed in); §2 stopped at §2.1.5;
* ``eve``: §2 done, but ``advertised.listeners`` names ``localhost``; only the monitor handed in;
* ``fay``: a dead host (the name does not resolve); the reference §3.1 scripts.

Only ada and ben hand in a Spark script: a Spark run is the slow part of grading. Host names start with
``subj-`` (or the ``prefix`` given) so that they never clash with another simulated class on the machine.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fixtures.kafka import plays as reference_plays
from fixtures.kafka.cluster import EmbeddedCluster
from tests.support.hosts import SimulatedHost, simulated_host
from tests.support.paths import REFERENCE_SPARK_SCRIPT, REFERENCE_VELIB, ROOT
from tests.support.simulated_class import _bob as stop_at_2_1_5

PRODUCER, MONITOR = "velib-get-stations.py", "velib-monitor-stations.py"
NO_WATERMARK = ROOT / "tests" / "spark" / "variants" / "no_watermark.py"
CITY_KEYED = ROOT / "tests" / "velib" / "broken" / "city_keyed_producer.py"
PLAY_TIMEOUT_S = 600
STUDENTS = ("ada", "ben", "cleo", "dan", "eve", "fay")
LIVE = ("ada", "ben", "cleo", "dan", "eve")
# Each student's folder: file name in the folder -> the file copied there.
HANDED_IN: dict[str, dict[str, Path]] = {
    "ada": {PRODUCER: REFERENCE_VELIB / PRODUCER, MONITOR: REFERENCE_VELIB / MONITOR,
            "sstreaming-spark-out.py": REFERENCE_SPARK_SCRIPT},
    "ben": {PRODUCER: REFERENCE_VELIB / PRODUCER, MONITOR: REFERENCE_VELIB / MONITOR,
            "sstreaming-spark-out.py": NO_WATERMARK, "sstreaming.py": REFERENCE_SPARK_SCRIPT},
    "cleo": {PRODUCER: CITY_KEYED, MONITOR: REFERENCE_VELIB / MONITOR},
    "dan": {},
    "eve": {MONITOR: REFERENCE_VELIB / MONITOR},
    "fay": {PRODUCER: REFERENCE_VELIB / PRODUCER, MONITOR: REFERENCE_VELIB / MONITOR},
}


@dataclass
class SubmissionClass:
    roster: Path
    hosts: dict[str, str]  # student id -> host name


def _flawless(pi: SimulatedHost, version: str, workdir: Path) -> EmbeddedCluster:
    """The embedded reference, on ada's Pi: two brokers tuned for §3.2, every reference play run on it."""
    overrides = {index: reference_plays.broker_overrides() for index in range(2)}
    cluster = EmbeddedCluster(brokers=2, version=version, host=pi.address, netns=pi.namespace,
                              broker_overrides=overrides, workdir=workdir)
    cluster.start()
    try:
        for play in reference_plays.plays():
            extra = {"cluster": cluster} if play.needs_cluster else {}
            play.load()(cluster.runtime, cluster.zookeeper_endpoint, cluster.broker_endpoints[0], **extra)
    except BaseException:
        cluster.discard()
        raise
    return cluster


def _advertising_localhost(pi: SimulatedHost, version: str, workdir: Path) -> EmbeddedCluster:
    """eve's §2, played on her Pi itself (where `localhost` is her broker), then graded from outside."""
    override = {0: {"listeners": "PLAINTEXT://0.0.0.0:{port}", "advertised.listeners": "PLAINTEXT://localhost:{port}"}}
    cluster = EmbeddedCluster(brokers=1, version=version, host=pi.address, netns=pi.namespace,
                              broker_overrides=override, workdir=workdir)
    cluster.start()
    try:
        pi.run([sys.executable, "-m", "reference.s2", "--zookeeper", "127.0.0.1:2181", "--bootstrap", "127.0.0.1:9092",
                "--kafka", version], timeout=PLAY_TIMEOUT_S, cwd=ROOT, check=True)
    except BaseException:
        cluster.discard()
        raise
    return cluster


def _start(stack: ExitStack, student: str, pi: SimulatedHost, version: str, workdir: Path) -> None:
    if student == "ada":
        stack.callback(_flawless(pi, version, workdir).stop)
    elif student == "eve":
        stack.callback(_advertising_localhost(pi, version, workdir).stop)
    else:
        cluster = stack.enter_context(EmbeddedCluster(brokers=0 if student == "ben" else 1, version=version,
                                                      host=pi.address, netns=pi.namespace, workdir=workdir))
        if student != "ben":
            stop_at_2_1_5(cluster)


def _hand_in(root: Path) -> dict[str, Path]:
    folders = {}
    for student, files in HANDED_IN.items():
        folders[student] = root / student
        folders[student].mkdir(parents=True)
        for name, source in files.items():
            shutil.copy(source, folders[student] / name)
    return folders


@contextmanager
def submission_class(workdir: Path, version: str = "3.9.2", prefix: str = "subj-") -> Iterator[SubmissionClass]:
    """Start the class (several minutes on 2 cores: ada's plays); everything is stopped and removed on exit."""
    with ExitStack() as stack:
        pis = {student: stack.enter_context(simulated_host(f"{prefix}{student}")) for student in LIVE}
        for student, pi in pis.items():
            _start(stack, student, pi, version, workdir / "clusters" / student)
        hosts = {student: pi.name for student, pi in pis.items()} | {"fay": f"{prefix}fay.invalid"}
        folders = _hand_in(workdir / "handed-in")
        roster = workdir / "class.csv"
        # Relative folders: the roster's own folder is where they are read from.
        roster.write_text("id,name,email,host,submission\n" + "".join(
            f"{s},Student {s.title()},{s}@univ.example,{hosts[s]},{folders[s].relative_to(workdir)}\n"
            for s in STUDENTS))
        yield SubmissionClass(roster, hosts)
