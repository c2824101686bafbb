"""Broken §3.1 scripts, each with one mistake, written the way the lab's scripts are (hard-coded API URL and
``localhost:9092``, which the grader redirects). ``VARIANTS`` maps each to the file it replaces in a copy of
the reference submission and to the checks that must fail on it."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# variant file -> (the submission file it replaces, the checks that must fail)
VARIANTS: dict[str, tuple[str, set[str]]] = {
    "unkeyed_producer": ("velib-get-stations.py", {"test_velib_producer_keys_records_by_station"}),
    "city_keyed_producer": ("velib-get-stations.py", {"test_velib_producer_keys_records_by_station"}),
    "constant_keyed_producer": ("velib-get-stations.py", {"test_velib_producer_keys_records_by_station"}),
    "hardcoded_key_producer": ("velib-get-stations.py", {"test_velib_api_key_is_not_written_in_the_scripts"}),
    "printed_key_producer": ("velib-get-stations.py", {"test_velib_api_key_is_never_printed"}),
    "wrong_topic_producer": ("velib-get-stations.py", {"test_velib_producer_sends_one_record_per_station_per_poll"}),
    "groupless_monitor": ("velib-monitor-stations.py", {"test_velib_monitor_commits_offsets_in_its_group",
                                                        "test_velib_two_monitors_never_report_the_same_station"}),
    "crashing_monitor": ("velib-monitor-stations.py", {"test_velib_monitor_survives_a_malformed_record"}),
    "single_instance_monitor": ("velib-monitor-stations.py", {"test_velib_two_monitors_never_report_the_same_station"}),
}
