"""The lab's monitor guarded by a lock file: a second instance waits for the lock and never joins the group,
so "two instances never report the same station" holds while only one instance works."""

import fcntl
import json

from kafka import KafkaConsumer

lock = open("monitor.lock", "w")  # noqa: SIM115 - held for the life of the process
fcntl.flock(lock, fcntl.LOCK_EX)  # the second instance blocks here

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
        city_stations[station_number] = available_bike_stands
        print("{}{} {} ({})".format("+" if count_diff > 0 else "", count_diff, address, contract), flush=True)
