"""The grade on 20 from a rubric of points per check, grouped by lab section (``reports/rubric.toml`` or
``--rubric FILE``). The rubric and the checks must agree exactly: see ``Rubric.problems``."""

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


class RubricError(ValueError):
    """A rubric that cannot grade: its message names the file and the checks at fault, French then English."""


@dataclass(frozen=True)
class Section:
    """A lab section of the rubric ("3.1"), its title for the feedback, and its checks in the rubric's order."""

    id: str
    title: str
    checks: tuple[str, ...] = ()


def _entry(section: str, check: str, value: object) -> tuple[float, str]:
    """``name = 1`` or ``name = { points = 1, fr = "libellé" }``."""
    points, label = (value.get("points"), str(value.get("fr", ""))) if isinstance(value, dict) else (value, "")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
        raise RubricError(f"section {section}, {check}: points must be a number ≥ 0, not {points!r} · "
                          f"les points doivent être un nombre ≥ 0")
    return float(points), label


@dataclass
class Rubric:
    """Points per check. Loaded from a file, every check is weighted explicitly (``default`` is None: a check
    the rubric does not know is an error, never 1 point); a rubric built by hand may give a default."""

    weights: dict[str, float] = field(default_factory=dict)
    default: float | None = None
    steps: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # French names of the checks, for the feedback
    source: str = "rubric"

    @classmethod
    def load(cls, path: Path | None = None) -> Rubric:
        path = path or DEFAULT_RUBRIC
        try:
            return cls.parse(path.read_text(encoding="utf-8"), str(path))
        except RubricError as exc:
            raise RubricError(f"{path}: {exc}") from None

    @classmethod
    def parse(cls, text: str, source: str = "rubric") -> Rubric:
        try:
            data = toml.loads(text)
        except ValueError as exc:
            raise RubricError(f"not TOML · pas du TOML: {exc}") from None
        if "default" in data or "checks" in data:
            raise RubricError("every check is weighted explicitly, in its [[section]]: no 'default' and no "
                              "top-level [checks] · chaque vérification a ses points dans sa [[section]]")
        rubric = cls(steps={str(k): str(v) for k, v in data.get("steps", {}).items()}, source=source)
        for raw in data.get("section", []):
            section_id, checks = str(raw.get("id", "")), raw.get("checks", {})
            if not section_id or not isinstance(checks, dict):
                raise RubricError("each [[section]] needs an id and a [section.checks] table · chaque section a un "
                                  "id et une table de vérifications")
            for check, value in checks.items():
                if check in rubric.weights:
                    raise RubricError(f"{check} is listed twice · vérification listée deux fois")
                rubric.weights[check], label = _entry(section_id, check, value)
                if label:
                    rubric.labels[check] = label
            rubric.sections.append(Section(section_id, str(raw.get("title", f"§{section_id}")), tuple(checks)))
        if not rubric.weights:
            raise RubricError("no check listed · aucune vérification")
        return rubric

    def weight(self, check: str) -> float:
        if check in self.weights:
            return self.weights[check]
        if self.default is None:
            raise RubricError(f"{self.source}: {check} has no points · n'a pas de points")
        return self.default

    def label(self, check: str, title: str = "") -> str:
        """The check's French name for the feedback (its title when the rubric gives none)."""
        return self.labels.get(check) or title or check

    def section_of(self, check: str) -> Section | None:
        return next((s for s in self.sections if check in s.checks), None)

    def problems(self, collected: set[str], complete: bool) -> list[str]:
        """What stops this rubric from grading these checks: a collected check it does not weigh and, when the
        collection is complete (every check module), a name it lists that is no check (a typo, a removed check)."""
        found = []
        if self.default is None:
            found += [f"{name}: collected but not in the rubric · vérification absente du barème"
                      for name in sorted(collected - set(self.weights))]
        if complete:
            found += [f"{name}: in the rubric but no such check · vérification inconnue"
                      for name in sorted(set(self.weights) - collected)]
        return found

    def grade(self, results: TargetResults) -> Grade:
        counted = [r for r in results.results if r.counted]
        earned = sum(self.weight(r.check) for r in counted if r.outcome == PASSED)
        return Grade(earned, sum(self.weight(r.check) for r in counted),
                     sum(self.weight(r.check) for r in results.results if r.applicable))

    def step_title(self, step: str) -> str:
        return self.steps.get(step, "")
