"""Le moniteur du §3.1.3 modifié (« Modifier le script ? ») : filtres et alertes (montré en entier dans les réponses).

Filtre sur le contrat et sur l'amplitude de la variation ; une station qui vient de se vider ou de se remplir
est publiée dans le topic ``velib-alerts`` (un producer dans un consumer). ``--idle-timeout`` arrête le script
après N secondes sans message (les tests) ; sans lui, il tourne jusqu'à Ctrl-C.
"""

import argparse
import json
import os

from kafka import KafkaConsumer, KafkaProducer

parser = argparse.ArgumentParser()
parser.add_argument("--contract", help="ne suivre que ce contrat (ex. dublin)")
parser.add_argument("--min-change", type=int, default=1, help="variation minimale affichée")
parser.add_argument("--topic", default="velib-stations")
parser.add_argument("--idle-timeout", type=float, help="s'arrêter après ce nombre de secondes sans message")
args = parser.parse_args()
bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
idle_ms = int(args.idle_timeout * 1000) if args.idle_timeout else float("inf")

consumer = KafkaConsumer(args.topic, bootstrap_servers=bootstrap, group_id="velib-monitor-filtered",
                         auto_offset_reset="earliest", consumer_timeout_ms=idle_ms)
alerts = KafkaProducer(bootstrap_servers=bootstrap)
last = {}

try:
    for message in consumer:
        try:
            station = json.loads(message.value.decode())
            sid = (station["contract_name"], station["number"])
            free, bikes = station["available_bike_stands"], station["available_bikes"]
        except (ValueError, KeyError, TypeError) as exc:
            print(f"message ignoré (offset {message.offset}) : {exc}", flush=True)
            continue
        if args.contract and sid[0] != args.contract:
            continue                                   # filtre sur le contrat
        diff = free - last.setdefault(sid, free)
        last[sid] = free
        if abs(diff) >= args.min_change:               # filtre sur l'amplitude
            print(f"{diff:+d} {station['address']} ({sid[0]})", flush=True)
        if diff and (bikes == 0 or free == 0):         # la station vient de se vider ou de se remplir
            state = "vide" if bikes == 0 else "pleine"
            alert = {"contract": sid[0], "number": sid[1], "address": station["address"], "state": state}
            alerts.send("velib-alerts", key=f"{sid[0]}:{sid[1]}".encode(), value=json.dumps(alert).encode())
except KeyboardInterrupt:
    pass
finally:
    alerts.flush()
    alerts.close()
    consumer.close()
