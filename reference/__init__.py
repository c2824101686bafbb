"""Reference answers of the Kafka lab: configs, commands played with the lab's scripts, written answers.

``PLAYS`` lists the reference plays in the lab's order; each is ``play(runtime, zookeeper, broker) ->
Transcript`` and runs on a fresh cluster after the ones before it. The embedded reference cluster plays them
all before it is graded.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

PLAYS: list[tuple[str, str]] = [
    ("s2", "reference.s2:play"),
    ("velib", "reference.velib.play:play"),
    # A play with a ``cluster`` parameter gets the embedded cluster: §3.2 stops and restarts a broker.
    ("s3_2", "reference.s3_2:play"),
    ("taxi", "reference.taxi.play:play"),
]


def load_play(spec: str) -> Callable:
    module, _, function = spec.partition(":")
    return getattr(import_module(module), function)
