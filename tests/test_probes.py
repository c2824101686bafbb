"""The protocol probes against small real servers that play a misbehaving service."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from fixtures.hosts.net import Endpoint
from fixtures.hosts.probes import identify, kafka_status, zookeeper_status
from fixtures.kafka.cluster import EmbeddedCluster


@contextmanager
def one_shot_server(reply: bytes | None, read_first: bool = True) -> Iterator[Endpoint]:
    """A TCP server that reads one request and answers ``reply`` (None: says nothing, keeps the line open)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    if read_first:
                        conn.recv(4096)
                    if reply is not None:
                        conn.sendall(reply)
                    else:
                        stop.wait(5)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Endpoint("127.0.0.1", server.getsockname()[1])
    finally:
        stop.set()
        server.close()


def test_zookeeper_srvr_answer_is_parsed() -> None:
    text = b"Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024\nMode: standalone\n"
    with one_shot_server(text) as endpoint:
        status = zookeeper_status(endpoint, timeout=2)
    assert status.up and status.version == "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c"
    assert status.mode == "standalone"


def test_zookeeper_refusing_four_letter_words_is_up_but_noted() -> None:
    with one_shot_server(b"srvr is not executed because it is not in the whitelist.\n") as endpoint:
        status = zookeeper_status(endpoint, timeout=2)
    assert status.up and status.whitelist_refused and "4lw.commands.whitelist" in status.problem


def test_a_silent_port_costs_one_timeout_and_says_so() -> None:
    with one_shot_server(None) as endpoint:
        status = kafka_status(endpoint, timeout=0.5)
    assert not status.speaks_kafka
    assert "said nothing in time" in status.problem


def test_an_ssh_server_is_named() -> None:
    with one_shot_server(b"SSH-2.0-OpenSSH_9.2\r\n", read_first=False) as endpoint:
        status = kafka_status(endpoint, timeout=1)
    assert "an SSH server, not Kafka" in status.problem


def test_identify_asks_in_http() -> None:
    with one_shot_server(b"HTTP/1.1 400 Bad Request\r\n\r\n") as endpoint:
        assert identify(endpoint, timeout=1) == "an HTTP server"


def test_garbage_is_not_taken_for_kafka() -> None:
    with one_shot_server(b"\x00\x00\x00\x04garbage") as endpoint:
        status = kafka_status(endpoint, timeout=1)
    assert not status.speaks_kafka and "not Kafka" in status.problem


@pytest.mark.slow
def test_a_real_zookeeper_with_restricted_four_letter_words(tmp_path) -> None:
    """Not a canned reply: a real ZooKeeper whose ``4lw.commands.whitelist`` is restricted. ZooKeeper always
    answers ``srvr`` (its own zkServer.sh needs it: FourLetterCommands adds it to any whitelist), which is why
    the grader probes with it; a word left out is refused with the whitelist sentence, which the probe reads
    as "up, but refusing", naming the word and the setting."""
    with EmbeddedCluster(brokers=0, workdir=tmp_path, zookeeper_overrides={"4lw.commands.whitelist": "ruok"}) as zk:
        srvr = zookeeper_status(zk.zookeeper_endpoint, timeout=5)
        stat = zookeeper_status(zk.zookeeper_endpoint, timeout=5, word="stat")
        ruok = zookeeper_status(zk.zookeeper_endpoint, timeout=5, word="ruok")
    assert srvr.up and not srvr.whitelist_refused and srvr.version.startswith("3.") and srvr.mode == "standalone"
    assert stat.up and stat.whitelist_refused, stat
    assert "4lw.commands.whitelist" in stat.problem and "'stat'" in stat.problem
    # ruok is allowed and answered "imok": no srvr answer, so the probe takes no version from it.
    assert not ruok.whitelist_refused and ruok.version == "" and ruok.answer.data == b"imok"
