"""The lab's monitor, robust to malformed records, that forgets to store the new count after printing: every
later record of a changed station is compared with its first value, so lines are repeated and their
numbers wrong."""

import json

from kafka import KafkaConsumer

stations = {}
consumer = KafkaConsumer("velib-stations", bootstrap_servers="localhost:9092", group_id="velib-monitor-stations",
                         auto_offset_reset="earliest")
for message in consumer:
    try:
        station = json.loads(message.value.decode())
        station_number = station["number"]
        contract = station["contract_name"]
        available_bike_stands = station["available_bike_stands"]
        address = station["address"]
    except (ValueError, KeyError, TypeError, AttributeError):
        continue
    if not isinstance(available_bike_stands, int) or isinstance(available_bike_stands, bool):
        continue
    city_stations = stations.setdefault(contract, {})
    count_diff = available_bike_stands - city_stations.setdefault(station_number, available_bike_stands)
    if count_diff != 0:
        print("{}{} {} ({})".format("+" if count_diff > 0 else "", count_diff, address, contract), flush=True)
