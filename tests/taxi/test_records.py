"""Ride and fare lines: any line round-trips, the real meaning of columns 3 and 4, and real lines by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.taxi.records import (
    EPOCH,
    Fare,
    ParseError,
    Ride,
    f32,
    format_fare,
    format_number,
    format_ride,
    parse_fare,
    parse_ride,
)

UTC = timezone.utc
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC))
# Coordinates as the files write them: at most 6 decimals (and the odd 9-digit one, see below).
coordinates = st.decimals(min_value=-180, max_value=180, places=6).map(float)
money = st.decimals(min_value=0, max_value=1000, places=2).map(float)
ids = st.integers(min_value=0, max_value=10**10)


@st.composite
def rides(draw) -> Ride:
    is_start = draw(st.booleans())
    start = draw(moments)
    end = None if is_start else start + draw(st.integers(0, 4 * 3600)) * timedelta(seconds=1)
    return Ride(
        ride_id=draw(ids), is_start=is_start, start_time=start, end_time=end,
        start_lon=draw(coordinates), start_lat=draw(coordinates), end_lon=draw(coordinates), end_lat=draw(coordinates),
        passenger_cnt=draw(st.integers(0, 9)), taxi_id=draw(ids), driver_id=draw(ids),
    )  # fmt: skip


@st.composite
def fares(draw) -> Fare:
    return Fare(
        ride_id=draw(ids), taxi_id=draw(ids), driver_id=draw(ids), start_time=draw(moments),
        payment_type=draw(st.sampled_from(["CSH", "CRD", "NOC", "DIS", "UNK"])),
        tip=draw(money), tolls=draw(money), total_fare=draw(money),
    )  # fmt: skip


@given(rides())
def test_any_ride_round_trips(ride: Ride) -> None:
    line = format_ride(ride)
    assert parse_ride(line) == ride
    assert format_ride(parse_ride(line)) == line
    fields = line.split(",")
    assert len(fields) == 11 and fields[1] == ride.kind
    # Column 3 is always the event time; column 4 is the start time of an END, the 1970 placeholder of a START.
    assert fields[2] == ride.event_time.strftime("%Y-%m-%d %H:%M:%S")
    assert fields[3] == ("1970-01-01 00:00:00" if ride.is_start else ride.start_time.strftime("%Y-%m-%d %H:%M:%S"))


@given(fares())
def test_any_fare_round_trips(fare: Fare) -> None:
    line = format_fare(fare)
    assert parse_fare(line) == fare
    assert format_fare(parse_fare(line)) == line


@given(rides())
def test_lab_columns_differ_from_the_real_meaning_on_start_events_only(ride: Ride) -> None:
    lab, real = ride.lab_columns(), ride.real_columns()
    assert lab["endTime"] == ride.event_time  # the lab's schema: column 3 is "endTime"
    if ride.is_start:
        assert lab["startTime"] == EPOCH and real["startTime"] == ride.start_time and real["endTime"] is None
    else:
        assert lab == real and lab["startTime"] == ride.start_time


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_reads_back_as_the_same_double(value: float) -> None:
    text = format_number(value)
    assert float(text) == value or (value == 0 and float(text) == 0)
    assert "e" not in text.lower()


@given(st.floats(min_value=-1e30, max_value=1e30).filter(lambda v: v == 0 or abs(v) > 1e-30))  # normal binary32
def test_f32_is_idempotent_and_close(value: float) -> None:
    once = f32(value)
    assert f32(once) == once
    assert abs(once - value) <= abs(value) * 2**-24


@given(st.text(alphabet="0123456789,-:. ENDSTARx", max_size=120))
def test_random_text_parses_or_says_why(text: str) -> None:
    for parse in (parse_ride, parse_fare):
        try:
            parse(text)
        except ParseError as exc:
            assert repr(text)[:20] in str(exc) or "not a yyyy-MM-dd" in str(exc)


# ---------------------------------------------------------------- real lines, picked by hand
def test_readme_start_example() -> None:
    ride = parse_ride("6,START,2013-01-01 00:00:00,1970-01-01 00:00:00,-73.866135,40.771091,-73.961334,40.764912,"
                      "6,2013000006,2013000006")
    assert ride.is_start and ride.start_time == datetime(2013, 1, 1, tzinfo=UTC) and ride.end_time is None
    assert (ride.start_lon, ride.end_lat, ride.passenger_cnt) == (-73.866135, 40.764912, 6)


def test_readme_end_example_swaps_the_times() -> None:
    ride = parse_ride("65,END,2013-01-01 00:00:36,2013-01-01 00:00:09,-73.99221,40.725124,-73.991646,40.726658,1,"
                      "2013000065,2013000065")
    assert not ride.is_start
    assert ride.end_time == datetime(2013, 1, 1, 0, 0, 36, tzinfo=UTC)
    assert ride.start_time == datetime(2013, 1, 1, 0, 0, 9, tzinfo=UTC)
    assert ride.lab_columns()["endTime"] == ride.end_time and ride.lab_columns()["startTime"] == ride.start_time


def test_zero_coordinates_and_zero_duration_line() -> None:
    ride = parse_ride("137,END,2013-01-01 00:01:00,2013-01-01 00:01:00,0,0,0,0,1,2013000137,2013000137")
    assert ride.start_time == ride.end_time and (ride.start_lon, ride.end_lat) == (0.0, 0.0)


def test_exponent_coordinate_of_ride_1136() -> None:
    # Two lines of the 100k file hold a Java Float.toString value, not the usual short form.
    line = ("1136,END,2013-01-01 00:18:00,2013-01-01 00:06:00,-2.8333001E-2,40.76442,-73.988121,40.764679,1,"
            "2013001123,2013001120")
    ride = parse_ride(line)
    assert ride.start_lon == -0.028333001
    assert format_ride(ride) == line.replace("-2.8333001E-2", "-0.028333001")


@pytest.mark.parametrize(("line", "payment", "tip", "total"), [
    ("1,2013000001,2013000001,2013-01-01 00:00:00,CSH,0,0,21.5", "CSH", 0.0, 21.5),
    ("444,2013000443,2013000441,2013-01-01 00:03:00,CRD,6.45,0,28.45", "CRD", 6.45, 28.45),
])  # fmt: skip
def test_readme_fare_examples(line: str, payment: str, tip: float, total: float) -> None:
    fare = parse_fare(line)
    assert (fare.payment_type, fare.tip, fare.total_fare) == (payment, tip, total)
    assert format_fare(fare) == line
    assert fare.lab_columns()["tip"] == f32(tip)


@pytest.mark.parametrize(("line", "message"), [
    ("1,START,2013-01-01 00:00:00", "11 comma-separated fields"),
    ("1,BEGIN,2013-01-01 00:00:00,1970-01-01 00:00:00,0,0,0,0,1,1,1", "not START or END"),
    ("x,END,2013-01-01 00:00:00,1970-01-01 00:00:00,0,0,0,0,1,1,1", "rideId is not an integer"),
    ("1,END,01/01/2013,1970-01-01 00:00:00,0,0,0,0,1,1,1", "yyyy-MM-dd HH:mm:ss"),
])  # fmt: skip
def test_bad_ride_lines_say_why(line: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_ride(line)


def test_f32_matches_the_lab_s_float_columns() -> None:
    # binary32 values of the §4.4 box edges: -74.05 and -73.7 are not exact, 41.0 and 40.5 are.
    assert f32(-74.05) < -74.05 and f32(-73.7) > -73.7
    assert f32(41.0) == 41.0 and f32(40.5) == 40.5
