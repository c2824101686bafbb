"""The lab's producer with one constant key for every record: every station lands in the same partition."""

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
        producer.send("velib-stations", key=b"velib", value=json.dumps(station).encode())
    print(f"{time.time()} Produced {len(stations)} station records")
    time.sleep(1)
