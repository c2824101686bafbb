"""Students' Spark jobs take one of the machine's slots (one per core): never more at once, a freed slot is taken."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from fixtures.plugin.submissions import spark_slot, spark_slots
from fixtures.system.wait import wait_until


def test_the_machine_has_one_slot_per_core_at_most() -> None:
    assert 1 <= spark_slots() <= (os.cpu_count() or 1)


def test_never_more_jobs_than_slots_and_each_waiting_job_gets_a_freed_slot(tmp_path: Path) -> None:
    running, most, taken = [0], [0], []
    lock = threading.Lock()

    def job() -> None:
        with spark_slot(2, tmp_path) as slot:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                taken.append(slot)
            time.sleep(0.3)  # the job's work, while it holds its slot
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=job) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert most[0] == 2 and len(taken) == 5 and set(taken) == {0, 1}


def test_a_grader_killed_while_holding_a_slot_frees_it(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from fixtures.plugin.submissions import spark_slot\n"
        f"with spark_slot(1, Path({str(tmp_path)!r})):\n    print('held', flush=True); time.sleep(600)")],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "held"
        got = []
        waiter = threading.Thread(target=lambda: got.append(spark_slot(1, tmp_path).__enter__()), daemon=True)
        waiter.start()
        waiter.join(timeout=1)
        assert not got  # the only slot is held
        holder.send_signal(signal.SIGKILL)
        wait_until(lambda: bool(got), 10, "the slot a killed grader held to be taken")
    finally:
        holder.kill()
        holder.wait()
