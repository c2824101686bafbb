"""Run a command and keep what a terminal would show: stdout and stderr interleaved in the order written.

A terminal shows both streams as they come; ``subprocess.run(capture_output=True)`` keeps them apart, and
pasting stderr after stdout misplaces lines such as 2.7's "Consumer group 'mygroup' has no active members.",
which ``kafka-consumer-groups.sh`` writes before its table. Here both pipes are read as data arrives and each
complete line is recorded in arrival order. When both streams have data at the same wake-up, stderr's lines
go first: the lab's tools write their stderr notices (that message, the empty-group notice) just before the
table they concern, and a consumer's stdout messages come long before its closing "Processed a total".
"""

from __future__ import annotations

import os
import selectors
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str
    lines: list[tuple[str, str]]  # ("out" | "err", line without its newline), in terminal order

    def terminal(self, keep_err: Callable[[str], bool] = lambda line: True) -> str:
        """The lines as the terminal shows them; ``keep_err`` drops stderr lines (log noise) it returns False for."""
        return "".join(line + "\n" for stream, line in self.lines if stream == "out" or keep_err(line))


def run(argv: Sequence[str], stdin: str | None, timeout: float, env: dict[str, str]) -> Ran:
    proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if stdin is not None:
        # A thread: a large input must not block while the child waits for us to read its output.
        assert proc.stdin is not None
        pipe = proc.stdin

        def feed() -> None:
            try:
                pipe.write(stdin.encode())
            finally:
                pipe.close()

        threading.Thread(target=feed, daemon=True).start()
    streams = {proc.stdout: "out", proc.stderr: "err"}
    raw = {"out": b"", "err": b""}
    pending = {"out": b"", "err": b""}
    lines: list[tuple[str, str]] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for pipe_out in streams:
            selector.register(pipe_out, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                proc.wait()
                raise subprocess.TimeoutExpired(list(argv), timeout)
            ready = {streams[key.fileobj] for key, _ in selector.select(left)}
            for name in ("err", "out"):  # stderr first on a tie (see the module's docstring)
                if name not in ready:
                    continue
                fileobj = next(f for f, n in streams.items() if n == name)
                chunk = os.read(fileobj.fileno(), 65536)
                if not chunk:
                    selector.unregister(fileobj)
                    if pending[name]:
                        lines.append((name, pending[name].decode(errors="replace")))
                        pending[name] = b""
                    continue
                raw[name] += chunk
                *complete, pending[name] = (pending[name] + chunk).split(b"\n")
                lines += [(name, line.decode(errors="replace")) for line in complete]
    proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    return Ran(proc.returncode, raw["out"].decode(errors="replace"), raw["err"].decode(errors="replace"), lines)
