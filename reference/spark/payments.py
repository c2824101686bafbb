"""§4.2 "Soyez imaginatif", second treatment: how the rides are paid, and the tip's share of the fare.

Same contract as ``sstreaming.py`` (``reference/spark/README.md``); it reuses its parsing. One output, from the
fares stream alone (no join):

* ``payments``: per 15-minute window of the fare's ``startTime`` (append mode) and ``paymentType`` (``CRD``
  card, ``CSH`` cash, ``NOC`` no charge, ``DIS`` dispute): ``fares``, ``fareSum`` (sum of ``totalFare``),
  ``tipSum``, ``tollsSum`` and ``avgTipShare``, the mean of ``tip / (totalFare - tip - tolls)`` (the tip
  over the metered fare) over the fares whose metered fare is positive. Only card payments record a tip, so
  the share is only meaningful on the ``CRD`` rows.

The share is computed on doubles: ``totalFare - tip - tolls`` on the lab's ``FloatType`` columns would be
rounded to 32 bits at each step.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the reference beside this file, by any launcher
import sstreaming as ref  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402


def payments(fares: DataFrame) -> DataFrame:
    tip, total, tolls = (F.col(name).cast("double") for name in ("tip", "totalFare", "tolls"))
    metered = total - tip - tolls
    return (
        fares.withWatermark("startTime", ref.WATERMARK_DELAY)
        .groupBy(F.window("startTime", ref.TIPS_WINDOW), "paymentType")
        .agg(F.count("*").alias("fares"), F.sum(total).alias("fareSum"), F.sum(tip).alias("tipSum"),
             F.sum(tolls).alias("tollsSum"), F.avg(F.when(metered > 0, tip / metered)).alias("avgTipShare"))
        .select(F.col("window.start").alias("windowStart"), F.col("window.end").alias("windowEnd"),
                "paymentType", "fares", "fareSum", "tipSum", "tollsSum", "avgTipShare")
    )  # fmt: skip


def main() -> int:
    settings = ref.Settings.from_env()
    spark = SparkSession.builder.appName("Taxi fares: payments and tip share").getOrCreate()
    return ref.run_queries({"payments": payments(settings.fares(spark))}, settings.output)


if __name__ == "__main__":
    sys.exit(main())
