"""The oracle on the shipped files (the data README's facts) and its invariants on any input."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.s4_streaming.oracle import (
    MAX_RIDE,
    Expected,
    clean_rides,
    is_clean,
    join,
    rides_per_driver,
    tips_by_zone,
    window_of,
    zone_ranking,
)
from fixtures.taxi import geo
from fixtures.taxi.files import FARED_RIDES, FARES, RIDES, load_fares, load_rides, read_lines
from fixtures.taxi.records import Fare, Ride, f32, parse_ride
from fixtures.taxi.ticks import ticks_for
from fixtures.taxi.zones import manhattan

from .test_records import fares, rides

UTC = timezone.utc


@pytest.fixture(scope="module")
def full_rides() -> list[Ride]:
    return load_rides(RIDES)


@pytest.fixture(scope="module")
def sample() -> Expected:
    ticks = ticks_for(FARED_RIDES, FARES)
    return Expected.from_lines([*read_lines(FARED_RIDES), ticks.ride], [*read_lines(FARES), ticks.fare])


# ---------------------------------------------------------------- the files are what the README says
@pytest.mark.parametrize("taxi_file", [RIDES, FARES, FARED_RIDES], ids=lambda f: f.name)
def test_line_counts(taxi_file) -> None:
    assert len(read_lines(taxi_file)) == taxi_file.lines


def test_full_ride_file_facts(full_rides: list[Ride]) -> None:
    kinds = Counter(r.kind for r in full_rides)
    assert kinds == {"START": 53_550, "END": 46_450}
    assert min(r.event_time for r in full_rides) == datetime(2013, 1, 1, tzinfo=UTC)
    assert max(r.event_time for r in full_rides) == datetime(2013, 1, 1, 1, 45, 5, tzinfo=UTC)
    starts = {r.ride_id for r in full_rides if r.is_start}
    assert all(r.ride_id in starts for r in full_rides if not r.is_start)  # every END has its START
    # Column 3 is the event time: the file is ordered by it (within a second, in no particular order).
    times = [r.event_time for r in full_rides]
    assert times == sorted(times)
    # The data README says 982 START lines have all four coordinates 0; the file has 955 (awk agrees).
    assert sum(1 for r in full_rides if r.is_start and r.start_lon == r.start_lat == r.end_lon == r.end_lat == 0) == 955
    assert sum(1 for r in full_rides if r.taxi_id != r.driver_id) == 93_955


def test_fares_match_their_start_events() -> None:
    fares_ = load_fares(FARES)
    assert Counter(f.payment_type for f in fares_) == {"CSH": 268, "CRD": 171, "NOC": 4, "DIS": 1}
    assert sorted(f.ride_id for f in fares_) == list(range(1, 445))
    starts = {r.ride_id: r for r in load_rides(FARED_RIDES) if r.is_start}
    for fare in fares_:
        start = starts[fare.ride_id]
        assert (start.taxi_id, start.driver_id, start.start_time) == (fare.taxi_id, fare.driver_id, fare.start_time)


def test_fared_file_is_the_subset_of_the_full_file_with_a_fare() -> None:
    fared = read_lines(FARED_RIDES)
    assert fared == [line for line in read_lines(RIDES) if parse_ride(line).ride_id <= 444]


# ---------------------------------------------------------------- the oracle on the matched sample
def test_sample_expectations(sample: Expected) -> None:
    assert len(sample.rides) == 889 and len(sample.fares) == 445
    assert len(sample.cleaned) == 430  # 429 fared END events inside the box, and the tick
    assert len(sample.joined) == 429  # 15 of the 444 fares have a ride outside the box (or at (0, 0))
    assert {j.ride_id for j in sample.joined} <= set(range(1, 445))  # the ticks join nothing
    # 62 joined rides are picked up outside Manhattan's 69 taxi zones (airports, Brooklyn, Queens …)
    assert sum(c.rides for c in sample.tips.values()) == 367
    assert len(sample.tips) == 99
    cards = [j for j in sample.joined if j.payment_type == "CRD"]
    assert sum(c.card_rides for c in sample.tips.values()) == sum(
        1 for j in cards if manhattan().zone_of(j.start_lon, j.start_lat) is not None)
    assert {c.window_start.strftime("%H:%M") for c in sample.tips.values()} == {"00:00", "00:15", "00:30",
                                                                                 "00:45", "01:00"}


def test_cleaning_on_the_full_file(full_rides: list[Ride]) -> None:
    cleaned = clean_rides(full_rides)
    assert len(cleaned) == 45_458
    assert all(not r.is_start for r in cleaned)


def test_rides_per_driver_counts_finished_rides() -> None:
    sample = load_rides(FARED_RIDES)
    finished = rides_per_driver(sample)
    events = rides_per_driver(sample, finished_only=False)
    assert sum(finished.values()) == 444 and sum(events.values()) == 888
    assert all(events[d] == 2 * n for d, n in finished.items())  # the lab's count sees each ride twice


def test_join_condition_at_its_bounds() -> None:
    start = datetime(2013, 1, 1, tzinfo=UTC)

    def ride(end: datetime) -> Ride:
        return Ride(7, False, start, end, -73.98, 40.75, -73.98, 40.75, 1, 1, 1)

    fare = Fare(7, 1, 1, start, "CRD", 1.5, 0, 10)
    assert join([fare], [ride(start)]) == []  # endTime > startTime, strictly
    assert len(join([fare], [ride(start + timedelta(seconds=1))])) == 1
    assert len(join([fare], [ride(start + MAX_RIDE)])) == 1  # endTime <= startTime + 2 hours
    assert join([fare], [ride(start + MAX_RIDE + timedelta(seconds=1))]) == []


def test_cleaning_uses_the_float_columns() -> None:
    inside = "1,END,2013-01-01 00:10:00,2013-01-01 00:00:00,{lon},40.75,-73.98,40.75,1,1,1"
    assert is_clean(parse_ride(inside.format(lon="-74.049999")))
    # -74.05 is the box's west edge, but as a FloatType it is -74.05000305…, outside: Spark drops it.
    assert not is_clean(parse_ride(inside.format(lon="-74.05")))
    assert is_clean(parse_ride(inside.replace("40.75,1,1,1", "41,1,1,1").format(lon="-73.98")))  # 41.0 is exact


def test_windows_are_aligned_on_the_epoch() -> None:
    assert window_of(datetime(2013, 1, 1, 0, 14, 59, tzinfo=UTC)) == (
        datetime(2013, 1, 1, tzinfo=UTC), datetime(2013, 1, 1, 0, 15, tzinfo=UTC))
    assert window_of(datetime(2013, 1, 1, 0, 15, tzinfo=UTC))[0] == datetime(2013, 1, 1, 0, 15, tzinfo=UTC)


def test_manhattan_zones() -> None:
    zones = manhattan()
    assert len(zones.zones) == 69 and {z.borough for z in zones.zones} == {"Manhattan"}
    assert zones.zone_of(-73.985, 40.758).name == "Times Sq/Theatre District"
    assert zones.zone_of(-74.0110, 40.7069).name == "Financial District North"  # Wall Street
    assert zones.zone_of(-73.9665, 40.7812).name == "Central Park"
    assert zones.zone_of(-73.866135, 40.771091) is None  # LaGuardia is in Queens
    assert zones.zone_of(-73.7781, 40.6413) is None  # JFK too
    assert zones.zone_of(-74.0324, 40.7178) is None  # Jersey City, across the Hudson


def test_ranking_orders_by_card_average(sample: Expected) -> None:
    ranking = zone_ranking(sample.joined, min_card_rides=3)
    averages = [c.avg_card_tip for c in ranking]
    assert averages == sorted(averages, reverse=True) and all(c.card_rides >= 3 for c in ranking)
    for cell in ranking:  # a cash ride's tip is 0: the all-payment average is never above the card one
        assert cell.avg_tip <= cell.avg_card_tip + 1e-9


# ---------------------------------------------------------------- invariants on any input
nyc_rides = rides().map(lambda r: r.__class__(**{**r.__dict__, "start_lon": r.start_lon / 2.4 - 73.9,
                                                   "start_lat": r.start_lat / 200 + 40.75}))


@given(st.lists(st.one_of(rides(), nyc_rides), max_size=40))
def test_cleaning_invariants(sample_rides: list[Ride]) -> None:
    cleaned = clean_rides(sample_rides)
    assert all(not r.is_start for r in cleaned)
    assert all(geo.in_new_york(f32(r.start_lon), f32(r.start_lat)) and geo.in_new_york(f32(r.end_lon), f32(r.end_lat))
               for r in cleaned)
    assert clean_rides(cleaned) == cleaned  # idempotent
    assert all(r in sample_rides for r in cleaned)  # a filter: nothing is made up
    kept = {id(r) for r in cleaned}
    assert all(not is_clean(r) for r in sample_rides if id(r) not in kept)


@given(st.lists(fares(), max_size=15), st.lists(rides(), max_size=30))
def test_join_invariants(sample_fares: list[Fare], sample_rides: list[Ride]) -> None:
    # Share ride ids so that the join has something to do.
    sample_rides = [r.__class__(**{**r.__dict__, "ride_id": r.ride_id % 5}) for r in sample_rides]
    sample_fares = [f.__class__(**{**f.__dict__, "ride_id": f.ride_id % 5}) for f in sample_fares]
    rows = join(sample_fares, [r for r in sample_rides if not r.is_start])
    for row in rows:
        assert row.start_time < row.end_time <= row.start_time + MAX_RIDE
    expected = sum(1 for f in sample_fares for r in sample_rides if not r.is_start and r.ride_id == f.ride_id
                   and f.start_time < r.end_time <= f.start_time + MAX_RIDE)
    assert len(rows) == expected
    cells = tips_by_zone(rows)
    assert sum(c.rides for c in cells.values()) == sum(
        1 for r in rows if manhattan().zone_of(r.start_lon, r.start_lat) is not None)
    for (start, _zone), cell in cells.items():
        assert cell.window_end - start == timedelta(minutes=15) and cell.rides >= cell.card_rides >= 0
