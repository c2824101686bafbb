"""§4.2–4.5 — a student's Spark Structured Streaming script, run by the grader on its own cluster.

Each student's script comes from their roster submission folder (``sstreaming-spark-out.py`` or
``sstreaming.py``, ``fixtures/plugin/submissions.py``), or one script alone from ``--spark-script FILE``; the contract
is ``reference/spark/README.md``. For each script the grader creates two fresh topics on a local cluster of its
own, writes the class's data (``--taxi-rides``/``--taxi-fares``; by default the shipped matched sample: 888 ride
lines, 444 fares) and the end-of-stream ticks derived from it (``fixtures/taxi/ticks.py``), runs the script once
in a subprocess with a timeout (one Spark job per core at most, even with ``-n N``: ``--spark-jobs``), and
compares what it wrote with the oracle (``checks/s4_streaming/oracle.py``). The results land in that student's
report. When the script does not finish, the first check fails with the end of its output and the others are
blocked.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.s4_streaming import verify
from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.outputs import RunOutputs
from checks.s4_streaming.pictures import tips_map
from checks.s4_streaming.submission import StreamSource, SubmissionRun, run_submission
from fixtures.kafka import clients
from fixtures.plugin.submissions import SPARK, SPARK_FILES, Submission, spark_slot
from fixtures.plugin.verdict import Hint, fail, needs, not_evaluated, not_submitted, record_figure, record_found
from fixtures.spark.session import MASTER
from fixtures.taxi.files import fare_file, read_lines, spark_ride_file
from fixtures.taxi.ingest import create_topics, replay
from fixtures.taxi.ticks import ticks_for

from . import hints

pytestmark = pytest.mark.submitted(SPARK)


# ---------------------------------------------------------------- fixtures (the dependency chain)


@pytest.fixture(scope="module")
def spark_script(submission: Submission) -> Path:
    path = submission.spark_script
    if path is None:
        not_submitted(f"none of {', '.join(SPARK_FILES)} ({submission.where()})")
    if importlib.util.find_spec("pyspark") is None:
        not_evaluated("the grader's `spark` extra (pyspark) is not installed: pip install -e '.[spark]'")
    return path


@pytest.fixture(scope="session")
def spark_bootstrap(request: pytest.FixtureRequest) -> str:
    """Where the Spark runs read: the cluster given (``--spark-bootstrap``), else the run's grader cluster (one
    per run, shared by the xdist workers: ``fixtures/plugin/grader_cluster.py``). Asked for by ``spark_run``
    only once a script is known to be there, so a class without Spark scripts starts no cluster for it."""
    return request.config.getoption("kafkalab_spark_bootstrap") or request.getfixturevalue("grader_bootstrap")


@pytest.fixture(scope="session")
def spark_lines() -> tuple[list[str], list[str]]:
    """The chosen rides and fares, each followed by its tick (a day after the data's last event)."""
    rides, fares = spark_ride_file(), fare_file()
    ticks = ticks_for(rides, fares)
    return [*read_lines(rides), ticks.ride], [*read_lines(fares), ticks.fare]


@pytest.fixture(scope="session")
def spark_expected(spark_lines) -> Expected:
    return Expected.from_lines(*spark_lines)


@pytest.fixture(scope="module")
def spark_run(submission: Submission, spark_script: Path, spark_lines, request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubmissionRun]:
    """The student's script, run once on fresh grader-named topics holding the sample and the ticks."""
    # Asked for here, not as an argument: pytest sets session fixtures up before module ones, and the cluster
    # must not start before ``spark_script`` has found a script to run.
    spark_bootstrap = request.getfixturevalue("spark_bootstrap")
    rides_topic, fares_topic = clients.grader_name("taxirides"), clients.grader_name("taxifares")
    create_topics(spark_bootstrap, [rides_topic, fares_topic])
    for topic, lines in zip((rides_topic, fares_topic), spark_lines):
        replay(spark_bootstrap, topic, lines, chunk_size=len(lines), pause_s=0, via="python")
    # With --report-dir the run folder (outputs, stdout/stderr, recorded plans) is kept beside the reports.
    report_dir = request.config.getoption("kafkalab_report_dir", None)
    if report_dir:
        Path(report_dir).mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"spark-run-{spark_script.stem}-{submission.id}-", dir=report_dir))
    else:
        workdir = tmp_path_factory.mktemp(f"spark-run-{submission.id}")
    try:
        with spark_slot(request.config.getoption("kafkalab_spark_jobs")):
            run = run_submission(spark_script, StreamSource(spark_bootstrap, rides_topic, fares_topic), workdir,
                                 timeout=request.config.getoption("kafkalab_spark_timeout"),
                                 master=request.config.getoption("kafkalab_spark_master") or MASTER)
        yield run
    finally:
        admin = clients.admin(spark_bootstrap)
        try:
            admin.delete_topics([rides_topic, fares_topic])
        finally:
            admin.close()


@pytest.fixture(scope="module")
def spark_outputs(spark_run: SubmissionRun) -> RunOutputs:
    if not spark_run.ok:
        needs("a run of the Spark script that finishes", spark_run.describe().splitlines()[0])
    return RunOutputs(spark_run.output_dir, spark_run.hook_dir)


