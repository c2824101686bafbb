"""The reference plays' waits on their monitors: a wait that runs out says why (the group, each monitor's stderr).

A play that timed out once on a loaded CI machine must be diagnosable from its failure alone: no Kafka here, two
stand-in monitor processes and a condition that never holds.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from fixtures.system.wait import WaitTimeout
from reference.velib import play

# A monitor that got its partitions and waits for records (until SIGTERM, which ends it as it would the real one).
STAND_IN = "import signal, sys\nprint('partitions assigned: [%s]' % sys.argv[1], file=sys.stderr, flush=True)\n" \
           "signal.pause()\n"


def _stand_ins() -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, "-c", STAND_IN, str(n)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for n in (1, 2)]


def test_a_wait_that_runs_out_names_the_group_and_each_monitors_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(play, "RUN_TIMEOUT_S", 1.0)
    procs = _stand_ins()
    with pytest.raises(WaitTimeout) as raised:
        play.wait_while_running(procs, lambda: False, "group g to have 2 stable members",
                                lambda: "group g: PreparingRebalance, 1 member(s)")
    said = str(raised.value)
    assert "waiting for group g to have 2 stable members" in said
    assert "group g: PreparingRebalance, 1 member(s)" in said
    assert "monitor 1 (exit" in said and "partitions assigned: [1]" in said
    assert "monitor 2 (exit" in said and "partitions assigned: [2]" in said
    assert all(proc.poll() is not None for proc in procs), "the monitors are stopped"


def test_a_group_that_cannot_be_described_does_not_hide_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(play, "RUN_TIMEOUT_S", 0.5)

    def broken() -> str:
        raise ConnectionRefusedError("broker gone")

    procs = _stand_ins()
    with pytest.raises(WaitTimeout, match=r"(?s)waiting for x.*could not be described: ConnectionRefusedError"):
        play.wait_while_running(procs, lambda: False, "x", broken)
    assert all(proc.poll() is not None for proc in procs)
