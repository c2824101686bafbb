"""The grade on 20 from the points of every check, grouped by lab section.

The points are the checks' own (``@pytest.mark.step("3.1.2", points=2)``, read by :mod:`reports.catalogue`); an
instructor may change some of them with ``--rubric FILE``, a TOML file that names only what it changes::

    [points]
    test_velib_each_station_is_in_one_partition = 3
    test_cluster_leaders_are_spread = 0

A name that is no check, or points that are not a number ≥ 0, stop the run before anything is graded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import toml
from .catalogue import CatalogueError, CheckInfo, catalogue
from .results import PASSED, TargetResults
from .steps import RUBRIC_SECTIONS, rubric_section_title

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
    """A lab section of the rubric ("3.1"), its title for the feedback, and its checks in the lab's order."""

    id: str
    title: str
    checks: tuple[str, ...] = ()


def _points(check: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise RubricError(f"{check}: points must be a number ≥ 0, not {value!r} · les points doivent être un "
                          f"nombre ≥ 0")
    return float(value)


@dataclass
class Rubric:
    """Points per check. The checks' own rubric (:meth:`load`) weighs every check explicitly (``default`` is None: a
    check it does not know is an error, never 1 point); a rubric built by hand may give a default."""

    weights: dict[str, float] = field(default_factory=dict)
    default: float | None = None
    sections: list[Section] = field(default_factory=list)
    source: str = "rubric"

    @classmethod
    def by_section(cls, sections: dict[str, dict[str, float]], source: str = "rubric") -> Rubric:
        """A rubric from {section: {check: points}}, sections in the lab's order, titled as the lab names them."""
        ordered = sorted(sections, key=lambda s: RUBRIC_SECTIONS.index(s) if s in RUBRIC_SECTIONS else 99)
        return cls({name: float(points) for section in ordered for name, points in sections[section].items()},
                   sections=[Section(s, rubric_section_title(s), tuple(sections[s])) for s in ordered if sections[s]],
                   source=source)

    @classmethod
    def of_checks(cls, checks: tuple[CheckInfo, ...] | list[CheckInfo],
                  source: str = "the checks' points · les points des vérifications") -> Rubric:
        sections: dict[str, dict[str, float]] = {}
        for check in checks:
            sections.setdefault(check.section, {})[check.name] = check.points
        return cls.by_section(sections, source)

    @classmethod
    def load(cls, override: Path | None = None) -> Rubric:
        """The checks' own points, changed by ``override`` (a ``[points]`` table) when given."""
        try:
            rubric = cls.of_checks(catalogue())
        except CatalogueError as exc:
            raise RubricError(str(exc)) from None
        if override is None:
            return rubric
        try:
            return rubric.overridden(override.read_text(encoding="utf-8"), str(override))
        except RubricError as exc:
            raise RubricError(f"{override}: {exc}") from None

    def overridden(self, text: str, source: str = "rubric") -> Rubric:
        """A copy with the points the override's ``[points]`` table gives; every name must be a check."""
        try:
            data = toml.loads(text)
        except ValueError as exc:
            raise RubricError(f"not TOML · pas du TOML: {exc}") from None
        extra = sorted(set(data) - {"points"})
        if extra or not isinstance(data.get("points", {}), dict):
            raise RubricError(f"an override has only a [points] table (check = points), not {', '.join(extra)} · "
                              f"une surcharge n'a qu'une table [points]")
        changes = data.get("points", {})
        unknown = sorted(set(changes) - set(self.weights))
        if unknown:
            raise RubricError("\n  ".join(["names that are no check · noms qui ne sont pas des vérifications:",
                                            *(f"{name}: in the rubric but no such check · vérification inconnue"
                                              for name in unknown)]))
        weights = {**self.weights, **{name: _points(name, value) for name, value in changes.items()}}
        return Rubric(weights, self.default, list(self.sections), f"{source} (over the checks' points)")

    def weight(self, check: str) -> float:
        if check in self.weights:
            return self.weights[check]
        if self.default is None:
            raise RubricError(f"{self.source}: {check} has no points · n'a pas de points")
        return self.default

    def section_of(self, check: str) -> Section | None:
        return next((s for s in self.sections if check in s.checks), None)

    def problems(self, collected: set[str], complete: bool) -> list[str]:
        """What stops this rubric from grading these checks: a collected check it does not weigh and, when the
        collection is complete (every check module), a name it lists that is no check (a removed check)."""
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
