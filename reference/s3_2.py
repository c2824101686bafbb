"""The reference of §3.2 (cluster mode and replication), played with the lab's scripts on a 2-broker cluster.

The embedded reference cluster runs its second broker from the lab's ``server1.properties`` (broker.id 1,
its own port and log folder, ``delete.topic.enable=true``) and both brokers with a lowered
``leader.imbalance.check.interval.seconds`` (the lab's last advice). The play then:

1. deletes ``velib-stations`` and re-creates it with replication factor 2 and 10 partitions, describes it;
2. runs the §3.1 producer and monitor again, given both brokers (the lab's ``bootstrap_servers=[…, …]``);
3. stops broker 0 and describes the topic again once broker 1 leads every partition (ISR shrunk to 1);
4. produces and consumes with both brokers while broker 0 is down;
5. restarts broker 0 and waits until it is back in every ISR, then until it leads its preferred half
   again (the leader imbalance check), and describes the topic a last time.

By hand: ``python -m reference.s3_2`` starts its own 2-broker cluster and prints the transcript.
"""

from __future__ import annotations

from collections.abc import Callable

from kafka.admin import NewTopic

from fixtures.hosts.net import Endpoint
from fixtures.jcdecaux import JCDecauxStandIn, make_api_key
from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.kafka.facts import describe_topic
from fixtures.kafka.plays import broker_overrides
from fixtures.runtime import KafkaRuntime
from fixtures.system.wait import NotYet, wait_until
from reference.s2 import LabShell, Transcript
from reference.velib.play import PARTITIONS, TOPIC, _produce, run_monitor

REPLICATION = 2
# The lab's default is 300 s; plays.toml lowers it (with offsets replicated) on the reference cluster.
CLUSTER_OVERRIDES = broker_overrides()
LEADER_IMBALANCE_CHECK_S = int(CLUSTER_OVERRIDES["leader.imbalance.check.interval.seconds"])
# A guard, not a wait (each wait ends as soon as its condition holds): broker 0 stopped, broker 1 leading alone
# took over 60 s once, with two CI runs on 2 cores (load 16).
SETTLE_S = 120.0


class _Bootstrap(str):
    """Both brokers, as the velib scripts take them (``--bootstrap-servers a:9092,b:9093``)."""


def _leaders(bootstrap: list[str]) -> dict[int, tuple[int, list[int]]]:
    admin = clients.admin(bootstrap)
    try:
        facts = describe_topic(admin, TOPIC)
        return {p.partition: (p.leader, p.isr) for p in facts.partitions} if facts else {}
    finally:
        admin.close()


def _all_led(bootstrap: list[str], wanted: Callable[[int, list[int]], bool], what: str) -> bool:
    """Every partition's (leader, ISR) is as ``wanted``; else ``NotYet`` names those that are not."""
    leaders = _leaders(bootstrap)
    others = {partition: led for partition, led in sorted(leaders.items()) if not wanted(*led)}
    if not leaders or others:
        raise NotYet(f"partitions not yet {what} (partition: (leader, ISR)): {others or 'none described'}")
    return True


def two_brokers(cluster: EmbeddedCluster, broker: Endpoint) -> list[str]:
    """Both brokers' addresses, ``broker`` first; the plays of §3.2 need the second one (server1.properties)."""
    if len(cluster.servers) < 2:
        raise RuntimeError("§3.2 needs the second broker (server1.properties): start the cluster with 2 brokers")
    return [str(broker), str(cluster.broker_endpoints[1])]


def await_in_sync(bootstrap: list[str]) -> None:
    wait_until(lambda: len(_leaders(bootstrap)) == PARTITIONS and all(
        len(isr) == REPLICATION for _, isr in _leaders(bootstrap).values()), SETTLE_S,
        f"{TOPIC}'s {PARTITIONS} partitions to have {REPLICATION} in-sync replicas")


