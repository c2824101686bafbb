"""Spark's Kafka connector in the cache, and the settings handed to Spark (no Spark is started here)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from fixtures.runtime import RuntimeFetchError
from fixtures.system.paths import REPO

from .conftest import require_pyspark


@pytest.fixture(autouse=True)
def _pyspark() -> None:
    require_pyspark()


def test_connector_matches_the_installed_pyspark(connector) -> None:
    import pyspark

    from fixtures.spark.runtime import REQUIRED_PREFIXES, PySpark

    spark = PySpark.detect()
    assert spark.version == pyspark.__version__ == connector.spark_version
    assert connector.scala == spark.scala == "2.12"  # pyspark 3.5.x is built for Scala 2.12
    names = [jar.name for jar in connector.jars()]
    # Exactly the four jars Spark lacks: a second slf4j, snappy or Hadoop would clash with pyspark's own.
    assert len(names) == len(REQUIRED_PREFIXES), names
    assert f"spark-sql-kafka-0-10_2.12-{spark.version}.jar" in names
    assert not connector.home.resolve().is_relative_to(REPO)  # jars never go into the repository


def test_fetch_is_idempotent_and_offline_once_cached(connector) -> None:
    from fixtures.spark.runtime import fetch

    said: list[str] = []
    again = fetch(progress=said.append)
    assert again.jars() == connector.jars()
    assert said and "already in" in said[0]  # no Maven run, hence no network


def test_a_changed_pom_or_missing_jar_means_not_installed(connector, tmp_path: Path) -> None:
    from fixtures.spark.runtime import SparkKafkaConnector

    copy = SparkKafkaConnector(connector.spark_version, connector.scala, tmp_path / "spark-kafka")
    assert not copy.is_installed()
    with pytest.raises(RuntimeFetchError, match="python -m fixtures.spark fetch"):
        copy.spark_jars()
    copy.jars_dir.mkdir(parents=True)
    for jar in connector.jars():
        (copy.jars_dir / jar.name).write_bytes(b"")
    copy.marker.write_text("digest of another pom")
    assert not copy.is_installed()
    copy.marker.write_text(copy.pom_digest())
    assert copy.is_installed()
    next(copy.jars_dir.glob("kafka-clients-*.jar")).unlink()
    assert copy.missing() == ["kafka-clients-"] and not copy.is_installed()


def test_pom_asks_for_the_connector_of_pyspark_s_version(connector) -> None:
    pom = connector.pom_text()
    assert f"<artifactId>spark-sql-kafka-0-10_{connector.scala}</artifactId><version>{connector.spark_version}" in pom
    assert "{" not in pom


def test_submit_args_carry_the_jars_and_the_small_machine_settings(connector) -> None:
    from fixtures.spark.session import SMALL_MACHINE_CONF, submit_args

    words = shlex.split(submit_args({"spark.sql.shuffle.partitions": "3"}))
    assert words[-1] == "pyspark-shell" and words[:2] == ["--master", "local[2]"]
    conf = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "--conf")
    assert conf["spark.jars"] == connector.spark_jars()
    assert conf["spark.sql.shuffle.partitions"] == "3"  # extra settings win
    for key in ("spark.ui.enabled", "spark.sql.session.timeZone", "spark.driver.host", "spark.driver.bindAddress"):
        assert conf[key] == SMALL_MACHINE_CONF[key]
    assert conf["spark.driver.bindAddress"] == "127.0.0.1"


def test_cli_prints_the_jars(connector, capsys) -> None:
    from fixtures.spark.__main__ import main

    assert main(["jars"]) == 0
    assert capsys.readouterr().out.strip() == connector.spark_jars()
