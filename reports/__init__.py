"""Reports of the Kafka lab grader: the result model, JSON and HTML per target, the pytest hooks behind them."""
