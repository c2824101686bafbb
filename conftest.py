"""Root conftest: loads the grader's plugins for the checks (``pytest checks``) and the harness's tests.

The list is ``fixtures/plugin/grader.py``'s, which the installed ``kafkalab`` command loads too."""

pytest_plugins = ["fixtures.plugin.grader"]
