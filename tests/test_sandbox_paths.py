"""Student code still starts when the grader's Python sits below a folder others cannot traverse (tox's
``.tox`` is 0700, a venv may be in the grader's home): the sandbox hides that folder and binds back what runs."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.sandbox import Sandbox
from fixtures.system.paths import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's users and namespaces need root")


@pytest.fixture
def private() -> Iterator[Path]:
    """A folder like .tox (drwx------) beside the repository: not under /tmp or a home, which are hidden anyway."""
    folder = REPO / f".sandbox-test-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o700)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_code_below_a_private_folder_runs_in_the_sandbox(tmp_path: Path, private: Path) -> None:
    tool = private / "env" / "bin"
    tool.mkdir(parents=True)
    (tool / "hello.py").write_text("print('hello from', __file__)\n")
    for folder in (private / "env", tool):
        folder.chmod(0o755)
    run = tmp_path / "run"
    sandbox = Sandbox(run, "script", routes=None, expose=[(private / "env", False)])
    with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
        proc = sandbox.popen([sys.executable, str(tool / "hello.py")], {"PATH": "/usr/bin:/bin"}, out, err)
        proc.wait(60)
    report = sandbox.close()
    assert proc.returncode == 0, ((tmp_path / "err").read_text(), report)
    assert "hello from" in (tmp_path / "out").read_text()
    # Hidden itself, or inside a hidden folder (a clone under /tmp or /root: issue 27).
    assert any(h == private or h in private.parents for h in sandbox.hide) and not report.refused, report
