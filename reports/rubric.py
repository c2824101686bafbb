"""The grade on 20 from a rubric of weights per check (``reports/rubric.toml`` or ``--rubric FILE``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import toml
from .results import TargetResults

DEFAULT_RUBRIC = Path(__file__).resolve().parent / "rubric.toml"
SCALE = 20


@dataclass(frozen=True)
class Grade:
    points: float
    max_points: float

    @property
    def on_20(self) -> float:
        return round(SCALE * self.points / self.max_points, 2) if self.max_points else 0.0


@dataclass
class Rubric:
    weights: dict[str, float] = field(default_factory=dict)
    default: float = 1.0
    steps: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Rubric:
        data = toml.loads((path or DEFAULT_RUBRIC).read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data.get("checks", {}).items()}
        if any(w < 0 for w in weights.values()):
            raise ValueError("a rubric weight cannot be negative")
        return cls(weights, float(data.get("default", 1.0)), {str(k): str(v) for k, v in data.get("steps", {}).items()})

    def weight(self, check: str) -> float:
        return self.weights.get(check, self.default)

    def grade(self, results: TargetResults) -> Grade:
        graded = [r for r in results.results]
        earned = sum(self.weight(r.check) for r in graded if r.outcome == "passed")
        return Grade(earned, sum(self.weight(r.check) for r in graded))

    def step_title(self, step: str) -> str:
        return self.steps.get(step, "")
