"""§4 hints (taxi ingestion and the Spark job), in French and English."""

from __future__ import annotations

from fixtures.plugin.verdict import Hint

TAXI_TOPIC_MISSING = Hint(
    "Créez le topic : `kafka-topics.sh --create --bootstrap-server localhost:9092 --replication-factor 1 "
    "--partitions 1 --topic {topic}` (avec Kafka 2.7 : `--zookeeper localhost:2181`), puis rejouez le fichier.",
    "Create the topic: `kafka-topics.sh --create --bootstrap-server localhost:9092 --replication-factor 1 "
    "--partitions 1 --topic {topic}` (Kafka 2.7: `--zookeeper localhost:2181`), then replay the file.",
)
TAXI_EMPTY = Hint(
    "Le topic est vide : `zcat {file} | split -l 10000 --filter=\"kafka-console-producer.sh --broker-list "
    "localhost:9092 --topic {topic}; sleep 0.2\" > /dev/null`.",
    "The topic is empty: `zcat {file} | split -l 10000 --filter=\"kafka-console-producer.sh --broker-list "
    "localhost:9092 --topic {topic}; sleep 0.2\" > /dev/null`.",
)
TAXI_TOO_MANY = Hint(
    "Plus d'enregistrements que de lignes : le fichier a été envoyé plusieurs fois. Supprimez le topic "
    "(`kafka-topics.sh --delete --topic {topic} …`), recréez-le et rejouez le fichier une seule fois.",
    "More records than lines: the file was sent more than once. Delete the topic (`kafka-topics.sh --delete "
    "--topic {topic} …`), create it again and replay the file once.",
)
TAXI_TOO_FEW = Hint(
    "Moins d'enregistrements que de lignes : le pipeline s'est arrêté avant la fin (lisez les erreurs de "
    "kafka-console-producer.sh) ; recréez le topic et rejouez le fichier.",
    "Fewer records than lines: the pipeline stopped early (read kafka-console-producer.sh's errors); create the "
    "topic again and replay the file.",
)
TAXI_NOT_LINES = Hint(
    "Chaque message doit être une ligne du fichier, telle quelle : envoyez `zcat {file}` (pas le fichier .gz "
    "compressé, pas l'autre fichier, sans en-tête, sans fins de ligne Windows `\\r\\n`).",
    "Each message must be one line of the file, as is: send `zcat {file}` (not the compressed .gz, not the "
    "other file, no header, no Windows `\\r\\n` line ends).",
)
SPARK_TIMEOUT = Hint(
    "Le script ne s'est pas arrêté : quand TAXI_OUTPUT_DIR est défini, lisez les topics avec "
    "`startingOffsets=earliest`, démarrez chaque requête avec `.trigger(availableNow=True)` et attendez-les "
    "(`awaitTermination()`) ; voir reference/spark/README.md.",
    "The script did not stop: when TAXI_OUTPUT_DIR is set, read the topics with `startingOffsets=earliest`, "
    "start each query with `.trigger(availableNow=True)` and wait for them (`awaitTermination()`); see "
    "reference/spark/README.md.",
)
SPARK_CRASH = Hint(
    "Le script s'est arrêté sur une erreur : lisez la fin de sa sortie ci-dessus (souvent une colonne mal "
    "nommée, `AnalysisException`, ou un mode de sortie refusé par Spark).",
    "The script stopped on an error: read the end of its output above (often a misnamed column, "
    "`AnalysisException`, or an output mode Spark refuses).",
)
SPARK_SCHEMA = Hint(
    "Gardez les schémas du TP (§4.2) : `taxiRidesSchema` et `taxiFaresSchema`, mêmes noms, mêmes types "
    "(LongType, TimestampType, FloatType, ShortType), et nommez les requêtes `rides` et `fares`.",
    "Keep the lab's schemas (§4.2): `taxiRidesSchema` and `taxiFaresSchema`, same names, same types (LongType, "
    "TimestampType, FloatType, ShortType), and name the queries `rides` and `fares`.",
)
SPARK_VALUES = Hint(
    "Une colonne ne contient pas la bonne valeur : l'ordre des champs du schéma doit suivre celui des lignes. "
    "Sur une ligne END, la 3ᵉ colonne est endTime et la 4ᵉ startTime.",
    "A column does not hold the right value: the schema's fields must follow the lines' order. On an END line "
    "column 3 is endTime and column 4 startTime.",
)
SPARK_CLEANING = Hint(
    "§4.4 : gardez les courses dont le départ ET l'arrivée sont dans la boîte de New York (`between`), puis "
    "seulement les événements END (`isStart == \"END\"`).",
    "§4.4: keep the rides whose start AND end are inside the New York box (`between`), then only END events "
    "(`isStart == \"END\"`).",
)
SPARK_JOIN = Hint(
    "§4.5 : joignez sur `rideId_fares = rideId AND endTime > startTime AND endTime <= startTime + interval 2 "
    "hours`, avec les rides nettoyées.",
    "§4.5: join on `rideId_fares = rideId AND endTime > startTime AND endTime <= startTime + interval 2 hours`, "
    "with the cleaned rides.",
)
SPARK_STATE = Hint(
    "Mettez un watermark de chaque côté (`withWatermark(\"startTime\", \"30 minutes\")` sur les tarifs, "
    "`withWatermark(\"endTime\", \"30 minutes\")` sur les courses) et gardez la borne de temps dans la "
    "condition : sans eux Spark garde tout l'état de la jointure pour toujours.",
    "Put a watermark on each side (`withWatermark(\"startTime\", \"30 minutes\")` on fares, "
    "`withWatermark(\"endTime\", \"30 minutes\")` on rides) and keep the time bound in the condition: without "
    "them Spark keeps the whole join state for ever.",
)
SPARK_TIPS = Hint(
    "Pourboires : fenêtres de 15 minutes sur endTime, zone = la zone de taxi de Manhattan (LocationID de "
    "TAXI_ZONES_FILE) du point de prise en charge, colonnes windowStart, windowEnd, zone, rides, tipSum, "
    "cardRides, cardTipSum (seul paymentType = 'CRD' est un paiement par carte ; README du contrat).",
    "Tips: 15-minute windows of endTime, zone = the Manhattan taxi zone (LocationID in TAXI_ZONES_FILE) of the "
    "pickup point, columns windowStart, windowEnd, zone, rides, tipSum, cardRides, cardTipSum (only "
    "paymentType = 'CRD' is a card payment; see the contract's README).",
)
