"""Fixtures of the Spark tests: one cluster for the whole folder, holding the matched sample and the ticks.

Spark runs are the slow part of the harness's tests (2 cores): the cluster and its topics are shared by
every module here (package scope), and the modules are ordered so that at most one Spark runs at a time
(subprocess runs first, then the in-process session, shared by the modules after it and stopped with the
package).
"""

from __future__ import annotations

import runpy
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.s4_streaming import launch
from checks.s4_streaming import test_spark as spark_checks
from checks.s4_streaming.outputs import RunOutputs
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.taxi.zones import zones_file
from tests.support.paths import REFERENCE_SPARK_SCRIPT

VARIANTS = Path(__file__).resolve().parent / "variants"
# The checks' own fixtures, reused: what a Spark run reads (the chosen rides and fares, each followed by its tick;
# the shipped matched sample here, 888 fared rides and 444 fares, as the tests choose no other data) and what the
# oracle expects of it.
spark_lines = spark_checks.spark_lines
spark_expected = spark_checks.spark_expected


def handed_in(variant: str, folder: Path) -> Path:
    """A broken variant as a student hands it in: the script in a folder of its own beside the module it imports
    (the reference's ``sstreaming.py``), so that it runs wherever the repository is cloned (the sandbox hides
    /tmp and homes, and shows a script only its own folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REFERENCE_SPARK_SCRIPT, folder / "sstreaming.py")
    return Path(shutil.copy2(VARIANTS / f"{variant}.py", folder / f"{variant}.py"))


# The names under which contract scripts import the reference and each other: fresh copies for each run.
SCRIPT_MODULES = ("sstreaming", "durations")
NO_PYSPARK = "pyspark is not installed (the harness's optional `spark` extra: pip install -e '.[spark]')"


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip(NO_PYSPARK)


@pytest.fixture(scope="package")
def connector():
    """Spark's Kafka connector in the cache (downloaded once from Maven Central if missing)."""
    require_pyspark()
    from fixtures.spark.runtime import fetch

    return fetch(progress=lambda message: None)


@pytest.fixture(scope="package")
def taxi_cluster(connector, spark_lines, tmp_path_factory) -> Iterator[EmbeddedCluster]:
    """A one-broker cluster whose `taxirides`/`taxifares` hold the sample, sent as the lab does (console)."""
    from fixtures.taxi.ingest import create_topics, ingest

    with EmbeddedCluster(brokers=1, workdir=tmp_path_factory.mktemp("spark-cluster")) as cluster:
        create_topics(cluster.bootstrap)
        ingest(cluster.bootstrap, *spark_lines, via="console", pause_s=0)
        yield cluster


@pytest.fixture(scope="package")
def spark(connector) -> Iterator[object]:
    """One warm in-process session for every in-process run (a subprocess run costs a JVM start and a cold JIT
    each time: ~3x slower); started by the first module that needs it, after the subprocess runs."""
    require_pyspark()
    from fixtures.spark.session import build_session

    # No state-store maintenance thread: it would only wake up after the session stopped and log a warning.
    session = build_session("kafkalab-variants", {"spark.sql.streaming.stateStore.maintenanceInterval": "1h"})
    uninstall = launch.install_hooks(listen=False)
    yield session
    uninstall()
    session.stop()


def run_in_process(script: Path, bootstrap: str, workdir: Path) -> RunOutputs:
    """Run a contract script as ``__main__`` in this process (the ``spark`` fixture's session), against the
    sample's topics, through the same recording hooks as ``launch.py``; its outputs and recordings."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAXI_RIDES_TOPIC": "taxirides",
           "TAXI_FARES_TOPIC": "taxifares", "TAXI_OUTPUT_DIR": str(workdir / "output"),
           "TAXI_CHECKPOINT_DIR": str(workdir / "checkpoints"), "TAXI_ZONES_FILE": str(zones_file())}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        patch.setattr(sys, "argv", [str(script)])
        for name in SCRIPT_MODULES:  # each variant patches a fresh copy of the reference
            sys.modules.pop(name, None)
        launch.set_hook_dir(workdir / "harness")
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            assert exc.code in (0, None), f"{script.name} exited with {exc.code}"
        finally:
            launch.record_queries()
            for name in SCRIPT_MODULES:
                sys.modules.pop(name, None)
    return RunOutputs(workdir / "output", workdir / "harness")
