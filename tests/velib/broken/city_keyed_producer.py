"""The lab's producer keyed by city (contract_name): each station stays in one partition, but so does the whole
city, and a second monitor instance gets nothing (§3.1.4's keying, done too coarsely)."""

import json
import os
import time
import urllib.request

from kafka import KafkaProducer

API_KEY = os.environ["JCDECAUX_API_KEY"]
url = f"https://api.jcdecaux.com/vls/v1/stations?apiKey={API_KEY}"

producer = KafkaProducer(bootstrap_servers="localhost:9092")

while True:
    response = urllib.request.urlopen(url)
    stations = json.loads(response.read().decode())
    for station in stations:
        producer.send("velib-stations", key=station["contract_name"].encode(), value=json.dumps(station).encode())
    print(f"{time.time()} Produced {len(stations)} station records")
    time.sleep(1)
