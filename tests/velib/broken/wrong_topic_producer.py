"""A keyed producer that writes to `velib-station` (the lab's own typo in §3.1.2), not `velib-stations`."""

import json
import os
import time
import urllib.request

from kafka import KafkaProducer

url = "https://api.jcdecaux.com/vls/v1/stations?apiKey={}".format(os.environ["JCDECAUX_API_KEY"])

producer = KafkaProducer(bootstrap_servers="localhost:9092")

while True:
    response = urllib.request.urlopen(url)
    stations = json.loads(response.read().decode())
    for station in stations:
        key = "{}:{}".format(station["contract_name"], station["number"]).encode()
        producer.send("velib-station", key=key, value=json.dumps(station).encode())
    print(f"{time.time()} Produced {len(stations)} station records")
    time.sleep(1)
