"""The README's table "Every check proven both ways": for each graded check, the broken variant that fails it and
the test that shows it. Read by ``tests/test_proofs_table.py`` (complete and pointing at real tests) and by
``bench/mutate_checks.py`` (which test to run when a check's body is emptied)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fixtures.system.paths import REPO

HEADING = "## Every check proven both ways"
_ROW = re.compile(r"^\| `(?P<check>test_\w+)` \| (?P<variant>.+?) \| `(?P<test>tests/[\w/]+\.py::test_\w+)` \|$")


@dataclass(frozen=True)
class Proof:
    check: str
    variant: str
    test: str  # path::function, relative to the repository

    @property
    def path(self) -> Path:
        return REPO / self.test.split("::")[0]

    @property
    def function(self) -> str:
        return self.test.split("::")[1]


def proofs(readme: Path = REPO / "README.md") -> list[Proof]:
    """The table's rows, in order (the section ends at the next heading of its level)."""
    text = readme.read_text(encoding="utf-8")
    start = text.index(HEADING) + len(HEADING)
    end = text.find("\n## ", start)
    section = text[start:end if end >= 0 else None]
    return [Proof(m["check"], m["variant"], m["test"]) for m in map(_ROW.match, section.splitlines()) if m]
