"""The velib oracle: facts of the real snapshots by hand, and properties over any stations and sequence."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checks.s3_1_velib.oracle import (
    REQUIRED_FIELDS,
    expected_changes,
    expected_lines,
    format_line,
    is_station,
    lines_by_station,
    load_station_lists,
    parse_line,
    record_problems,
    station_problems,
)
from fixtures.jcdecaux.server import malformed_stations
from fixtures.jcdecaux.snapshots import Snapshot, default_snapshot_dir

# ---------------------------------------------------------------- the lab's monitor, verbatim (§3.1.3)


def lab_monitor(values: list[bytes]) -> list[str]:
    """The lab's ``velib-monitor-stations.py`` loop body, as printed in the lab, over record values."""
    out = []
    stations: dict[Any, Any] = {}
    for value in values:
        station = json.loads(value.decode())
        station_number = station["number"]
        contract = station["contract_name"]
        available_bike_stands = station["available_bike_stands"]

        if contract not in stations:
            stations[contract] = {}
        city_stations = stations[contract]
        if station_number not in city_stations:
            city_stations[station_number] = available_bike_stands

        count_diff = available_bike_stands - city_stations[station_number]
        if count_diff != 0:
            city_stations[station_number] = available_bike_stands
            out.append("{}{} {} ({})".format("+" if count_diff > 0 else "", count_diff,
                                             station["address"], contract))
    return out


# ---------------------------------------------------------------- the real data


def real_lists() -> list[list[Any]]:
    return load_station_lists(sorted(default_snapshot_dir().glob("snapshot-*.json")))


