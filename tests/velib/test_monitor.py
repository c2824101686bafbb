"""The reference monitor against a real broker: the oracle's lines exactly, bad records, groups, shutdown."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import pytest
from kafka import KafkaAdminClient

from checks.s3_1_velib.oracle import StationId, expected_changes, expected_lines, lines_by_station, parse_line
from fixtures.jcdecaux import Fault, JCDecauxStandIn
from fixtures.jcdecaux.snapshots import Snapshot
from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.kafka.facts import group_offsets
from fixtures.system.wait import wait_until

from .kafka_helpers import create_topic, end_offsets, wait_caught_up
from .procs import CapturedOutput, Script, leaks, log_files

pytestmark = pytest.mark.slow
POLLS = ["--max-polls", "20", "--interval", "0"]
ASSIGNED = re.compile(r"partitions assigned: \[([\d, ]*)\]")


def station_lists(snapshots: list[Snapshot]) -> list[list[dict]]:
    return [s.stations for s in snapshots]


def by_station(lines: list[str], snapshots: list[Snapshot]) -> dict[StationId, list[str]]:
    """Group monitor lines by station, found from (contract, address): addresses are unique in the data."""
    ids = {(s["contract_name"], s["address"]): (s["contract_name"], s["number"])
           for snap in snapshots for s in snap.stations}
    grouped: dict[StationId, list[str]] = {}
    for line in lines:
        parsed = parse_line(line)
        assert parsed is not None, f"not a monitor line: {line!r}"
        grouped.setdefault(ids[(parsed[2], parsed[1])], []).append(line)
    return grouped


def finish(monitor: Script, admin: KafkaAdminClient, group: str, topic: str) -> None:
    """Wait until the group has committed everything, then stop the monitor with SIGTERM (exit 0)."""
    wait_caught_up(admin, group, topic)
    assert monitor.stop() == 0, monitor.stderr


def test_prints_exactly_the_expected_lines_on_one_partition(admin: KafkaAdminClient,
                                                            run_producer: Callable[..., Script],
                                                            run_monitor: Callable[..., Script],
                                                            snapshots: list[Snapshot]) -> None:
    """§3.1.2-3.1.3 as in the lab (one partition): the monitor's output is the oracle's, line for line."""
    create_topic(admin, "velib-p1", 1)
    assert run_producer("velib-p1", *POLLS).wait(60) == 0
    monitor = run_monitor("velib-p1", "velib-monitor-stations")
    finish(monitor, admin, "velib-monitor-stations", "velib-p1")
    assert monitor.lines == expected_lines(station_lists(snapshots))
    assert "summary: records=2280 malformed=0 lines=359" in monitor.stderr
    assert group_offsets(admin, "velib-monitor-stations", "velib-p1") == end_offsets(admin, "velib-p1")

    # Offsets were committed: the same group started again has nothing left to print.
    again = run_monitor("velib-p1", "velib-monitor-stations", "--idle-timeout", "3")
    assert again.wait(30) == 0
    assert again.lines == [] and "records=0" in again.stderr


def test_per_station_lines_on_ten_partitions(admin: KafkaAdminClient, run_producer: Callable[..., Script],
                                            run_monitor: Callable[..., Script],
                                            snapshots: list[Snapshot]) -> None:
    """§3.1.4: with 10 partitions the order between stations is lost, never the order within one."""
    create_topic(admin, "velib-p10", 10)
    assert run_producer("velib-p10", *POLLS).wait(60) == 0
    monitor = run_monitor("velib-p10", "velib-monitor-p10")
    finish(monitor, admin, "velib-monitor-p10", "velib-p10")
    expected = lines_by_station(expected_changes(station_lists(snapshots)))
    assert by_station(monitor.lines, snapshots) == expected


def test_skips_malformed_records_and_says_so(admin: KafkaAdminClient, velib_cluster: EmbeddedCluster,
                                             standin: JCDecauxStandIn, run_producer: Callable[..., Script],
                                             run_monitor: Callable[..., Script],
                                             snapshots: list[Snapshot]) -> None:
    create_topic(admin, "velib-bad", 1)
    station = snapshots[0].stations[0]
    garbage = [b"\xff\xfe not utf-8", b"not json", b"[1, 2]", json.dumps({"number": 1}).encode(),
               json.dumps({**station, "available_bike_stands": True}).encode(), None]
    producer = clients.producer(velib_cluster.bootstrap)
    try:
        for value in garbage:
            producer.send("velib-bad", value=value, key=b"garbage")
        producer.flush(timeout=15)
    finally:
        producer.close(timeout=5)
    # Two more broken stations come through the producer itself (the stand-in's malformed_station fault,
    # which does not advance the replay: 21 polls serve the 20 snapshots).
    standin.inject(Fault.MALFORMED_STATION)
    assert run_producer("velib-bad", "--max-polls", "21", "--interval", "0").wait(60) == 0
    monitor = run_monitor("velib-bad", "velib-monitor-bad")
    finish(monitor, admin, "velib-monitor-bad", "velib-bad")
    skipped = [line for line in monitor.stderr.splitlines() if line.startswith("skipping malformed record")]
    assert len(skipped) == len(garbage) + 2, monitor.stderr
    assert monitor.lines == expected_lines(station_lists(snapshots))


def group_members(admin: KafkaAdminClient, group: str) -> tuple[str, list[set[int]]]:
    described = admin.describe_groups([group])[group]
    members = [{p for a in m["member_assignment"]["assigned_partitions"] for p in a["partitions"]}
               for m in described["members"]]
    return described["group_state"], members


def last_assignment(monitor: Script) -> set[int] | None:
    found = ASSIGNED.findall(monitor.stderr)
    return {int(p) for p in found[-1].split(",") if p.strip()} if found else None


def test_two_monitors_in_one_group_never_report_the_same_station(admin: KafkaAdminClient,
                                                                 run_producer: Callable[..., Script],
                                                                 run_monitor: Callable[..., Script],
                                                                 snapshots: list[Snapshot]) -> None:
    """§3.1.4's problem, solved by keying: each station's records reach one monitor only."""
    create_topic(admin, "velib-pair", 10)
    group = "velib-monitor-pair"
    first = run_monitor("velib-pair", group, "--verbose")
    second = run_monitor("velib-pair", group, "--verbose")

    def settled() -> bool:
        state, members = group_members(admin, group)
        mine = [last_assignment(first), last_assignment(second)]
        return (state == "Stable" and len(members) == 2 and all(members)
                and all(mine) and not mine[0] & mine[1] and mine[0] | mine[1] == set(range(10)))

    wait_until(settled, 30, f"both monitors of {group} to own disjoint partitions")
    assert run_producer("velib-pair", *POLLS).wait(60) == 0
    wait_caught_up(admin, group, "velib-pair")
    assert first.stop() == 0 and second.stop() == 0
    one, two = by_station(first.lines, snapshots), by_station(second.lines, snapshots)
    assert one and two, "both monitors should print something"
    assert not set(one) & set(two), f"stations reported by both monitors: {sorted(set(one) & set(two))}"
    assert {**one, **two} == lines_by_station(expected_changes(station_lists(snapshots)))


def test_idle_timeout_bounds_a_run(admin: KafkaAdminClient, run_monitor: Callable[..., Script]) -> None:
    create_topic(admin, "velib-empty", 1)
    started = time.monotonic()
    monitor = run_monitor("velib-empty", "velib-monitor-empty", "--idle-timeout", "2")
    assert monitor.wait(30) == 0
    assert time.monotonic() - started < 20
    assert "summary: records=0" in monitor.stderr


def test_zz_no_api_key_in_any_output(api_key: str, transcript: CapturedOutput,
                                     velib_cluster: EmbeddedCluster) -> None:
    """Runs last in this module: every script output, in-process log and broker log, grepped for the key."""
    assert velib_cluster.workdir is not None
    found = leaks([api_key], transcript, log_files(velib_cluster.workdir))
    assert not found, f"the API key appears in: {found}"
