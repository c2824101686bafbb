"""Broken variant: fares joined to rides on taxiId instead of rideId (every ride of the same taxi within 2 hours)."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402


def join_fares_rides(fares, cleaned_rides):
    fares = fares.selectExpr("rideId AS rideId_fares", "taxiId AS taxiId_fares", "startTime", "totalFare", "tip",
                             "paymentType") \
        .withWatermark("startTime", "30 minutes")
    rides = cleaned_rides.selectExpr("rideId", "endTime", "driverId", "taxiId", "startLon", "startLat", "endLon",
                                     "endLat").withWatermark("endTime", "30 minutes")
    return fares.join(rides, F.expr(
        "taxiId_fares = taxiId AND endTime > startTime AND endTime <= startTime + interval 2 hours"))


ref.join_fares_rides = join_fares_rides

if __name__ == "__main__":
    sys.exit(ref.main())
