"""The reference Spark job of §4.2-4.5, the submission contract and how the harness runs a submission."""
