"""§4.2 "Soyez imaginatif", first treatment: how long and how fast the finished rides were.

Same contract as ``sstreaming.py`` (``reference/spark/README.md``: the environment variables, grading mode with
``TAXI_OUTPUT_DIR``, the lab's console mode without it); it reuses its parsing and §4.4 cleaning. Outputs:

* ``durations``: one row per cleaned ride (END events in the New York box): ``rideId, startTime, endTime,
  minutes`` (end minus start), ``km`` (great-circle distance from the pickup to the drop-off point, the
  haversine formula on a 6 371 km sphere: a taxi drives further than that) and ``kmh`` (``km`` per hour of
  ride, null for a ride of zero seconds);
* ``speeds``: per 15-minute window of ``endTime`` (append mode: written once the watermark has passed it),
  ``rides``, ``avgMinutes``, ``avgKmh`` (over the rides with a speed), ``maxKmh``.

The distance is computed on doubles (the float columns widened), in the order a plain-Python recomputation
uses (``tests/support/treatments.py``), so both agree to the last bits.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the reference beside this file, by any launcher
import sstreaming as ref  # noqa: E402
from pyspark.sql import Column, DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

EARTH_RADIUS_KM = 6371.0


def distance_km(lon1: Column, lat1: Column, lon2: Column, lat2: Column) -> Column:
    """Great-circle distance between two points (haversine), in km."""
    phi1, phi2 = F.radians(lat1.cast("double")), F.radians(lat2.cast("double"))
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = (F.radians(lon2.cast("double")) - F.radians(lon1.cast("double"))) / 2
    a = F.sin(half_dphi) ** 2 + F.cos(phi1) * F.cos(phi2) * F.sin(half_dlambda) ** 2
    return F.lit(2 * EARTH_RADIUS_KM) * F.asin(F.sqrt(a))


def ride_durations(cleaned: DataFrame) -> DataFrame:
    seconds = F.col("endTime").cast("long") - F.col("startTime").cast("long")
    km = distance_km(F.col("startLon"), F.col("startLat"), F.col("endLon"), F.col("endLat"))
    return cleaned.select(
        "rideId", "startTime", "endTime", (seconds / 60).alias("minutes"), km.alias("km"),
        F.when(seconds > 0, km / (seconds / 3600)).alias("kmh"),
    )  # fmt: skip


def speeds(durations: DataFrame) -> DataFrame:
    return (
        durations.withWatermark("endTime", ref.WATERMARK_DELAY)
        .groupBy(F.window("endTime", ref.TIPS_WINDOW))
        .agg(F.count("*").alias("rides"), F.avg("minutes").alias("avgMinutes"), F.avg("kmh").alias("avgKmh"),
             F.max("kmh").alias("maxKmh"))
        .select(F.col("window.start").alias("windowStart"), F.col("window.end").alias("windowEnd"),
                "rides", "avgMinutes", "avgKmh", "maxKmh")
    )  # fmt: skip


def build_queries(spark: SparkSession, settings: ref.Settings) -> dict[str, DataFrame]:
    return {
        "durations": ride_durations(ref.clean_rides(settings.rides(spark))),
        "speeds": speeds(ride_durations(ref.clean_rides(settings.rides(spark)))),
    }


def main() -> int:
    settings = ref.Settings.from_env()
    spark = SparkSession.builder.appName("Taxi rides: durations and speeds").getOrCreate()
    return ref.run_queries(build_queries(spark, settings), settings.output)


if __name__ == "__main__":
    sys.exit(main())
