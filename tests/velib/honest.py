"""A small class of §3.1 submissions built from the reference scripts, for the tests and benches of how a
script is stopped (issue 24): the reference (its own SIGINT handler), two honest students who rely on Python's
KeyboardInterrupt, as most do, and one whose producer really ignores Ctrl-C.

The honest ones are the scripts that lost points when the grader inherited an ignored SIGINT: a handler of
their own would have replaced the ignored disposition, KeyboardInterrupt does not (Python installs it only when
SIGINT is not ignored at start).
"""

from __future__ import annotations

from pathlib import Path

from fixtures.system.paths import REPO

SCRIPTS = ("velib-get-stations.py", "velib-monitor-stations.py")
_HANDLER = "    signal.signal(signal.SIGINT, on_signal)\n"
_ENTRY = 'if __name__ == "__main__":\n    sys.exit(main())\n'
_CAUGHT = 'if __name__ == "__main__":\n    try:\n        sys.exit(main())\n    except KeyboardInterrupt:\n' \
          '        print("interrupted", file=sys.stderr)\n        sys.exit(0)\n'
HONEST = ("reference", "keyboard_interrupt", "caught_interrupt")
STUBBORN = "ignores_ctrl_c"


def _edit(name: str, script: str, text: str) -> str:
    assert text.count(_HANDLER) == 1 and text.count(_ENTRY) == 1, script  # the reference changed: update this
    if name == "keyboard_interrupt":      # no handler: the default KeyboardInterrupt ends it
        return text.replace(_HANDLER, "")
    if name == "caught_interrupt":        # no handler, KeyboardInterrupt caught in the entry point
        return text.replace(_HANDLER, "").replace(_ENTRY, _CAUGHT)
    if name == STUBBORN and script == SCRIPTS[0]:  # the producer ignores Ctrl-C (SIGTERM still stops it)
        return text.replace(_HANDLER, "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n")
    return text


def make_class(root: Path, names: tuple[str, ...] = HONEST) -> list[Path]:
    """One folder per submission under ``root`` (the folder name is the submission's name in the reports)."""
    folders = []
    for name in names:
        folder = root / name
        folder.mkdir(parents=True)
        for script in SCRIPTS:
            text = (REPO / "reference" / "velib" / script).read_text()
            (folder / script).write_text(_edit(name, script, text) if name != "reference" else text)
        folders.append(folder)
    return folders
