"""A student's self-check prints a short verdict with the hint, not the checks' source code."""

from __future__ import annotations

import subprocess
import sys

from fixtures.system.paths import REPO


def test_a_student_sees_the_verdict_and_the_hint_for_their_host() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "checks", "-p", "no:cacheprovider", "--target",
                           "pi-nobody.invalid", "-k", "zookeeper"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    out = done.stdout
    assert done.returncode == 1
    assert "TP Kafka — pi-nobody.invalid" in out and "0 réussi · 1 échoué · 1 bloqué · 0 non évalué / 2" in out
    assert " ÉCHEC  2.1.2  ZooKeeper répond à la commande de quatre lettres `srvr`" in out
    assert "ZooKeeper answers the four-letter word `srvr` on its client port." in out
    assert "FR : Le nom pi-nobody.invalid ne se résout pas" in out and "EN: The name pi-nobody.invalid" in out
    assert "bloqué par · blocked by : ZooKeeper" in out
    assert "pytest checks --target pi-nobody.invalid \\" in out and "-k test_zookeeper_answers_on_its_port" in out
    verdict = out.split("TP Kafka")[1].split("short test summary")[0]
    assert all(len(line) <= 80 for line in verdict.splitlines()[1:-1])  # a student's 80-column terminal
    assert "def test_" not in out and "Traceback" not in out  # a verdict, not a stack trace
