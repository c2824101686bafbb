"""§2 hints shown to students when a check fails: short, actionable, in French and English.

Placeholders (``{host}``, ``{port}`` …) are filled by the check with what it found.
"""

from __future__ import annotations

from fixtures.hosts.net import Reach
from fixtures.plugin.verdict import Hint

HOST_UNRESOLVED = Hint(
    "Le nom {host} ne se résout pas : vérifiez l'orthographe, /etc/hosts ou le DNS.",
    "The name {host} does not resolve: check the spelling, /etc/hosts or DNS.",
)
HOST_SILENT = Hint(
    "{host} ne répond pas : la machine est-elle allumée, sur le réseau, sans pare-feu qui bloque le port ?",
    "{host} does not answer: is the machine up, on the network, with no firewall dropping the port?",
)
ZOOKEEPER_CLOSED = Hint(
    "Rien n'écoute sur {port} : lancez `zookeeper-server-start.sh config/zookeeper.properties` "
    "(clientPort=2181).",
    "Nothing listens on {port}: start `zookeeper-server-start.sh config/zookeeper.properties` (clientPort=2181).",
)
ZOOKEEPER_4LW = Hint(
    "ZooKeeper refuse `srvr` : ajoutez `4lw.commands.whitelist=srvr,ruok` à zookeeper.properties pour pouvoir "
    "le vérifier.",
    "ZooKeeper refuses `srvr`: add `4lw.commands.whitelist=srvr,ruok` to zookeeper.properties so it can be checked.",
)
ZOOKEEPER_FOREIGN = Hint(
    "Le port {port} n'est pas celui de ZooKeeper (un autre service y répond) : vérifiez clientPort.",
    "Port {port} is not ZooKeeper's (another service answers there): check clientPort.",
)
BROKER_CLOSED = Hint(
    "Aucun broker sur {port} : lancez `kafka-server-start.sh config/server.properties` après ZooKeeper, "
    "et lisez la fin de logs/server.log s'il s'arrête.",
    "No broker on {port}: start `kafka-server-start.sh config/server.properties` after ZooKeeper, and read the "
    "end of logs/server.log if it stops.",
)
BROKER_FOREIGN = Hint(
    "Un autre service occupe {port} : arrêtez-le ou changez `listeners` dans server.properties.",
    "Another service holds {port}: stop it or change `listeners` in server.properties.",
)
BROKER_IS_ZOOKEEPER = Hint(
    "Vous visez le port de ZooKeeper ({port}) : un client Kafka parle au broker, "
    "`--bootstrap-server hôte:9092` (seul kafka-topics.sh < 3.0 accepte `--zookeeper hôte:2181`).",
    "You are pointing at ZooKeeper's port ({port}): a Kafka client talks to the broker, "
    "`--bootstrap-server host:9092` (only kafka-topics.sh < 3.0 accepts `--zookeeper host:2181`).",
)
BROKER_NOT_REGISTERED = Hint(
    "Le broker n'est pas inscrit dans ce ZooKeeper : vérifiez `zookeeper.connect` dans server.properties "
    "(l'hôte et le port de ce ZooKeeper, sans suffixe /chemin).",
    "The broker is not registered in this ZooKeeper: check `zookeeper.connect` in server.properties (this "
    "ZooKeeper's host and port, no /path suffix).",
)
ADVERTISED_LOOPBACK = Hint(
    "Le broker annonce {advertised} : les autres machines ne peuvent pas le joindre. Mettez "
    "`advertised.listeners=PLAINTEXT://{host}:{port}` dans server.properties.",
    "The broker advertises {advertised}: other machines cannot reach it. Set "
    "`advertised.listeners=PLAINTEXT://{host}:{port}` in server.properties.",
)
ADVERTISED_UNREACHABLE = Hint(
    "Le broker annonce {advertised}, injoignable depuis le correcteur : corrigez `advertised.listeners` "
    "(nom ou adresse de votre nœud).",
    "The broker advertises {advertised}, unreachable from the grader: fix `advertised.listeners` "
    "(your node's name or address).",
)
TOPIC_MISSING = Hint(
    "Créez le topic : `kafka-topics.sh --create --topic {topic} --partitions 1 --replication-factor 1 "
    "--bootstrap-server hôte:9092`.",
    "Create the topic: `kafka-topics.sh --create --topic {topic} --partitions 1 --replication-factor 1 "
    "--bootstrap-server host:9092`.",
)
DESCRIPTION = Hint(
    "Relancez `kafka-topics.sh --describe --topic {topic}` : chaque partition doit avoir un leader vivant, "
    "présent dans Replicas et dans Isr.",
    "Run `kafka-topics.sh --describe --topic {topic}` again: every partition needs a live leader, listed in "
    "Replicas and in Isr.",
)
NO_MESSAGES = Hint(
    "Le topic est vide : envoyez quelques lignes avec `kafka-console-producer.sh --topic {topic} …`.",
    "The topic is empty: send a few lines with `kafka-console-producer.sh --topic {topic} …`.",
)
RETENTION = Hint(
    "La rétention est trop courte ({found}) : les messages disparaissent. Gardez `log.retention.hours=168`.",
    "Retention is too short ({found}): messages disappear. Keep `log.retention.hours=168`.",
)
GROUP_MISSING = Hint(
    "Lancez un consumer dans le groupe : `kafka-console-consumer.sh --topic conversation "
    "--consumer-property group.id=mygroup …`.",
    "Run a consumer in the group: `kafka-console-consumer.sh --topic conversation "
    "--consumer-property group.id=mygroup …`.",
)
GROUP_AT_START = Hint(
    "Le groupe {group} n'a rien validé au-delà du début : il relira tout. Laissez le consumer lire puis "
    "s'arrêter proprement (Ctrl-C) pour qu'il valide ses offsets.",
    "Group {group} committed nothing past the start: it will read everything again. Let the consumer read, then "
    "stop it cleanly (Ctrl-C) so that it commits its offsets.",
)
OFFSETS_NOT_KEPT = Hint(
    "Le broker ne garde pas les offsets des groupes : vérifiez `offsets.topic.replication.factor` "
    "(pas plus que le nombre de brokers) et lisez logs/server.log.",
    "The broker does not keep group offsets: check `offsets.topic.replication.factor` (no more than the number "
    "of brokers) and read logs/server.log.",
)
SECOND_CONSUMER_IDLE = Hint(
    "Avec {found} partition(s), le second consumer du groupe reste inactif : `kafka-topics.sh --alter "
    "--topic conversation --partitions 2 …`.",
    "With {found} partition(s), the group's second consumer stays idle: `kafka-topics.sh --alter "
    "--topic conversation --partitions 2 …`.",
)


def unreachable(reach: Reach, host: str, port: int, closed: Hint) -> Hint:
    """The hint for a port that could not be reached: the host itself, or only the service on ``port``."""
    if reach is Reach.UNRESOLVED:
        return HOST_UNRESOLVED.format(host=host)
    if reach in (Reach.TIMEOUT, Reach.UNREACHABLE):
        return HOST_SILENT.format(host=host)
    return closed.format(port=port)
