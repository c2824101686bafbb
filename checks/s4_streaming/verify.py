"""Compare what a submission wrote with the oracle: one function per graded property, each returning problems.

An empty list means the property holds. Each problem is one sentence a student can act on, with counts
and a first example, e.g. ``endTime differs on 444 of 445 END events; first: rideId 65 expected … found …``.
Nothing here needs Spark: the inputs are the JSON records and the recorded query (schema, plan, progress).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from checks.s4_streaming.oracle import MAX_RIDE, Expected
from fixtures.taxi.geo import in_new_york
from fixtures.taxi.records import END, START, f32

from .outputs import QueryRecord, parse_timestamp

# The lab's schemas (§4.2), as Spark names the types in a schema's JSON.
RIDE_TYPES = {
    "rideId": "long", "isStart": "string", "endTime": "timestamp", "startTime": "timestamp",
    "startLon": "float", "startLat": "float", "endLon": "float", "endLat": "float",
    "passengerCnt": "short", "taxiId": "long", "driverId": "long",
}  # fmt: skip
FARE_TYPES = {
    "rideId": "long", "taxiId": "long", "driverId": "long", "startTime": "timestamp",
    "paymentType": "string", "tip": "float", "tolls": "float", "totalFare": "float",
}  # fmt: skip
TIME_COLUMNS = {"endTime", "startTime"}
FLOAT_COLUMNS = {"startLon", "startLat", "endLon", "endLat", "tip", "tolls", "totalFare"}
JOIN_OPERATOR = "symmetricHashJoin"
TIP_TOLERANCE = 1e-6  # a sum of binary32 tips in another order differs in the last bits only


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return repr(value)


def _normal(column: str, value: Any) -> Any:
    """A JSON value as comparable to the oracle's: UTC datetimes, binary32 floats, ints."""
    if value is None:
        return None
    if column in TIME_COLUMNS:
        try:
            return parse_timestamp(value)
        except (TypeError, ValueError):
            return value
    if column in FLOAT_COLUMNS and isinstance(value, (int, float)):
        return f32(float(value))
    return value


def schema_problems(query: QueryRecord | None, expected: Mapping[str, str], what: str) -> list[str]:
    """The DataFrame of query ``what`` has every lab column with the lab's type (extra columns are fine)."""
    if query is None or query.schema is None:
        return [f"no streaming query named {what!r} was started (queryName({what!r}) … start())"]
    found = query.field_types()
    problems = [f"{what}: column {name} is missing" for name in expected if name not in found]
    problems += [f"{what}: column {name} is {found[name]}, the lab's schema says {kind}"
                 for name, kind in expected.items() if name in found and found[name] != kind]
    return problems


