"""§3.2.2 — replication survives a broker shutdown (destructive: it stops a broker and always restores it).

After Apache Kafka's replication system test: produce K records with ``acks=all`` and keep the acknowledged
ones; stop the broker that leads most partitions of ``velib-stations``; then, each within a deadline, every
partition has a live leader, the ISRs shrank to the live brokers, every acknowledged record is still
readable (acknowledged − consumed = ∅), and producing and consuming still work with the target's
bootstrap list; finally the broker is started again and the check waits until no partition is
under-replicated. The trial writes into a grader topic placed exactly like ``velib-stations`` (same
replicas), never into the student's topic.
"""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from checks.s3_2_multinode.brokers import MIN_BROKERS, registered_ids
from checks.s3_2_multinode.survival import SurvivalTrial
from fixtures.control import BrokerControl
from fixtures.control.journal import Journal
from fixtures.hosts.health import TargetHealth
from fixtures.hosts.probes import KafkaStatus
from fixtures.hosts.targets import Target
from fixtures.kafka.facts import describe_topic
from fixtures.plugin.verdict import fail, needs, record_figure, record_found
from reports.figures import leaders_figure, timeline_figure


@pytest.mark.destructive
@pytest.mark.step("3.2.2", points=1)
def test_replication_survives_a_broker_shutdown(target: Target, health: TargetHealth, admin: KafkaAdminClient,
                                                reachable_broker: KafkaStatus, broker_control: BrokerControl,
                                                journal: Journal, check_timeout: float,
                                                record_property) -> None:
    """Stopping the broker that leads most partitions loses no acknowledged record, and it is restored.

    FR: Arrêter le broker qui mène le plus de partitions ne perd aucun enregistrement acquitté, et il est remis en
    route."""
    # reachable_broker: the trial's clients use the student's bootstrap list and advertised addresses, as the
    # student's own clients would (no grader route), so it needs a broker advertising a reachable address.
    ids = registered_ids(health)
    if len(ids) < MIN_BROKERS:
        needs("a second broker", f"only broker(s) {ids} are registered (§3.2.1)")
    velib = describe_topic(admin, "velib-stations")
    if velib is None:
        needs("topic velib-stations", "it does not exist (§3.2.2)")
    outcome = SurvivalTrial(target, health, admin, velib, check_timeout).run(broker_control, journal)
    record_found(f"stopped broker {outcome.victim}; {outcome.summary}")
    record_figure(leaders_figure(velib.name, outcome.leaders, outcome.victim))
    record_figure(timeline_figure(outcome.timeline()))
    if outcome.note:
        record_property("note", outcome.note)
    if outcome.problems:
        fail("; ".join(outcome.problems) + f" [{outcome.summary}]", outcome.hint,
             expected="no acknowledged record lost, a live leader everywhere, clients still working",
             found=f"stopped broker {outcome.victim}")
