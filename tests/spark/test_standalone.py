"""``--spark-master``: a student's Spark job graded on a Spark standalone cluster rather than inside its driver.

A real master and worker from pyspark's own distribution (``spark-class …deploy.master.Master`` and
``…deploy.worker.Worker``) on 127.0.0.1 with small memory; the reference job is graded there as an instructor
would (``pytest checks --spark-script … --spark-master spark://…``): every Spark check passes, and the master
lists the job as an application it ran to its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.spark.standalone import StandaloneCluster
from tests.support.paths import REFERENCE_SPARK_SCRIPT

from ..conftest import grade
from .test_run_subprocess import SPARK_CHECKS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark_cluster(connector, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneCluster]:
    with StandaloneCluster(tmp_path_factory.mktemp("spark-standalone"), cores=2, memory="1g") as cluster:
        yield cluster


def test_the_reference_job_is_graded_on_a_standalone_cluster(spark_cluster: StandaloneCluster, taxi_cluster,
                                                              tmp_path: Path) -> None:
    run = grade(tmp_path, "-k", "spark", "--zookeeper", str(taxi_cluster.zookeeper_endpoint), "--bootstrap",
                taxi_cluster.bootstrap, "--spark-bootstrap", taxi_cluster.bootstrap, "--spark-script",
                str(REFERENCE_SPARK_SCRIPT), "--spark-master", spark_cluster.url, "--spark-timeout", "400",
                "--check-timeout", "10", timeout=600)
    assert {check: run.outcomes.get(check) for check in SPARK_CHECKS} == dict.fromkeys(SPARK_CHECKS, "passed"), \
        run.output
    apps = spark_cluster.state()["completedapps"]
    assert [app["state"] for app in apps] == ["FINISHED"], apps  # the job ran on the cluster, to its end
