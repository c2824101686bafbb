"""Each broken variant of the reference is caught by the property it breaks, and by no unrelated one.

The variants (``variants/*.py``) are whole scripts that follow the contract. To keep the suite within its
time budget on 2 cores they run here in one warm in-process SparkSession (a subprocess run costs a JVM
start and a cold JIT each time: ~3x slower) through the same recording hooks as ``launch.py``; the contract's
subprocess path itself is exercised by ``test_run_subprocess.py``. The crash and timeout variants need a
subprocess and are there. Each variant is judged twice: by the graded properties (``verify``), and by the
Spark checks' own functions run on its outputs, which must give exactly the outcomes those properties make.
"""

from __future__ import annotations

import inspect
import runpy
from dataclasses import dataclass
from pathlib import Path

import pytest

from checks.s4_streaming import test_spark as spark_checks
from checks.s4_streaming import verify
from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.outputs import RunOutputs
from fixtures.plugin.verdict import CheckFailed, take_figures, take_found
from tests.support.outcomes import assert_exact_outcomes
from tests.support.paths import REFERENCE_SPARK_SCRIPT

from .conftest import VARIANTS, require_pyspark, run_in_process

pytestmark = pytest.mark.slow
# The check of checks/s4_streaming/test_spark.py that each graded property belongs to.
CHECK_OF = {
    "schema": "test_spark_parsed_schema_has_the_lab_types",
    "rides": "test_spark_parsed_values_match_the_lines", "fares": "test_spark_parsed_values_match_the_lines",
    "cleaned": "test_spark_cleaning_keeps_end_events_inside_new_york",
    "joined": "test_spark_join_equals_the_oracle",
    "state": "test_spark_join_has_watermarks_and_bounded_state",
    "tips": "test_spark_tips_per_zone_match_the_oracle",
}  # fmt: skip


@dataclass
class Findings:
    """Every graded property's problems for one run (an empty list: the property holds)."""

    outputs: RunOutputs
    checks: dict[str, str]  # the real checks of checks/s4_streaming/test_spark.py, run on these outputs
    schema: list[str]
    rides: list[str]
    fares: list[str]
    cleaned: list[str]
    joined: list[str]
    state: list[str]
    tips: list[str]

    def failing(self) -> set[str]:
        return {name for name in CHECK_OF if getattr(self, name)}

    def outcomes(self) -> dict[str, str]:
        """The outcome of each check these properties make up: failed when any of its properties has a problem."""
        failed = {CHECK_OF[name] for name in self.failing()}
        return {check: "failed" if check in failed else "passed" for check in CHECK_OF.values()}


def run_checks(outputs: RunOutputs, expected: Expected) -> dict[str, str]:
    """Each Spark check's own function (not only the ``verify`` functions it calls) on a run's outputs, with the
    values of the fixtures it names: so that a check whose body stopped judging is caught here too."""
    given = {"spark_outputs": outputs, "spark_expected": expected}
    outcomes = {}
    for check in dict.fromkeys(CHECK_OF.values()):
        function = getattr(spark_checks, check)
        try:
            function(**{name: given[name] for name in inspect.signature(function).parameters})
            outcomes[check] = "passed"
        except CheckFailed:
            outcomes[check] = "failed"
        finally:
            take_found(), take_figures()  # what the check recorded is for a report: none here
    return outcomes


