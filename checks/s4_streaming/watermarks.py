"""What the §4.5 watermarks drop: a model of Spark's late-row rule, for the order the harness replays the data.

Spark keeps one watermark per query: after each micro-batch, every ``withWatermark`` input proposes "the
latest event time it has seen, minus its delay" (0, the epoch, while it has seen no row), and the query's
watermark is the least of them (``spark.sql.streaming.multipleWatermarkPolicy=min``, the default), never
going back: there is none until both inputs have seen rows. In a later
batch, the join drops an input row whose event time is not after that watermark (``eventTime <= watermark``:
the row is *late*). The fares' watermark follows ``startTime`` of every fare, the rides' one ``endTime``
of the cleaned rides (the lab puts ``withWatermark`` after the cleaning).

:func:`late_rows` applies that rule to a replay cut into micro-batches. The harness writes each topic
whole, ticks last, before the script starts, and the contract's ``trigger(availableNow=True)`` without a
read limit reads all of it in the first batch: no watermark exists yet, so nothing is late and the oracle's
relational join is exactly what Spark computes, on any data set, in any order within the files. Only the
ticks' no-data batch comes after, and it brings no rows. A script that reads in smaller batches
(``maxOffsetsPerTrigger``) can lose the rows this model predicts; the harness's multi-day test checks that
the reference reads everything in one batch and that Spark reports no row dropped
(``numRowsDroppedByWatermark``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fixtures.taxi.records import WATERMARK_DELAY, Fare, Ride

from .oracle import is_clean


@dataclass(frozen=True)
class Batch:
    """The rows one micro-batch reads: ride events (all of them; only cleaned ones reach the join) and fares."""

    rides: Sequence[Ride]
    fares: Sequence[Fare]


@dataclass
class Dropped:
    rides: list[Ride]
    fares: list[Fare]
    watermarks: list[datetime | None]  # the watermark each batch ran with (None: none yet)

    def __bool__(self) -> bool:
        return bool(self.rides or self.fares)


def late_rows(batches: Sequence[Batch], delay: timedelta = WATERMARK_DELAY) -> Dropped:
    """The join's input rows that Spark drops as late, batch by batch (see the module's rule)."""
    seen_fares: datetime | None = None  # latest startTime seen by the fares' withWatermark
    seen_rides: datetime | None = None  # latest endTime seen by the rides' withWatermark
    watermark: datetime | None = None
    dropped = Dropped([], [], [])
    for batch in batches:
        dropped.watermarks.append(watermark)
        cleaned = [r for r in batch.rides if is_clean(r)]
        if watermark is not None:
            dropped.fares += [f for f in batch.fares if f.start_time <= watermark]
            dropped.rides += [r for r in cleaned if r.end_time <= watermark]  # type: ignore[operator]
        # Every row read moves its input's maximum, late or not (Spark's EventTimeWatermark sits before the join).
        for fare in batch.fares:
            seen_fares = fare.start_time if seen_fares is None else max(seen_fares, fare.start_time)
        for ride in cleaned:
            seen_rides = ride.end_time if seen_rides is None else max(seen_rides, ride.end_time)  # type: ignore
        if seen_fares is not None and seen_rides is not None:  # an input without rows holds it at the epoch
            proposal = min(seen_fares, seen_rides) - delay
            watermark = proposal if watermark is None else max(watermark, proposal)
    return dropped


def batches_of(rides: Sequence[Ride], fares: Sequence[Fare], size: int) -> list[Batch]:
    """The two topics read ``size`` records of each at a time, in topic order (a read limit per trigger)."""
    count = max(len(rides), len(fares))
    return [Batch(rides[i:i + size], fares[i:i + size]) for i in range(0, max(count, 1), size)]
