"""A keyed producer whose API key is written in the code (a made-up key: the grader's API refuses it)."""

import json
import time
import urllib.request

from kafka import KafkaProducer

API_KEY = "0f3c9a1e5b7d2c4f6a8e0b1d3f5a7c9e2b4d6f8a"
url = f"https://api.jcdecaux.com/vls/v1/stations?apiKey={API_KEY}"

producer = KafkaProducer(bootstrap_servers="localhost:9092")

while True:
    response = urllib.request.urlopen(url)
    stations = json.loads(response.read().decode())
    for station in stations:
        key = "{}:{}".format(station["contract_name"], station["number"]).encode()
        producer.send("velib-stations", key=key, value=json.dumps(station).encode())
    print(f"{time.time()} Produced {len(stations)} station records")
    time.sleep(1)
