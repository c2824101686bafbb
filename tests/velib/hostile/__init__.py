"""Hostile §3.1 producers, one attack each: what the sandbox must refuse (issue 15). ``ATTACKS`` maps each to
what the failed sandbox check must name; ``MONITOR_ATTACKS`` the same for hostile monitors (lines put into a
copy of the reference monitor, which otherwise works). ``{KEY_PATH}`` and ``{MARK}`` are filled in by the test (the fake
instructor key it plants under the grader's home, a unique file name)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ATTACKS: dict[str, str] = {
    "steal_key": "hidden from student code",
    "read_other": "hidden from student code",
    "write_outside": "read-only for student code",
    "connect_out": "network unreachable",
    "fork_bomb": "processes",
    "alloc_4gb": "address space",
    "forever": "wall clock",
}
MONITOR_ATTACKS: dict[str, str] = {
    "monitor_reads_key": "hidden from student code",
}
