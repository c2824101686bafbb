"""Reference answers of the Kafka lab: configs, commands played with the lab's scripts, written answers."""
