"""The main job on the embedded default: the reference answers, played on the reference cluster, pass every check.

Run on the version matrix: the default Kafka (3.9.2, ZooKeeper), the lab's own 2.7.0 (kafka-topics.sh takes
--zookeeper as in the lab) and Kafka 4 (KRaft: no ZooKeeper, storage formatted, --bootstrap-server everywhere,
and the destructive §3.2 trial too). Each mode's checks pass; the other mode's are not applicable (not
evaluated, never counted), so both give the same grade.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

ZOOKEEPER_ONLY = {"test_zookeeper_answers_on_its_port", "test_broker_is_registered_in_zookeeper"}
KRAFT_ONLY = {"test_metadata_quorum_answers", "test_kraft_node_roles_and_listeners",
              "test_brokers_registered_with_the_quorum"}


def assert_passes_in_its_mode(run, kraft: bool) -> None:
    """Every check passed but the other mode's, each skipped as not applicable (never failed, never counted)."""
    other, mode = (ZOOKEEPER_ONLY, "KRaft") if kraft else (KRAFT_ONLY, "ZooKeeper")
    not_applicable = {check for check, outcome in run.outcomes.items()
                      if outcome == "not_evaluated" and f"not applicable under {mode}" in run.reason(check)}
    assert not_applicable == other, run.outcomes
    assert {outcome for check, outcome in run.outcomes.items() if check not in other} == {"passed"}, run.outcomes
    hints = " ".join(str(r.get("hint_en") or "") + str(r.get("reason") or "") for r in run.results)
    if kraft:
        assert "zookeeper-server-start" not in hints


@pytest.mark.parametrize("version", ["3.9.2", "2.7.0", "4.x"])
def test_the_reference_passes_every_s2_check(version: str, run_checks) -> None:
    kraft = version.startswith("4")
    # A generous deadline (a guard, not a wait): the 4.x run includes the destructive trial; loaded machines are slow.
    run = run_checks("--kafka-version", version, *(["--allow-destructive"] if kraft else []), timeout=1200)
    assert run.returncode == 0, run.output
    assert len(run.outcomes) >= 12
    assert_passes_in_its_mode(run, kraft)
    if kraft:
        assert run.outcomes["test_replication_survives_a_broker_shutdown"] == "passed", run.output
    assert "TP Kafka — reference" in run.output