def _recreate(sh: LabShell, bootstrap: list[str]) -> None:
    sh.topics("--delete", "--topic", TOPIC)

    def created() -> bool:
        # Deletion is asynchronous: creating too early fails with "marked for deletion"; retry until it works.
        admin = clients.admin(bootstrap)
        try:
            if TOPIC in admin.list_topics():
                return False
            admin.create_topics([NewTopic(TOPIC, 1, 1)], validate_only=True)
            return True
        finally:
            admin.close()

    wait_until(created, SETTLE_S, f"topic {TOPIC} to be deleted")
    sh.topics("--create", "--replication-factor", str(REPLICATION), "--partitions", str(PARTITIONS),
              "--topic", TOPIC, name="create-rf2")


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, cluster: EmbeddedCluster) -> Transcript:
    """Play §3.2 on a 2-broker cluster that went through §2 and §3.1; raises if Kafka does not behave so."""
    bootstrap = two_brokers(cluster, broker)
    transcript = Transcript()
    second = cluster.broker_endpoints[1]
    transcript.add(f"./bin/kafka-server-start.sh ./config/server1.properties   # {cluster.servers[1].config}",
                   f"broker 1 serving on {second} (broker.id=1, log.dirs={cluster.workdir}/kafka-logs-1)")
    sh = LabShell(runtime, zookeeper, broker, transcript)
    _recreate(sh, bootstrap)
    await_in_sync(bootstrap)
    sh.topics("--describe", "--topic", TOPIC, name="describe-rf2")
    key = make_api_key()
    with JCDecauxStandIn(key) as api:
        _produce(transcript, api, key, _Bootstrap(",".join(bootstrap)), 2)
        run_monitor(transcript, bootstrap, require_lines=False)

        # Broker 0 stopped: broker 1 must lead everything, each ISR down to broker 1.
        cluster.stop_broker(0)
        transcript.add("kill -TERM <pid of broker 0>   # kafka-server-stop.sh would stop both brokers of this host",
                       "broker 0 stopped")
        wait_until(lambda: _all_led([str(second)], lambda leader, isr: leader == 1 and isr == [1], "led by 1 alone"),
                   SETTLE_S, "broker 1 to lead every partition with ISR [1]")
        LabShell(runtime, zookeeper, second, transcript).topics("--describe", "--topic", TOPIC,
                                                                name="describe-broker0-stopped")
        _produce(transcript, api, key, _Bootstrap(",".join(bootstrap)), 1)
        run_monitor(transcript, bootstrap, require_lines=False)

    cluster.start_broker(0)
    transcript.add("./bin/kafka-server-start.sh ./config/server.properties", "broker 0 started again")
    wait_until(lambda: _all_led(bootstrap, lambda _, isr: len(isr) == REPLICATION, "in sync on both"), SETTLE_S,
               "broker 0 to be back in every ISR")
    wait_until(lambda: {leader for leader, _ in _leaders(bootstrap).values()} == {0, 1},
               SETTLE_S + LEADER_IMBALANCE_CHECK_S,
               f"leadership to return to broker 0 (leader.imbalance.check.interval.seconds={LEADER_IMBALANCE_CHECK_S})")
    sh.topics("--describe", "--topic", TOPIC, name="describe-broker0-back")
    return transcript


def main(argv: list[str] | None = None) -> int:
    """Start a 2-broker cluster, play §2, §3.1 and §3.2 on it, print the §3.2 transcript."""
    import argparse

    from reference import s2
    from reference.velib import play as velib

    parser = argparse.ArgumentParser(prog="python -m reference.s3_2", description=main.__doc__)
    parser.add_argument("--kafka", default=None)
    args = parser.parse_args(argv)
    kwargs = {"version": args.kafka} if args.kafka else {}
    overrides = {i: dict(CLUSTER_OVERRIDES) for i in range(2)}
    with EmbeddedCluster(brokers=2, broker_overrides=overrides, **kwargs) as cluster:
        first = cluster.broker_endpoints[0]
        s2.play(cluster.runtime, cluster.zookeeper_endpoint, first)
        velib.play(cluster.runtime, cluster.zookeeper_endpoint, first)
        print(play(cluster.runtime, cluster.zookeeper_endpoint, first, cluster).text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
