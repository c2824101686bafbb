"""§4.3 played: the ``drivers`` query (finished rides per driver) in complete mode on the console sink.

The lab runs it by hand and reads the console; here the reference's query runs on the sample's ``taxirides``
topic with the console sink in ``complete`` mode, and the table Spark prints is compared with the oracle's count.
The JVM writes that table on the standard output it inherited when the session started, which is pytest's
session-wide capture: it is read from there (``capfd`` only sees what is written during the test).
The lab's literal query (all events, START and END) prints twice each count: that variant must be
told apart. Append mode is refused for this aggregate without a watermark, as the answers say.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from checks.s4_streaming import oracle

RUN_TIMEOUT_S = 240
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|$")


def _console_table(spark, bootstrap: str, literal: bool, capture) -> Counter[int]:
    from reference.spark import sstreaming

    rides = sstreaming.parse_rides(sstreaming.read_topic(spark, bootstrap, "taxirides", "earliest"))
    drivers = rides.groupBy("driverId").count() if literal else sstreaming.rides_per_driver(rides)
    capture.read_global_capture()  # what earlier tests left
    query = (drivers.writeStream.queryName("drivers-literal" if literal else "drivers").outputMode("complete")
             .format("console").option("truncate", False).option("numRows", 100000)
             .trigger(availableNow=True).start())
    try:
        assert query.awaitTermination(RUN_TIMEOUT_S), "the drivers query did not finish"
    finally:
        query.stop()
    out = capture.read_global_capture().out
    batches = out.split("Batch: ")
    assert len(batches) > 1, f"nothing printed on the console:\n{out[-2000:]}"
    rows = [ROW.match(line.strip()) for line in batches[-1].splitlines()]  # complete mode: the last table is all
    return Counter({int(m[1]): int(m[2]) for m in rows if m})


def test_drivers_in_complete_mode_on_the_console(spark, taxi_cluster, spark_expected, request) -> None:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None or not capture.is_globally_capturing():
        pytest.skip("the console table is read from pytest's output capture: run without -s")
    bootstrap = str(taxi_cluster.broker_endpoints[0])
    printed = _console_table(spark, bootstrap, literal=False, capture=capture)
    assert printed == oracle.rides_per_driver(spark_expected.rides), "the console table differs from the oracle's count"
    literal = _console_table(spark, bootstrap, literal=True, capture=capture)
    assert literal != printed and literal == oracle.rides_per_driver(spark_expected.rides, finished_only=False)


def test_append_mode_is_refused_for_the_drivers_aggregate(spark, taxi_cluster) -> None:
    from pyspark.errors import AnalysisException

    from reference.spark import sstreaming

    rides = sstreaming.parse_rides(sstreaming.read_topic(spark, str(taxi_cluster.broker_endpoints[0]), "taxirides",
                                                         "earliest"))
    with pytest.raises(AnalysisException, match="(?i)append output mode not supported"):
        sstreaming.rides_per_driver(rides).writeStream.outputMode("append").format("console").start()
