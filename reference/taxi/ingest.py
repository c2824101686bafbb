"""§4.1 ingestion: the taxi files replayed into ``taxirides`` and ``taxifares`` in chunks, as the lab does.

The lab's pipeline is ``zcat … | split -l 10000 --filter="kafka-console-producer.sh … ; sleep 0.2"``, one
pipeline per topic, both in the background. :func:`replay` does the same for one topic: chunks of
``chunk_size`` lines, each sent by a fresh ``kafka-console-producer.sh`` (from the cached runtime) or by
kafka-python, then a ``pause_s`` pause; :func:`ingest` runs the two topics side by side.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from fixtures import clients
from fixtures.runtime import DEFAULT_VERSION, KafkaRuntime

RIDES_TOPIC = "taxirides"
FARES_TOPIC = "taxifares"
CHUNK_SIZE = 10_000  # split -l 10000
PAUSE_S = 0.2  # sleep 0.2
CHUNK_TIMEOUT_S = 120.0
VIA = ("console", "python")


class IngestError(RuntimeError):
    """A chunk could not be sent; the message has the producer's own words."""


@dataclass
class IngestReport:
    topic: str
    records: int
    chunks: int
    seconds: float
    first_sent_at: float  # time.monotonic() when the first chunk started

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else float("inf")


def create_topics(bootstrap: str, topics: Sequence[str] = (RIDES_TOPIC, FARES_TOPIC), partitions: int = 1,
                  replication: int = 1, timeout_s: float = 30.0) -> None:
    """The lab's ``kafka-topics.sh --create … --partitions 1 --replication-factor 1``; existing topics are kept."""
    admin = clients.admin(bootstrap, timeout_s)
    try:
        for topic in topics:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(topic, partitions, replication)], timeout_ms=int(timeout_s * 1000))
        admin.wait_for_topics(list(topics), timeout_ms=int(timeout_s * 1000))
    finally:
        admin.close()


def chunks(lines: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    for start in range(0, len(lines), size):
        yield lines[start:start + size]


def _send_console(runtime: KafkaRuntime, bootstrap: str, topic: str, chunk: Sequence[str], timeout_s: float) -> None:
    script = runtime.script("kafka-console-producer.sh")
    data = ("\n".join(chunk) + "\n").encode()
    try:
        proc = subprocess.run(
            [str(script), "--bootstrap-server", bootstrap, "--topic", topic],
            input=data, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,  # stdout: the ">" prompts
            env=runtime.tool_env(), timeout=timeout_s,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise IngestError(f"kafka-console-producer.sh did not finish a {len(chunk)}-line chunk for {topic} "
                          f"within {timeout_s:.0f}s") from None
    if proc.returncode != 0:
        raise IngestError(f"kafka-console-producer.sh exited with {proc.returncode} for {topic}:\n"
                          + proc.stderr.decode(errors="replace")[-2000:])


def _send_python(bootstrap: str, topic: str, chunk: Sequence[str], timeout_s: float) -> None:
    # A producer per chunk, like a console producer per chunk: each chunk is delivered before the pause.
    clients.send_all(bootstrap, topic, (line.encode() for line in chunk), timeout_s, linger_ms=5,
                     batch_size=256 * 1024)


def replay(bootstrap: str, topic: str, lines: Sequence[str], chunk_size: int = CHUNK_SIZE,
           pause_s: float = PAUSE_S, via: str = "console", version: str = DEFAULT_VERSION,
           chunk_timeout_s: float = CHUNK_TIMEOUT_S) -> IngestReport:
    """Send ``lines`` to ``topic`` chunk by chunk with a pause after each chunk (the lab's ``sleep 0.2``)."""
    if via not in VIA:
        raise ValueError(f"via must be one of {VIA}, not {via!r}")
    runtime = KafkaRuntime.for_version(version)
    started = time.monotonic()
    sent = 0
    count = 0
    for chunk in chunks(lines, chunk_size):
        if via == "console":
            _send_console(runtime, bootstrap, topic, chunk, chunk_timeout_s)
        else:
            _send_python(bootstrap, topic, chunk, chunk_timeout_s)
        sent += len(chunk)
        count += 1
        if pause_s > 0:
            # Pacing, as in the lab's pipeline: it simulates a stream; it waits for nothing.
            time.sleep(pause_s)
    return IngestReport(topic, sent, count, time.monotonic() - started, started)


def ingest(bootstrap: str, rides: Sequence[str], fares: Sequence[str], rides_topic: str = RIDES_TOPIC,
           fares_topic: str = FARES_TOPIC, **options) -> dict[str, IngestReport]:
    """Both replays at once, as the lab's two background pipelines; raises the first error of either."""
    reports: dict[str, IngestReport] = {}
    errors: list[BaseException] = []

    def run(topic: str, lines: Sequence[str]) -> None:
        try:
            reports[topic] = replay(bootstrap, topic, lines, **options)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(rides_topic, rides), name="ingest-rides"),
               threading.Thread(target=run, args=(fares_topic, fares), name="ingest-fares")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # each replay is bounded by its chunk timeouts
    if errors:
        raise errors[0]
    return reports
