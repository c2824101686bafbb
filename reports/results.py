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

SCHEMA_VERSION = 1
USER_PROPERTY = "kafkalab.result"
# A secret never reaches a report: values of these names are masked wherever they appear.
_SECRET = re.compile(r"(?i)(api[_-]?key|apikey|password|passwd|secret|token)(\s*[=:]\s*|=)([^\s&\"',;]+)")


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
    title: str
    step: str
    outcome: str  # passed | failed | skipped | error
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def build(cls, **values: Any) -> CheckResult:
        """Make a result from raw values, turning them into masked text."""
        for name in ("reason", "expected", "found", "hint_fr", "hint_en", "note"):
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
        counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
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
