"""The lab's monitor without a group: each instance reads every partition, and nothing is committed."""

import json

from kafka import KafkaConsumer

stations = {}
consumer = KafkaConsumer("velib-stations", bootstrap_servers="localhost:9092", auto_offset_reset="earliest")
for message in consumer:
    try:
        station = json.loads(message.value.decode())
        station_number = station["number"]
        contract = station["contract_name"]
        available_bike_stands = int(station["available_bike_stands"])
        address = station["address"]
    except (ValueError, KeyError, TypeError):
        continue
    if not isinstance(station["available_bike_stands"], int):
        continue
    city_stations = stations.setdefault(contract, {})
    city_stations.setdefault(station_number, available_bike_stands)
    count_diff = available_bike_stands - city_stations[station_number]
    if count_diff != 0:
        city_stations[station_number] = available_bike_stands
        print("{}{} {} ({})".format("+" if count_diff > 0 else "", count_diff, address, contract))
