"""``python -m reference.taxi ingest|count --bootstrap HOST:PORT``: the §4.1 replay and its verification.

``ingest`` creates ``taxirides``/``taxifares`` (1 partition, replication 1, as in the lab), replays the shipped
files in chunks (``--chunk 10000 --pause 0.2`` as the lab's ``split``/``sleep``) and then checks that each
topic holds as many records as its file has lines. ``count`` only does the check.
"""

from __future__ import annotations

import argparse
import sys

from fixtures.taxi.counts import count_problems
from fixtures.taxi.files import FARED_RIDES, FARES, RIDES, read_lines
from fixtures.taxi.ingest import CHUNK_SIZE, FARES_TOPIC, PAUSE_S, RIDES_TOPIC, VIA, create_topics, ingest
from fixtures.taxi.ticks import TICK_FARE, TICK_RIDE

RIDE_FILES = {"full": RIDES, "fared": FARED_RIDES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.taxi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("ingest", "count"))
    parser.add_argument("--bootstrap", required=True, help="host:port of a broker")
    parser.add_argument("--rides", choices=sorted(RIDE_FILES), default="full",
                        help="full: the 100k ride events; fared: the 888 with a fare (default: full)")
    parser.add_argument("--chunk", type=int, default=CHUNK_SIZE)
    parser.add_argument("--pause", type=float, default=PAUSE_S)
    parser.add_argument("--via", choices=VIA, default="console")
    parser.add_argument("--ticks", action="store_true", help="append the end-of-stream ticks (for Spark runs)")
    args = parser.parse_args(argv)

    rides, fares = read_lines(RIDE_FILES[args.rides]), read_lines(FARES)
    if args.ticks:
        rides, fares = [*rides, TICK_RIDE], [*fares, TICK_FARE]
    if args.command == "ingest":
        create_topics(args.bootstrap)
        reports = ingest(args.bootstrap, rides, fares, chunk_size=args.chunk, pause_s=args.pause, via=args.via)
        for report in reports.values():
            print(f"{report.topic}: {report.records} records in {report.chunks} chunks, {report.seconds:.1f}s "
                  f"({report.rate:.0f} records/s)")
    problems = count_problems(args.bootstrap, {RIDES_TOPIC: len(rides), FARES_TOPIC: len(fares)})
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"ok: {RIDES_TOPIC} holds {len(rides)} records, {FARES_TOPIC} {len(fares)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