class _Mismatches:
    """Per-column mismatch counts with the first example of each."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def add(self, column: str, key: str, want: Any, got: Any) -> None:
        self.count[column] += 1
        self.first.setdefault(column, f"{key}: expected {_show(want)}, found {_show(got)}")

    def problems(self, what: str, total: Mapping[str, int], unit: str = "records") -> list[str]:
        return [f"{what}: {column} differs on {n} of {total[column]} {unit}; first: {self.first[column]}"
                for column, n in self.count.most_common()]


def parsed_rides_problems(records: list[dict[str, Any]], expected: Expected) -> list[str]:
    """Every ingested ride line is in the parsed output once, with the right value in every lab column.

    END events must read ``endTime`` = column 3 and ``startTime`` = column 4. START events may follow the
    real meaning (``startTime`` = column 3, ``endTime`` null) or the lab's literal schema (``endTime`` =
    column 3, ``startTime`` = 1970-01-01): the lab drops START events before using the times.
    """
    if not records:
        return ["rides: the output is empty (did the query read the topic from the beginning, "
                "startingOffsets=earliest?)"]
    want = {(r.ride_id, r.kind): r for r in expected.rides}
    seen: Counter[tuple[Any, Any]] = Counter()
    mismatches = {END: _Mismatches(), START: _Mismatches()}
    totals: dict[str, Counter[str]] = {END: Counter(), START: Counter()}
    for record in records:
        key = (record.get("rideId"), record.get("isStart"))
        seen[key] += 1
        ride = want.get(key)
        if ride is None:
            continue
        candidates = [ride.lab_columns()] if not ride.is_start else [ride.real_columns(), ride.lab_columns()]
        for column in RIDE_TYPES:
            totals[ride.kind][column] += 1
            got = _normal(column, record.get(column))
            if all(got != columns[column] for columns in candidates):
                mismatches[ride.kind].add(column, f"rideId {ride.ride_id} {ride.kind}", candidates[0][column], got)
    # END events first: their columns have one right answer, so their examples are the clearest.
    problems = mismatches[END].problems("rides", totals[END], "END events")
    problems += mismatches[START].problems("rides", totals[START],
                                           "START events (with either the real or the lab's literal meaning)")
    missing = [k for k in want if seen[k] == 0]
    unknown = [k for k in seen if k not in want]
    doubled = [k for k, n in seen.items() if n > 1 and k in want]
    if missing:
        problems.append(f"rides: {len(missing)} of {len(want)} ride events are missing; first: {missing[0]}")
    if unknown:
        problems.append(f"rides: {sum(seen[k] for k in unknown)} records match no ingested line "
                        f"(rideId, isStart) — a column in the wrong place? first: {unknown[0]}")
    if doubled:
        problems.append(f"rides: {len(doubled)} ride events are written more than once; first: {doubled[0]}")
    return problems


def parsed_fares_problems(records: list[dict[str, Any]], expected: Expected) -> list[str]:
    if not records:
        return ["fares: the output is empty (did the query read the topic from the beginning, "
                "startingOffsets=earliest?)"]
    want = {f.ride_id: f.lab_columns() for f in expected.fares}
    seen: Counter[Any] = Counter()
    mismatches = _Mismatches()
    totals: Counter[str] = Counter()
    for record in records:
        ride_id = record.get("rideId")
        seen[ride_id] += 1
        columns = want.get(ride_id)
        if columns is None:
            continue
        for column in FARE_TYPES:
            totals[column] += 1
            got = _normal(column, record.get(column))
            if got != columns[column]:
                mismatches.add(column, f"rideId {ride_id}", columns[column], got)
    problems = mismatches.problems("fares", totals)
    missing = [k for k in want if seen[k] == 0]
    if missing:
        problems.append(f"fares: {len(missing)} of {len(want)} fares are missing; first: rideId {missing[0]}")
    unknown = [k for k in seen if k not in want]
    if unknown:
        problems.append(f"fares: {sum(seen[k] for k in unknown)} records match no ingested fare; "
                        f"first: rideId {unknown[0]!r}")
    return problems


def cleaning_problems(records: list[dict[str, Any]], expected: Expected) -> list[str]:
    """§4.4: no START event, no point outside the New York box, and exactly the oracle's rides."""
    problems = []
    starts = [r for r in records if r.get("isStart") != END]
    if starts:
        problems.append(f"cleaned: {len(starts)} records are not END events (isStart={starts[0].get('isStart')!r}, "
                        f"rideId {starts[0].get('rideId')}): START events must be dropped")
    outside = []
    for record in records:
        points = [(record.get(f"{end}Lon"), record.get(f"{end}Lat")) for end in ("start", "end")]
        if any(lon is None or lat is None or not in_new_york(f32(lon), f32(lat)) for lon, lat in points):
            outside.append(record)
    if outside:
        first = outside[0]
        problems.append(f"cleaned: {len(outside)} records have a point outside the New York box "
                        f"[-74.05, -73.7] x [40.5, 41.0]; first: rideId {first.get('rideId')} start "
                        f"({first.get('startLon')}, {first.get('startLat')}) end ({first.get('endLon')}, "
                        f"{first.get('endLat')})")
    want = Counter(r.ride_id for r in expected.cleaned)
    got = Counter(r.get("rideId") for r in records if r.get("isStart") == END)
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements(), key=str)
    if missing:
        problems.append(f"cleaned: {len(missing)} of {sum(want.values())} rides that should be kept are missing; "
                        f"first: rideId {missing[0]}")
    if extra and not outside:
        problems.append(f"cleaned: {len(extra)} END events are kept that the oracle drops; first: rideId {extra[0]}")
    return problems


def _joined_key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        record.get("rideId", record.get("rideId_fares")), _normal("startTime", record.get("startTime")),
        _normal("endTime", record.get("endTime")), _normal("tip", record.get("tip")),
        _normal("totalFare", record.get("totalFare")),
    )  # fmt: skip