@pytest.fixture(scope="module")
def run_script(spark, taxi_cluster, spark_expected: Expected, tmp_path_factory):
    """Run a contract script in this process, against the sample, and grade every property."""
    cache: dict[Path, Findings] = {}

    def run(script: Path) -> Findings:
        if script in cache:
            return cache[script]
        outputs = run_in_process(script, taxi_cluster.bootstrap, tmp_path_factory.mktemp(script.stem))
        findings = Findings(
            outputs=outputs,
            checks=run_checks(outputs, spark_expected),
            schema=verify.schema_problems(outputs.query("rides"), verify.RIDE_TYPES, "rides")
            + verify.schema_problems(outputs.query("fares"), verify.FARE_TYPES, "fares"),
            rides=verify.parsed_rides_problems(outputs.records("rides"), spark_expected),
            fares=verify.parsed_fares_problems(outputs.records("fares"), spark_expected),
            cleaned=verify.cleaning_problems(outputs.records("cleaned"), spark_expected),
            joined=verify.join_problems(outputs.records("joined"), spark_expected),
            state=verify.state_problems(outputs.query("joined")),
            tips=verify.tips_problems(outputs.records("tips"), spark_expected),
        )  # fmt: skip
        cache[script] = findings
        return findings

    return run


def test_session_has_the_small_machine_settings(spark) -> None:
    from fixtures.spark.session import SMALL_MACHINE_CONF

    conf = spark.sparkContext.getConf()
    for key in ("spark.sql.shuffle.partitions", "spark.ui.enabled", "spark.sql.session.timeZone",
                "spark.driver.host", "spark.driver.bindAddress"):
        assert conf.get(key) == SMALL_MACHINE_CONF[key], key
    assert spark.conf.get("spark.sql.shuffle.partitions") == "2"
    assert spark.sparkContext.master == "local[2]"
    assert "spark-sql-kafka-0-10" in conf.get("spark.jars")


def test_reference_in_process_passes_everything(run_script) -> None:
    findings = run_script(REFERENCE_SPARK_SCRIPT)
    assert_exact_outcomes(findings.outcomes(), set(), context=findings)
    assert_exact_outcomes(findings.checks, set(), context=findings)


def test_reference_uses_the_oracle_s_geography() -> None:
    require_pyspark()
    from checks.s4_streaming import oracle
    from fixtures.taxi import geo

    ref = runpy.run_path(str(REFERENCE_SPARK_SCRIPT))  # not as __main__: only the definitions
    for name in ("LON_EAST", "LON_WEST", "LAT_NORTH", "LAT_SOUTH"):
        assert ref[name] == getattr(geo, name), name
    assert ref["TIPS_WINDOW"] == f"{int(oracle.TIPS_WINDOW.total_seconds() // 60)} minutes"
    assert ref["CARD"] == oracle.CARD


# wrong_schema_order keeps the lab's names and types (two timestamp columns swapped): the schema check, which
# reads names and types, rightly passes, and the values read catch it; guessed_types is the schema's own mistake.
@pytest.mark.parametrize(("variant", "caught_by", "why"), [
    ("guessed_types", {"schema"}, "rides: column passengerCnt is integer, the lab's schema says short"),
    ("wrong_schema_order", {"rides", "joined", "tips"}, "endTime differs on"),
    ("fares_ids_swapped", {"fares"}, "fares: taxiId differs on"),
    ("start_kept", {"cleaned"}, "are not END events"),
    ("no_cleaning", {"cleaned", "joined", "tips"}, "outside the New York box"),
    ("no_watermark", {"state", "tips"}, "state cleanup [ left = null ]"),
    ("no_time_bound", {"state", "joined"}, "outside the time window"),
    ("wrong_key", {"joined", "tips"}, "join a fare to another ride"),
    ("dropoff_zone", {"tips"}, "was the pickup point used?"),
    ("cash_as_card", {"tips"}, "other card figures"),
])  # fmt: skip
def test_broken_variant_is_caught(run_script, variant: str, caught_by: set[str], why: str) -> None:
    findings = run_script(VARIANTS / f"{variant}.py")
    assert findings.failing() == caught_by, findings
    assert_exact_outcomes(findings.outcomes(), {CHECK_OF[name] for name in caught_by}, context=findings)
    assert_exact_outcomes(findings.checks, {CHECK_OF[name] for name in caught_by}, context=findings)
    assert why in "\n".join(p for name in caught_by for p in getattr(findings, name))
