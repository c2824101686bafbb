"""Any data set, any length: streaming counts and samples, data-derived ticks, the oracle against a brute-force
recomputation on generated ride/fare sets spanning minutes to weeks, and what the watermarks drop."""

from __future__ import annotations

import gzip
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.watermarks import Batch, batches_of, late_rows
from fixtures import data
from fixtures.taxi.datasets import repeat_days, write_lines
from fixtures.taxi.files import (
    FARE,
    FARED_RIDES,
    FARES,
    RIDE,
    count_ride_files,
    fare_file,
    find_lines,
    lines_at,
    read_lines,
    sample_positions,
    spark_ride_file,
    summary,
)
from fixtures.taxi.records import (
    MAX_RIDE,
    TIPS_WINDOW,
    WATERMARK_DELAY,
    Fare,
    Ride,
    f32,
    format_fare,
    format_ride,
    parse_fare,
    parse_ride,
)
from fixtures.taxi.ticks import TICK_AFTER, Ticks, ticks_after, ticks_for, ticks_for_lines
from fixtures.taxi.zones import manhattan
from fixtures.titles import title_words

UTC = timezone.utc
T0 = datetime(2013, 1, 1, tzinfo=UTC)
SPANS = [timedelta(minutes=5), timedelta(hours=3), timedelta(days=3), timedelta(weeks=3)]


# ---------------------------------------------------------------- generated data sets
@st.composite
def data_sets(draw, max_rides: int = 40) -> tuple[list[str], list[str]]:
    """Ride and fare lines as a class's files hold them: START and END per ride, fares for most rides,
    spread over minutes to weeks, each file out of order by less than the watermark delay."""
    span = draw(st.sampled_from(SPANS))
    count = draw(st.integers(1, max_rides))
    rng = random.Random(draw(st.integers(0, 2**32)))
    rides, fares = [], []
    for ride_id in range(1, count + 1):
        start = T0 + timedelta(seconds=rng.randrange(int(span.total_seconds()) + 1))
        # Mostly short rides, some beyond the join's 2-hour bound, some ending in the second they start.
        length = timedelta(seconds=rng.choice([0, rng.randrange(60, 3600), rng.randrange(7000, 7400)]))
        # Points: Manhattan, elsewhere in New York, outside the box, or (0, 0) as in the real files.
        lon, lat = rng.choice([(-73.985, 40.758), (-73.99, 40.73), (-73.87, 40.77), (-74.2, 40.6), (0.0, 0.0)])
        lon, lat = lon + rng.uniform(-0.01, 0.01) * (lon != 0), lat + rng.uniform(-0.01, 0.01) * (lat != 0)
        taxi, driver = 2013000000 + rng.randrange(20), 2013000000 + rng.randrange(20)
        points = (round(lon, 6), round(lat, 6), round(lon + 0.01, 6), round(lat + 0.01, 6))
        rides.append(Ride(ride_id, True, start, None, *points, 1, taxi, driver))
        rides.append(Ride(ride_id, False, start, start + length, *points, 1, taxi, driver))
        if rng.random() < 0.8:
            tip = rng.choice([0.0, round(rng.uniform(0, 20), 2)])
            fares.append(Fare(ride_id, taxi, driver, start, rng.choice(["CSH", "CRD", "NOC"]), tip, 0.0, 10 + tip))
    jitter = WATERMARK_DELAY.total_seconds() - 1
    # Out of order within the watermark: sorted by event time plus a jitter below the delay.
    rides.sort(key=lambda r: r.event_time + timedelta(seconds=rng.uniform(0, jitter)))
    fares.sort(key=lambda f: f.start_time + timedelta(seconds=rng.uniform(0, jitter)))
    return [format_ride(r) for r in rides], [format_fare(f) for f in fares]