def join_problems(records: list[dict[str, Any]], expected: Expected) -> list[str]:
    """§4.5: the same joined rows as the oracle (rideId, the fare's startTime, endTime, tip, totalFare)."""
    if records:
        lacking = [c for c in ("startTime", "endTime", "tip", "totalFare") if c not in records[0]]
        if "rideId" not in records[0] and "rideId_fares" not in records[0]:
            lacking.insert(0, "rideId")
        if lacking:
            return [f"joined: the output has no column {', '.join(lacking)} (keep the lab's selectExpr columns)"]
    problems = []
    wrong_key = [r for r in records if "rideId_fares" in r and "rideId" in r and r["rideId_fares"] != r["rideId"]]
    if wrong_key:
        problems.append(f"joined: {len(wrong_key)} rows join a fare to another ride (rideId_fares "
                        f"{wrong_key[0]['rideId_fares']} with rideId {wrong_key[0]['rideId']}): join on rideId")
    outside = []
    for record in records:
        start, end = _normal("startTime", record.get("startTime")), _normal("endTime", record.get("endTime"))
        if isinstance(start, datetime) and isinstance(end, datetime) and not start < end <= start + MAX_RIDE:
            outside.append((record.get("rideId"), start, end))
    if outside:
        ride_id, start, end = outside[0]
        problems.append(f"joined: {len(outside)} rows are outside the time window endTime > startTime AND "
                        f"endTime <= startTime + 2 hours; first: rideId {ride_id} startTime {_show(start)} "
                        f"endTime {_show(end)}")
    want = Counter((j.ride_id, j.start_time, j.end_time, j.tip, j.total_fare) for j in expected.joined)
    got = Counter(_joined_key(r) for r in records)
    missing = sorted((want - got).elements(), key=str)
    extra = sorted((got - want).elements(), key=str)
    if missing:
        problems.append(f"joined: {len(missing)} of {sum(want.values())} expected rows are missing; first: "
                        f"rideId {missing[0][0]} ({_show(missing[0][1])} -> {_show(missing[0][2])})")
    if extra and not (wrong_key or outside):
        problems.append(f"joined: {len(extra)} rows are not expected; first: rideId {extra[0][0]} "
                        f"({_show(extra[0][1])} -> {_show(extra[0][2])})")
    elif extra:
        problems.append(f"joined: {len(extra)} rows are not expected in all")
    return problems


_CLEANUP = re.compile(r"state cleanup \[ left (?P<left>.*?), right (?P<right>.*?) \]")


def join_state_cleanup(plan: str) -> tuple[bool, bool] | None:
    """Whether the stream-stream join can drop old state on its (left, right) side, from the physical plan.

    Spark prints ``state cleanup [ left <predicate>, right <predicate> ]``, with ``= null`` for a side whose
    state is kept for ever: that happens when the side has no watermark usable by the join condition, i.e.
    no watermark on one input or no time bound between the two event times. None: no such join in the plan.
    """
    match = _CLEANUP.search(plan)
    if match is None:
        return None
    return ("= null" not in match["left"], "= null" not in match["right"])


def watermark_count(plan: str) -> int:
    """``EventTimeWatermark`` nodes in the physical plan (one per ``withWatermark``)."""
    physical = plan.split("== Physical Plan ==")[-1]
    return len(re.findall(r"EventTimeWatermark ", physical))


def state_problems(query: QueryRecord | None, what: str = "joined") -> list[str]:
    """The join has watermarks on both sides and bounded state: a cleanup predicate on each side in the plan,
    and, when the run had more than one batch, join state rows were removed (the ticks move the watermarks)."""
    if query is None:
        return [f"no streaming query named {what!r} was started"]
    problems = []
    if query.plan:
        cleanup = join_state_cleanup(query.plan)
        if cleanup is None:
            return [f"{what}: the query's plan has no stream-stream join (StreamingSymmetricHashJoin)"]
        marks = watermark_count(query.plan)
        if marks < 2:
            problems.append(f"{what}: {marks} watermark(s) in the query; the lab puts one on each side "
                            "(withWatermark on the fares' startTime and on the rides' endTime)")
        for side, ok in zip(("left", "right"), cleanup):
            if not ok:
                problems.append(f"{what}: the join keeps the state of its {side} side for ever (Spark: "
                                f"'state cleanup [ {side} = null ]'): it needs a watermark on that side and a time "
                                "bound between the two event times (endTime <= startTime + interval 2 hours)")
    figures = query.state_operators(JOIN_OPERATOR)
    if len(figures) >= 2:
        removed = sum(int(f.get("numRowsRemoved") or 0) for f in figures)
        peak = max(int(f.get("numRowsTotal") or 0) for f in figures)
        last = int(figures[-1].get("numRowsTotal") or 0)
        if removed == 0 and peak > 0:
            problems.append(f"{what}: the join state never shrank ({peak} rows at the peak, {last} at the end, "
                            "0 removed) although the watermarks moved a day ahead")
    elif not query.plan:
        problems.append(f"{what}: nothing was recorded of the query (no plan, no progress)")
    return problems