def _fail_on(problems: list[str], hint: Hint, expected: str) -> None:
    __tracebackhide__ = True
    if problems:
        fail(problems[0] + (f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""), hint,
             expected=expected, found="\n".join(problems))


# ---------------------------------------------------------------- checks


@pytest.mark.step("4.2", points=1)
def test_spark_script_finishes(spark_run: SubmissionRun) -> None:
    """The Spark script runs to its end within the timeout, without error.

    FR: Le script Spark va jusqu'au bout dans le temps imparti, sans erreur."""
    record_found(f"{spark_run.describe().splitlines()[0]} (run folder {spark_run.workdir})")
    if spark_run.timed_out:
        fail(f"the script did not finish within {spark_run.timeout_s:.0f}s and was stopped", hints.SPARK_TIMEOUT,
             expected="exit status 0", found=spark_run.output_tail(20))
    if spark_run.returncode != 0:
        fail(f"the script exited with code {spark_run.returncode}", hints.SPARK_CRASH, expected="exit status 0",
             found=spark_run.output_tail(20))


@pytest.mark.step("4.2", points=1)
def test_spark_parsed_schema_has_the_lab_types(spark_outputs: RunOutputs) -> None:
    """The parsed rides and fares have the lab's column names and types.

    FR: Les courses et tarifs analysés ont les noms et les types de colonnes du TP."""
    problems = verify.schema_problems(spark_outputs.query("rides"), verify.RIDE_TYPES, "rides")
    problems += verify.schema_problems(spark_outputs.query("fares"), verify.FARE_TYPES, "fares")
    _fail_on(problems, hints.SPARK_SCHEMA, "the columns of taxiRidesSchema and taxiFaresSchema")


@pytest.mark.step("4.2", points=1)
def test_spark_parsed_values_match_the_lines(spark_outputs: RunOutputs,
                                             spark_expected: Expected) -> None:
    """Every parsed ride and fare holds the values of its line, each in the right column.

    FR: Chaque course et chaque tarif analysé porte les valeurs de sa ligne, chacune dans la bonne colonne."""
    rides, fares = spark_outputs.records("rides"), spark_outputs.records("fares")
    record_found(f"{len(rides)} rides and {len(fares)} fares parsed")
    problems = verify.parsed_rides_problems(rides, spark_expected)
    problems += verify.parsed_fares_problems(fares, spark_expected)
    _fail_on(problems, hints.SPARK_VALUES, f"{len(spark_expected.rides)} rides and {len(spark_expected.fares)} fares")


@pytest.mark.step("4.4", points=1)
def test_spark_cleaning_keeps_end_events_inside_new_york(spark_outputs: RunOutputs,
                                                         spark_expected: Expected) -> None:
    """Cleaning leaves no START event and no point outside the New York box, and drops nothing else.

    FR: Le nettoyage ne laisse aucun événement START ni aucun point hors du cadre de New York, et ne retire rien
    d'autre."""
    cleaned = spark_outputs.records("cleaned")
    record_found(f"{len(cleaned)} rides kept")
    _fail_on(verify.cleaning_problems(cleaned, spark_expected), hints.SPARK_CLEANING,
             f"{len(spark_expected.cleaned)} END events inside the box")


@pytest.mark.step("4.5", points=1)
def test_spark_join_equals_the_oracle(spark_outputs: RunOutputs, spark_expected: Expected) -> None:
    """The stream-stream join gives the oracle's rows: same rides, fares and tips, none outside the time window.

    FR: La jointure stream-stream donne les lignes de l'oracle : mêmes courses, tarifs et pourboires, aucune hors de
    la fenêtre de temps."""
    joined = spark_outputs.records("joined")
    record_found(f"{len(joined)} joined rows")
    _fail_on(verify.join_problems(joined, spark_expected), hints.SPARK_JOIN, f"{len(spark_expected.joined)} rows")


@pytest.mark.step("4.5", points=1)
def test_spark_join_has_watermarks_and_bounded_state(spark_outputs: RunOutputs) -> None:
    """The join has a watermark on each side and Spark can drop its state (plan and progress figures).

    FR: La jointure a un watermark de chaque côté et Spark peut libérer son état (plan et chiffres de progression)."""
    query = spark_outputs.query("joined")
    record_found(verify.state_summary(query))
    _fail_on(verify.state_problems(query), hints.SPARK_STATE,
             "state cleanup [ left value predicate: …, right value predicate: … ]")


@pytest.mark.step("4.5", points=1)
def test_spark_tips_per_zone_match_the_oracle(spark_outputs: RunOutputs,
                                              spark_expected: Expected) -> None:
    """Tips per Manhattan taxi zone of pickup and 15-minute window (all payments and card only) match the oracle.

    FR: Les pourboires par zone de taxi de Manhattan (prise en charge) et fenêtre de 15 minutes (tous paiements et
    carte seule) sont ceux de l'oracle."""
    tips = spark_outputs.records("tips")
    record_found(f"{len(tips)} (window, zone) cells")
    record_figure(tips_map(tips, spark_expected))
    _fail_on(verify.tips_problems(tips, spark_expected), hints.SPARK_TIPS, f"{len(spark_expected.tips)} cells")
