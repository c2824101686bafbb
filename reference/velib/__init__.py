"""§3.1 reference: the producer and monitor scripts (run as files, as students do) and ``play``."""
