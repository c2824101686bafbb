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

from reports.secrets import mask_secrets
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
# A secret never reaches a report: ``safe_text`` masks with reports/secrets.py, the one mask.
# What a terminal acts on instead of showing: ANSI escape sequences (CSI ``ESC [ … final``, OSC ``ESC ] … BEL``
# or ``ESC \``, two-character ``ESC x``, the 8-bit CSI), then every remaining C0/C1 control character and DEL,
# the bidirectional overrides and isolates (a file name that reads backwards), the zero-width spaces and the
# line/paragraph separators.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]?")
_BIDI_AND_SEPARATORS = "\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"  # and zero-width spaces
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_CONTROLS_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


# Schema 1's states, read from older files: a skip was a blocked check, an error the harness's.
_LEGACY_OUTCOMES = {"skipped": BLOCKED, "error": NOT_EVALUATED}


def clean_text(text: str, multiline: bool = True) -> str:
    """Text a student controls (group ids, records, script output, file names, roster names), safe for a terminal
    or a text export: escape sequences and control characters removed; ``\\n`` and ``\\t`` kept when the text is
    shown on several lines (``multiline``), else each becomes a space. ``\\r\\n`` counts as a line end."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    if multiline:
        return _CONTROLS.sub("", text)
    return _CONTROLS_ONE_LINE.sub("", text.replace("\n", " ").replace("\t", " "))


def safe_text(text: str, multiline: bool = True) -> str:
    """What any report, export or terminal line shows of a text: masked, cleaned, masked again (an escape
    sequence may swallow the first letter of a secret's name; a control character inside the name must not
    save its value from the mask either)."""
    return mask_secrets(clean_text(mask_secrets(text), multiline))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return safe_text(value if isinstance(value, str) else repr(value))


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
    def applicable(self) -> bool:
        """False for a check that does not apply to this cluster (the other Kafka mode's): out of every total."""
        return not (self.outcome == NOT_EVALUATED and self.reason.startswith("not applicable"))

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
        """Make a result from raw values, turning them into clean, masked text (every export starts here)."""
        for name in ("reason", "expected", "found", "hint_fr", "hint_en", "note", "blocked_by", "harness_error",
                     "rerun"):
            if name in values:
                values[name] = _text(values[name]) if name != "reason" else (_text(values[name]) or "")
        if "title" in values:
            values["title"] = safe_text(str(values["title"]), multiline=False)
        values["logs"] = {safe_text(k, False): safe_text(v) for k, v in (values.get("logs") or {}).items()}
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
