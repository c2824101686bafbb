"""Run a submitted Spark script as ``__main__`` and record what its streaming queries did.

Usage (by the harness, in a subprocess): ``python launch.py SCRIPT [ARGS...]`` with ``KAFKALAB_HOOK_DIR`` set.
This file is copied next to the run and needs nothing but the standard library and pyspark, so the
submission runs without the harness (or its oracle) on its import path.

Without touching the student's code, it hooks two pyspark calls:

* ``SparkSession.Builder.getOrCreate``: registers a ``StreamingQueryListener`` that appends every progress
  event to ``<hook dir>/progress/<query name>.jsonl`` as it happens, so that a script killed by the
  timeout still leaves evidence of how far it got;
* ``DataStreamWriter.start``: remembers each query and the schema of its DataFrame.

When a query terminates, and again when the script returns (or raises), each query's schema, physical plan,
state and exception are written to ``<hook dir>/queries/<query name>.json``.

The harness's own tests also use :func:`install_hooks` and :func:`record_queries` in their process (without
the listener: there every query has finished when it is recorded, so its ``recentProgress`` is complete).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path
from typing import Any, Callable

HOOK_DIR = Path(os.environ.get("KAFKALAB_HOOK_DIR", "harness"))
_queries: list[tuple[Any, dict]] = []
_lock = threading.Lock()
_listening: set[int] = set()
_listen = True


def set_hook_dir(path: Path) -> None:
    """Where the next queries are recorded; forgets the queries recorded so far."""
    global HOOK_DIR
    HOOK_DIR = Path(path)
    _queries.clear()


def _safe_name(name: str | None, fallback: str) -> str:
    text = name or fallback
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, indent=1, default=str))
    tmp.replace(path)


def _append_progress(name: str, line: str) -> None:
    path = HOOK_DIR / "progress" / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path, "a") as handle:
        handle.write(line.replace("\n", " ") + "\n")


def _make_listener():
    from pyspark.sql.streaming import StreamingQueryListener

    class ProgressRecorder(StreamingQueryListener):
        def onQueryStarted(self, event):  # noqa: N802 - pyspark's names
            pass

        def onQueryProgress(self, event):  # noqa: N802
            progress = event.progress
            _append_progress(_safe_name(progress.name, str(progress.id)), progress.json)

        def onQueryIdle(self, event):  # noqa: N802
            pass

        def onQueryTerminated(self, event):  # noqa: N802
            # Record the plan now: a script may stop its session right after awaitTermination().
            for query, info in list(_queries):
                if str(query.id) == str(event.id):
                    _record_query(query, info)

    return ProgressRecorder()


def install_hooks(listen: bool = True) -> Callable[[], None]:
    """Wrap ``getOrCreate`` and ``DataStreamWriter.start``; returns a function that puts them back."""
    from pyspark.sql import SparkSession
    from pyspark.sql.streaming import DataStreamWriter

    global _listen
    _listen = listen
    original_get = SparkSession.Builder.getOrCreate
    original_start = DataStreamWriter.start

    def get_or_create(self):
        session = original_get(self)
        if _listen and id(session) not in _listening:
            _listening.add(id(session))
            try:
                session.streams.addListener(_make_listener())
            except Exception:  # noqa: BLE001 - recording must never break the student's run
                traceback.print_exc()
        return session

    def start(self, *args, **kwargs):
        query = original_start(self, *args, **kwargs)
        try:
            schema = self._df.schema.jsonValue()
        except Exception:  # noqa: BLE001
            schema = None
        _queries.append((query, {"schema": schema}))
        return query

    SparkSession.Builder.getOrCreate = get_or_create
    DataStreamWriter.start = start

    def uninstall() -> None:
        SparkSession.Builder.getOrCreate = original_get
        DataStreamWriter.start = original_start

    return uninstall


def _record_query(query, info: dict) -> None:
    record = dict(info)
    try:
        record.update(name=query.name, id=str(query.id), runId=str(query.runId))
    except Exception as exc:  # noqa: BLE001 - e.g. the JVM is already gone
        record["error"] = f"{type(exc).__name__}: {exc}"
    name = _safe_name(record.get("name"), record.get("id", "query"))
    path = HOOK_DIR / "queries" / f"{name}.json"
    try:
        record["isActive"] = query.isActive
        record["plan"] = query._jsq.explainInternal(True)  # noqa: SLF001 - no public API returns it
        error = query.exception()
        record["exception"] = None if error is None else str(error)
        record["recentProgress"] = query.recentProgress
    except Exception as exc:  # noqa: BLE001
        if path.exists():
            return  # keep what was written at termination rather than overwrite it with less
        record["error"] = f"{type(exc).__name__}: {exc}"
    with _lock:
        _write_json(path, record)
    if not _listen and record.get("recentProgress"):
        for event in record["recentProgress"]:
            _append_progress(name, json.dumps(event))


def record_queries() -> None:
    for query, info in list(_queries):
        _record_query(query, info)


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: launch.py SCRIPT [ARGS...]", file=sys.stderr)
        return 2
    script = os.path.abspath(sys.argv[1])
    sys.argv = [script, *sys.argv[2:]]
    sys.path.insert(0, os.path.dirname(script))
    install_hooks()
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a crash of the submission is a result, reported in full
        traceback.print_exc()
        code = 1
    finally:
        record_queries()
    return code


if __name__ == "__main__":
    sys.exit(main())
