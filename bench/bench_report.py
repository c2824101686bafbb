"""Benchmark of the student report (issue 18): prints figures, asserts nothing.

The size of a full student report (every check of the lab, every picture: §2/§3.1 lags, §3.2 leaders and time
line, §4 map of the 69 Manhattan zones beside the oracle's) as one offline HTML file, its JSON, the share of
the map, and the time to render it.

Usage: python bench/bench_report.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reports.html import render_class, render_target  # noqa: E402
from reports.rubric import Rubric  # noqa: E402
from tests.support.full_report import full_report  # noqa: E402


def main() -> None:
    started = time.monotonic()
    results = full_report()
    built = time.monotonic() - started
    started = time.monotonic()
    page = render_target(results, Rubric.load())
    rendered = time.monotonic() - started
    with tempfile.TemporaryDirectory() as folder:
        json_size = results.write_json(Path(folder) / "alice.json").stat().st_size
    size = len(page.encode("utf-8"))
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    map_size = sum(len(s.encode()) for s in svgs if "taxi zones map" in s)
    external = re.findall(r'(?:src|href)="(?!#)[^"]+"', page)
    class_page = render_class([results, full_report("bob", with_map=False)], Rubric.load(), [])
    print(f"full student report: {size / 1024:.1f} KiB HTML ({len(results.results)} checks, {len(svgs)} pictures; "
          f"the map {map_size / 1024:.1f} KiB), {json_size / 1024:.1f} KiB JSON")
    print(f"external references in the page: {len(external)} (one offline file)")
    print(f"class page for 2 students: {len(class_page.encode()) / 1024:.1f} KiB")
    print(f"build (oracle + map figure) {built:.2f} s, render {1000 * rendered:.0f} ms")


if __name__ == "__main__":
    main()
