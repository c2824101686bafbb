"""The tiers and the bounded skips (tests/tiers.py): what a unit test may not start, and CI failing on a skip
it did not expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.system.paths import REPO
from tests.tiers import ALLOWED_SKIPS, AllowedSkip, heavy_word, load_allowed, unexpected


@pytest.mark.parametrize("argv", [
    ["java", "-version"], ["/usr/lib/jvm/bin/java", "-cp", "x"], ["/opt/kafka/bin/kafka-server-start.sh", "c"],
    ["setsid", "/opt/kafka/bin/zookeeper-server-start.sh", "z"], ["ip", "netns", "add", "kl-x"],
    ["unshare", "-n", "true"], ["bwrap", "--ro-bind", "/", "/", "true"], ["/usr/sbin/sshd", "-D"], ["dockerd"],
    ["chromium", "--headless"], ["/spark/bin/spark-submit", "x.py"], "/usr/bin/java",
])
def test_the_unit_tier_refuses_jvms_namespaces_and_daemons(argv) -> None:
    assert heavy_word(argv) is not None


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "pytest", "checks"], ["ip", "addr"], ["sh", "-c", "echo java"], ["git", "status"],
])
def test_the_unit_tier_lets_python_and_plain_tools_run(argv) -> None:
    assert heavy_word(argv) is None


def test_the_shipped_allow_list_reads_and_every_entry_says_why() -> None:
    for allowed in load_allowed(ALLOWED_SKIPS.read_text(encoding="utf-8")):
        assert allowed.reason.strip() and allowed.why.strip()


def test_an_entry_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="reason and a why"):
        load_allowed('[[skip]]\ntest = "test_x.py::*"\nreason = ""\nwhy = "w"\n')


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_a_skip_is_allowed_only_by_its_test_and_its_reason(node: str, reason: str) -> None:
    allowed = [AllowedSkip(test="test_control.py::*", reason="no Docker engine", why="w")]
    ours = ("test_control.py::test_docker", "no Docker engine can start here: " + reason)
    assert unexpected([ours], allowed) == []
    assert unexpected([(node, reason)], allowed) == [(node, reason)] or (
        node.startswith("test_control.py::") and "no Docker engine" in reason)


def _run_a_skipping_test(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_skips_here.py"
    test.write_text("import pytest\n\ndef test_needs_what_is_missing():\n    pytest.skip('dockerd needs root')\n")
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(REPO)}
    env.pop("KAFKALAB_TEST_TIER", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.tiers", "-p", "no:cacheprovider", "-rs",
                           "--rootdir", str(tmp_path), str(test)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


def test_under_ci_a_skip_not_allowed_fails_the_run_and_says_why(tmp_path: Path) -> None:
    done = _run_a_skipping_test(tmp_path, "true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "skips CI did not expect" in done.stdout and "dockerd needs root" in done.stdout


def test_outside_ci_a_skip_is_listed_and_the_run_passes(tmp_path: Path) -> None:
    done = _run_a_skipping_test(tmp_path, "")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED" in done.stdout and "dockerd needs root" in done.stdout
