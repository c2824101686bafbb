"""The evidence fetched from a remote student's host: the log's end chosen well (its secrets are masked by
``reports.secrets``: tests/test_secrets.py)."""

from __future__ import annotations

from fixtures.control.evidence import last_log_lines


def test_the_last_warnings_and_errors_are_kept_else_the_last_lines() -> None:
    lines = [f"[2026-01-01 00:00:{i:02d},000] INFO line {i} (kafka.server)" for i in range(60)]
    lines[10] = "[2026-01-01 00:00:10,000] ERROR could not bind (kafka.network)"
    assert last_log_lines("\n".join(lines)) == lines[10]
    assert last_log_lines("\n".join(lines[11:]), lines=5).splitlines() == lines[-5:]
