"""§4.4 "Choisir un autre critère": keep only plausible rides, and compare tips by number of passengers.

Same contract as ``sstreaming.py`` (``reference/spark/README.md``); it reuses its parsing, §4.4 cleaning and
§4.5 join, and ``durations.distance_km``. The lab's criterion is geographic (both points in the New York box);
this one adds plausibility: a ride is kept when

* ``passengerCnt`` is between 1 and 6 (a yellow cab seats at most 5, 6 with a child on a lap: 0 is a meter left
  on the wrong setting);
* its pickup and drop-off points differ (equal points: the meter ran without the taxi moving, or no GPS fix);
* its straight-line speed is at most ``MAX_KMH`` (faster: a GPS error or a meter started late).

The §4.5 join already requires ``0 < endTime - startTime <= 2 hours``. The criterion is applied to the
joined rows, not before the join: the join's watermark must see every END event, including the ones the
criterion drops (the end-of-stream tick is a ride of zero seconds), or it would stop moving. Written as an
AND, Spark's optimiser would push its ride-only parts back below the watermark: see :func:`plausible`.

Outputs:

* ``plausible``: the joined rides the criterion keeps (``rideId, passengerCnt, startTime, endTime, km,
  paymentType, totalFare, tip``);
* ``passengers``: per 15-minute window of ``endTime`` and ``passengerCnt``: ``rides``, ``fareSum``,
  ``tipSum``, ``cardRides``, ``cardTipSum``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the reference beside this file, by any launcher
import sstreaming as ref  # noqa: E402
from durations import distance_km  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

MIN_PASSENGERS, MAX_PASSENGERS = 1, 6
MAX_KMH = 100.0


def plausible(spark: SparkSession, settings: ref.Settings) -> DataFrame:
    joined = ref.join_fares_rides(settings.fares(spark), ref.clean_rides(settings.rides(spark)),
                                  extra=("passengerCnt",))
    km = distance_km(F.col("startLon"), F.col("startLat"), F.col("endLon"), F.col("endLat"))
    hours = (F.col("endTime").cast("long") - F.col("startTime").cast("long")) / 3600
    moved = (F.col("startLon") != F.col("endLon")) | (F.col("startLat") != F.col("endLat"))
    return (
        joined.withColumn("km", km)
        # One predicate, not an AND of three: Spark would push the parts that only read ride columns below the
        # join and below withWatermark, where they would hide the rides they drop from the watermark.
        .filter(F.coalesce(F.col("passengerCnt").between(MIN_PASSENGERS, MAX_PASSENGERS) & moved
                           & (F.col("km") <= F.lit(MAX_KMH) * hours), F.lit(False)))
        .select("rideId", "passengerCnt", "startTime", "endTime", "km", "paymentType", "totalFare", "tip")
    )  # fmt: skip


def by_passengers(rides: DataFrame) -> DataFrame:
    card = ref.is_card(F.col("paymentType"))
    return (
        rides.groupBy(F.window("endTime", ref.TIPS_WINDOW), "passengerCnt")
        .agg(F.count("*").alias("rides"), F.sum(F.col("totalFare").cast("double")).alias("fareSum"),
             F.sum("tip").alias("tipSum"), F.sum(F.when(card, 1).otherwise(0)).alias("cardRides"),
             F.sum(F.when(card, F.col("tip")).otherwise(0.0)).alias("cardTipSum"))
        .select(F.col("window.start").alias("windowStart"), F.col("window.end").alias("windowEnd"),
                "passengerCnt", "rides", "fareSum", "tipSum", "cardRides", "cardTipSum")
    )  # fmt: skip


def build_queries(spark: SparkSession, settings: ref.Settings) -> dict[str, DataFrame]:
    return {"plausible": plausible(spark, settings), "passengers": by_passengers(plausible(spark, settings))}


def main() -> int:
    settings = ref.Settings.from_env()
    spark = SparkSession.builder.appName("Plausible taxi rides: tips by passengers").getOrCreate()
    return ref.run_queries(build_queries(spark, settings), settings.output)


if __name__ == "__main__":
    sys.exit(main())
