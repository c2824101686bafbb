"""Reference answers of the Kafka lab: what a student writes or types, played with the lab's scripts, and the
written answers (``answers/``).

``plays.toml`` lists the plays in the lab's order; each is ``play(runtime, zookeeper, broker) -> Transcript``
and runs on the embedded reference cluster after the ones before it, before that cluster is graded.
"""
