"""Root conftest: loads the grader's plugins for the checks (``pytest checks``) and the harness's tests."""

pytest_plugins = ["fixtures.plugin", "fixtures.results_plugin", "fixtures.spark.pytest_plugin", "fixtures.submissions"]
