"""Property tests of the parsers that read what a student's host or job wrote: the probe replies and the Spark
output timestamps. Hand-picked examples live beside them (tests/test_probes.py, tests/spark/…); these try the
shapes nobody picked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.s4_streaming.outputs import parse_timestamp
from fixtures.hosts.probes import kafka_status, zookeeper_status
from tests.test_probes import one_shot_server

WHITELIST = b"is not executed because it is not in the whitelist"
# Each example is a real exchange over a socket: few examples, no deadline (a loaded machine is slow to accept).
over_sockets = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

versions = st.from_regex(r"3\.[5-9]\.[0-9]{1,2}-[0-9a-f]{40}", fullmatch=True)
modes = st.sampled_from(["standalone", "leader", "follower", "observer"])
other_lines = st.lists(st.tuples(st.from_regex(r"[A-Z][a-z]{2,12}", fullmatch=True),
                                 st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)),
                       max_size=5)


@over_sockets
@given(version=versions, built=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
       mode=modes, extra=other_lines)
def test_any_srvr_answer_gives_its_version_and_mode(version: str, built: str, mode: str, extra) -> None:
    """``srvr`` answers with ``Key: value`` lines in any order among others: version (up to its first comma) and
    mode are read, whatever else is said."""
    lines = [f"Zookeeper version: {version}, built on {built}", *(f"{k}: {v}" for k, v in extra), f"Mode: {mode}"]
    with one_shot_server(("\n".join(lines) + "\n").encode()) as endpoint:
        status = zookeeper_status(endpoint, timeout=2)
    assert status.up and status.version == version and status.mode == mode, status


@over_sockets
@given(st.binary(max_size=200))
def test_no_reply_is_taken_for_zookeeper_unless_it_says_so(reply: bytes) -> None:
    """Any bytes: never an exception; "up" only for a ZooKeeper version line or a whitelist refusal, and a
    reason whenever it is not up."""
    with one_shot_server(reply) as endpoint:
        status = zookeeper_status(endpoint, timeout=1)
    says_zookeeper = b"Zookeeper version" in reply or WHITELIST in reply
    assert status.up <= says_zookeeper, (reply, status)
    assert status.up or status.problem


@over_sockets
@given(st.binary(max_size=200))
def test_no_reply_makes_the_kafka_probe_raise(reply: bytes) -> None:
    """Any bytes on a Kafka port: the probe ends with a verdict and, when it is not Kafka, says why."""
    with one_shot_server(reply) as endpoint:
        status = kafka_status(endpoint, timeout=1)
    assert status.speaks_kafka or status.problem


moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1),
                       timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-5)),
                                                  timezone(timedelta(hours=5, minutes=30))]))


def _spark_json(moment: datetime) -> str:
    """Spark's JSON writer: ``yyyy-MM-dd'T'HH:mm:ss.SSSXXX`` (``Z`` for UTC, else ``+hh:mm``)."""
    offset = moment.utcoffset() or timedelta(0)
    zone = "Z" if not offset else moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + zone


@given(moments)
def test_spark_timestamps_read_back_as_the_same_instant_in_utc(moment: datetime) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # Spark writes milliseconds
    parsed = parse_timestamp(_spark_json(moment))
    assert parsed == moment and parsed.utcoffset() == timedelta(0)


@given(moments)
def test_a_space_separated_or_naive_timestamp_is_read_as_utc(moment: datetime) -> None:
    naive = moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    for text in (naive.isoformat(sep=" "), naive.isoformat()):
        assert parse_timestamp(text) == naive.replace(tzinfo=timezone.utc)


@given(st.integers(min_value=0, max_value=4_102_444_800))
def test_epoch_seconds_are_read_as_utc(seconds: int) -> None:
    assert parse_timestamp(seconds) == datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    assert parse_timestamp(None) is None
