"""Counting and sampling the taxi files a class used: time and peak memory, and memory as the file grows.

What the §4.1 checks do with a ride file: one streaming pass for the line count and the last event time
(``summary``), one for the lines at the sampled positions (``lines_at``), and a membership pass for sampled
records found elsewhere (``find_lines``, here for one value that is no line: the worst case, a whole pass).
Each step runs twice, uncached: once timed, once under ``tracemalloc`` for its peak of Python memory (on
top of what was allocated before; tracing slows it, so it is not timed).

Rows: the shipped 888-line matched sample, the shipped 100k file, then files made by repeating the 100k file
on later days (``fixtures.taxi.datasets``, ride ids renumbered) up to ``--max-lines`` (default 3.2 million,
more than the lab's full ride file's first weeks), in a temporary folder that is removed afterwards. The
grader's memory stays flat as the file grows; its time grows linearly.

    python bench/bench_data.py [--max-lines 3200000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.taxi import files  # noqa: E402
from fixtures.taxi.datasets import repeat_days, write_lines  # noqa: E402
from fixtures.taxi.files import FARED_RIDES, RIDE, RIDES, find_lines, read_lines, sample_positions  # noqa: E402

KB = 1024


def measure(step: Callable[[], object]) -> tuple[float, float, object]:
    """Seconds of one call, and peak KiB of Python memory of another one."""
    started = time.perf_counter()
    value = step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / KB, value


def row(label: str, path: Path) -> None:
    size = path.stat().st_size / (KB * KB)
    # The uncached functions behind summary() and lines_at(): every call reads the file.
    count_s, count_kb, facts = measure(lambda: files._scan(path, RIDE))
    positions = tuple(sample_positions(facts.lines))  # type: ignore[attr-defined]
    version = files._version(path)
    sample_s, sample_kb, _ = measure(lambda: files._lines_at.__wrapped__(path, version, positions))
    find_s, find_kb, _ = measure(lambda: find_lines([path], {"not a line of the file"}))
    lines = facts.lines  # type: ignore[attr-defined]
    print(f"{label:<28} {lines:>10,} {size:>8.1f} | {count_s:>7.2f} {count_kb:>7.0f} | {sample_s:>7.2f} "
          f"{sample_kb:>7.0f} | {find_s:>7.2f} {find_kb:>7.0f} | {lines / count_s / 1e6:>6.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-lines", type=int, default=3_200_000)
    args = parser.parse_args(argv)
    print(f"{'file':<28} {'lines':>10} {'MB gz':>8} | {'count s':>7} {'peak KB':>7} | {'sample s':>7} "
          f"{'peak KB':>7} | {'find s':>7} {'peak KB':>7} | {'M lines/s':>6}")
    row(FARED_RIDES.name, FARED_RIDES.path)
    row(RIDES.name, RIDES.path)
    source = read_lines(RIDES)  # the generator's input (the bench's memory, not the grader's)
    with tempfile.TemporaryDirectory(prefix="bench-data-") as folder:
        days = 4
        while days * RIDES.lines <= args.max_lines:
            path = Path(folder) / f"rides-{days}-days.gz"
            started = time.perf_counter()
            # Repeated from the 100k file; the id step keeps every (rideId, kind) distinct.
            write_lines(path, repeat_days(source, RIDE, days, id_step=100_000))
            made = time.perf_counter() - started
            row(f"100k x {days} days (made {made:.0f}s)", path)
            path.unlink()
            days *= 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