def brute_force(ride_lines: list[str], fare_lines: list[str]) -> tuple[Counter, dict]:
    """The join and the tips from the lab's text, computed the slow way, independently of the oracle's code."""
    joined: Counter = Counter()
    tips: dict = defaultdict(lambda: [0, 0.0, 0, 0.0])
    zones = manhattan()
    for fare_line in fare_lines:
        fare = fare_line.split(",")
        for ride_line in ride_lines:
            ride = ride_line.split(",")
            if ride[0] != fare[0] or ride[1] != "END":
                continue
            lon0, lat0, lon1, lat1 = (f32(float(v)) for v in ride[4:8])
            inside = all(-74.05 <= lon <= -73.7 and 40.5 <= lat <= 41.0 for lon, lat in ((lon0, lat0), (lon1, lat1)))
            start = datetime.strptime(fare[3], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            end = datetime.strptime(ride[2], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            if not (inside and start < end <= start + timedelta(hours=2)):
                continue
            joined[(int(fare[0]), start, end, f32(float(fare[5])))] += 1
            zone = zones.zone_of(lon0, lat0)  # the pickup's Manhattan taxi zone
            if zone is not None:
                seconds = int(end.timestamp())
                cell = tips[(datetime.fromtimestamp(seconds - seconds % 900, tz=UTC), zone.location_id)]
                card = fare[4] == "CRD"
                cell[0], cell[1] = cell[0] + 1, cell[1] + f32(float(fare[5]))
                cell[2], cell[3] = cell[2] + card, cell[3] + f32(float(fare[5])) * card
    return joined, dict(tips)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_sets())
def test_oracle_join_and_tips_equal_a_brute_force_recomputation(lines) -> None:
    ride_lines, fare_lines = lines
    ticks = ticks_for_lines(ride_lines, fare_lines)
    expected = Expected.from_lines([*ride_lines, ticks.ride], [*fare_lines, ticks.fare])
    joined, tips = brute_force(ride_lines, fare_lines)
    assert Counter((j.ride_id, j.start_time, j.end_time, j.tip) for j in expected.joined) == joined
    assert {key: (cell.rides, pytest.approx(cell.tip_sum), cell.card_rides, pytest.approx(cell.card_tip_sum))
            for key, cell in expected.tips.items()} == \
        {key: (n, pytest.approx(total), cards, pytest.approx(card_total))
         for key, (n, total, cards, card_total) in tips.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_sets())
def test_ticks_close_every_window_and_join_nothing(lines) -> None:
    ride_lines, fare_lines = lines
    ticks = ticks_for_lines(ride_lines, fare_lines)
    with_ticks = Expected.from_lines([*ride_lines, ticks.ride], [*fare_lines, ticks.fare])
    without = Expected.from_lines(ride_lines, fare_lines)
    assert with_ticks.joined == without.joined and with_ticks.tips == without.tips  # they join nothing
    assert len(with_ticks.cleaned) == len(without.cleaned) + 1  # the tick ride is valid and kept
    # After the ticks' batch, both watermarks are ticks.time - 30 min: every window has closed (append mode
    # writes it) and every joined row can leave the join state (its 2-hour bound is behind the watermark).
    watermark = ticks.time - WATERMARK_DELAY
    assert all(cell.window_end <= watermark for cell in with_ticks.tips.values())
    events = [parse_ride(line).event_time for line in ride_lines] + [parse_fare(line).start_time for line in fare_lines]
    assert all(moment + MAX_RIDE + TIPS_WINDOW < watermark for moment in events)
    assert ticks.ride_id < min(parse_ride(line).ride_id for line in ride_lines)


def test_ticks_come_a_day_after_the_last_event_of_either_file() -> None:
    ticks = ticks_for(FARED_RIDES, FARES)
    assert ticks == Ticks(datetime(2013, 1, 2, 1, 11, tzinfo=UTC), 0)  # the last END of the sample, 01:11:00
    assert ticks.ride == "0,END,2013-01-02 01:11:00,2013-01-02 01:11:00,-73.98,40.75,-73.98,40.75,1,0,0"
    assert ticks.fare == "0,0,0,2013-01-02 01:11:00,CSH,0,0,0"
    assert TICK_AFTER > WATERMARK_DELAY + TIPS_WINDOW + MAX_RIDE
    assert ticks_after(T0, min_ride_id=0).ride_id == -1  # below every id of the data, whatever they are


# ---------------------------------------------------------------- the watermarks
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_sets(), st.integers(1, 30))
def test_watermarks_drop_nothing_when_each_file_is_out_of_order_by_less_than_the_delay(lines, size) -> None:
    rides = [parse_ride(line) for line in lines[0]]
    fares = [parse_fare(line) for line in lines[1]]
    assert not late_rows([Batch(rides, fares)])  # the harness's replay: one batch, nothing late
    assert not late_rows(batches_of(rides, fares, size))  # any read limit: still nothing


def test_a_row_later_than_the_watermark_when_it_arrives_is_dropped() -> None:
    def ride(ride_id: int, end: datetime) -> Ride:
        return Ride(ride_id, False, end - timedelta(minutes=5), end, -73.98, 40.75, -73.98, 40.75, 1, 1, 1)

    def fare(ride_id: int, start: datetime) -> Fare:
        return Fare(ride_id, 1, 1, start, "CRD", 1.0, 0.0, 11.0)

    late = T0 + timedelta(minutes=10)
    batches = [Batch([ride(1, T0 + timedelta(hours=2))], [fare(1, T0 + timedelta(hours=2))]),
               Batch([ride(2, late)], [fare(2, late), fare(3, T0 + timedelta(hours=1, minutes=31))])]
    dropped = late_rows(batches)
    assert dropped.watermarks == [None, T0 + timedelta(hours=1, minutes=30)]
    assert [r.ride_id for r in dropped.rides] == [2] and [f.ride_id for f in dropped.fares] == [2]
    assert not late_rows([Batch([*batches[0].rides, *batches[1].rides], [*batches[0].fares, *batches[1].fares])])


