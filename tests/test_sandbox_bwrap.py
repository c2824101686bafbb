"""The sandbox on bubblewrap (issue 24): the command line's mount order, what a run is inside, and a grader
without bwrap, which says which protections are missing instead of passing the sandbox checks."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.sandbox import Sandbox, SandboxReport, bwrap, runner
from fixtures.system.paths import REPO

_NAMES = st.sampled_from(["a", "b", "c"])
_PATHS = st.lists(_NAMES, min_size=1, max_size=4).map(lambda parts: Path("/", *parts))


def _mounts(line: list[str]) -> list[tuple[str, Path]]:
    """(option, destination) of each mount of a bwrap command line, in order (a ``--dir`` mounts nothing)."""
    found = []
    for index, word in enumerate(line):
        if word == "--tmpfs":
            found.append((word, Path(line[index + 1])))
        elif word in ("--bind", "--ro-bind") and line[index + 1] != "/":
            found.append((word, Path(line[index + 2])))
    return found


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded 2-core machine
@given(hide=st.lists(_PATHS, max_size=4, unique=True), exposed=st.dictionaries(_PATHS, st.booleans(), max_size=4))
def test_a_folder_is_mounted_after_every_folder_that_contains_it(hide: list[Path], exposed: dict[Path, bool]) -> None:
    """Whatever hides or exposes what: a later mount on a parent would cover (undo) an earlier one below it."""
    expose = list(exposed.items())
    line = bwrap.command(uid=1000, gid=1000, argv=["true"], cwd=Path("/"), hide=hide, private_tmp=[],
                         expose=expose, status_fd=3)
    mounts = _mounts(line)
    for position, (_, path) in enumerate(mounts):
        assert not any(path in later.parents for _, later in mounts[:position]), mounts
    # Every hidden folder is covered; every writable or hidden exposed path is bound back, with its own mode.
    assert {p for option, p in mounts if option == "--tmpfs"} == set(hide)
    for path, writable in expose:
        needed = writable or any(h == path or h in path.parents for h in hide)
        assert (("--bind" if writable else "--ro-bind"), path) in mounts if needed else True
    # The student's command comes last, after the switch to its user; nothing of it is read as an option.
    assert line[-2:] == ["--", "true"] and "--reuid=1000" in line[line.index("setpriv"):]


def test_the_folders_on_the_way_to_an_exposed_path_are_traversable_not_listable() -> None:
    line = bwrap.command(uid=1000, gid=1000, argv=["true"], cwd=Path("/"), hide=[Path("/root")], private_tmp=[],
                         expose=[(Path("/root/.cache/kafkalab"), False)], status_fd=3)
    text = " ".join(line)
    assert "--perms 0711 --dir /root/.cache --ro-bind /root/.cache/kafkalab /root/.cache/kafkalab" in text


def test_no_home_made_namespace_or_mount_is_left_in_the_sandbox() -> None:
    """The mounts and namespaces are bwrap's: no ctypes ``mount``/``unshare``/``pivot_root`` call left."""
    calls = re.compile(r"\b(mount|umount2?|unshare|pivot_root|CLONE_NEWNS|CLONE_NEWPID)\b\s*\(")
    for source in (REPO / "fixtures" / "sandbox").glob("*.py"):
        assert not calls.search(source.read_text()), source


def test_without_bwrap_the_run_says_which_protections_are_missing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A student's laptop without bubblewrap: the script still runs, with the limits it can get, and the
    sandbox check would be not evaluated (tests/test_sandbox_signals.py ``_verdict``), never passed."""
    from tests.test_sandbox_signals import _verdict

    monkeypatch.setattr(bwrap, "bwrap_path", lambda: None)
    monkeypatch.setattr(runner, "lease_student_user", lambda: pytest.fail("no user is leased without bwrap"))
    sandbox = Sandbox(tmp_path / "run", "script", routes=None)
    with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
        proc = sandbox.popen([sys.executable, "-c", "print('ran')"], {"PATH": "/usr/bin:/bin"}, out, err)
        proc.wait(60)
    report = sandbox.close()
    assert proc.returncode == 0 and (tmp_path / "out").read_text() == "ran\n"
    assert any("bubblewrap (bwrap) is not installed" in m for m in report.missing), report.missing
    assert {"hidden folders", "PID namespace"} <= set(report.missing)
    assert _verdict(report) == "not evaluated"


_INSIDE = """
import os, sys
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("uid", os.getuid(), "euid", os.geteuid(), "groups", os.getgroups(), "pid", os.getpid())
print("cap", status["CapEff"].strip(), status["CapBnd"].strip(), "nnp", status["NoNewPrivs"].strip())
open("made-here", "w").write("x")
for path in sys.argv[1:]:
    try:
        open(path).read()
        print("read", path)
    except OSError as error:
        print("refused", path, error.strerror)
"""


@pytest.mark.skipif(os.geteuid() != 0 or bwrap.bwrap_path() is None, reason="bwrap's sandbox needs root")
def test_the_command_runs_as_the_pool_user_for_real_with_no_privilege_left(tmp_path: Path) -> None:
    """bwrap as root, then setpriv (not a root-made user namespace, where ``--uid`` drops nothing): the
    student's uid on the host, no capability, no_new_privs, PID 2 of its own namespace; a root-only file
    stays unreadable even where it is visible; what it writes belongs to its user."""
    secret = REPO / f".sandbox-secret-{os.getpid()}"
    secret.write_text("not for students")
    secret.chmod(0o600)
    tmp_path.chmod(0o755)
    (tmp_path / "inside.py").write_text(_INSIDE)
    (tmp_path / "inside.py").chmod(0o644)
    sandbox = Sandbox(tmp_path / "run", "script", routes=None, expose=[(tmp_path, False)])
    try:
        with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
            proc = sandbox.popen([sys.executable, str(tmp_path / "inside.py"), str(secret)],
                                 {"PATH": "/usr/bin:/bin"}, out, err)
            proc.wait(60)
        owner = (tmp_path / "run" / "made-here").stat().st_uid
        uid = sandbox.user.uid
        report: SandboxReport = sandbox.close((tmp_path / "out").read_text())
    finally:
        secret.unlink()
    out = (tmp_path / "out").read_text()
    assert proc.returncode == 0, ((tmp_path / "err").read_text(), report)
    assert f"uid {uid} euid {uid} groups [] pid 2" in out, out
    assert "cap 0000000000000000 0000000000000000 nnp 1" in out, out
    # Refused either way: not readable, or not even there when the clone lies in a folder the sandbox hides
    # whole (/root, /tmp: the test's secret sits in the repository).
    assert any(f"refused {secret} {why}" in out for why in ("Permission denied", "No such file or directory")), out
    assert owner == uid, (out, owner)
    assert report.exit == 0 and report.signal is None and not report.limits_hit, report
