"""The lab's monitor, robust to malformed records, but a station seen for the first time counts from 0 bikes
stands (``get(number, 0)``) instead of from its first value: one extra ``+N`` line per station at the start.
Once every station is known its lines are right again (the replay after the malformed records is)."""

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
    count_diff = available_bike_stands - city_stations.get(station_number, 0)
    if count_diff != 0:
        city_stations[station_number] = available_bike_stands
        print("{}{} {} ({})".format("+" if count_diff > 0 else "", count_diff, address, contract), flush=True)
