"""The main job on the embedded default: the reference answers, played on the reference cluster, pass every check.

Run on the default Kafka (3.9.2) and on the lab's own 2.7.0, where kafka-topics.sh takes --zookeeper as in the lab.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("version", ["3.9.2", "2.7.0"])
def test_the_reference_passes_every_s2_check(version: str, run_checks) -> None:
    run = run_checks("--kafka-version", version)
    assert run.returncode == 0, run.output
    assert len(run.outcomes) >= 12
    assert set(run.outcomes.values()) == {"passed"}, run.outcomes
    assert "Kafka lab — reference: " in run.output
