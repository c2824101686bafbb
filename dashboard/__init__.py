"""A live class dashboard for the lab session: passes of non-destructive grading, a timeline, a local web page.

``python -m dashboard --roster class.csv`` re-grades every student in passes (one at a time, each an
ordinary ``pytest checks`` run: same bounded probes, ``-n`` workers), keeps the timeline in SQLite (a restart
resumes it), and serves a page on localhost that updates itself. At the end, the last pass's reports and exports
are copied to ``--report-dir``. It needs the ``dashboard`` extra (Starlette, uvicorn).
"""
