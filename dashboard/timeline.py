"""The session's timeline in SQLite (Python's own): passes, each student's state per lab step, when each step
first passed, and when each student last made progress. A restart of the dashboard resumes from it."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.results import BLOCKED, FAILED, NOT_EVALUATED, PASSED, TargetResults
from reports.steps import step_key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS passes (number INTEGER PRIMARY KEY, started REAL, finished REAL, folder TEXT,
                                   returncode INTEGER);
CREATE TABLE IF NOT EXISTS cells (pass INTEGER, student TEXT, step TEXT, state TEXT, passed INTEGER,
                                  counted INTEGER, PRIMARY KEY (pass, student, step));
CREATE TABLE IF NOT EXISTS students (student TEXT PRIMARY KEY, name TEXT, host TEXT, first_seen REAL,
                                     last_progress REAL, best_passed INTEGER, grade TEXT, report TEXT);
CREATE TABLE IF NOT EXISTS first_passed (student TEXT, step TEXT, at REAL, PRIMARY KEY (student, step));
"""


def step_state(outcomes: list[str]) -> str:
    """One lab step of one student, in the four states: passed when every counted check passed; failed when any
    failed; blocked when the rest is blocked; not evaluated when nothing of it was."""
    counted = [o for o in outcomes if o != NOT_EVALUATED]
    if not counted:
        return NOT_EVALUATED
    if all(o == PASSED for o in counted):
        return PASSED
    if FAILED in counted:
        return FAILED
    return BLOCKED if all(o == BLOCKED for o in counted if o != PASSED) else FAILED


@dataclass
class Timeline:
    path: Path

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def next_pass_number(self) -> int:
        with self._lock:
            (last,) = self._db.execute("SELECT COALESCE(MAX(number), 0) FROM passes").fetchone()
        return int(last) + 1

    def record_pass(self, number: int, started: float, finished: float, folder: Path, returncode: int,
                    students: dict[str, TargetResults], grades: dict[str, str]) -> None:
        with self._lock, self._db:
            db = self._db
            db.execute("INSERT OR REPLACE INTO passes VALUES (?, ?, ?, ?, ?)",
                       (number, started, finished, str(folder), returncode))
            for student, results in students.items():
                info = results.meta.get("target", {})
                steps: dict[str, list[str]] = {}
                for r in results.results:
                    steps.setdefault(r.step, []).append(r.outcome)
                passed_total = sum(1 for r in results.results if r.outcome == PASSED)
                for step, outcomes in steps.items():
                    state = step_state(outcomes)
                    db.execute("INSERT OR REPLACE INTO cells VALUES (?, ?, ?, ?, ?, ?)",
                               (number, student, step, state, outcomes.count(PASSED),
                                sum(1 for o in outcomes if o != NOT_EVALUATED)))
                    if state == PASSED:
                        db.execute("INSERT OR IGNORE INTO first_passed VALUES (?, ?, ?)", (student, step, finished))
                row = db.execute("SELECT best_passed FROM students WHERE student = ?", (student,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO students VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (student, info.get("student") or info.get("name") or student,
                                info.get("host") or "", started, finished, passed_total, grades.get(student, ""),
                                str(folder / f"{student}.html")))
                else:
                    progressed = passed_total > (row[0] or 0)
                    db.execute("UPDATE students SET grade = ?, report = ?, best_passed = MAX(best_passed, ?)"
                               + (", last_progress = ?" if progressed else "") + " WHERE student = ?",
                               (grades.get(student, ""), str(folder / f"{student}.html"), passed_total,
                                *((finished,) if progressed else ()), student))

    def state(self, stale_after_s: float, now: float | None = None, only: str | None = None) -> dict[str, Any]:
        """What the page shows: the newest pass's cell per student and step, first-pass times, stalled students."""
        now = time.time() if now is None else now
        with self._lock:
            db = self._db
            last = db.execute("SELECT number, started, finished, returncode FROM passes "
                              "ORDER BY number DESC LIMIT 1").fetchone()
            students = db.execute("SELECT student, name, host, first_seen, last_progress, grade FROM students "
                                  "ORDER BY student").fetchall()
            cells = db.execute("SELECT student, step, state, passed, counted FROM cells WHERE pass = ?",
                               (last[0] if last else -1,)).fetchall()
            firsts = db.execute("SELECT student, step, at FROM first_passed").fetchall()
        steps = sorted({step for _, step, *_ in cells}, key=step_key)
        grid: dict[str, dict[str, dict[str, Any]]] = {}
        for student, step, state, passed, counted in cells:
            grid.setdefault(student, {})[step] = {"state": state, "passed": passed, "counted": counted}
        first = {(s, step): at for s, step, at in firsts}
        rows = []
        for student, name, host, first_seen, last_progress, grade in students:
            if only is not None and student != only:
                continue
            complete = all(cell["state"] == PASSED for cell in grid.get(student, {}).values()) and grid.get(student)
            rows.append({
                "id": student, "name": name, "host": host, "grade": grade,
                "cells": {step: {**grid.get(student, {}).get(step, {"state": "", "passed": 0, "counted": 0}),
                                 "first_passed": first.get((student, step))} for step in steps},
                "first_seen": first_seen, "last_progress": last_progress,
                "stalled": bool(not complete and last_progress is not None and now - last_progress > stale_after_s),
            })
        return {"pass": last[0] if last else 0, "pass_started": last[1] if last else None,
                "pass_finished": last[2] if last else None, "steps": steps, "students": rows, "now": now,
                "stale_after_s": stale_after_s}
