"""§3.2, the lab's last step at the lab's own settings: after broker 0 comes back, nothing moves the leaders
back for up to ``leader.imbalance.check.interval.seconds`` (300 s, the default the lab keeps); then
``kafka-leader-election.sh`` does it at once.

Played on a fresh 2-broker cluster *without* the reference's lowered interval (the graded reference cluster
uses 5 s, see ``reference/plays.toml``): a topic of replication factor 2, broker 0 stopped and restarted, the
``describe`` that shows broker 1 still leading everything, the election, and the ``describe`` after it.
"""

from __future__ import annotations

from fixtures.hosts.net import Endpoint
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.runtime import KafkaRuntime
from fixtures.system.wait import wait_until
from reference.s2 import LabShell, Transcript
from reference.s3_2 import REPLICATION, SETTLE_S, _leaders, await_in_sync, two_brokers
from reference.velib.play import PARTITIONS, TOPIC

# A play that reached the controller's own rebalance (on a slow machine) is played again: that check runs every
# leader.imbalance.check.interval.seconds, so right after it has run the next attempt has the whole interval.
ATTEMPTS = 3


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, cluster: EmbeddedCluster) -> Transcript:
    both = two_brokers(cluster, broker)
    transcript = Transcript()
    sh = LabShell(runtime, zookeeper, broker, transcript)
    sh.topics("--create", "--replication-factor", str(REPLICATION), "--partitions", str(PARTITIONS),
              "--topic", TOPIC)
    await_in_sync(both)
    for _ in range(ATTEMPTS):
        attempt = Transcript()
        if _restart_and_elect(LabShell(runtime, zookeeper, broker, attempt), cluster, both):
            for index, (command, output) in enumerate(attempt.entries):
                transcript.add(command, output, attempt.names.get(index))
            return transcript
    raise RuntimeError(f"the leaders moved back before the election in {ATTEMPTS} attempts: is "
                       "leader.imbalance.check.interval.seconds the lab's 300 s on this cluster?")


def _restart_and_elect(sh: LabShell, cluster: EmbeddedCluster, both: list[str]) -> bool:
    """Broker 0 stopped and restarted, the describe, the election and the describe after it; False when the
    controller's periodic rebalance moved the leaders back first (the election then has nothing to do)."""
    cluster.stop_broker(0)
    sh.transcript.add("# broker 0 stopped, then started again", "")
    wait_until(lambda: all(leader == 1 for leader, _ in _leaders(both[1:]).values()), SETTLE_S,
               "broker 1 to lead every partition")
    cluster.start_broker(0)
    wait_until(lambda: all(len(isr) == REPLICATION for _, isr in _leaders(both).values()), SETTLE_S,
               "broker 0 to be back in every ISR")
    sh.topics("--describe", "--topic", TOPIC, name="describe-not-rebalanced")
    if {leader for leader, _ in _leaders(both).values()} != {1}:
        return False
    elected = sh.run("kafka-leader-election.sh", "--bootstrap-server", str(sh.broker), "--election-type",
                     "preferred", "--all-topic-partitions", name="leader-election")
    if not elected.strip():
        return False  # nothing left to elect: the controller's rebalance ran between the describe and the election
    wait_until(lambda: {leader for leader, _ in _leaders(both).values()} == {0, 1}, SETTLE_S,
               "the preferred leaders to lead again")
    sh.topics("--describe", "--topic", TOPIC, name="describe-after-election")
    return True
