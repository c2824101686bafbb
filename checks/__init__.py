"""Graded checks of the Kafka lab, one module per lab concern (select them with ``pytest -k``)."""
