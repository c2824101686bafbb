"""KRaft (Kafka 4) knowledge shared by the checks: hints, what "not applicable" says, the stop-safety rule.

Under KRaft there is no ZooKeeper: the metadata quorum (controllers voting on the ``__cluster_metadata`` log)
does its job. The grader finds the mode from what the target answers (``fixtures.hosts.health``); ZooKeeper's checks
are then *not applicable* (not evaluated, never counted) and the quorum's checks take their place.
"""

from __future__ import annotations

from collections import Counter

from fixtures.hosts.health import TargetHealth
from fixtures.hosts.net import Endpoint
from fixtures.hosts.probes import QuorumStatus, quorum_status
from fixtures.plugin.verdict import Hint, fail, needs, not_applicable
from fixtures.system.wait import WaitTimeout, wait_until

# Records a voter may trail the leader's high watermark by (the leader appends a no-op record every 500 ms, so a
# voter that is down or cut off falls behind by thousands within minutes; a healthy one is within a few).
MAX_VOTER_LAG = 500


def skip_zookeeper_check_under_kraft(health: TargetHealth, what: str) -> None:
    """Mark a ZooKeeper check not applicable when the target runs KRaft (it must not fail or count)."""
    __tracebackhide__ = True
    if health.kraft:
        not_applicable(f"under KRaft: {what} ({health.mode_evidence()})")


def skip_kraft_check_under_zookeeper(health: TargetHealth) -> None:
    __tracebackhide__ = True
    if not health.kraft and health.mode != "unknown":
        not_applicable(f"under ZooKeeper: this cluster has no KRaft metadata quorum "
                      f"({health.mode_evidence()})")


def block_without_quorum_leader(quorum: QuorumStatus | None, what: str) -> None:
    """Blocked, naming the quorum check that fails on it, when a KRaft quorum gives no answer or no leader: what is
    read from its answer (roles, membership) is then unknown, not wrong, and nothing can be written to the cluster
    (creating a topic needs the quorum's leader). ``quorum`` None: not KRaft, nothing to block."""
    __tracebackhide__ = True
    if quorum is not None and (not quorum.answered or quorum.leader_id is None):
        needs(what, f"{quorum.problem or 'no LeaderId in its answer'} (test_metadata_quorum_answers)")


def majority(voters: int) -> int:
    return voters // 2 + 1


def stop_refusal(node_id: int, quorum: QuorumStatus | None) -> str | None:
    """Why stopping node ``node_id`` would stop the metadata quorum (None: it is safe to stop).

    A node that is not a voter (a pure broker) is always safe. A voter is safe only if the voters left
    still form a majority: never the only controller, never either voter of a two-voter quorum.
    """
    if quorum is None or not quorum.answered:
        return None
    voters = [v.node_id for v in quorum.voters]
    if node_id not in voters:
        return None
    if len(voters) == 1:
        return (f"broker {node_id} is the only controller of the metadata quorum (voters {voters}): stopping it "
                f"would stop the whole cluster, not test its replication")
    if len(voters) - 1 < majority(len(voters)):
        return (f"broker {node_id} is one of {len(voters)} voters {voters}: without it the {len(voters) - 1} left "
                f"are not a majority ({majority(len(voters))} needed), so the quorum could elect no leader")
    return None