# ---------------------------------------------------------------- streaming reads of any file
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data_sets(max_rides=60), st.sampled_from(["gz", "txt", "crlf"]))
def test_summary_and_samples_equal_the_lines_read_whole(tmp_path: Path, lines, form: str) -> None:
    ride_lines = lines[0]
    path = tmp_path / f"rides-{form}-{random.random()}.{'gz' if form == 'gz' else 'txt'}"
    if form == "crlf":
        path.write_bytes("".join(line + "\r\n" for line in ride_lines).encode())
    else:
        write_lines(path, ride_lines)
    facts = summary(path, RIDE)
    times = [parse_ride(line).event_time for line in ride_lines]
    assert (facts.lines, facts.first_event, facts.last_event, facts.malformed) == (
        len(ride_lines), min(times), max(times), 0)
    assert read_lines(path) == ride_lines
    positions = sample_positions(len(ride_lines))
    assert lines_at(path, positions) == {p: ride_lines[p] for p in positions}
    assert find_lines([path], {ride_lines[-1], "not a line"}) == {ride_lines[-1]}


@given(st.integers(0, 10**7), st.integers(0, 20), st.integers(0, 20))
def test_sample_positions_cover_the_head_and_reach_the_last(count: int, head: int, spread: int) -> None:
    positions = sample_positions(count, head, spread)
    assert positions == sorted(set(positions)) and all(0 <= p < count for p in positions)
    assert positions[:head] == list(range(min(head, count)))
    assert len(positions) <= head + spread
    if count > head and spread:
        assert positions[-1] == count - 1


def test_a_file_without_a_final_newline_and_with_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "fares.txt"
    path.write_text("1,2,3,2013-01-01 00:00:05,CSH,0,0,1\nheader,line\n2,2,3,2013-01-01 00:00:01,CSH,0,0,1")
    facts = summary(path, FARE)
    assert (facts.lines, facts.malformed, facts.min_ride_id) == (3, 1, 1)
    assert facts.first_event == T0 + timedelta(seconds=1) and facts.last_event == T0 + timedelta(seconds=5)


# ---------------------------------------------------------------- the chosen data
def test_the_options_choose_every_file(tmp_path: Path) -> None:
    rides, fares, snapshots = tmp_path / "r.gz", tmp_path / "f.txt", tmp_path / "snaps"
    for path in (rides, fares):
        path.write_text("")
    snapshots.mkdir()
    assert data.DataChoice(tmp_path / "nope.gz").problems() == [f"--taxi-rides {tmp_path / 'nope.gz'}: no such file"]
    try:
        data.choose(data.DataChoice(rides, fares, snapshots))
        assert (count_ride_files(), spark_ride_file(), fare_file(), data.snapshot_dir()) == (
            [rides], rides, fares, snapshots)
        assert title_words() == {"ride_files": "r.gz", "fare_file": "f.txt", "snapshots": 0}
    finally:
        data.choose(data.DataChoice())
    assert count_ride_files() == [Path(p) for p in (FARED_RIDES.path.parent / "nycTaxiRides.gz", FARED_RIDES.path)]
    assert spark_ride_file() == FARED_RIDES.path and title_words()["snapshots"] == 20


# ---------------------------------------------------------------- a multi-day real data set
def test_the_shipped_sample_repeated_over_four_days(tmp_path: Path) -> None:
    days = 4
    rides = list(repeat_days(read_lines(FARED_RIDES), RIDE, days, id_step=1000))
    fares = list(repeat_days(read_lines(FARES), FARE, days, id_step=1000))
    write_lines(tmp_path / "rides.gz", rides)
    with gzip.open(tmp_path / "rides.gz", "rt") as handle:
        assert handle.read().splitlines() == rides
    facts = summary(tmp_path / "rides.gz", RIDE)
    assert (facts.lines, facts.last_event) == (4 * 888, datetime(2013, 1, 4, 1, 11, tzinfo=UTC))
    parsed = [parse_ride(line) for line in rides]
    assert [r.event_time for r in parsed] == sorted(r.event_time for r in parsed)  # still in event order
    assert len({(r.ride_id, r.kind) for r in parsed}) == len(parsed)  # ids renumbered: no duplicate
    ticks = ticks_for_lines(rides, fares)
    sample = Expected.from_lines(read_lines(FARED_RIDES), read_lines(FARES))
    many = Expected.from_lines([*rides, ticks.ride], [*fares, ticks.fare])
    assert len(many.joined) == days * len(sample.joined)
    assert sorted((k[0] - timedelta(days=k[0].day - 1), k[1], c.rides, round(c.tip_sum, 4))
                  for k, c in many.tips.items()) == \
        sorted((k[0], k[1], c.rides, round(c.tip_sum, 4)) for _ in range(days) for k, c in sample.tips.items())
    # The fixed tick of the past (2013-01-02 12:00) left every window of the later days open:
    old_watermark = datetime(2013, 1, 2, 12, tzinfo=UTC) - WATERMARK_DELAY
    assert sum(cell.window_end > old_watermark for cell in many.tips.values()) == 2 * len(sample.tips)
    assert all(cell.window_end <= ticks.time - WATERMARK_DELAY for cell in many.tips.values())
