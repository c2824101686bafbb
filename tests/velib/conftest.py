"""Fixtures of the velib tests: the stand-in API with a session key, the run's shared cluster for the modules
that ask for it, and a transcript of everything the scripts and in-process loggers printed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from fixtures.jcdecaux import JCDecauxStandIn, make_api_key
from fixtures.jcdecaux.snapshots import Snapshot, load_snapshots
from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster

from .procs import KEY_ENV, MONITOR, PRODUCER, CapturedOutput, Script, clean_env, python


class _CapturedOutputHandler(logging.Handler):
    def __init__(self, transcript: CapturedOutput) -> None:
        super().__init__(level=logging.DEBUG)
        self.transcript = transcript

    def emit(self, record: logging.LogRecord) -> None:
        self.transcript.add(f"log {record.name}", self.format(record))


@pytest.fixture(scope="session")
def transcript() -> Iterator[CapturedOutput]:
    """Every captured output; in-process log records (the stand-in's access log too) are added as they come."""
    found = CapturedOutput()
    handler = _CapturedOutputHandler(found)
    logging.getLogger().addHandler(handler)
    yield found
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="session")
def api_key() -> str:
    return make_api_key()


@pytest.fixture(scope="session")
def snapshots() -> list[Snapshot]:
    return load_snapshots()


@pytest.fixture
def standin(api_key: str, snapshots: list[Snapshot], transcript: CapturedOutput) -> Iterator[JCDecauxStandIn]:
    """The stand-in with its access log on (redacted), so that the key grep has something to look at."""
    with JCDecauxStandIn(api_key, snapshots, slow_s=3.0, access_log=True) as api:
        yield api


@pytest.fixture(scope="module")
def velib_cluster(cluster: EmbeddedCluster) -> EmbeddedCluster:
    """The run's shared one-broker cluster, emptied for this module (``cluster``, tests/conftest.py)."""
    return cluster


@pytest.fixture(scope="module")
def admin(velib_cluster: EmbeddedCluster) -> Iterator[KafkaAdminClient]:
    client = clients.admin(velib_cluster.bootstrap, timeout_s=15.0)
    yield client
    client.close()


@pytest.fixture
def run_producer(velib_cluster: EmbeddedCluster, standin: JCDecauxStandIn, api_key: str, tmp_path: Path,
                 transcript: CapturedOutput) -> Callable[..., Script]:
    """Start the reference producer on ``topic`` against the stand-in; the key goes in its environment."""

    def start(topic: str, *args: str, key: str | None = None, bootstrap: str | None = None) -> Script:
        argv = python(PRODUCER, "--bootstrap-servers", bootstrap or velib_cluster.bootstrap,
                      "--url", standin.url, "--topic", topic, *args)
        chosen = api_key if key is None else key
        env = clean_env(**({KEY_ENV: chosen} if chosen else {}))
        return Script("producer", argv, tmp_path, transcript, env)

    return start


@pytest.fixture
def run_monitor(velib_cluster: EmbeddedCluster, tmp_path: Path,
                transcript: CapturedOutput) -> Callable[..., Script]:
    """Start the reference monitor on ``topic`` in ``group``; it gets no API key (it needs none)."""

    def start(topic: str, group: str, *args: str) -> Script:
        argv = python(MONITOR, "--bootstrap-servers", velib_cluster.bootstrap, "--topic", topic,
                      "--group", group, "--idle-timeout", "90", *args)
        return Script("monitor", argv, tmp_path, transcript, clean_env())

    return start
