#!/usr/bin/env python3
"""velib-get-stations.py: the reference producer of lab §3.1 (JCDecaux stations -> Kafka).

Same job as the lab's script (poll ``/vls/v1/stations``, one Kafka record per station, the station's
JSON as value), with what the lab's version leaves out:

* the API key comes from the environment (``JCDECAUX_API_KEY``) or a file (``--api-key-file``), never
  from the code or the command line (visible to every user through ``ps``), and is never printed: every
  message goes through ``Redactor``;
* records are **keyed by station** (``contract_name:number``): Kafka's default partitioner hashes the key,
  so a station always lands in the same partition and one monitor sees all of its records, in order
  (this fixes the problem the lab points out in §3.1.4);
* every HTTP call has a deadline, failed calls are retried with exponential backoff, a bad answer (HTTP
  error, truncated or invalid JSON, not a list) is reported and the loop goes on;
* SIGTERM / Ctrl-C stop it cleanly: the current wait is interrupted, sent records are flushed.

Usage: ``JCDECAUX_API_KEY=… python velib-get-stations.py [--bootstrap-servers host:9092] [--max-polls N]``.
Standard output keeps the lab's line per poll: ``<time> Produced <n> station records``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

DEFAULT_URL = "https://api.jcdecaux.com/vls/v1/stations"
KEY_ENV = "JCDECAUX_API_KEY"
URL_ENV = "JCDECAUX_URL"
BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"
LINGER_MS = 20  # small batches: a poll sends its 114+ records at once
log = logging.getLogger("velib-get-stations")


class Redactor(logging.Filter):
    """Removes the API key from any text, and from every log record of this process."""

    _QUERY_KEY = re.compile(r"(apikey=)[^&\s\"']*", re.IGNORECASE)

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def __call__(self, text: object) -> str:
        out = str(text)
        if self.secret:
            out = out.replace(self.secret, "***")
        return self._QUERY_KEY.sub(r"\1***", out)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self(record.getMessage()), ()
        if record.exc_info:  # a traceback may quote a URL: keep only the redacted one-line reason
            record.msg += f" ({self(record.exc_info[1])})"
            record.exc_info = record.exc_text = None
        return True


class ApiError(Exception):
    """One failed call to the API; ``retry`` says whether trying again soon can help."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def build_url(base: str, key: str, contract: str | None) -> str:
    params = {"apiKey": key}
    if contract:
        params["contract"] = contract
    return base + ("&" if "?" in base else "?") + urllib.parse.urlencode(params)


