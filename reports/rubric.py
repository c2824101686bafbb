"""The grade on 20 from a rubric of weights per check (``reports/rubric.toml`` or ``--rubric FILE``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import toml
from .results import PASSED, TargetResults

DEFAULT_RUBRIC = Path(__file__).resolve().parent / "rubric.toml"
SCALE = 20


@dataclass(frozen=True)
class Grade:
    """Points earned over the points *evaluated*; ``possible`` counts the checks not evaluated too, so that a
    grade says on what it stands ("18.40/20 on 17 of 20 points evaluated") and an incomplete one is flagged."""

    points: float
    max_points: float
    possible: float = 0.0

    @property
    def on_20(self) -> float:
        return round(SCALE * self.points / self.max_points, 2) if self.max_points else 0.0

    @property
    def evaluated_on_20(self) -> float:
        """The evaluated points, on the scale of 20 (20 when everything was evaluated)."""
        return round(SCALE * self.max_points / self.possible, 2) if self.possible else 0.0

    @property
    def complete(self) -> bool:
        return self.max_points >= self.possible

    def basis(self) -> str:
        """How the grade reads, French first: ``18.40/20`` and, when incomplete, on what it stands."""
        text = f"{self.on_20:.2f}/20"
        if not self.complete:
            text += (f" (sur {self.evaluated_on_20:.2f} des 20 points évalués · on {self.evaluated_on_20:.2f} of 20 "
                     f"points evaluated)")
        return text


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
        counted = [r for r in results.results if r.counted]
        earned = sum(self.weight(r.check) for r in counted if r.outcome == PASSED)
        return Grade(earned, sum(self.weight(r.check) for r in counted),
                     sum(self.weight(r.check) for r in results.results))

    def step_title(self, step: str) -> str:
        return self.steps.get(step, "")
