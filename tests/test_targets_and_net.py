"""Addresses and targets: parsing any host/port the command line may give, and bounded probes."""

from __future__ import annotations

import socket
import string
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.hosts.net import BrokerList, Endpoint, Reach, probe, resolve
from fixtures.hosts.targets import BROKER_PORTS, ZOOKEEPER_PORT, TargetSpec, safe_name, specs_from_options

hostnames = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)
ports = st.integers(min_value=1, max_value=65535)


@given(hostnames, ports)
def test_endpoint_round_trips_through_its_text(host: str, port: int) -> None:
    endpoint = Endpoint(host, port)
    assert Endpoint.parse(str(endpoint), default_port=1) == endpoint


@given(hostnames)
def test_endpoint_without_port_takes_the_default(host: str) -> None:
    assert Endpoint.parse(host, 9092) == Endpoint(host, 9092)


@given(st.text())
def test_endpoint_parse_accepts_or_raises_value_error(text: str) -> None:
    try:
        endpoint = Endpoint.parse(text, 2181)
    except ValueError:
        return
    assert endpoint.host and 0 < endpoint.port < 65536


@given(st.text())
def test_safe_name_only_keeps_safe_characters(text: str) -> None:
    name = safe_name(text)
    assert name and set(name) <= set(string.ascii_letters + string.digits + "._-")


def test_a_target_host_gets_the_lab_ports() -> None:
    (spec,) = specs_from_options(["pi-node07"], None, None)
    target = spec.resolve()
    assert target.zookeeper == Endpoint("pi-node07", ZOOKEEPER_PORT)
    assert [b.port for b in target.brokers] == list(BROKER_PORTS)


def test_explicit_addresses_override_the_host() -> None:
    (spec,) = specs_from_options(None, "zk:12181", "b1:19092,b2:19093")
    target = spec.resolve()
    assert target.name == "b1" and target.zookeeper == Endpoint("zk", 12181)
    assert target.bootstrap == "b1:19092,b2:19093"


def test_no_target_means_the_embedded_reference() -> None:
    assert specs_from_options(None, None, None) == [TargetSpec("reference", embedded=True)]


def test_overrides_with_several_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="single --target"):
        specs_from_options(["a", "b"], "zk:2181", None)


def test_a_closed_port_is_refused_at_once() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    assert probe(Endpoint("127.0.0.1", port), timeout=2) is Reach.REFUSED
    assert time.monotonic() - started < 2


def test_a_name_that_does_not_resolve_is_unresolved() -> None:
    assert resolve("no-such-host.invalid", timeout=2) == []
    assert probe(Endpoint("no-such-host.invalid", 9092), timeout=2) is Reach.UNRESOLVED


def test_a_comma_separated_bootstrap_is_a_list_of_brokers() -> None:
    from fixtures.kafka.clients import _common

    assert _common("a:9092, b:9093", 1.0)["bootstrap_servers"] == ["a:9092", "b:9093"]
    assert _common(["a:9092"], 1.0)["bootstrap_servers"] == ["a:9092"]


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True), st.integers(1, 65535)),
                min_size=1, max_size=5),
       st.sampled_from(["str", "list", "endpoints"]))
def test_broker_list_is_one_shape_whatever_it_was_given_as(brokers, given_as) -> None:
    """A broker list given as the lab's comma text, a list of "host:port" or endpoints is the same value, and
    kafka-python always gets one host per broker (a comma string handed over as one host was a real bug)."""
    text = ",".join(f"{h}:{p}" for h, p in brokers)
    value = {"str": text, "list": [f"{h}:{p}" for h, p in brokers],
             "endpoints": [Endpoint(h, p) for h, p in brokers]}[given_as]
    parsed = BrokerList(value)
    assert parsed == text and str(parsed) == text
    assert parsed.servers() == [f"{h}:{p}" for h, p in brokers]
    assert BrokerList(parsed) is parsed and BrokerList(f" {text} ,") == parsed
