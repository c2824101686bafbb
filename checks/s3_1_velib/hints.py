"""§3.1 hints (bike stations: topic, producer, monitor, submitted scripts), in French and English."""

from __future__ import annotations

from fixtures.plugin.verdict import Hint

from .runs import GROUP
from .submission import KEY_ENV

VELIB_TOPIC_MISSING = Hint(
    "Créez le topic `velib-stations` (avec un « s », le nom qu'utilise le script) : `kafka-topics.sh --create "
    "--topic velib-stations --partitions 1 --replication-factor 1 …`.",
    "Create the topic `velib-stations` (with an \"s\", the name the script uses): `kafka-topics.sh --create "
    "--topic velib-stations --partitions 1 --replication-factor 1 …`.",
)
VELIB_EMPTY = Hint(
    "Le topic est vide : lancez `python velib-get-stations.py` (clé d'API dans la variable JCDECAUX_API_KEY, "
    "pas dans le code).",
    "The topic is empty: run `python velib-get-stations.py` (API key in the JCDECAUX_API_KEY variable, not in "
    "the code).",
)
VELIB_NOT_STATIONS = Hint(
    "Chaque message doit être le JSON d'une station, avec number, contract_name, address et "
    "available_bike_stands : envoyez `json.dumps(station).encode()` pour chaque élément de la liste.",
    "Each message must be one station's JSON, with number, contract_name, address and available_bike_stands: "
    "send `json.dumps(station).encode()` for each item of the list.",
)
VELIB_GROUP = Hint(
    "Lancez `python velib-monitor-stations.py` (group_id=\"velib-monitor-stations\"), laissez-le lire, puis "
    "arrêtez-le proprement (Ctrl-C) pour qu'il valide ses offsets.",
    "Run `python velib-monitor-stations.py` (group_id=\"velib-monitor-stations\"), let it read, then stop it "
    "cleanly (Ctrl-C) so that it commits its offsets.",
)
VELIB_KEYING = Hint(
    "Une même station se retrouve dans plusieurs partitions : donnez une clé à chaque message, "
    "`producer.send(\"velib-stations\", key=f\"{contract}:{number}\".encode(), value=…)`.",
    "One station lands in several partitions: give each message a key, "
    "`producer.send(\"velib-stations\", key=f\"{contract}:{number}\".encode(), value=…)`.",
)
VELIB_FEW_RECORDS = Hint(
    "Trop peu de messages depuis le passage à 10 partitions : relancez le producer et laissez-le faire "
    "au moins deux appels à l'API.",
    "Too few messages since the move to 10 partitions: restart the producer and let it poll the API at "
    "least twice.",
)
MISSING_FILES = Hint(
    "Le dossier doit contenir velib-get-stations.py et velib-monitor-stations.py (ces noms exacts).",
    "The folder must hold velib-get-stations.py and velib-monitor-stations.py (these exact names).",
)
KEY_IN_CODE = Hint(
    f"Ne mettez pas la clé dans le code : lisez-la avec os.environ[\"{KEY_ENV}\"] et définissez la variable "
    f"{KEY_ENV} (export) avant de lancer le script.",
    f"Do not put the key in the code: read it with os.environ[\"{KEY_ENV}\"] and set the variable {KEY_ENV} "
    "(export) before running the script.",
)
KEY_PRINTED = Hint(
    "N'affichez ni la clé ni l'URL complète (elle contient le paramètre apiKey) : affichez seulement le nombre "
    "de stations.",
    "Print neither the key nor the full URL (it holds the apiKey parameter): print only the number of stations.",
)
ONE_PER_STATION = Hint(
    "À chaque appel de l'API, envoyez un message par station de la liste, au topic `velib-stations` "
    "(`for station in stations: producer.send(\"velib-stations\", …)`), une seule fois.",
    "On each API call, send one message per station of the list, to the topic `velib-stations` "
    "(`for station in stations: producer.send(\"velib-stations\", …)`), once.",
)
KEYING = Hint(
    "Donnez une clé à chaque message pour qu'une station aille toujours dans la même partition : "
    "`producer.send(\"velib-stations\", key=f\"{contract}:{number}\".encode(), value=…)`.",
    "Give each message a key so that a station always goes to the same partition: "
    "`producer.send(\"velib-stations\", key=f\"{contract}:{number}\".encode(), value=…)`.",
)
COARSE_KEY = Hint(
    "La clé doit identifier la station, pas la ville : avec une clé par ville (ou une clé constante), toutes "
    "les stations d'une ville vont dans une seule partition et la deuxième instance du monitor ne reçoit rien. "
    "Utilisez `key=f\"{contract}:{number}\".encode()`.",
    "The key must name the station, not the city: with one key per city (or a constant key), every station of "
    "a city lands in one partition and the second monitor instance gets nothing. "
    "Use `key=f\"{contract}:{number}\".encode()`.",
)
MONITOR_LINES = Hint(
    "Affichez `+N adresse (contrat)` quand available_bike_stands change, rien pour la première valeur d'une "
    "station ; gardez une valeur par (contract_name, number).",
    "Print `+N address (contract)` when available_bike_stands changes, nothing for a station's first value; "
    "keep one value per (contract_name, number).",
)
MALFORMED = Hint(
    "Un message invalide ne doit pas arrêter le monitor : entourez json.loads et la lecture des champs d'un "
    "`try … except (ValueError, KeyError, TypeError)`, affichez un avertissement et passez au suivant.",
    "A malformed message must not stop the monitor: wrap json.loads and the field reads in "
    "`try … except (ValueError, KeyError, TypeError)`, print a warning and go on.",
)
GROUP_OFFSETS = Hint(
    f"Le monitor doit lire dans le groupe `{GROUP}` (`group_id=\"{GROUP}\"`) et valider ses offsets "
    "(enable_auto_commit, le défaut, ou consumer.commit()).",
    f"The monitor must read in the group `{GROUP}` (`group_id=\"{GROUP}\"`) and commit its offsets "
    "(enable_auto_commit, the default, or consumer.commit()).",
)
SAME_STATION = Hint(
    f"Deux instances du monitor doivent se partager les partitions : même `group_id=\"{GROUP}\"`, sans "
    "`assign()` manuel.",
    f"Two monitor instances must share the partitions: same `group_id=\"{GROUP}\"`, no manual `assign()`.",
)
SANDBOX = Hint(
    "Le script ne doit lire que ses propres fichiers, écrire seulement dans son dossier (HOME, TMPDIR), se "
    "connecter seulement à localhost:9092 et à l'API, et rester dans des limites raisonnables (mémoire, "
    "processus, temps) ; il doit s'arrêter sur Ctrl-C.",
    "The script may only read its own files, write in its own folder (HOME, TMPDIR), connect to localhost:9092 "
    "and the API only, and stay within reasonable limits (memory, processes, time); it must stop on Ctrl-C.",
)
