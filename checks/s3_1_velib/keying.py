"""§3.1.4 keying, judged from records (on the student's topic or from a submitted producer's run).

"Each station's records are in one partition" is not enough: a key per city (``contract_name``) or a
constant key also keeps every station in one partition, while sending the whole city to a single partition,
so that a second monitor instance idles. Keying by station means, over the records judged:

* every station in exactly one partition (a key, and always the same one);
* as many distinct keys as stations: no key names two stations (a city or constant key does);
* the records spread over most partitions: at least ``MIN_PARTITION_SHARE`` of ``min(partitions, stations)``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kafka.consumer.fetcher import ConsumerRecord

from fixtures.plugin.verdict import Hint

from . import hints
from .oracle import StationId, record_problems, station_id

# 114 stations hashed over 10 partitions fill all 10; a station key leaves none idle in practice.
MIN_PARTITION_SHARE = 0.7


@dataclass
class Keying:
    """What the records say about their keys."""

    partition_count: int
    partitions_used: set[int] = field(default_factory=set)
    station_partitions: dict[StationId, set[int]] = field(default_factory=lambda: defaultdict(set))
    key_stations: dict[bytes | None, set[StationId]] = field(default_factory=lambda: defaultdict(set))

    @property
    def stations(self) -> int:
        return len(self.station_partitions)

    @property
    def keys(self) -> int:
        return sum(1 for key in self.key_stations if key is not None)

    def spread(self) -> dict[StationId, list[int]]:
        """Stations found in more than one partition."""
        return {sid: sorted(ps) for sid, ps in self.station_partitions.items() if len(ps) > 1}

    def shared(self) -> dict[bytes | None, set[StationId]]:
        """Keys (None: no key) that name more than one station."""
        return {key: sids for key, sids in self.key_stations.items() if len(sids) > 1}

    def min_partitions(self) -> int:
        return math.ceil(MIN_PARTITION_SHARE * min(self.partition_count, self.stations))

    def summary(self) -> str:
        return (f"{self.stations} station(s), {self.keys} distinct key(s), records in "
                f"{len(self.partitions_used)} of {self.partition_count} partitions, "
                f"{len(self.spread())} station(s) in more than one partition")

    def problem(self, spread_hint: Hint) -> tuple[str, Hint, str, str] | None:
        """(reason, hint, expected, found) for the first problem, or None when records are keyed by station."""
        spread = self.spread()
        if spread:
            found = ", ".join(f"{c}/{n} in {ps}" for (c, n), ps in list(spread.items())[:3])
            return (f"{len(spread)} of {self.stations} stations appear in more than one partition", spread_hint,
                    "each station in exactly one partition", found)
        shared = self.shared()
        if shared:
            key, sids = max(shared.items(), key=lambda item: len(item[1]))
            shown = "no key" if key is None else f"key {key[:40]!r}"
            return (f"{self.keys} distinct key(s) for {self.stations} stations: {shown} is used by {len(sids)} "
                    f"stations (a key per city or a constant key, not per station)", hints.COARSE_KEY,
                    f"{self.stations} distinct keys, one per station", self.summary())
        if len(self.partitions_used) < self.min_partitions():
            return (f"the records of {self.stations} stations use {len(self.partitions_used)} of "
                    f"{self.partition_count} partitions (at least {self.min_partitions()} expected)", hints.COARSE_KEY,
                    f">= {self.min_partitions()} partitions holding records", self.summary())
        return None


def judge_keying(records: Iterable[ConsumerRecord], partition_count: int) -> Keying:
    """Keying facts from usable station records (unusable ones are judged by the record checks)."""
    keying = Keying(partition_count)
    for record in records:
        if record_problems(record.value):
            continue
        sid = station_id(json.loads(record.value))
        keying.partitions_used.add(record.partition)
        keying.station_partitions[sid].add(record.partition)
        keying.key_stations[record.key].add(sid)
    return keying
