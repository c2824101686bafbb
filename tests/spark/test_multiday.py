"""A second real data set, spanning several days: the shipped sample repeated on four nights (times shifted by
whole days, ride ids renumbered), ingested by the reference §4.1 play and graded with ``--taxi-rides`` and
``--taxi-fares``. Every §4.1 check passes, the reference Spark job equals the oracle in every §4 check (tips
included: the ticks come a day after the last night, so every window closes), and Spark reports that its
watermarks dropped no row, as the model of ``checks/s4_streaming/watermarks.py`` predicts for the harness's
one-batch replay. Without the options, the same topics fail the §4.1 counts: the files are what is graded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.outputs import RunOutputs
from checks.s4_streaming.watermarks import Batch, late_rows
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.taxi.datasets import repeat_days, write_lines
from fixtures.taxi.files import FARE, FARED_RIDES, FARES, RIDE, read_lines
from fixtures.taxi.ticks import ticks_for
from reference.taxi.play import play
from tests.support.paths import REFERENCE_SPARK_SCRIPT

from ..conftest import GradeRun, emptied, grade
from .test_run_subprocess import SPARK_CHECKS

pytestmark = pytest.mark.slow
DAYS, ID_STEP = 4, 1000
TAXI_CHECKS = ("test_taxirides_holds_the_ride_file", "test_taxifares_holds_the_fare_file",
               "test_taxirides_records_are_ride_lines", "test_taxifares_records_are_fare_lines")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    """The four nights: rides gzip-compressed, fares as plain text (both forms a class may hand out)."""
    folder = tmp_path_factory.mktemp("four-nights")
    rides, fares = folder / "rides-4-nights.gz", folder / "fares-4-nights.txt"
    write_lines(rides, repeat_days(read_lines(FARED_RIDES), RIDE, DAYS, ID_STEP))
    write_lines(fares, repeat_days(read_lines(FARES), FARE, DAYS, ID_STEP))
    return rides, fares


@pytest.fixture(scope="module")
def cluster(connector, files, one_broker: EmbeddedCluster) -> EmbeddedCluster:
    """The run's shared one-broker cluster (tests/conftest.py), emptied, holding the four nights."""
    running = emptied(one_broker)
    play(running.runtime, running.zookeeper_endpoint, running.broker_endpoints[0], rides=files[0],
         fares=files[1], pause_s=0)
    return running


@pytest.fixture(scope="module")
def graded(cluster, files, tmp_path_factory) -> tuple[GradeRun, Path]:
    folder = tmp_path_factory.mktemp("graded-four-nights")
    run = grade(folder, "-k", "taxi or spark", "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap",
                cluster.bootstrap, "--spark-bootstrap", cluster.bootstrap,
                "--spark-script", str(REFERENCE_SPARK_SCRIPT), "--spark-timeout", "400", "--check-timeout", "10",
                "--taxi-rides", str(files[0]), "--taxi-fares", str(files[1]), timeout=600)
    (run_dir,) = folder.glob("report-*/spark-run-sstreaming-*")
    return run, run_dir


@pytest.fixture(scope="module")
def expected(files) -> Expected:
    ticks = ticks_for(*files)
    return Expected.from_lines([*read_lines(files[0]), ticks.ride], [*read_lines(files[1]), ticks.fare])


def test_every_taxi_and_spark_check_passes_with_the_class_files(graded) -> None:
    run, _ = graded
    checks = TAXI_CHECKS + SPARK_CHECKS
    assert {c: run.outcomes.get(c) for c in checks} == dict.fromkeys(checks, "passed"), run.output[-5000:]
    assert run.result("test_taxirides_holds_the_ride_file")["title"] == \
        "`taxirides` holds every line of rides-4-nights.gz once."
    assert run.result("test_taxirides_holds_the_ride_file")["found"] == f"{DAYS * 888} records in taxirides"


def test_the_outputs_span_four_nights_and_equal_the_oracle(graded, expected: Expected) -> None:
    outputs = RunOutputs(graded[1] / "output", graded[1] / "harness")
    sample = Expected.from_lines(read_lines(FARED_RIDES), read_lines(FARES))
    assert len(expected.joined) == DAYS * len(sample.joined) == len(outputs.records("joined"))
    tips = outputs.records("tips")
    assert len(tips) == len(expected.tips) == DAYS * len(sample.tips)
    assert {row["windowStart"][:10] for row in tips} == {f"2013-01-0{day}" for day in range(1, DAYS + 1)}


def test_the_watermarks_dropped_nothing_as_the_model_predicts(graded, expected: Expected) -> None:
    outputs = RunOutputs(graded[1] / "output", graded[1] / "harness")
    for name in ("joined", "tips"):
        query = outputs.query(name)
        assert query is not None
        data_batches = [event for event in query.progress if int(event.get("numInputRows") or 0) > 0]
        # availableNow without a read limit: all the data in one batch, then the ticks' no-data batch(es).
        assert len(data_batches) == 1, [event.get("numInputRows") for event in query.progress]
        dropped = [int(op.get("numRowsDroppedByWatermark") or 0)
                   for event in query.progress for op in event.get("stateOperators") or []]
        assert dropped and sum(dropped) == 0
    assert not late_rows([Batch(expected.rides, expected.fares)])


def test_without_the_options_the_same_topics_fail_the_counts(cluster, tmp_path: Path) -> None:
    run = grade(tmp_path, "-k", "test_taxi", "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap",
                cluster.bootstrap, "--check-timeout", "10")
    rides = run.result("test_taxirides_holds_the_ride_file")
    assert rides["outcome"] == "failed"
    assert rides["expected"] == "100000 (nycTaxiRides.gz) or 888 (nycTaxiRides-fared.gz)"
    # Day 1's lines are the shipped ones: the first records are found in the shipped file, the later ones are not.
    lines = run.result("test_taxirides_records_are_ride_lines")
    assert lines["outcome"] == "failed" and "are not lines of nycTaxiRides.gz" in lines["reason"]
