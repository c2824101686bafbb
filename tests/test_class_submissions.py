"""A class graded as instructors grade it: one roster, each student one subject (cluster + submission folder),
the expected outcome state of every check and the grade per student, the same serially and with ``-n 4``.

The class is ``tests/support/submission_class.py``: ada flawless, ben's Spark job without watermark, cleo's
producer keyed by city, dan handed nothing in, eve advertises ``localhost``, fay's host is dead. Graded
without ``--allow-destructive``: ada gets 20/20 on the points evaluated and her report says which check was
not evaluated and why. One grading per mode, both at once, shared by every assertion (Spark runs twice per
grading).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reports.results import BLOCKED, FAILED, NOT_EVALUATED, PASSED, CheckResult, TargetResults
from reports.rubric import Rubric
from tests.conftest import ClassGrading, ClassRun
from tests.support import hosts
from tests.support.submission_class import STUDENTS, SubmissionClass, submission_class

pytestmark = [pytest.mark.slow, pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))]
GRADE_TIMEOUT_S = 2400

S2 = ("test_zookeeper_answers_on_its_port", "test_broker_speaks_kafka", "test_broker_is_registered_in_zookeeper",
      "test_broker_advertises_a_reachable_address", "test_conversation_topic_exists",
      "test_conversation_description_is_consistent", "test_conversation_has_two_partitions",
      "test_conversation_keeps_messages_from_the_beginning", "test_mygroup_exists",
      "test_mygroup_has_committed_offsets_on_conversation", "test_group_consumes_each_message_exactly_once",
      "test_partitions_are_shared_by_two_consumers_of_a_group")
S3_1 = ("test_velib_topic_exists", "test_velib_records_are_station_json",
        "test_velib_monitor_group_has_committed_offsets", "test_velib_topic_has_ten_partitions",
        "test_velib_each_station_is_in_one_partition")
S3_2 = ("test_cluster_has_at_least_two_brokers", "test_cluster_velib_stations_is_replicated",
        "test_cluster_leaders_are_spread", "test_cluster_in_sync_replicas_are_full")
REPLICATION = "test_replication_survives_a_broker_shutdown"
S4_1 = ("test_taxirides_holds_the_ride_file", "test_taxifares_holds_the_fare_file",
        "test_taxirides_records_are_ride_lines", "test_taxifares_records_are_fare_lines")
# Kafka 4's checks: not applicable (not evaluated) on a ZooKeeper cluster, like every cluster of this class.
KRAFT = ("test_metadata_quorum_answers", "test_kraft_node_roles_and_listeners",
         "test_brokers_registered_with_the_quorum")
CLUSTER = (*S2, *S3_1, *S3_2, REPLICATION, *S4_1, *KRAFT)
VELIB = ("test_velib_submission_has_both_scripts", "test_velib_api_key_is_not_written_in_the_scripts",
         "test_velib_producer_sends_one_record_per_station_per_poll", "test_velib_api_key_is_never_printed",
         "test_velib_producer_stays_in_its_sandbox", "test_velib_monitor_prints_the_expected_lines",
         "test_velib_monitor_survives_a_malformed_record", "test_velib_monitor_commits_offsets_in_its_group",
         "test_velib_monitor_stays_in_its_sandbox", "test_velib_producer_keys_records_by_station",
         "test_velib_two_monitors_never_report_the_same_station")
SPARK = ("test_spark_script_finishes", "test_spark_parsed_schema_has_the_lab_types",
         "test_spark_parsed_values_match_the_lines", "test_spark_cleaning_keeps_end_events_inside_new_york",
         "test_spark_join_equals_the_oracle", "test_spark_join_has_watermarks_and_bounded_state",
         "test_spark_tips_per_zone_match_the_oracle")


def _states(default: str, checks: tuple[str, ...], **exceptions: str) -> dict[str, str]:
    return {check: exceptions.get(check, default) for check in checks}


# A Pi stopped at §2.1.5 (conversation with one partition, no group; nothing of §3 or §4.1): what cleo and dan get.
STOPPED_AT_2_1_5 = {
    **_states(PASSED, S2, test_conversation_has_two_partitions=FAILED, test_mygroup_exists=FAILED,
              test_mygroup_has_committed_offsets_on_conversation=FAILED,
              test_partitions_are_shared_by_two_consumers_of_a_group=FAILED),
    **_states(BLOCKED, S3_1, test_velib_topic_exists=FAILED),
    **_states(BLOCKED, S3_2, test_cluster_has_at_least_two_brokers=FAILED),
    REPLICATION: NOT_EVALUATED,  # destructive, not allowed: decided before anything is looked at
    **_states(BLOCKED, S4_1, test_taxirides_holds_the_ride_file=FAILED, test_taxifares_holds_the_fare_file=FAILED),
    **_states(NOT_EVALUATED, KRAFT),
}
# No broker to talk to: everything after the first failed step is blocked by it.
NO_BROKER = {**_states(BLOCKED, CLUSTER), "test_broker_speaks_kafka": FAILED}
NOT_SUBMITTED = {**_states(FAILED, VELIB), **_states(FAILED, SPARK)}

EXPECTED: dict[str, dict[str, str]] = {
    "ada": {**_states(PASSED, CLUSTER), REPLICATION: NOT_EVALUATED, **_states(NOT_EVALUATED, KRAFT),
            **_states(PASSED, VELIB), **_states(PASSED, SPARK)},
    "ben": {**NO_BROKER, "test_zookeeper_answers_on_its_port": PASSED, **_states(PASSED, VELIB),
            **_states(PASSED, SPARK, test_spark_join_has_watermarks_and_bounded_state=FAILED,
                      test_spark_tips_per_zone_match_the_oracle=FAILED)},
    "cleo": {**STOPPED_AT_2_1_5, **_states(PASSED, VELIB, test_velib_producer_keys_records_by_station=FAILED),
             **_states(FAILED, SPARK)},
    "dan": {**STOPPED_AT_2_1_5, **NOT_SUBMITTED},
    # eve: §2 done on her Pi; only the advertised address is wrong: partial credit through the bootstrap address.
    "eve": {**_states(PASSED, S2, test_broker_advertises_a_reachable_address=FAILED),
            **_states(BLOCKED, S3_1, test_velib_topic_exists=FAILED),
            **_states(BLOCKED, S3_2, test_cluster_has_at_least_two_brokers=FAILED),
            # the survival trial runs the student's own kind of clients, which follow the advertised address
            REPLICATION: BLOCKED,
            **_states(BLOCKED, S4_1, test_taxirides_holds_the_ride_file=FAILED,
                      test_taxifares_holds_the_fare_file=FAILED),
            **_states(NOT_EVALUATED, KRAFT),
            **_states(BLOCKED, VELIB, test_velib_submission_has_both_scripts=FAILED), **_states(FAILED, SPARK)},
    "fay": {**NO_BROKER, "test_zookeeper_answers_on_its_port": FAILED, **_states(PASSED, VELIB),
            **_states(FAILED, SPARK)},
}

def expected(student: str) -> dict[str, str]:
    return EXPECTED[student]


def expected_grade(student: str) -> float:
    """The rubric's grade of the expected outcomes (the rubric's weights are its own business)."""
    results = [CheckResult(student, check, check, "", state) for check, state in expected(student).items()]
    return Rubric.load().grade(TargetResults(student, results)).on_20


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubmissionClass]:
    with submission_class(tmp_path_factory.mktemp("subjects")) as running:
        yield running


@pytest.fixture(scope="module")
def gradings(klass: SubmissionClass, tmp_path_factory: pytest.TempPathFactory) -> tuple[ClassRun, ClassRun]:
    """The class graded serially and with ``-n 4`` **at the same time**, as two instructors could: each grader
    names its own objects on the students' clusters and has its own cluster for the scripts, so neither may
    change the other's verdicts (and the wall clock of this module is the longer grading's, not the sum)."""
    started = [ClassGrading(tmp_path_factory.mktemp(mode), "--roster", str(klass.roster), *args)
               for mode, args in (("serial", ()), ("parallel", ("-n", "4")))]
    try:
        serial, parallel = (grading.result(GRADE_TIMEOUT_S) for grading in started)
    finally:
        for grading in started:
            grading.stop()
    return serial, parallel


@pytest.fixture(scope="module")
def serial(gradings: tuple[ClassRun, ClassRun]) -> ClassRun:
    return gradings[0]


@pytest.fixture(scope="module")
def parallel(gradings: tuple[ClassRun, ClassRun]) -> ClassRun:
    return gradings[1]


def test_every_student_is_one_subject_with_every_check(serial: ClassRun) -> None:
    assert sorted(serial.outcomes) == sorted(STUDENTS), serial.output[-3000:]
    for student in STUDENTS:
        assert sorted(serial.outcomes[student]) == sorted(EXPECTED[student]), student


@pytest.mark.parametrize("student", STUDENTS)
def test_each_check_has_the_state_the_student_deserves(serial: ClassRun, student: str) -> None:
    found = serial.outcomes[student]
    wrong = {check: (state, found.get(check), serial.reason(student, check) if check in found else "")
             for check, state in expected(student).items() if found.get(check) != state}
    assert not wrong, wrong


@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_gets_the_grade_of_their_outcomes(serial: ClassRun, student: str) -> None:
    assert serial.grades[student] == pytest.approx(expected_grade(student), abs=0.01)


def test_the_flawless_student_gets_20_on_the_points_evaluated_and_is_told_what_was_not(serial: ClassRun) -> None:
    assert serial.grades["ada"] == 20
    meta = next(r for r in serial.results["ada"] if r["check"] == REPLICATION)
    assert meta["outcome"] == NOT_EVALUATED and "--allow-destructive" in meta["reason"]
    html = (serial.report_dir / "ada.html").read_text()
    assert "20.00/20" in html and "--allow-destructive" in html
    assert "test_replication" in serial.output or "destructive check not allowed" in serial.output


def test_nothing_handed_in_says_so_and_the_scripts_count_without_a_live_pi(serial: ClassRun) -> None:
    assert all(serial.reason("dan", check).startswith("non rendu · not submitted") for check in (*VELIB, *SPARK))
    assert "sstreaming-spark-out.py" in serial.reason("cleo", "test_spark_script_finishes")
    assert "velib-get-stations.py" in serial.reason("eve", "test_velib_producer_keys_records_by_station")
    # fay's Pi does not resolve, her scripts still ran on the grader's cluster, and count in her grade.
    assert serial.grades["fay"] > 0


def test_parallel_grading_gives_the_same_states_and_grades(serial: ClassRun, parallel: ClassRun) -> None:
    assert parallel.outcomes == serial.outcomes
    assert parallel.grades == serial.grades
