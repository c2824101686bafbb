"""Broken §3.1 scripts, each with one mistake, written the way the lab's scripts are (hard-coded API URL and
``localhost:9092``, which the grader redirects). ``VARIANTS`` maps each to the file it replaces in a copy of
the reference submission and to the checks that must fail on it."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

LINES = "test_velib_monitor_prints_the_expected_lines"
MALFORMED = "test_velib_monitor_survives_a_malformed_record"
KEYS = "test_velib_producer_keys_records_by_station"
TWO = "test_velib_two_monitors_never_report_the_same_station"
COMMITS = "test_velib_monitor_commits_offsets_in_its_group"

# variant file -> (the submission file it replaces, the checks that must fail, the checks blocked by them);
# every other check of the submission must pass (tests/support/outcomes.py).
VARIANTS: dict[str, tuple[str, set[str], set[str]]] = {
    "unkeyed_producer": ("velib-get-stations.py", {KEYS}, set()),
    "city_keyed_producer": ("velib-get-stations.py", {KEYS}, set()),
    "constant_keyed_producer": ("velib-get-stations.py", {KEYS}, set()),
    # the stand-in accepts only the key the grader drew: a key written in the code is refused, nothing is sent
    "hardcoded_key_producer": ("velib-get-stations.py", {"test_velib_api_key_is_not_written_in_the_scripts",
                                                         "test_velib_producer_sends_one_record_per_station_per_poll"},
                               {KEYS}),
    "printed_key_producer": ("velib-get-stations.py", {"test_velib_api_key_is_never_printed"}, set()),
    "wrong_topic_producer": ("velib-get-stations.py", {"test_velib_producer_sends_one_record_per_station_per_poll"},
                             {KEYS}),
    # without a group each instance reads every partition: every line twice, before and after the malformed ones
    "groupless_monitor": ("velib-monitor-stations.py", {COMMITS, TWO, LINES, MALFORMED}, set()),
    "crashing_monitor": ("velib-monitor-stations.py", {MALFORMED}, set()),
    "single_instance_monitor": ("velib-monitor-stations.py", {TWO}, set()),
    "zero_start_monitor": ("velib-monitor-stations.py", {LINES}, set()),
    "stale_state_monitor": ("velib-monitor-stations.py", {LINES, MALFORMED}, set()),
}