def state_summary(query: QueryRecord | None) -> str:
    """One line for the report: the join's state at its peak, at the end, and what was removed."""
    figures = query.state_operators(JOIN_OPERATOR) if query else []
    if not figures:
        return "no join state figures"
    peak = max(int(f.get("numRowsTotal") or 0) for f in figures)
    removed = sum(int(f.get("numRowsRemoved") or 0) for f in figures)
    return (f"join state: {peak} rows at the peak, {int(figures[-1].get('numRowsTotal') or 0)} at the end, "
            f"{removed} removed, over {len(figures)} batches")


def _window_bounds(record: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    window = record.get("window")
    if isinstance(window, Mapping):
        return parse_timestamp(window.get("start")), parse_timestamp(window.get("end"))
    return parse_timestamp(record.get("windowStart")), parse_timestamp(record.get("windowEnd"))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _zone_id(value: Any) -> Any:
    """A LocationID as the oracle has it (an int), whether written as 12, 12.0 or "12"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


TIP_COLUMNS = ("zone", "rides", "tipSum", "cardRides", "cardTipSum")


def tips_problems(records: list[dict[str, Any]], expected: Expected) -> list[str]:
    """Tips per (15-minute window, Manhattan pickup zone): the oracle's cells, with rides and tip sums over all
    payments and over card payments only."""
    if not records:
        return [f"tips: the output is empty; the oracle has {len(expected.tips)} (window, zone) cells"]
    for column in TIP_COLUMNS:
        if column not in records[0]:
            return [f"tips: the output has no column {column} (see the contract: windowStart, windowEnd, "
                    f"{', '.join(TIP_COLUMNS)})"]
    got: dict[tuple[datetime | None, Any], list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        start, _ = _window_bounds(record)
        got[(start, _zone_id(record.get("zone")))].append(record)
    problems = []
    doubled = [k for k, rows in got.items() if len(rows) > 1]
    if doubled:
        problems.append(f"tips: {len(doubled)} (window, zone) cells are written more than once (append mode writes "
                        f"a window once); first: {_show(doubled[0][0])} zone {doubled[0][1]}")
    missing = [k for k in expected.tips if k not in got]
    extra = [k for k in got if k not in expected.tips]
    if missing:
        start, zone = missing[0]
        problems.append(f"tips: {len(missing)} of {len(expected.tips)} (window, zone) cells are missing; first: "
                        f"{_show(start)} zone {zone} ({expected.tips[missing[0]].zone_name})")
    if extra:
        start, zone = extra[0]
        problems.append(f"tips: {len(extra)} (window, zone) cells are not expected (was the pickup point used?); "
                        f"first: {_show(start)} zone {zone!r}")
    wrong, card_wrong = [], []
    for key, cell in expected.tips.items():
        rows = got.get(key)
        if not rows:
            continue
        row = rows[-1]
        end = _window_bounds(row)[1]
        tip_sum, card_tip_sum = _number(row.get("tipSum")), _number(row.get("cardTipSum"))
        if (row.get("rides") != cell.rides or end != cell.window_end or tip_sum is None
                or not math.isclose(tip_sum, cell.tip_sum, rel_tol=TIP_TOLERANCE, abs_tol=TIP_TOLERANCE)):
            wrong.append((key, cell, row))
        elif (row.get("cardRides") != cell.card_rides or card_tip_sum is None
              or not math.isclose(card_tip_sum, cell.card_tip_sum, rel_tol=TIP_TOLERANCE, abs_tol=TIP_TOLERANCE)):
            card_wrong.append((key, cell, row))
    if wrong:
        (start, zone), cell, row = wrong[0]
        problems.append(f"tips: {len(wrong)} cells have other figures; first: {_show(start)} zone {zone} "
                        f"({cell.zone_name}) expected {cell.rides} rides, tips {cell.tip_sum:.2f}, found "
                        f"{row.get('rides')} rides, tips {row.get('tipSum')}")
    if card_wrong:
        (start, zone), cell, row = card_wrong[0]
        problems.append(f"tips: {len(card_wrong)} cells have other card figures (only paymentType = 'CRD' is a "
                        f"card ride); first: {_show(start)} zone {zone} ({cell.zone_name}) expected "
                        f"{cell.card_rides} card rides, card tips {cell.card_tip_sum:.2f}, found "
                        f"{row.get('cardRides')} card rides, card tips {row.get('cardTipSum')}")
    return problems
