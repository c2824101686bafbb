"""Plain-Python recomputation of the outputs of the §4 treatments shipped beside the reference.

``reference/spark/{durations,payments,airports,passengers}.py`` are the answers to "Soyez imaginatif" (§4.2)
and "Choisir une autre zone, un autre critère" (§4.4). Each output is recomputed here from the lines the
Spark run reads (ticks included), without Spark, so that ``tests/spark/test_treatments.py`` can compare
them record by record, and ``tests/answers`` can check the figures the answers show.

Windowed outputs are in append mode: a window is written once the watermark (the latest event time seen,
minus 30 minutes; after a join, the smaller of the two sides') has passed its end. :func:`closed` keeps the
same windows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from checks.s4_streaming.oracle import CARD, Expected, JoinedRow, join, tips_by_zone, window_of
from checks.s4_streaming.outputs import parse_timestamp
from fixtures.taxi.records import Fare, Ride, f32
from fixtures.taxi.zones import Zone, ZoneIndex, zones_file

WATERMARK_DELAY = timedelta(minutes=30)
EARTH_RADIUS_KM = 6371.0
AIRPORTS = {1: "EWR", 132: "Queens", 138: "Queens"}  # LocationID -> borough: Newark, JFK, LaGuardia
MIN_PASSENGERS, MAX_PASSENGERS, MAX_KMH = 1, 6, 100.0
TOLERANCE = 1e-6  # sums of binary32 values in another order differ in the last bits only

Cells = dict[tuple, dict[str, Any]]


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine on a 6 371 km sphere, in the order ``durations.distance_km`` computes it."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = (math.radians(lon2) - math.radians(lon1)) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _ride_km(ride: Ride | JoinedRow) -> float:
    if isinstance(ride, JoinedRow):
        return distance_km(ride.start_lon, ride.start_lat, ride.end_lon, ride.end_lat)
    return distance_km(f32(ride.start_lon), f32(ride.start_lat), f32(ride.end_lon), f32(ride.end_lat))


def closed(cells: Cells, watermark: datetime) -> Cells:
    """The windows append mode writes: those whose end the watermark has passed (key[0] is the window start)."""
    return {key: cell for key, cell in cells.items() if cell["windowEnd"] <= watermark}


def _windowed(rows: Iterable, time_of: Callable, key_of: Callable, figures: Callable[[list], dict]) -> Cells:
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        start, end = window_of(time_of(row))
        groups[(start, *key_of(row))].append((end, row))
    return {key: {"windowEnd": pairs[0][0], **figures([row for _, row in pairs])} for key, pairs in groups.items()}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


class Treatments:
    """Every output of the four scripts for one replay of ride and fare lines."""

    def __init__(self, expected: Expected):
        self.expected = expected
        rides_mark = max(r.end_time for r in expected.rides if r.end_time is not None) - WATERMARK_DELAY
        fares_mark = max(f.start_time for f in expected.fares) - WATERMARK_DELAY
        self.cleaned_mark, self.fares_mark = (
            max(r.end_time for r in expected.cleaned) - WATERMARK_DELAY, fares_mark)
        self.joined_mark = min(rides_mark, fares_mark)

    # ------------------------------------------------------------ §4.2 durations.py
    def durations(self) -> Cells:
        rows = {}
        for ride in self.expected.cleaned:
            seconds = (ride.end_time - ride.start_time).total_seconds()
            km = _ride_km(ride)
            rows[(ride.ride_id,)] = {"minutes": seconds / 60, "km": km,
                                     "kmh": km / (seconds / 3600) if seconds > 0 else None}
        return rows

    def speeds(self) -> Cells:
        durations = self.durations()
        by_id = {ride.ride_id: ride for ride in self.expected.cleaned}

        def figures(ids: list[int]) -> dict[str, Any]:
            rows = [durations[(i,)] for i in ids]
            speeds = [r["kmh"] for r in rows if r["kmh"] is not None]
            return {"rides": len(rows), "avgMinutes": _mean([r["minutes"] for r in rows]),
                    "avgKmh": _mean(speeds), "maxKmh": max(speeds, default=None)}

        cells = _windowed(by_id, lambda i: by_id[i].end_time, lambda i: (), figures)
        # rides of a cleaned stream: its own watermark (durations.speeds puts it after the cleaning)
        return closed(cells, self.cleaned_mark)

    # ------------------------------------------------------------ §4.2 payments.py
    def payments(self) -> Cells:
        def figures(fares: list[Fare]) -> dict[str, Any]:
            shares = []
            for fare in fares:
                metered = f32(fare.total_fare) - f32(fare.tip) - f32(fare.tolls)
                if metered > 0:
                    shares.append(f32(fare.tip) / metered)
            return {"fares": len(fares), "fareSum": sum(f32(f.total_fare) for f in fares),
                    "tipSum": sum(f32(f.tip) for f in fares), "tollsSum": sum(f32(f.tolls) for f in fares),
                    "avgTipShare": _mean(shares)}

        cells = _windowed(self.expected.fares, lambda f: f.start_time, lambda f: (f.payment_type,), figures)
        return closed(cells, self.fares_mark)

    # ------------------------------------------------------------ §4.4 airports.py
    def _airport_joined(self) -> list[tuple[JoinedRow, Zone]]:
        finished = [ride for ride in self.expected.rides if not ride.is_start]
        indexes = {borough: ZoneIndex(zones_file(), borough) for borough in set(AIRPORTS.values())}
        rows = []
        for row in join(self.expected.fares, finished):
            hits = [z for index in indexes.values() if (z := index.zone_of(row.start_lon, row.start_lat))
                    and z.location_id in AIRPORTS]
            if hits:
                rows.append((row, min(hits, key=lambda z: z.location_id)))
        return rows

    def airport_rides(self) -> Cells:
        return {(row.ride_id,): {"zone": zone.location_id, "zoneName": zone.name, "paymentType": row.payment_type,
                                 "totalFare": row.total_fare, "tip": row.tip}
                for row, zone in self._airport_joined()}

    def airports(self) -> Cells:
        found = self._airport_joined()
        index = _FixedZones({(row.start_lon, row.start_lat): zone for row, zone in found})
        cells = tips_by_zone([row for row, _ in found], zones=index)  # type: ignore[arg-type]
        return closed({key: {"windowEnd": c.window_end, "zoneName": c.zone_name, "rides": c.rides,
                             "tipSum": c.tip_sum, "cardRides": c.card_rides, "cardTipSum": c.card_tip_sum}
                       for key, c in cells.items()}, self.joined_mark)

    # ------------------------------------------------------------ §4.4 passengers.py
    def _plausible(self) -> list[tuple[JoinedRow, int, float]]:
        passengers = {ride.ride_id: ride.passenger_cnt for ride in self.expected.cleaned}
        kept = []
        for row in self.expected.joined:
            km = _ride_km(row)
            hours = (row.end_time - row.start_time).total_seconds() / 3600
            moved = (row.start_lon, row.start_lat) != (row.end_lon, row.end_lat)
            count = passengers[row.ride_id]
            if MIN_PASSENGERS <= count <= MAX_PASSENGERS and moved and km <= MAX_KMH * hours:
                kept.append((row, count, km))
        return kept

    def plausible(self) -> Cells:
        return {(row.ride_id,): {"passengerCnt": count, "km": km, "paymentType": row.payment_type,
                                 "totalFare": row.total_fare, "tip": row.tip}
                for row, count, km in self._plausible()}

    def passengers(self) -> Cells:
        def figures(rows: list[tuple[JoinedRow, int, float]]) -> dict[str, Any]:
            card = [row for row, _, _ in rows if row.payment_type == CARD]
            return {"rides": len(rows), "fareSum": sum(row.total_fare for row, _, _ in rows),
                    "tipSum": sum(row.tip for row, _, _ in rows), "cardRides": len(card),
                    "cardTipSum": sum(row.tip for row in card)}

        cells = _windowed(self._plausible(), lambda r: r[0].end_time, lambda r: (r[1],), figures)
        return closed(cells, self.joined_mark)


class _FixedZones:
    """A zone index answering from zones already found (the oracle's per-zone figures for other zones)."""

    def __init__(self, zones: Mapping[tuple[float, float], Zone]):
        self._zones = zones

    def zone_of(self, lon: float, lat: float) -> Zone | None:
        return self._zones.get((lon, lat))


# ---------------------------------------------------------------- comparing a run's records with them
KEYS = {"durations": ("rideId",), "speeds": ("windowStart",), "payments": ("windowStart", "paymentType"),
        "airport_rides": ("rideId",), "airports": ("windowStart", "zone"), "plausible": ("rideId",),
        "passengers": ("windowStart", "passengerCnt")}


def _key_value(value: Any) -> Any:
    if isinstance(value, str) and value[:2] in ("19", "20") and "-" in value:
        return parse_timestamp(value)
    return value


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, datetime):
        return parse_timestamp(got) == want
    if isinstance(want, float) and isinstance(got, (int, float)):
        return math.isclose(want, got, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return want == got


def problems(name: str, records: list[dict[str, Any]], expected: Cells) -> list[str]:
    """What differs between a run's output ``name`` and the recomputation: missing, extra, doubled, wrong."""
    got: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        got[tuple(_key_value(record.get(k)) for k in KEYS[name])].append(record)
    found = []
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    doubled = [key for key, rows in got.items() if len(rows) > 1]
    for what, keys in (("missing", missing), ("not expected", extra), ("written more than once", doubled)):
        if keys:
            found.append(f"{name}: {len(keys)} of {len(expected)} rows {what}; first: {keys[0]}")
    for key, want in expected.items():
        if key in got:
            row = got[key][-1]
            wrong = {field: (value, row.get(field)) for field, value in want.items()
                     if not _same(value, row.get(field))}
            if wrong:
                found.append(f"{name} {key}: (expected, found) {wrong}")
    return found
