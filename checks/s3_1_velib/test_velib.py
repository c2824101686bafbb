"""§3.1 — bike stations: topic `velib-stations` (10 partitions), station records keyed by station, the
monitor's group `velib-monitor-stations` with committed offsets.

The records are judged from a sample: the last ``SAMPLE_PER_PARTITION`` records of each partition, read
without a group. What a usable record is comes from ``checks.s3_1_velib.oracle`` (the fields the lab's
monitor reads, with their JSON types).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from checks.group_checks import group_must_have_committed
from checks.s3_1_velib.keying import judge_keying
from checks.s3_1_velib.oracle import record_problems, station_id
from checks.topic_checks import existing_topic, partitions_must_be, topic_must_exist
from fixtures.hosts.net import BrokerList
from fixtures.kafka import clients
from fixtures.kafka.facts import TopicFacts, begin_offsets, end_offsets
from fixtures.plugin.verdict import expect, fail, needs, record_found

from . import hints

TOPIC = "velib-stations"
GROUP = "velib-monitor-stations"
PARTITIONS = 10
SAMPLE_PER_PARTITION = 1000
# Fewer stations seen twice than this after the move to 10 partitions, and keying cannot be judged.
MIN_REPEATED_STATIONS = 10


# ---------------------------------------------------------------- fixtures (the dependency chain)


@pytest.fixture(scope="session")
def velib_topic(admin: KafkaAdminClient) -> TopicFacts:
    return existing_topic(admin, TOPIC, f"§3.1.2: kafka-topics.sh --create … --topic {TOPIC}")


@dataclass
class Sample:
    """The tail of every partition of the topic."""

    records: list[ConsumerRecord] = field(default_factory=list)
    stored: int = 0
    complete: bool = True

    def after_all_partitions_started(self) -> list[ConsumerRecord]:
        """Records written once every sampled partition was receiving: on a topic altered from 1 to 10
        partitions, this leaves out what partition 0 got before the alter (every station, by design)."""
        first: dict[int, int] = {}
        for record in self.records:
            first[record.partition] = min(first.get(record.partition, record.timestamp), record.timestamp)
        cutoff = max(first.values(), default=0)
        return [r for r in self.records if r.timestamp >= cutoff]


@pytest.fixture(scope="session")
def velib_sample(admin: KafkaAdminClient, velib_topic: TopicFacts, bootstrap: BrokerList,
                 check_timeout: float) -> Sample:
    ends, begins = end_offsets(admin, velib_topic), begin_offsets(admin, velib_topic)
    starts = {p: max(begins[p], ends[p] - SAMPLE_PER_PARTITION) for p in ends if ends[p] > begins[p]}
    sample = Sample(stored=sum(ends[p] - begins[p] for p in ends))
    if not starts:
        return sample
    reader = clients.consumer(bootstrap, timeout_s=check_timeout, group_id=None, enable_auto_commit=False)
    try:
        reader.assign([TopicPartition(TOPIC, p) for p in starts])
        for p, start in starts.items():
            reader.seek(TopicPartition(TOPIC, p), start)
        want = sum(ends[p] - start for p, start in starts.items())
        deadline = time.monotonic() + check_timeout
        while len(sample.records) < want and time.monotonic() < deadline:
            for batch in reader.poll(timeout_ms=500).values():
                sample.records += [r for r in batch if r.offset < ends[r.partition]]
        sample.complete = len(sample.records) >= want
    finally:
        reader.close()
    return sample


# ---------------------------------------------------------------- checks


@pytest.mark.step("3.1.2", points=1)
def test_velib_topic_exists(admin: KafkaAdminClient) -> None:
    """The topic `velib-stations` exists.

    FR: Le topic `velib-stations` existe."""
    topic_must_exist(admin, TOPIC, hints.VELIB_TOPIC_MISSING)


@pytest.mark.step("3.1.4", points=1)
def test_velib_topic_has_ten_partitions(velib_topic: TopicFacts) -> None:
    """`velib-stations` has 10 partitions after `kafka-topics.sh --alter --partitions 10`.

    FR: `velib-stations` a 10 partitions après `kafka-topics.sh --alter --partitions 10`."""
    partitions_must_be(velib_topic, PARTITIONS)


@pytest.mark.step("3.1.2", points=1)
def test_velib_records_are_station_json(velib_sample: Sample) -> None:
    """The records of `velib-stations` are stations' JSON with the fields the monitor reads.

    FR: Les enregistrements de `velib-stations` sont le JSON des stations, avec les champs que lit le moniteur."""
    if not velib_sample.records:
        fail(f"topic {TOPIC!r} holds no record", hints.VELIB_EMPTY, expected="station records",
             found=f"{velib_sample.stored} record(s) stored")
    bad = [(r, record_problems(r.value)) for r in velib_sample.records]
    bad = [(r, problems) for r, problems in bad if problems]
    record_found(f"{len(velib_sample.records)} record(s) sampled, {len(bad)} unusable")
    if bad:
        examples = "; ".join(f"partition {r.partition} offset {r.offset}: {', '.join(problems)} "
                             f"({(r.value or b'')[:60]!r})" for r, problems in bad[:3])
        fail(f"{len(bad)} of {len(velib_sample.records)} sampled records are not usable station JSON",
             hints.VELIB_NOT_STATIONS,
             expected="JSON objects with number, contract_name, address, available_bike_stands",
             found=examples)


@pytest.mark.step("3.1.3", points=1)
def test_velib_monitor_group_has_committed_offsets(admin: KafkaAdminClient, velib_topic: TopicFacts) -> None:
    """The group `velib-monitor-stations` committed offsets on `velib-stations` (and its lag is shown).

    FR: Le groupe `velib-monitor-stations` a validé des offsets sur `velib-stations` (son retard est montré)."""
    group_must_have_committed(admin, GROUP, velib_topic, hints.VELIB_GROUP, hints.VELIB_GROUP)


@pytest.mark.step("3.1.4", points=2)
def test_velib_each_station_is_in_one_partition(velib_topic: TopicFacts, velib_sample: Sample) -> None:
    """Records are keyed by station: each station in one partition, one key per station, most partitions used.

    FR: Les enregistrements ont la station pour clé : chaque station dans une seule partition, une clé par station,
    la plupart des partitions utilisées."""
    if velib_topic.partition_count < 2:
        needs(f"{TOPIC} with several partitions", f"it has {velib_topic.partition_count} (§3.1.4: --alter)")
    recent = velib_sample.after_all_partitions_started()
    keying = judge_keying(recent, velib_topic.partition_count)
    if not keying.stations:  # nothing to judge: the records check above says why (as for submitted producers)
        needs("station records in velib-stations", "none that is a station's JSON (see the records check)")
    counts = Counter(station_id(json.loads(r.value)) for r in recent if not record_problems(r.value))
    repeated = sum(1 for n in counts.values() if n > 1)
    record_found(f"{len(recent)} recent record(s): {keying.summary()}; {repeated} station(s) seen more than once")
    problem = keying.problem(hints.VELIB_KEYING)
    if problem:
        reason, hint, expected, found = problem
        fail(reason, hint, expected=expected, found=found)
    expect(repeated >= min(MIN_REPEATED_STATIONS, keying.stations) and repeated > 0,
           f"only {repeated} station(s) seen twice since all partitions receive records: keying cannot be judged",
           hints.VELIB_FEW_RECORDS, expected=f">= {MIN_REPEATED_STATIONS} stations seen twice", found=repeated)