def test_change_counts_match_sources_tsv() -> None:
    """SOURCES.tsv (written by whoever collected the data) counts the stations whose stands changed."""
    with open(default_snapshot_dir() / "SOURCES.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    column = "stations_with_changed_available_bike_stands_vs_previous"
    from_tsv = [int(row[column]) for row in rows[1:]]
    per_snapshot = defaultdict(int)
    for change in expected_changes(real_lists()):
        per_snapshot[change.snapshot] += 1
    assert [per_snapshot[i] for i in range(1, len(rows))] == from_tsv
    assert sum(from_tsv) == 359


def test_hand_picked_lines_of_the_real_data() -> None:
    changes = expected_changes(real_lists())
    assert changes[0].line == "-1 Clonmel Street (dublin)" and changes[0].snapshot == 1
    assert changes[0].station == ("dublin", 54)
    # README §2.2: 2194 free stands in snapshot 1, 2207 in snapshot 20, 84 stations differ between them.
    net = defaultdict(int)
    for change in changes:
        net[change.station] += change.diff
    assert sum(net.values()) == 2207 - 2194
    assert sum(1 for total in net.values() if total) == 84


def test_the_lab_monitor_agrees_on_the_real_data() -> None:
    values = [json.dumps(s).encode() for stations in real_lists() for s in stations]
    assert lab_monitor(values) == expected_lines(real_lists())


def test_addresses_with_parentheses_parse_back() -> None:
    line = format_line(2, "Wilton Terrace (Park)", "dublin")
    assert line == "+2 Wilton Terrace (Park) (dublin)"
    assert parse_line(line) == (2, "Wilton Terrace (Park)", "dublin")
    assert parse_line("-1 North Circular Road (O'Connell's) (dublin)") == (
        -1, "North Circular Road (O'Connell's)", "dublin")
    assert parse_line("Produced 114 station records") is None


def test_real_records_are_valid_and_broken_ones_are_named() -> None:
    station = real_lists()[0][0]
    assert record_problems(json.dumps(station).encode()) == []
    broken = malformed_stations(real_lists()[0])
    assert station_problems(broken[0]) == ["missing 'available_bike_stands'"]
    assert station_problems(broken[1]) == ["'available_bike_stands' is a string, not an integer"]
    assert record_problems(b"\xff\xfe") == ["not UTF-8 text"]
    assert record_problems(b"<html>")[0].startswith("not JSON")
    assert record_problems(None) == ["no value (null record)"]
    assert station_problems([1, 2]) == ["not a JSON object but a list"]
    assert station_problems({**station, "number": True}) == ["'number' is a boolean, not an integer"]
    assert station_problems({**station, "available_bike_stands": 3.0}) == [
        "'available_bike_stands' is a number with decimals, not an integer"]


def test_a_snapshot_made_up_is_serialised_like_the_api() -> None:
    made = Snapshot.from_stations("x", real_lists()[0])
    assert made.body == (default_snapshot_dir() / "snapshot-0001.json").read_bytes()


# ---------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
addresses = st.text(alphabet=st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                    max_size=30)
valid_stations = st.fixed_dictionaries({
    "number": st.integers(1, 4),
    "contract_name": st.sampled_from(["dublin", "lyon", "cergy-pontoise"]),
    "address": addresses,
    "available_bike_stands": st.integers(0, 40),
}, optional={"name": st.text(max_size=10), "status": st.sampled_from(["OPEN", "CLOSED"])})


@st.composite
def maybe_broken(draw: st.DrawFn) -> Any:
    station = draw(valid_stations)
    how = draw(st.sampled_from(["ok", "ok", "ok", "drop", "retype", "junk"]))
    if how == "drop":
        station.pop(draw(st.sampled_from(sorted(REQUIRED_FIELDS))))
    elif how == "retype":
        name = draw(st.sampled_from(sorted(REQUIRED_FIELDS)))
        station[name] = draw(json_values.filter(lambda v, n=name: not _right_type(v, n)))
    elif how == "junk":
        return draw(json_values)
    return station


def _right_type(value: Any, name: str) -> bool:
    kind = REQUIRED_FIELDS[name]
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


@given(json_values)
def test_validation_never_raises_and_matches_the_definition(value: Any) -> None:
    expected_ok = isinstance(value, dict) and all(
        name in value and _right_type(value[name], name) for name in REQUIRED_FIELDS)
    assert is_station(value) is expected_ok
    assert record_problems(json.dumps(value).encode()) == station_problems(value)


@given(st.lists(st.lists(valid_stations, max_size=8), max_size=6))
def test_oracle_equals_the_lab_monitor_on_valid_records(snapshots: list[list[dict]]) -> None:
    values = [json.dumps(s).encode() for stations in snapshots for s in stations]
    assert expected_lines(snapshots) == lab_monitor(values)


@given(st.lists(st.lists(maybe_broken(), max_size=8), max_size=6))
def test_broken_records_change_nothing(snapshots: list[list[Any]]) -> None:
    kept = [[s for s in stations if is_station(s)] for stations in snapshots]
    assert expected_lines(snapshots) == expected_lines(kept)


@given(st.lists(st.lists(maybe_broken(), max_size=8), max_size=6))
def test_lines_account_for_every_change(snapshots: list[list[Any]]) -> None:
    changes = expected_changes(snapshots)
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    transitions: dict[tuple, int] = defaultdict(int)
    for stations in snapshots:
        for s in stations:
            if is_station(s):
                sid = (s["contract_name"], s["number"])
                if sid in last and last[sid] != s["available_bike_stands"]:
                    transitions[sid] += 1
                first.setdefault(sid, s["available_bike_stands"])
                last[sid] = s["available_bike_stands"]
    net: dict[tuple, int] = defaultdict(int)
    for change in changes:
        assert change.diff != 0
        parsed = parse_line(change.line)
        assert parsed is not None and parsed[0] == change.diff and parsed[2] == change.station[0]
        net[change.station] += change.diff
    for sid in first:
        assert first[sid] + net[sid] == last[sid]
    assert {sid: n for sid, n in transitions.items() if n} == dict(
        (sid, len(lines)) for sid, lines in lines_by_station(changes).items())


@settings(max_examples=60)
@given(st.lists(st.lists(valid_stations, max_size=8), min_size=1, max_size=6), st.integers(1, 10),
       st.randoms(use_true_random=False))
def test_keyed_partitions_keep_each_station_s_lines(snapshots: list[list[dict]], partitions: int,
                                                   rng: random.Random) -> None:
    """Keying by station puts its records in one partition; any interleaving of the partitions (what a
    consumer of several partitions sees) then gives every station the same lines, in the same order."""
    queues: list[list[dict]] = [[] for _ in range(partitions)]
    for stations in snapshots:
        for s in stations:
            queues[hash((s["contract_name"], s["number"])) % partitions].append(s)
    interleaved = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        interleaved.append(queue.pop(0))
    assert lines_by_station(expected_changes([interleaved])) == lines_by_station(expected_changes(snapshots))
