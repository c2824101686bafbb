"""Run a command and count the JVMs it started (its descendants named java), with its wall time.

    python bench/jvms.py -- pytest checks --roster class.csv -n 8

Used by the benchmarks to report "JVMs started per run": a JVM is seen when a process whose executable is java
appears below the command's process, polled every 0.2 s (a JVM that lives less than that is missed, which no
Kafka broker or ZooKeeper does).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(root: int) -> set[int]:
    tree, found, todo = _children(), set(), [root]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _is_java(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "java"
    except OSError:
        return False


@dataclass
class JvmCount:
    """What a run started: the JVMs' pids (with their start time, so a reused pid is not miscounted)."""

    seen: set[tuple[int, str]] = field(default_factory=set)
    wall_s: float = 0.0
    returncode: int = 0
    output: str = ""

    @property
    def jvms(self) -> int:
        return len(self.seen)


def run_counting(argv: list[str], cwd: str | None = None, timeout: float = 3600, env: dict | None = None) -> JvmCount:
    count = JvmCount()
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            for pid in _descendants(proc.pid):
                if _is_java(pid):
                    with contextlib.suppress(OSError):  # it ended meanwhile
                        count.seen.add((pid, Path(f"/proc/{pid}/stat").read_text().split()[21]))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        count.output, _ = proc.communicate(timeout=timeout)
    finally:
        done.set()
        poller.join()
    count.returncode, count.wall_s = proc.returncode, time.monotonic() - started
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = run_counting(command)
    print(result.output[-2000:])
    print(f"JVMs started: {result.jvms}   wall: {result.wall_s:.1f} s   exit: {result.returncode}")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
