"""The two tiers of the harness's tests, and the skips CI allows (hooks imported by tests/conftest.py).

Tiers. A test is *integration* when it starts a JVM (ZooKeeper, Kafka, Spark), a simulated host (a network
namespace), the sandbox, sshd, dockerd or a browser; every other test is *unit* (parsers, oracles, exports,
rubric, property tests) and that tier runs in under 2 minutes: ``tox -e unit``, then ``tox -e integration``.
The ``integration`` marker is set here at collection, not by hand in each file: from the ``slow`` marker (what
starts real clusters), from the fixtures a test uses, and from a short list of tests that start such programs
themselves. So that the list cannot rot, the unit tier (``KAFKALAB_TEST_TIER=unit``, set by tox) refuses to
start any of those programs: a unit test that tries fails and says where to mark it. The guard sees only the
test's own process: a test whose grading subprocess (``pytest checks``) starts a cluster must be listed by hand,
and the unit tier's ``--durations=25`` shows one that was not.

Skips. Under CI (``CI=true``) every skip is compared with tests/allowed_skips.toml after the run: a test that CI
is expected to run and that skipped fails the run, with its reason (a non-root CI, or one without a Docker
engine, would otherwise stay green while skipping the namespace, sandbox, ssh and Docker tests).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from reports.toml import loads as toml_loads

TESTS = Path(__file__).resolve().parent
ALLOWED_SKIPS = TESTS / "allowed_skips.toml"
TIER_ENV = "KAFKALAB_TEST_TIER"

# Fixtures that start a cluster, Spark, a Docker engine, or a grading run (which may start the reference cluster).
INTEGRATION_FIXTURES = frozenset({
    "one_broker", "two_brokers", "cluster", "velib_cluster", "taxi_cluster", "spark", "run_checks", "docker_engine",
})
# Tests (node id prefixes below tests/) that start such programs without the ``slow`` marker or those fixtures.
INTEGRATION_NODES = (
    "test_browser.py",  # Chromium
    "test_gradescope_autograder.py",  # the autograder's whole run: the reference cluster and Spark, in a subprocess
    "test_hosts.py",  # network namespaces
    "test_kraft.py::test_a_kraft_node_is_told_from_a_zookeeper_one_by_what_it_answers",  # a KRaft cluster
    "test_sandbox_paths.py",  # the sandbox's namespaces
    "test_sandbox_bwrap.py::test_the_command_runs_as_the_pool_user_for_real_with_no_privilege_left",  # bwrap
    "test_sandbox_signals.py::test_ctrl_c_stops_an_honest_script_whatever_the_grader_inherited",  # bwrap
    "test_sandbox_signals.py::test_a_script_ignoring_ctrl_c_is_still_caught",  # bwrap
    "test_sandbox_signals.py::test_ctrl_c_at_once_after_the_start_still_stops_the_script",  # bwrap
    "test_runtime.py::test_kafka_4_runs_its_storage_tool_and_logs_with_log4j2",  # a JVM
    "test_runtime.py::test_the_wrapper_runs_a_real_cli",  # a JVM
    "test_runtime.py::test_the_scripts_start_java_with_the_quick_compiler_unless_told_otherwise",  # a JVM
)

# What a unit test may not start (the basename of any word of the command line).
_FORBIDDEN = frozenset({"java", "spark-submit", "unshare", "nsenter", "bwrap", "sshd", "dockerd", "chromium",
                        "chromium-browser"})
_KAFKA_SCRIPT = re.compile(r"^(kafka|zookeeper|connect)-[\w-]+\.sh$")


def _node_path(item: pytest.Item) -> str:
    """The node id below tests/ (``velib/test_x.py::test_y[a]``), whatever folder pytest was started from."""
    path = Path(str(item.path)).resolve()
    try:
        relative = path.relative_to(TESTS).as_posix()
    except ValueError:
        return item.nodeid
    return relative + item.nodeid[item.nodeid.index("::"):] if "::" in item.nodeid else relative


def is_integration(item: pytest.Item) -> bool:
    if item.get_closest_marker("slow") is not None:
        return True
    if INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    node = _node_path(item)
    return any(node == prefix or node.startswith(prefix + "::") or node.startswith(prefix + "[")
               for prefix in INTEGRATION_NODES)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: starts a JVM, a simulated host, the sandbox, sshd, dockerd or "
                                       "a browser (set at collection by tests/tiers.py; `-m 'not integration'` is "
                                       "the unit tier)")
    if os.environ.get(TIER_ENV) == "unit":
        _refuse_heavy_programs()


# The integration tier's longest files, longest first (CI's --durations on 2 cores, seconds per file): they are
# handed to the workers first (tox.ini: --dist loadfile --no-loadscope-reorder), so that no long file is left for
# the end, alone on one worker while the others have nothing to do (longest processing time first). A file not
# named keeps its place after them.
LONGEST_FIRST = (
    "tests/answers/test_answers.py",           # 360: three fresh replays of the answers
    "tests/test_reference.py",                 # 341: the main job on three Kafka versions
    "tests/test_class_submissions.py",         # 274: a class of six graded twice at once
    "tests/velib/test_submission_checks.py",   # 250: twelve §3.1 submissions
    "tests/test_kraft.py",                     # 200
    "tests/velib/test_sigint_ignored_grader.py",  # 115
    "tests/velib/test_sandbox_checks.py",      # 109
    "tests/test_class_grading.py",             # 100
    "tests/test_student_wheel.py",             # 90
    "tests/test_gradescope_autograder.py",     # 75
    "tests/spark/test_run_subprocess.py",      # 70
    "tests/test_checks_s3_2.py",               # 70
    "tests/test_dashboard.py",                 # 50
    "tests/test_checks_s2.py",                 # 50
)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if is_integration(item):
            item.add_marker(pytest.mark.integration)
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: a file's order is kept


# ------------------------------------------------------------------ the unit tier's guard
class HeavyProgramInUnitTier(RuntimeError):
    pass


def heavy_word(args: object) -> str | None:
    """The word of a command line that makes it integration-only (``java``, ``ip netns …``), or None."""
    words = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args or ())  # type: ignore[call-overload]
    names = [os.path.basename(os.fsdecode(w)) for w in words if isinstance(w, (str, bytes, os.PathLike))]
    for name in names:
        if name in _FORBIDDEN or _KAFKA_SCRIPT.match(name):
            return name
    if names and names[0] == "ip" and "netns" in names:
        return "ip netns"
    return None


def _refuse_heavy_programs() -> None:
    original = subprocess.Popen.__init__
    if getattr(original, "_kafkalab_guard", False):
        return

    def guarded(self, args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        word = heavy_word(args)
        if word is not None:
            raise HeavyProgramInUnitTier(
                f"a unit-tier test started {word!r}: mark it integration (tests/tiers.py, INTEGRATION_NODES), "
                f"the unit tier starts no JVM, namespace, sandbox, sshd, dockerd or browser")
        original(self, args, *rest, **kwargs)

    guarded._kafkalab_guard = True  # type: ignore[attr-defined]
    subprocess.Popen.__init__ = guarded  # type: ignore[method-assign]


# ------------------------------------------------------------------ skips, bounded under CI
@dataclass(frozen=True)
class AllowedSkip:
    test: str  # fnmatch pattern on the node id below tests/
    reason: str  # a substring of the skip's reason
    why: str  # why CI may see it

    def allows(self, node: str, reason: str) -> bool:
        return fnmatch.fnmatchcase(node, self.test) and self.reason in reason


def load_allowed(text: str) -> list[AllowedSkip]:
    entries = toml_loads(text).get("skip", [])
    allowed = [AllowedSkip(str(e["test"]), str(e["reason"]), str(e["why"])) for e in entries]
    empty = [a.test for a in allowed if not a.reason.strip() or not a.why.strip()]
    if empty:
        raise ValueError(f"{ALLOWED_SKIPS.name}: every allowed skip needs a reason and a why: {empty}")
    return allowed


def unexpected(skips: list[tuple[str, str]], allowed: list[AllowedSkip]) -> list[tuple[str, str]]:
    return [(node, reason) for node, reason in skips if not any(a.allows(node, reason) for a in allowed)]


def skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


_SKIPS_SEEN: list[tuple[str, str]] = []


def _node_of_report(report: pytest.TestReport) -> str:
    path, _, rest = report.nodeid.partition("::")
    relative = path[len("tests/"):] if path.startswith("tests/") else path
    return f"{relative}::{rest}" if rest else relative


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPS_SEEN.append((_node_of_report(report), skip_reason(report)))


def _unexpected_skips() -> list[tuple[str, str]]:
    if not under_ci() or not _SKIPS_SEEN:
        return []
    return unexpected(_SKIPS_SEEN, load_allowed(ALLOWED_SKIPS.read_text(encoding="utf-8")))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    found = _unexpected_skips()
    if found:
        terminalreporter.section("skips CI did not expect (tests/allowed_skips.toml)", red=True)
        for node, reason in found:
            terminalreporter.line(f"SKIPPED {node}: {reason}")
        terminalreporter.line(f"{len(found)} test(s) that CI is expected to run skipped: the run fails. Make them "
                              "run here (root, dockerd, the extras), or allow the skip with its reason.")


_DESELECTED: list[int] = []


def pytest_deselected(items: list[pytest.Item]) -> None:
    _DESELECTED.append(len(items))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected_skips() and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and os.environ.get(TIER_ENV) and sum(_DESELECTED):
        # Tests were selected, none of this tier (`.ci/run tests/test_rubric.py` has no integration test): that
        # is not pytest's "no tests collected" (exit 5), which stays a failure when nothing at all was found.
        session.exitstatus = pytest.ExitCode.OK
