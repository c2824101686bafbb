"""The reference §4.1 ingestion of the NYC taxi files into Kafka, and its verification."""
