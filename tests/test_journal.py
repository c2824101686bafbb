"""The journal of destructive actions: only dead graders' entries are replayed, each replay says what it did."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from fixtures.control.embedded import EmbeddedControl
from fixtures.control.journal import Journal, _await_back


class _Cluster:
    """Just enough of an EmbeddedCluster for EmbeddedControl.where()/spec()."""

    class _Server:
        endpoint = "127.0.0.1:9092"

    servers = [_Server()]


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          timeout=30)
    return int(done.stdout)


def test_a_live_graders_entry_is_left_alone_and_a_dead_ones_is_replayed(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.json")
    control = EmbeddedControl(_Cluster())  # type: ignore[arg-type]
    mine = journal.record("reference", 0, control)
    assert journal.orphans() == []  # this process is alive: never restore behind a running grader's back
    assert journal.replay() == []
    assert [e["id"] for e in journal.entries()] == [mine]

    dead = journal.record("reference", 0, control)
    entries = journal.entries()
    for entry in entries:
        if entry["id"] == dead:
            entry["pid"], entry["pid_start"] = _dead_pid(), "0"
    (tmp_path / "journal.json").write_text(json.dumps(entries))
    said = journal.replay()
    assert len(said) == 1 and "nothing to restore" in said[0] and "died before restoring it" in said[0]
    assert [e["id"] for e in journal.entries()] == [mine]
    journal.done(mine)
    assert journal.entries() == []


def test_a_restored_broker_that_never_comes_back_is_said_and_bounded(tmp_path: Path) -> None:
    """The replay awaits the restored broker back in the metadata, within its bound, and says when it is not."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed once the with-block ends: nothing answers there
    started = time.monotonic()
    back, said = _await_back({"address": f"127.0.0.1:{port}", "node_id": 1}, timeout=2.0)
    assert not back and "NOT back in the metadata" in said and time.monotonic() - started < 10
    assert _await_back(None, timeout=2.0) == (True, " (not awaited: the entry does not say where the broker answers)")