QUORUM_NO_ANSWER = Hint(
    "Le quorum de métadonnées ne répond pas : `kafka-metadata-quorum.sh --bootstrap-server {host}:{port} describe "
    "--status` doit montrer un LeaderId. Vérifiez `controller.quorum.bootstrap.servers` et qu'une majorité des "
    "contrôleurs votants tourne : deux votants ne supportent aucune panne (la majorité de 2 est 2).",
    "The metadata quorum does not answer: `kafka-metadata-quorum.sh --bootstrap-server {host}:{port} describe "
    "--status` must show a LeaderId. Check `controller.quorum.bootstrap.servers` and that a majority of the voting "
    "controllers runs: two voters survive no failure (a majority of 2 is 2).",
)
QUORUM_NO_LEADER = Hint(
    "Le quorum n'a pas de leader : une majorité des votants doit tourner. Deux votants ne supportent aucune panne "
    "(la majorité de 2 est 2) : utilisez un seul contrôleur ou trois.",
    "The quorum has no leader: a majority of its voters must run. Two voters survive no failure (a majority of "
    "2 is 2): use one controller or three.",
)
QUORUM_LAGGING = Hint(
    "Un votant du quorum est très en retard sur le leader : il est arrêté ou ne joint pas le leader "
    "(listener CONTROLLER, pare-feu).",
    "A voter lags far behind the quorum's leader: it is stopped or cannot reach the leader (CONTROLLER "
    "listener, firewall).",
)
CONTROLLER_ADVERTISED = Hint(
    "Le broker annonce {advertised}, le listener CONTROLLER : les clients ne peuvent pas y produire ni consommer. "
    "Dans server.properties, `advertised.listeners=PLAINTEXT://{host}:{port}` (le port du listener PLAINTEXT), "
    "le port du contrôleur n'est que pour le quorum.",
    "The broker advertises {advertised}, the CONTROLLER listener: clients cannot produce or consume there. In "
    "server.properties set `advertised.listeners=PLAINTEXT://{host}:{port}` (the PLAINTEXT listener's port); the "
    "controller's port is for the quorum only.",
)
BROKER_NOT_IN_QUORUM = Hint(
    "Le second broker ne s'est pas inscrit auprès du quorum : dans broker1.properties (ou server1.properties), "
    "`controller.quorum.bootstrap.servers` doit désigner le contrôleur (hôte:9094) joignable depuis ce broker, "
    "et son stockage formaté avec le même cluster id (`kafka-storage.sh format -t <id> -c …`).",
    "The second broker did not register with the quorum: in broker1.properties (or server1.properties), "
    "`controller.quorum.bootstrap.servers` must name the controller (host:9094) reachable from this broker, and "
    "its storage be formatted with the same cluster id (`kafka-storage.sh format -t <id> -c …`).",
)
NOTHING_ANSWERS = Hint(
    "Ni ZooKeeper ni broker ne répondent. Kafka ≤ 3.x : lancez ZooKeeper puis `kafka-server-start.sh`. Kafka 4 "
    "(KRaft, sans ZooKeeper) : le stockage doit être formaté avant le premier démarrage (`kafka-storage.sh format "
    "-t $(kafka-storage.sh random-uuid) -c config/server.properties --standalone`), sinon le broker s'arrête "
    "aussitôt (« No meta.properties found »), puis `kafka-server-start.sh config/server.properties`.",
    "Neither ZooKeeper nor a broker answers. Kafka ≤ 3.x: start ZooKeeper, then `kafka-server-start.sh`. Kafka 4 "
    "(KRaft, no ZooKeeper): the storage must be formatted before the first start (`kafka-storage.sh format -t "
    "$(kafka-storage.sh random-uuid) -c config/server.properties --standalone`), else the broker exits at once "
    "(\"No meta.properties found\"); then `kafka-server-start.sh config/server.properties`.",
)


def choose_victim(leaders: Counter, health: TargetHealth) -> tuple[int, str]:
    """The broker the §3.2 trial stops: the one leading most partitions, among those whose stop leaves the KRaft
    metadata quorum a majority of voters (under ZooKeeper: simply the one leading most). Fails, saying why, when
    the quorum needs every candidate: the trial never stops the only controller. Returns the broker and a note
    when the first choice was set aside."""
    __tracebackhide__ = True
    ranked = [node for node, _ in leaders.most_common()]
    refusals = {node: stop_refusal(node, health.quorum) for node in ranked} if health.kraft else {}
    safe = [node for node in ranked if not refusals.get(node)]
    if not safe:
        voters = [v.node_id for v in health.quorum.voters] if health.quorum else "?"
        fail("refused to stop a broker: " + "; ".join(r for r in refusals.values() if r), QUORUM_NO_LEADER,
             expected="a broker whose stop leaves the metadata quorum a majority of voters", found=f"voters {voters}")
    note = "" if safe[0] == ranked[0] else f"{refusals[ranked[0]]}; stopped broker {safe[0]} instead"
    return safe[0], note


def quorum_leader_problem(survivors: list[str], victim: int, timeout: float) -> str | None:
    """While ``victim`` is stopped: the quorum, asked through a surviving broker, still has a leader (polled)."""
    seen: list[str] = []

    def led() -> bool:
        for address in survivors:
            status = quorum_status(Endpoint.parse(address, 9092), 2.0)
            seen[:] = [status.summary() if status.answered else status.problem]
            if status.answered and status.leader_id is not None and status.leader_id != victim:
                return True
        return False

    try:
        wait_until(led, timeout, f"the metadata quorum to have a leader with broker {victim} stopped")
    except WaitTimeout:
        return f"the metadata quorum has no leader with broker {victim} stopped ({seen[0] if seen else 'no answer'})"
    return None
