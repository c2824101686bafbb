"""The reference of §4.1, played on a cluster: the two topics created with the lab's script, the files replayed.

``kafka-topics.sh --create … --partitions 1 --replication-factor 1`` for ``taxirides`` and ``taxifares``, then
both files sent at once in chunks through ``kafka-console-producer.sh`` (the lab's ``split -l 10000 --filter``
pipeline), then the record counts compared with the files. The files are the class's (``--taxi-rides``,
``--taxi-fares``, the grader's options), read as streams; by default the rides are the 888 lines of the
shipped matched sample (one chunk per topic, a few seconds); ``--rides full`` sends the shipped 100,000-line
file (ten chunks, as the lab does with the real file; about a minute on 2 cores).

Run it by hand: ``python -m reference.taxi.play --zookeeper localhost:2181 --bootstrap localhost:9092``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fixtures import data
from fixtures.hosts.net import Endpoint
from fixtures.runtime import DEFAULT_VERSION, KafkaRuntime, fetch
from fixtures.taxi.counts import count_problems, topic_records
from fixtures.taxi.files import FARE, RIDE, RIDES, PathLike, fare_file, iter_lines, spark_ride_file, summary
from fixtures.taxi.ingest import CHUNK_SIZE, FARES_TOPIC, PAUSE_S, RIDES_TOPIC, ingest
from reference.s2 import LabShell, Transcript


def play(runtime: KafkaRuntime, zookeeper: Endpoint, broker: Endpoint, rides: PathLike | None = None,
         fares: PathLike | None = None, chunk_size: int = CHUNK_SIZE, pause_s: float = PAUSE_S) -> Transcript:
    """Play §4.1 with the class's files (default: the chosen data, see :mod:`fixtures.data`); raises if a
    topic does not end up with as many records as its file has lines."""
    files = {RIDES_TOPIC: Path(getattr(rides, "path", rides) or spark_ride_file()),
             FARES_TOPIC: Path(getattr(fares, "path", fares) or fare_file())}
    transcript = Transcript()
    sh = LabShell(runtime, zookeeper, broker, transcript)
    for topic in (RIDES_TOPIC, FARES_TOPIC):
        sh.topics("--create", "--replication-factor", "1", "--partitions", "1", "--topic", topic)
    reports = ingest(str(broker), iter_lines(files[RIDES_TOPIC]), iter_lines(files[FARES_TOPIC]),
                     chunk_size=chunk_size, pause_s=pause_s, via="console", version=runtime.version.version)
    for topic, name in ((RIDES_TOPIC, files[RIDES_TOPIC].name), (FARES_TOPIC, files[FARES_TOPIC].name)):
        report = reports[topic]
        transcript.add(
            f'zcat {name} | split -l {chunk_size} --filter="kafka-console-producer.sh --broker-list {broker} '
            f'--topic {topic}; sleep {pause_s}" > /dev/null &',
            f"{report.records} lines in {report.chunks} chunk(s), {report.seconds:.1f}s",
        )
    for topic in (RIDES_TOPIC, FARES_TOPIC):
        transcript.add(f"# records in {topic} (end offset - beginning offset)",
                       str(topic_records(str(broker), topic).records))
    problems = count_problems(str(broker), {RIDES_TOPIC: summary(files[RIDES_TOPIC], RIDE).lines,
                                            FARES_TOPIC: summary(files[FARES_TOPIC], FARE).lines})
    if problems:
        raise RuntimeError("§4.1 ingestion: " + "; ".join(problems))
    return transcript


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.taxi.play", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zookeeper", default="localhost:2181")
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--kafka", default=DEFAULT_VERSION, help="version of the lab's scripts to use")
    parser.add_argument("--rides", choices=("fared", "full"), default="fared",
                        help="without --taxi-rides, which shipped ride file (default: fared, the 888 with a fare)")
    data.add_options(parser, prefix="", only=data.TAXI)
    args = parser.parse_args(argv)
    choice = data.choice_from(lambda name: getattr(args, name.removeprefix("kafkalab_"), None))
    for problem in choice.problems():
        parser.error(problem)
    data.choose(choice)
    runtime = fetch(args.kafka, progress=lambda message: print(message, file=sys.stderr))
    transcript = play(runtime, Endpoint.parse(args.zookeeper, 2181), Endpoint.parse(args.bootstrap, 9092),
                      rides=RIDES if args.rides == "full" and not choice.taxi_rides else None)
    print(transcript.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
