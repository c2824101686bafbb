"""A student's self-check prints a short verdict with the hint, not the checks' source code."""

from __future__ import annotations

import subprocess
import sys

from fixtures.paths import REPO


def test_a_student_sees_the_verdict_and_the_hint_for_their_host() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "checks", "-p", "no:cacheprovider", "--target",
                           "pi-nobody.invalid", "-k", "zookeeper"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    out = done.stdout
    assert done.returncode == 1
    assert "Kafka lab — pi-nobody.invalid: 0/" in out
    assert " FAIL [2.1.2] ZooKeeper answers the four-letter word `srvr` on its client port." in out
    assert "FR: Le nom pi-nobody.invalid ne se résout pas" in out and "EN: The name pi-nobody.invalid" in out
    assert "def test_" not in out and "Traceback" not in out  # a verdict, not a stack trace
