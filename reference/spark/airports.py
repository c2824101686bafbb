"""§4.4 "Choisir une autre zone": the rides picked up at New York's airports, and their fares and tips.

Same contract as ``sstreaming.py`` (``reference/spark/README.md``); it reuses its parsing, join and per-zone
figures. The zone is no longer the New York box but the three airport taxi zones of the TLC
(``TAXI_ZONES_FILE``): Newark (LocationID 1, borough EWR, **outside** the lab's box: its longitude is
-74.17), JFK Airport (132) and LaGuardia Airport (138), both in Queens. A ride counts when its **pickup** point
is in one of them; its drop-off may be anywhere.

Outputs:

* ``airport_rides``: the joined rides (§4.5) picked up at an airport, with ``zone``/``zoneName``;
* ``airports``: per 15-minute window of ``endTime`` and airport, the tips problem's figures (``rides``,
  ``tipSum``, ``cardRides``, ``cardTipSum``, ``avgTip``, ``avgCardTip``), as ``sstreaming.tips_by_zone``
  computes them for Manhattan.

The airport filter is applied **after** the join: the join's watermarks must see every END event, including
those the filter drops (here, the end-of-stream tick, a ride in Manhattan), or they would stop moving. The
reference's zone UDF is marked non-deterministic so that Spark's optimiser does not push the filter back
below ``withWatermark``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the reference beside this file, by any launcher
import sstreaming as ref  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

AIRPORTS = {1: "Newark Airport", 132: "JFK Airport", 138: "LaGuardia Airport"}


def finished(rides: DataFrame) -> DataFrame:
    """The new cleaning: END events with a pickup point (the airport zones leave (0, 0) and the rest out)."""
    return rides.filter(F.col("isStart") == "END")


def airport_rides(spark: SparkSession, settings: ref.Settings) -> DataFrame:
    zones = ref.load_zones(settings.zones_file, borough=None, ids=AIRPORTS)
    joined = ref.join_fares_rides(settings.fares(spark), finished(settings.rides(spark)))
    zone, name = ref.zone_column(spark, settings.zones_file, F.col("startLon"), F.col("startLat"), zones)
    return (joined.withColumn("zone", zone).filter(F.col("zone").isNotNull()).withColumn("zoneName", name)
            .select("rideId", "zone", "zoneName", "startTime", "endTime", "paymentType", "totalFare", "tip"))


def airports(spark: SparkSession, settings: ref.Settings) -> DataFrame:
    zones = ref.load_zones(settings.zones_file, borough=None, ids=AIRPORTS)
    joined = ref.join_fares_rides(settings.fares(spark), finished(settings.rides(spark)))
    return ref.tips_by_zone(spark, joined, settings.zones_file, zones)


def build_queries(spark: SparkSession, settings: ref.Settings) -> dict[str, DataFrame]:
    return {"airport_rides": airport_rides(spark, settings), "airports": airports(spark, settings)}


def main() -> int:
    settings = ref.Settings.from_env()
    spark = SparkSession.builder.appName("Taxi rides from the airports").getOrCreate()
    return ref.run_queries(build_queries(spark, settings), settings.output)


if __name__ == "__main__":
    sys.exit(main())