def fetch_stations(url: str, timeout: float, max_bytes: int) -> list[Any]:
    """GET the stations list. Each socket operation waits at most ``timeout`` and the whole answer at most
    ``timeout`` plus one read; anything but a 200 with a JSON list raises ``ApiError``."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "velib-get-stations/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise ApiError(f"answer not complete after {timeout:g}s")
                chunk = response.read(65536)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    raise ApiError(f"answer larger than {max_bytes} bytes", retry=False)
            # read(n) returns b"" when the peer closes early, without IncompleteRead: compare with the
            # announced length ourselves.
            announced = response.headers.get("Content-Length")
            if announced and announced.isdigit() and len(body) < int(announced):
                raise ApiError(f"connection closed mid-answer ({len(body)} of {announced} bytes received)")
    except urllib.error.HTTPError as exc:  # str(exc) holds no URL; exc.url does: never print it
        if exc.code in (401, 403):
            message = f"HTTP {exc.code}: the API refused the key (check {KEY_ENV})"
            raise ApiError(message, retry=False) from None
        raise ApiError(f"HTTP {exc.code} {exc.reason}", retry=exc.code >= 500 or exc.code == 429) from None
    except (socket.timeout, TimeoutError):
        raise ApiError(f"no answer within {timeout:g}s") from None
    except http.client.IncompleteRead as exc:
        raise ApiError(f"connection closed mid-answer ({len(exc.partial)} bytes received)") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiError(f"cannot reach the API: {type(exc).__name__}: {reason}") from None
    try:
        stations = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError("answer is not UTF-8 text") from None
    except ValueError as exc:
        raise ApiError(f"answer is not valid JSON ({exc.msg} at byte {exc.pos} of {len(body)})") from None
    if not isinstance(stations, list):
        raise ApiError(f"answer is a JSON {type(stations).__name__}, not the list of stations")
    return stations


def station_key(station: Any) -> bytes | None:
    """``contract_name:number`` for a station that has both (with sane types), else None."""
    if not isinstance(station, dict):
        return None
    contract, number = station.get("contract_name"), station.get("number")
    if not isinstance(contract, str) or not isinstance(number, int) or isinstance(number, bool):
        return None
    return f"{contract}:{number}".encode()


class Producer:
    def __init__(self, args: argparse.Namespace, url: str, redact: Redactor, stop: threading.Event) -> None:
        self.args, self.url, self.redact, self.stop = args, url, redact, stop
        self.polls = self.failed_polls = self.records = self.skipped = 0
        self.busy_s = 0.0
        timeout_ms = args.kafka_timeout * 1000
        request_ms = min(timeout_ms, 30000)
        self.kafka = KafkaProducer(
            bootstrap_servers=args.bootstrap_servers.split(","),
            client_id="velib-get-stations",
            linger_ms=LINGER_MS,
            max_block_ms=timeout_ms,
            request_timeout_ms=request_ms,
            delivery_timeout_ms=request_ms + LINGER_MS + timeout_ms,  # must exceed linger + request
            bootstrap_timeout_ms=timeout_ms,
        )

    def fetch_with_retries(self) -> list[Any]:
        delay = self.args.backoff
        for attempt in range(max(self.args.retries, 0) + 1):
            try:
                return fetch_stations(self.url, self.args.http_timeout, self.args.max_body_mb << 20)
            except ApiError as exc:
                last = exc
                if not exc.retry or attempt == self.args.retries or self.stop.is_set():
                    break
                log.warning("API call failed (%s); retry %d/%d in %.1fs", exc, attempt + 1,
                            self.args.retries, delay)
                if self.stop.wait(delay):
                    break
                delay = min(delay * 2, self.args.max_backoff)
        raise last

    def send(self, stations: list[Any]) -> int:
        futures = []
        for station in stations:
            key = station_key(station)
            if key is None:
                self.skipped += 1
                log.warning("skipping an item without contract_name/number: %.80s", json.dumps(station))
                continue
            futures.append(self.kafka.send(self.args.topic, key=key, value=json.dumps(station).encode()))
        self.kafka.flush(timeout=self.args.kafka_timeout)
        failed = [f for f in futures if not f.succeeded()]
        if failed:
            error = failed[0].exception if failed[0].is_done else "not acknowledged in time"
            raise KafkaError(f"{len(failed)} of {len(futures)} records not delivered: {error}")
        return len(futures)

    def poll_once(self) -> bool:
        started = time.monotonic()
        try:
            sent = self.send(self.fetch_with_retries())
        except ApiError as exc:
            log.error("poll %d: no stations this time: %s", self.polls + 1, exc)
            return False
        except KafkaError as exc:
            log.error("poll %d: Kafka error: %s", self.polls + 1, exc)
            return False
        finally:
            self.busy_s += time.monotonic() - started
        self.records += sent
        print(f"{time.time()} Produced {sent} station records", flush=True)
        return True

    def run(self) -> None:
        failures_in_a_row = 0
        while not self.stop.is_set():
            ok = self.poll_once()
            self.polls += 1
            failures_in_a_row = 0 if ok else failures_in_a_row + 1
            self.failed_polls += 0 if ok else 1
            if self.args.max_polls and self.polls >= self.args.max_polls:
                break
            # The lab's pacing, longer while the API keeps failing (do not hammer a service that is down).
            pause = self.args.interval
            if failures_in_a_row:
                pause = max(pause, min(self.args.backoff * 2 ** failures_in_a_row, self.args.max_backoff))
            self.stop.wait(pause)

    def close(self) -> None:
        try:
            self.kafka.flush(timeout=self.args.kafka_timeout)
        except KafkaError as exc:
            log.error("final flush failed: %s", exc)
        self.kafka.close(timeout=self.args.kafka_timeout)
        rate = self.records / self.busy_s if self.busy_s > 0 else 0.0
        log.info("summary: polls=%d failed=%d records=%d skipped=%d busy_s=%.3f rate=%.1f/s",
                 self.polls, self.failed_polls, self.records, self.skipped, self.busy_s, rate)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default=os.environ.get(BOOTSTRAP_ENV, "localhost:9092"))
    parser.add_argument("--topic", default="velib-stations")
    parser.add_argument("--url", default=os.environ.get(URL_ENV, DEFAULT_URL), help=f"or ${URL_ENV}")
    parser.add_argument("--contract", help="only this contract (e.g. dublin); default: all contracts")
    parser.add_argument("--api-key-file", help=f"file holding the key (default: ${KEY_ENV})")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls (lab: 1)")
    parser.add_argument("--max-polls", type=int, default=0, help="stop after N polls (0: never)")
    parser.add_argument("--http-timeout", type=float, default=10.0, help="seconds per API call")
    parser.add_argument("--retries", type=int, default=3, help="retries of a failed API call per poll")
    parser.add_argument("--backoff", type=float, default=0.5, help="first retry delay, doubled each time")
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--max-body-mb", type=int, default=64)
    parser.add_argument("--kafka-timeout", type=int, default=30, help="seconds to reach/ack Kafka")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def read_key(args: argparse.Namespace) -> str:
    if args.api_key_file:
        with open(args.api_key_file, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get(KEY_ENV, "").strip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        key = read_key(args)
    except OSError as exc:
        print(f"error: cannot read the key file: {exc.strerror}", file=sys.stderr)
        return 2
    if not key:
        print(f"error: no API key: set {KEY_ENV} / pas de clé d'API : définissez {KEY_ENV}", file=sys.stderr)
        return 2
    scheme, netloc = urllib.parse.urlsplit(args.url)[:2]
    if scheme not in ("http", "https") or not netloc:
        print(f"error: --url must be an http(s) URL, not {args.url!r}", file=sys.stderr)
        return 2
    redact = Redactor(key)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(redact)  # on the handler: also catches records of kafka-python's loggers
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    log.setLevel(logging.INFO)

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # second Ctrl-C: the user really wants out
            raise SystemExit(130)
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        producer = Producer(args, build_url(args.url, key, args.contract), redact, stop)
    except KafkaError as exc:  # KafkaTimeoutError "Unable to bootstrap" in kafka-python 3
        log.error("cannot start a Kafka producer for %s: %s / Kafka injoignable", args.bootstrap_servers, exc)
        return 2
    try:
        producer.run()
    except Exception as exc:  # noqa: BLE001 - a traceback could quote the URL, key included: redact it
        log.error("unexpected error, stopping: %s: %s", type(exc).__name__, redact(exc))
        return 1
    finally:
        producer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
