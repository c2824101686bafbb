"""The §4.2 and §4.4 treatments shipped beside the reference (``reference/spark/*.py``) run under the contract and
write what a plain-Python recomputation of the same lines gives (``tests/support/treatments.py``).

They run in the package's warm in-process session (``conftest.spark``), each once, against the sample's topics.
"""

from __future__ import annotations

import pytest

from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.outputs import RunOutputs
from tests.support import treatments
from tests.support.paths import REFERENCE

from .conftest import run_in_process

pytestmark = pytest.mark.slow
SCRIPTS = {"durations": ("durations", "speeds"), "payments": ("payments",),
           "airports": ("airport_rides", "airports"), "passengers": ("plausible", "passengers")}


@pytest.fixture(scope="module")
def recomputed(spark_expected: Expected) -> treatments.Treatments:
    return treatments.Treatments(spark_expected)


@pytest.fixture(scope="module")
def run(spark, taxi_cluster, tmp_path_factory):
    cache: dict[str, RunOutputs] = {}

    def run(script: str) -> RunOutputs:
        if script not in cache:
            path = REFERENCE / "spark" / f"{script}.py"
            cache[script] = run_in_process(path, taxi_cluster.bootstrap, tmp_path_factory.mktemp(script))
        return cache[script]

    return run


@pytest.mark.parametrize("script", SCRIPTS)
def test_treatment_writes_what_plain_python_computes(run, recomputed, script: str) -> None:
    outputs = run(script)
    for name in SCRIPTS[script]:
        query = outputs.query(name)
        assert query is not None and query.exception is None, (name, query)
        records = outputs.records(name)
        want = getattr(recomputed, name)()
        assert want, f"{name}: the recomputation is empty: the comparison would prove nothing"
        assert treatments.problems(name, records, want) == [], name


def test_comparison_sees_a_wrong_figure(recomputed) -> None:
    """The comparison is not blind: a changed figure, a missing and an extra row are each reported."""
    want = recomputed.passengers()
    records = [{"windowStart": key[0].isoformat(), "passengerCnt": key[1], **{k: v for k, v in cell.items()
                                                                            if k != "windowEnd"},
                "windowEnd": cell["windowEnd"].isoformat()} for key, cell in want.items()]
    assert treatments.problems("passengers", records, want) == []
    records[0]["tipSum"] += 1.0
    extra = dict(records[1], passengerCnt=0)
    found = treatments.problems("passengers", [extra, *records[:-1]], want)
    assert any("tipSum" in p for p in found) and any("missing" in p for p in found)
    assert any("not expected" in p for p in found)


def test_scripts_follow_the_reference_s_settings() -> None:
    """One place for the shared constants: the scripts read the reference's, the recomputation states its own."""
    import runpy

    pytest.importorskip("pyspark")
    for script in SCRIPTS:
        text = (REFERENCE / "spark" / f"{script}.py").read_text()
        assert "import sstreaming as ref" in text and "ref.run_queries(" in text, script
    passengers = runpy.run_path(str(REFERENCE / "spark" / "passengers.py"))
    assert (passengers["MIN_PASSENGERS"], passengers["MAX_PASSENGERS"], passengers["MAX_KMH"]) == (
        treatments.MIN_PASSENGERS, treatments.MAX_PASSENGERS, treatments.MAX_KMH)
    airports = runpy.run_path(str(REFERENCE / "spark" / "airports.py"))
    assert set(airports["AIRPORTS"]) == set(treatments.AIRPORTS)
    durations = runpy.run_path(str(REFERENCE / "spark" / "durations.py"))
    assert durations["EARTH_RADIUS_KM"] == treatments.EARTH_RADIUS_KM

