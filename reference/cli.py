"""The command line shared by the reference plays: ``python -m reference.<step> --zookeeper … --bootstrap …``."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from fixtures.hosts.net import Endpoint
from fixtures.hosts.targets import BROKER_PORTS, ZOOKEEPER_PORT
from fixtures.runtime import DEFAULT_VERSION, fetch


def play_main(play: Callable, prog: str, doc: str | None, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zookeeper", default=f"localhost:{ZOOKEEPER_PORT}")
    parser.add_argument("--bootstrap", default=f"localhost:{BROKER_PORTS[0]}")
    parser.add_argument("--kafka", default=DEFAULT_VERSION, help="version of the lab's scripts to use")
    args = parser.parse_args(argv)
    runtime = fetch(args.kafka, progress=lambda message: print(message, file=sys.stderr))
    transcript = play(runtime, Endpoint.parse(args.zookeeper, ZOOKEEPER_PORT),
                      Endpoint.parse(args.bootstrap, BROKER_PORTS[0]))
    print(transcript.text())
    return 0
