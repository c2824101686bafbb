"""The same points in both Kafka modes (issue 23): a check that applies under ZooKeeper only or under KRaft only
is *not applicable* in the other mode and leaves that student's basis, so the points a section gives to one mode's
checks must equal the points it gives to the other's; else a KRaft student and a ZooKeeper student who did the
same work get different grades (seen: 4.83/20 against 4.94/20 for the same §2 when a KRaft-only §3.2 check
weighed a point)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

import pytest

import checks
from reports.rubric import Rubric

# How a check says it belongs to one mode: the fixture it takes (checks/conftest.py marks them not applicable in
# the other mode) or the call it makes itself (checks/kraft.py).
ZOOKEEPER_ONLY = ("zookeeper", "skip_zookeeper_check_under_kraft(")
KRAFT_ONLY = ("quorum", "skip_kraft_check_under_zookeeper(")


def _checks() -> dict[str, object]:
    found = {}
    for module in pkgutil.walk_packages(checks.__path__, "checks."):
        if module.name.rsplit(".", 1)[-1].startswith("test_"):
            loaded = importlib.import_module(module.name)
            found.update({name: f for name, f in vars(loaded).items()
                          if name.startswith("test_") and inspect.isfunction(f) and f.__module__ == module.name})
    return found


def _mode(function) -> str | None:
    takes, source = set(inspect.signature(function).parameters), inspect.getsource(function)
    fixture, call = ZOOKEEPER_ONLY
    zookeeper = fixture in takes or call in source
    fixture, call = KRAFT_ONLY
    kraft = fixture in takes or call in source
    assert not (zookeeper and kraft), f"{function.__name__} claims both Kafka modes"
    return "zookeeper" if zookeeper else "kraft" if kraft else None


def test_the_mode_specific_checks_are_the_known_ones() -> None:
    modes = {name: _mode(f) for name, f in _checks().items()}
    assert {n for n, m in modes.items() if m == "zookeeper"} == {
        "test_zookeeper_answers_on_its_port", "test_broker_is_registered_in_zookeeper"}
    assert {n for n, m in modes.items() if m == "kraft"} == {
        "test_metadata_quorum_answers", "test_kraft_node_roles_and_listeners",
        "test_brokers_registered_with_the_quorum"}


@pytest.mark.parametrize("rubric", [Rubric.load()], ids=["the checks' own points"])
def test_each_section_weighs_both_modes_alike(rubric: Rubric) -> None:
    points: dict[str, dict[str, float]] = defaultdict(lambda: {"zookeeper": 0.0, "kraft": 0.0})
    for name, function in _checks().items():
        mode = _mode(function)
        if mode:
            points[rubric.section_of(name).id][mode] += rubric.weight(name)
    assert points, "no mode-specific check found"
    unequal = {section: weights for section, weights in points.items() if weights["zookeeper"] != weights["kraft"]}
    assert not unequal, f"points per Kafka mode differ in section(s) {unequal}"
