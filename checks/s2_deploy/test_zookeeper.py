"""§2.1.2 — ZooKeeper is running and answers on its client port."""

from __future__ import annotations

import pytest

from checks.kraft import NOTHING_ANSWERS, skip_zookeeper_check_under_kraft
from fixtures.hosts.health import UNKNOWN, TargetHealth
from fixtures.plugin.verdict import fail, record_found

from . import hints


@pytest.mark.step("2.1.2", points=1)
def test_zookeeper_answers_on_its_port(health: TargetHealth, record_property) -> None:
    """ZooKeeper answers the four-letter word `srvr` on its client port.

    FR: ZooKeeper répond à la commande de quatre lettres `srvr` sur son port client."""
    skip_zookeeper_check_under_kraft(health, "Kafka 4 has no ZooKeeper, the metadata quorum replaces it")
    zk = health.zookeeper
    endpoint = zk.endpoint
    if zk.up:
        found = f"ZooKeeper {zk.version} ({zk.mode})" if zk.version else "ZooKeeper (srvr refused by whitelist)"
        record_found(found)
        if zk.whitelist_refused:
            record_property("note", hints.ZOOKEEPER_4LW.en)
        return
    reach = zk.answer.reach
    if not reach.ok:
        # Nothing answers at all: maybe a Kafka 4 node that never started (storage not formatted): say both.
        closed = NOTHING_ANSWERS if health.mode == UNKNOWN else hints.ZOOKEEPER_CLOSED
        fail(zk.problem, hints.unreachable(reach, endpoint.host, endpoint.port, closed),
             expected=f"ZooKeeper on {endpoint}", found=reach.value)
    fail(zk.problem, hints.ZOOKEEPER_FOREIGN.format(port=endpoint.port),
         expected="an answer starting with 'Zookeeper version'", found=zk.answer.data[:80] or "no answer")
