"""The result model: one ``CheckResult`` per check and target, grouped in a ``TargetResults``.

It is built on the worker that ran the check (from the test item and its outcome), carried to the
controller in ``report.user_properties`` (plain JSON-able dicts, so it crosses pytest-xdist), and rendered
as JSON, HTML and the terminal verdict from there. Versioned like check50's JSON output.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reports.steps import step_key

# 2: four outcome states (passed, failed, blocked, not_evaluated), blocked_by, harness_error;
# 3: title_fr, figures (pictures drawn by the report from their data, reports/figures.py), rerun
SCHEMA_VERSION = 3
USER_PROPERTY = "kafkalab.result"

# The four outcome states, in every report and export:
# - passed;
# - failed: the student's mistake (counts 0);
# - blocked: a prerequisite of the student's failed (counts 0; ``blocked_by`` names it);
# - not_evaluated: the grader could not, or was told not to, evaluate it (destructive checks not allowed, an
#   extra not installed, no submission option, the grader overloaded, an error in the harness itself). It
#   leaves the grade's denominator: it never costs the student a point.
PASSED, FAILED, BLOCKED, NOT_EVALUATED = "passed", "failed", "blocked", "not_evaluated"
OUTCOMES = (PASSED, FAILED, BLOCKED, NOT_EVALUATED)
# What each state is called, French first (the students' language), then English.
OUTCOME_LABELS = {PASSED: ("réussi", "passed"), FAILED: ("échoué", "failed"), BLOCKED: ("bloqué", "blocked"),
                  NOT_EVALUATED: ("non évalué", "not evaluated")}
COUNTED = (PASSED, FAILED, BLOCKED)
# A secret never reaches a report: values of these names are masked wherever they appear.
_SECRET = re.compile(r"(?i)(api[_-]?key|apikey|password|passwd|secret|token)(\s*[=:]\s*|=)([^\s&\"',;]+)")


# Schema 1's states, read from older files: a skip was a blocked check, an error the harness's.
_LEGACY_OUTCOMES = {"skipped": BLOCKED, "error": NOT_EVALUATED}


def mask_secrets(text: str) -> str:
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return mask_secrets(value if isinstance(value, str) else repr(value))


@dataclass
class CheckResult:
    target: str
    check: str
    title: str  # English: the check's docstring, first line (check50's convention)
    step: str
    outcome: str  # one of OUTCOMES
    reason: str = ""
    expected: str | None = None
    found: str | None = None
    hint_fr: str | None = None
    hint_en: str | None = None
    note: str | None = None
    duration_s: float = 0.0
    logs: dict[str, str] = field(default_factory=dict)
    nodeid: str = ""
    # A small picture: {"title": …, "series": {"before": {"broker 0": 5, …}, "after": {…}}}.
    chart: dict[str, Any] | None = None
    # blocked: the earlier step whose failure blocks this check ("ZooKeeper", "topic conversation" …).
    blocked_by: str | None = None
    # not_evaluated because the harness itself broke: the traceback, for the instructor (never the student's).
    harness_error: str | None = None
    # French title: the docstring's ``FR:`` line (the page shows it first, the English title under it).
    title_fr: str | None = None
    # Pictures, as data (kinds in reports/figures.py): the report draws them, the JSON export holds the same.
    figures: list[dict[str, Any]] = field(default_factory=list)
    # The command that re-runs this check alone on the student's own host (failed and blocked checks).
    rerun: str | None = None

    @property
    def counted(self) -> bool:
        """Whether the check is in the grade's denominator (everything but not_evaluated)."""
        return self.outcome in COUNTED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["outcome"] = _LEGACY_OUTCOMES.get(values.get("outcome", ""), values.get("outcome", ""))
        return cls(**values)

    @classmethod
    def build(cls, **values: Any) -> CheckResult:
        """Make a result from raw values, turning them into masked text."""
        for name in ("reason", "expected", "found", "hint_fr", "hint_en", "note", "blocked_by", "harness_error",
                     "rerun"):
            if name in values:
                values[name] = _text(values[name]) if name != "reason" else (_text(values[name]) or "")
        values["logs"] = {k: mask_secrets(v) for k, v in (values.get("logs") or {}).items()}
        return cls(**values)


@dataclass
class TargetResults:
    target: str
    results: list[CheckResult] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def in_lab_order(self) -> list[CheckResult]:
        """By lab section; within one, in the order the checks ran (the order they depend on each other)."""
        return sorted(self.results, key=lambda r: step_key(r.step))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "target": self.target, "meta": self.meta,
                "counts": self.counts(), "results": [r.to_dict() for r in self.results]}

    def write_json(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False))
        return path

    @classmethod
    def read_json(cls, path: Path) -> TargetResults:
        data = json.loads(path.read_text())
        return cls(data["target"], [CheckResult.from_dict(r) for r in data["results"]], data.get("meta", {}))
