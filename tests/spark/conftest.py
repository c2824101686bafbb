"""Fixtures of the Spark tests: one cluster for the whole folder, holding the matched sample and the ticks.

Spark runs are the slow part of the harness's tests (2 cores): the cluster and its topics are shared by
every module here (package scope), and the modules are ordered so that at most one Spark runs at a time
(subprocess runs first, then the in-process session, which is stopped at the end of its module).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.s4_streaming.oracle import Expected
from fixtures.cluster import EmbeddedCluster
from fixtures.taxi.files import FARED_RIDES, FARES, read_lines
from fixtures.taxi.ticks import ticks_for

VARIANTS = Path(__file__).resolve().parent / "variants"
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
def sample_lines() -> tuple[list[str], list[str]]:
    """What the Spark runs read: the 888 fared ride lines and the 444 fares, each followed by its tick."""
    ticks = ticks_for(FARED_RIDES, FARES)
    return [*read_lines(FARED_RIDES), ticks.ride], [*read_lines(FARES), ticks.fare]


@pytest.fixture(scope="package")
def expected(sample_lines) -> Expected:
    return Expected.from_lines(*sample_lines)


@pytest.fixture(scope="package")
def taxi_cluster(connector, sample_lines, tmp_path_factory) -> Iterator[EmbeddedCluster]:
    """A one-broker cluster whose `taxirides`/`taxifares` hold the sample, sent as the lab does (console)."""
    from fixtures.taxi.ingest import create_topics, ingest

    with EmbeddedCluster(brokers=1, workdir=tmp_path_factory.mktemp("spark-cluster")) as cluster:
        create_topics(cluster.bootstrap)
        ingest(cluster.bootstrap, *sample_lines, via="console", pause_s=0)
        yield cluster
