"""Root conftest: loads the grader's plugins for the checks (``pytest checks``) and the harness's tests."""

pytest_plugins = [
    "fixtures.options",  # every option, one place
    "fixtures.plugin",  # targets, roster, the embedded reference cluster, lab order
    "fixtures.destructive",  # --allow-destructive, broker control, the journal
    "fixtures.submissions",  # --velib-submission folders
    "fixtures.spark.pytest_plugin",  # --spark-script
    "fixtures.results_plugin",  # results, terminal verdict, reports and exports
]
