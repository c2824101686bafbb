"""§2.1.2 — ZooKeeper is running and answers on its client port."""

from __future__ import annotations

import pytest

from fixtures.health import TargetHealth
from fixtures.verdict import fail, record_found

from . import hints


@pytest.mark.step("2.1.2")
def test_zookeeper_answers_on_its_port(health: TargetHealth, record_property) -> None:
    """ZooKeeper answers the four-letter word `srvr` on its client port.

    FR: ZooKeeper répond à la commande de quatre lettres `srvr` sur son port client."""
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
        fail(zk.problem, hints.unreachable(reach, endpoint.host, endpoint.port, hints.ZOOKEEPER_CLOSED),
             expected=f"ZooKeeper on {endpoint}", found=reach.value)
    fail(zk.problem, hints.ZOOKEEPER_FOREIGN.format(port=endpoint.port),
         expected="an answer starting with 'Zookeeper version'", found=zk.answer.data[:80] or "no answer")
