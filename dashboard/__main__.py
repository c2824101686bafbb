"""``python -m dashboard --roster class.csv [--port 8765] [-- PYTEST_ARGS]``: the live class dashboard.

Passes run one after another (``--interval`` seconds at least between their starts) until Ctrl-C or SIGTERM;
then the running pass is stopped and the last finished pass's reports and exports are copied to ``--report-dir``.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from fixtures.hosts import roster

from .passes import PassResult, PassRunner
from .timeline import Timeline


class Dashboard:
    """The loop of passes (a thread) beside the web server (the main thread)."""

    def __init__(self, runner: PassRunner, timeline: Timeline, interval_s: float) -> None:
        self.runner, self.timeline, self.interval_s = runner, timeline, interval_s
        self.stopping = threading.Event()
        self.last: PassResult | None = None
        self.thread = threading.Thread(target=self._loop, name="dashboard-passes", daemon=True)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            result = self.runner.run(self.timeline.next_pass_number())
            if self.stopping.is_set():
                break  # a pass cut short by the stop is not recorded
            grades = {s: r.meta.get("grade_basis", "") for s, r in result.students.items()}
            self.timeline.record_pass(result.number, result.started, result.finished, result.folder,
                                      result.returncode, result.students, grades)
            self.last = result
            # Pacing between passes (not a wait for a cluster): the stop event ends it at once.
            self.stopping.wait(max(0.0, self.interval_s - (time.monotonic() - started)))

    def report_path(self, student: str) -> Path | None:
        rows = self.timeline.state(0, only=student)["students"]
        folder = self.last.folder if self.last else None
        if not rows or folder is None:
            return None
        path = folder / f"{student}.html"
        return path if path.resolve().parent == folder.resolve() else None  # no path out of the pass folder

    def stop(self, report_dir: Path | None) -> None:
        self.stopping.set()
        self.runner.stop()
        self.thread.join(60)
        if report_dir and self.last:
            shutil.copytree(self.last.folder, report_dir, dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    roster.add_option(parser.add_argument, required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: localhost only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state", type=Path, default=Path("dashboard.sqlite"),
                        help="the session's timeline (SQLite); a restart with the same file resumes it")
    parser.add_argument("--workdir", type=Path, default=Path("dashboard-passes"), help="where passes write")
    parser.add_argument("--report-dir", type=Path, default=None,
                        help="at the end, the last pass's reports and exports are copied there")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds at least between pass starts")
    parser.add_argument("--stale-minutes", type=float, default=20.0,
                        help="flag a student with no progress for this long (default 20)")
    parser.add_argument("--poll", type=float, default=3.0, help="seconds between the page's refreshes")
    parser.add_argument("-n", dest="workers", default=None, help="pytest-xdist workers per pass")
    args = parser.parse_args(argv)
    try:
        roster.from_option(args.roster)  # a roster that cannot be graded stops here, not in every pass
    except ValueError as exc:
        parser.error(str(exc))
    try:
        import uvicorn

        from .app import make_app
    except ImportError:
        parser.error("the dashboard needs its extra: pip install -e '.[dashboard]'")
    if args.workers:
        pytest_args = ["-n", str(args.workers), *pytest_args]
    args.workdir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline(args.state)
    try:
        runner = PassRunner(args.roster.resolve(), args.workdir.resolve(), pytest_args)
    except ValueError as exc:
        parser.error(str(exc))
    dashboard = Dashboard(runner, timeline, args.interval)
    stale_s = args.stale_minutes * 60
    app = make_app(lambda only: timeline.state(stale_s, only=only), dashboard.report_path, args.poll)
    dashboard.thread.start()
    print(f"dashboard: http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    # uvicorn handles Ctrl-C and SIGTERM during the run, then raises the signal again once it has shut down:
    # these handlers turn that into "the session is over" so that the reports are still written.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except KeyboardInterrupt:
        pass
    finally:
        dashboard.stop(args.report_dir)
        timeline.close()
        print(f"dashboard: stopped; reports in {args.report_dir}" if args.report_dir else "dashboard: stopped",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
