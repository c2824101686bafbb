"""§3.2 hints (cluster mode and replication), in French and English."""

from __future__ import annotations

from fixtures.plugin.verdict import Hint

SECOND_BROKER_MISSING = Hint(
    "Un seul broker est enregistré. Lancez le second avec `kafka-server-start.sh config/server1.properties` : "
    "broker.id=1, listeners=PLAINTEXT://:9093, log.dirs=/tmp/kafka-logs-1. S'il s'arrête aussitôt, c'est "
    "qu'il partage broker.id ou log.dirs avec le premier (voir son server.log).",
    "Only one broker is registered. Start the second one with `kafka-server-start.sh config/server1.properties`: "
    "broker.id=1, listeners=PLAINTEXT://:9093, log.dirs=/tmp/kafka-logs-1. If it stops at once, it shares "
    "broker.id or log.dirs with the first one (see its server.log).",
)
VELIB_NOT_REPLICATED = Hint(
    "Supprimez puis recréez le topic : `kafka-topics.sh --delete --topic velib-stations …` (delete.topic.enable"
    "=true), puis `--create --replication-factor 2 --partitions 10 --topic velib-stations`.",
    "Delete and re-create the topic: `kafka-topics.sh --delete --topic velib-stations …` (delete.topic.enable"
    "=true), then `--create --replication-factor 2 --partitions 10 --topic velib-stations`.",
)
LEADERS_NOT_SPREAD = Hint(
    "Chaque broker doit mener environ la moitié des partitions. Après un redémarrage, la direction ne revient "
    "au replica préféré qu'à la vérification suivante (auto.leader.rebalance.enable=true) : baissez "
    "leader.imbalance.check.interval.seconds (300 s par défaut) dans les server*.properties, ou attendez.",
    "Each broker must lead about half of the partitions. After a restart, leadership returns to the preferred "
    "replica only at the next check (auto.leader.rebalance.enable=true): lower "
    "leader.imbalance.check.interval.seconds (300 s by default) in the server*.properties, or wait.",
)
ISR_NOT_FULL = Hint(
    "Des replicas ne sont pas synchronisés : un broker est arrêté ou en retard. Démarrez-le et attendez que "
    "`kafka-topics.sh --describe --under-replicated-partitions` et `--unavailable-partitions` n'affichent plus "
    "rien.",
    "Some replicas are out of sync: a broker is down or lagging. Start it and wait until "
    "`kafka-topics.sh --describe --under-replicated-partitions` and `--unavailable-partitions` print nothing.",
)
SURVIVAL_LOST = Hint(
    "Avec un facteur de réplication 1, les données d'un broker arrêté sont indisponibles : recréez "
    "velib-stations avec --replication-factor 2.",
    "With replication factor 1, a stopped broker's data is unavailable: re-create velib-stations with "
    "--replication-factor 2.",
)
SURVIVAL_BOOTSTRAP = Hint(
    "Donnez les deux brokers aux clients : bootstrap_servers=['{first}', '{second}'] ; avec un seul, le client "
    "ne trouve plus le cluster quand ce broker est arrêté.",
    "Give both brokers to the clients: bootstrap_servers=['{first}', '{second}']; with one only, the client "
    "cannot find the cluster while that broker is down.",
)
