#!/usr/bin/env python3
"""velib-monitor-stations.py: the reference monitor of lab §3.1 (Kafka -> "+N address (contract)" lines).

Same output as the lab's script: it remembers each station's ``available_bike_stands`` and prints
``{+N|-N} {address} ({contract_name})`` when it changes. What it adds:

* a malformed record (not UTF-8, not JSON, not an object, a field missing or of the wrong type) is
  skipped with one line on stderr instead of killing the monitor;
* offsets are committed by hand **after** the lines of a batch are printed (at-least-once: a crash
  replays a batch rather than losing it), in the group ``velib-monitor-stations``;
* a new group starts from the earliest records (``--offset-reset``): the lab's default ("latest")
  silently misses what the producer sent before the monitor started;
* SIGTERM / Ctrl-C stop it cleanly (commit, leave the group so that the partitions move at once);
  ``--idle-timeout`` and ``--max-records`` bound a run for tests and benchmarks.

State is per station and kept only for the partitions this instance reads: with a keyed producer, two
instances of the same group never see the same station.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from typing import Any

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError

BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"
log = logging.getLogger("velib-monitor-stations")

# The fields this monitor reads, and the JSON type each must have.
FIELDS = {"number": int, "contract_name": str, "address": str, "available_bike_stands": int}


def problem_with(value: Any) -> str | None:
    """Why a decoded record cannot be used (None: it can)."""
    if not isinstance(value, dict):
        return f"not a JSON object ({type(value).__name__})"
    for name, kind in FIELDS.items():
        if name not in value:
            return f"no {name!r} field"
        field = value[name]
        # JSON true/false are bools, and bool is an int in Python: refuse them explicitly.
        if not isinstance(field, kind) or (kind is int and isinstance(field, bool)):
            return f"{name!r} is {type(field).__name__}, not {kind.__name__}"
    return None


def decode(raw: bytes | None) -> tuple[dict[str, Any] | None, str | None]:
    if raw is None:
        return None, "empty record"
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8"
    except ValueError as exc:
        return None, f"not JSON ({exc.msg})"
    problem = problem_with(value)
    return (None, problem) if problem else (value, None)


class Monitor:
    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = {}
        self.records = self.malformed = self.lines = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    def handle(self, partition: int, offset: int, raw: bytes | None) -> None:
        now = time.monotonic()
        self.first_at = self.first_at or now
        self.last_at = now
        self.records += 1
        station, problem = decode(raw)
        if station is None:
            self.malformed += 1
            print(f"skipping malformed record (partition {partition}, offset {offset}): {problem}"
                  f" / enregistrement invalide ignoré", file=sys.stderr, flush=True)
            return
        contract = station["contract_name"]
        sid = (contract, station["number"])
        stands = station["available_bike_stands"]
        previous = self.last.setdefault(sid, stands)
        diff = stands - previous
        if diff != 0:
            self.last[sid] = stands
            self.lines += 1
            print("{}{} {} ({})".format("+" if diff > 0 else "", diff, station["address"], contract))


class LogAssignments(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked: Any) -> None:
        log.info("partitions revoked: %s", sorted(tp.partition for tp in revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        log.info("partitions assigned: %s", sorted(tp.partition for tp in assigned))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default=os.environ.get(BOOTSTRAP_ENV, "localhost:9092"))
    parser.add_argument("--topic", default="velib-stations")
    parser.add_argument("--group", default="velib-monitor-stations")
    parser.add_argument("--offset-reset", choices=("earliest", "latest"), default="earliest",
                        help="where a group without committed offsets starts")
    parser.add_argument("--idle-timeout", type=float, default=0.0,
                        help="exit after this many seconds without a record (0: never)")
    parser.add_argument("--max-records", type=int, default=0, help="exit after N records (0: never)")
    parser.add_argument("--poll-ms", type=int, default=500)
    parser.add_argument("--kafka-timeout", type=int, default=30, help="seconds to reach Kafka")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO if args.verbose else logging.WARNING)

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            raise SystemExit(130)
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        consumer = KafkaConsumer(
            bootstrap_servers=args.bootstrap_servers.split(","),
            group_id=args.group,
            client_id="velib-monitor-stations",
            enable_auto_commit=False,
            auto_offset_reset=args.offset_reset,
            session_timeout_ms=10000,      # a dead instance's partitions move after 10 s, not 45
            bootstrap_timeout_ms=args.kafka_timeout * 1000,
        )
    except KafkaError as exc:  # KafkaTimeoutError "Unable to bootstrap" in kafka-python 3
        log.error("cannot start a Kafka consumer for %s: %s / Kafka injoignable", args.bootstrap_servers, exc)
        return 2
    consumer.subscribe([args.topic], listener=LogAssignments())
    monitor = Monitor()
    idle_since = time.monotonic()
    try:
        while not stopping:
            batch = consumer.poll(timeout_ms=args.poll_ms)
            if not batch:
                if args.idle_timeout and time.monotonic() - idle_since > args.idle_timeout:
                    log.info("no record for %.1fs: stopping", args.idle_timeout)
                    break
                continue
            for tp, records in batch.items():
                for record in records:
                    monitor.handle(tp.partition, record.offset, record.value)
            sys.stdout.flush()  # lines out before the offsets that say they were handled
            try:
                consumer.commit()
            except CommitFailedError as exc:  # partitions moved during the batch: they will be replayed
                log.warning("commit failed after a rebalance: %s", exc)
            idle_since = time.monotonic()
            if args.max_records and monitor.records >= args.max_records:
                break
    except KafkaError as exc:
        log.error("Kafka error: %s", exc)
        return 1
    finally:
        consumer.close()
        span = (monitor.last_at or 0) - (monitor.first_at or 0)
        rate = monitor.records / span if span > 0 else 0.0
        print(f"summary: records={monitor.records} malformed={monitor.malformed} lines={monitor.lines} "
              f"span_s={span:.3f} rate={rate:.1f}/s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
