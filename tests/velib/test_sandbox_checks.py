"""Hostile §3.1 submissions graded for real, beside the reference (issue 15): each attack of ``hostile/`` ends
in a failed sandbox check naming what was refused, no file of the grader changes, the reference is graded
normally in the same run, and no process of the sandbox user is left behind.

The producer's checks run for every submission (``-k producer``); the monitor's run (~20 s a submission) only
for the reference and the hostile monitors (``MONITOR_ATTACKS``: lines put into a copy of the reference
monitor), which must fail the monitor's sandbox check and nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.sandbox.users import LEASES, pool_users
from fixtures.system.locks import try_lock
from fixtures.system.paths import REPO
from tests.support.outcomes import assert_exact_outcomes

from .hostile import ATTACKS, MONITOR_ATTACKS
from .hostile import HERE as HOSTILE

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's user and namespaces need root")]
SCRIPTS = ("velib-get-stations.py", "velib-monitor-stations.py")
GRADE_TIMEOUT_S = 600
MONITOR_SANDBOX = "test_velib_monitor_stays_in_its_sandbox"
PRODUCER_SANDBOX = "test_velib_producer_stays_in_its_sandbox"
# The monitor's run for the reference and the hostile monitors only (the submission's name is in the test id).
SELECTION = (f"velib_submission and (producer or (monitor_stays_in_its_sandbox and "
             f"({' or '.join(['reference', *MONITOR_ATTACKS])})))")


def _hostile_monitor(name: str, key_path: Path) -> str:
    """The reference monitor with the attack's lines run at start-up, before ``main()``."""
    reference = (REPO / "reference" / "velib" / SCRIPTS[1]).read_text()
    attack = (HOSTILE / f"{name}.py").read_text().replace("{KEY_PATH}", str(key_path))
    entry = 'if __name__ == "__main__":'
    assert reference.count(entry) == 1
    return reference.replace(entry, f"{attack}\n\n{entry}")


def _digest(folders: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() + oct(p.stat().st_mode)
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def _student_processes() -> list[str]:
    """Processes of the pool users that no sandbox holds now: what a finished run left behind. A user another
    sandbox leases (another test beside this one, under pytest-xdist) is running its own student: not counted."""
    uids = set()
    for name in pool_users():
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        with _free(name) as free:
            if free:
                uids.add(uid)
    return [pid for pid in os.listdir("/proc") if pid.isdigit() and _owner(pid) in uids]


@contextlib.contextmanager
def _free(name: str) -> Iterator[bool]:
    """Whether no sandbox leases ``name`` now (its lease lock taken, then released, as the pool does)."""
    LEASES.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(LEASES / f"{name}.lock", "w") as handle:
        yield try_lock(handle)


def _named(name: str, roots: list[Path]) -> list[Path]:
    """Files and folders called ``name`` below ``roots``. ``os.walk`` skips a folder deleted while it walks:
    ``Path.glob("**/…")`` raised FileNotFoundError in CI, /tmp being shared with the clusters of other workers."""
    return [Path(top, entry) for root in roots for top, dirs, files in os.walk(root)
            for entry in (*dirs, *files) if entry == name]


def _owner(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    mark = f"kafkalab-planted-{secrets.token_hex(4)}"
    secret_dir = Path.home() / f".kafkalab-sandbox-test-{secrets.token_hex(4)}"  # a fake instructor key
    secret_dir.mkdir(mode=0o700)
    key_path = secret_dir / "id_ed25519"
    # The header split in two: the terminal's masking of an unterminated key block (reports.secrets) would
    # swallow, from this source line on, the traceback of any error in this fixture (CI showed none of it).
    key_path.write_text("-----BEGIN OPENSSH " + f"PRIVATE KEY-----\n{secrets.token_hex(32)}\n")
    key_path.chmod(0o600)
    subs = root / "submissions"
    folders = []
    for name in ["reference", *ATTACKS, *MONITOR_ATTACKS]:
        folder = subs / name
        folder.mkdir(parents=True)
        for script in SCRIPTS:
            shutil.copy(REPO / "reference" / "velib" / script, folder / script)
        if name in ATTACKS:
            text = (HOSTILE / f"{name}.py").read_text().replace("{KEY_PATH}", str(key_path))
            (folder / SCRIPTS[0]).write_text(text.replace("{MARK}", mark))
        if name in MONITOR_ATTACKS:
            (folder / SCRIPTS[1]).write_text(_hostile_monitor(name, key_path))
        folders.append(folder)
    before = _digest([secret_dir, subs])
    report_dir, basetemp = root / "report", root / "basetemp"
    cmd = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
           "-k", SELECTION, "--velib-timeout", "10",
           "--report-dir", str(report_dir), "--basetemp", str(basetemp)]
    cmd += [arg for folder in folders for arg in ("--velib-submission", str(folder))]
    try:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S)
        after = _digest([secret_dir, subs])
        key = key_path.read_text()
    finally:
        shutil.rmtree(secret_dir)
    data = [json.loads(path.read_text()) for path in report_dir.glob("*.json")]
    assert len(data) == len(folders), f"{done.stdout[-5000:]}\n{done.stderr[-3000:]}"
    planted = _named(mark, [subs, root, Path("/tmp"), Path.home()])
    return {"results": {d["target"]: {r["check"]: r for r in d["results"]} for d in data},
            "before": before, "after": after, "planted": planted, "key": key,
            "output": done.stdout + done.stderr, "report_dir": report_dir, "left": _student_processes()}


def test_the_reference_is_graded_normally_beside_hostile_submissions(graded: dict) -> None:
    results = graded["results"]["submission-reference"]
    assert_exact_outcomes({check: r["outcome"] for check, r in results.items()}, set(),
                          ran={PRODUCER_SANDBOX, MONITOR_SANDBOX}, context=results)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_fails_the_sandbox_check_naming_what_was_refused(graded: dict, attack: str) -> None:
    result = graded["results"][f"submission-{attack}"][PRODUCER_SANDBOX]
    assert result["outcome"] == "failed", result
    assert ATTACKS[attack] in result["reason"], result["reason"]


@pytest.mark.parametrize("attack", sorted(MONITOR_ATTACKS))
def test_a_hostile_monitor_fails_its_sandbox_check_and_nothing_else(graded: dict, attack: str) -> None:
    """Every instance's refused read is named; the producer (the reference's) and its checks are untouched."""
    results = graded["results"][f"submission-{attack}"]
    assert_exact_outcomes({check: r["outcome"] for check, r in results.items()}, {MONITOR_SANDBOX},
                          ran={PRODUCER_SANDBOX}, context=results)
    assert MONITOR_ATTACKS[attack] in results[MONITOR_SANDBOX]["reason"], results[MONITOR_SANDBOX]["reason"]


def test_no_file_of_the_grader_changes_and_nothing_is_planted_or_left(graded: dict) -> None:
    assert graded["after"] == graded["before"]
    assert graded["planted"] == []
    assert graded["left"] == [], "processes of the sandbox user still running after the grading run"


def test_the_stolen_key_reaches_no_report_nor_the_terminal(graded: dict) -> None:
    secret = graded["key"].splitlines()[1]
    assert secret not in graded["output"]
    leaking = [p for p in graded["report_dir"].rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]
    assert leaking == []
