"""Root conftest: loads the grader's plugins for the checks (``pytest checks``) and the harness's tests."""

pytest_plugins = [
    "fixtures.plugin.options",  # every option, one place
    "fixtures.plugin.targets",  # targets, roster, the embedded reference cluster, lab order
    "fixtures.plugin.destructive",  # --allow-destructive, broker control, the journal
    "fixtures.plugin.submissions",  # --velib-submission folders
    "fixtures.plugin.spark",  # --spark-script
    "fixtures.plugin.results",  # results, terminal verdict, reports and exports
]
