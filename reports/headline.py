"""The first line of a student's verdict: the grade on 20 and its basis, or, for a partial run (``-k``,
``--step``, a path below ``checks/``…), how many of the lab's checks it ran and no grade on 20: a grade on 3
checks of 47 would read as the lab's grade. The JSON report keeps the points either way."""

from __future__ import annotations

from .results import TargetResults
from .rubric import Grade, Rubric


def is_partial(results: TargetResults) -> bool:
    return bool(results.meta.get("partial"))


def checks_run(results: TargetResults, rubric: Rubric) -> tuple[int, int]:
    """(checks this run graded for the subject, checks of the lab): every check the rubric weighs is one."""
    return len(results.results), len(rubric.weights)


def headline(results: TargetResults, rubric: Rubric, grade: Grade | None = None) -> str:
    """``18.40/20 (…)`` for a full run; ``exécution partielle : 3 vérifications sur 47 …`` for a partial one."""
    if is_partial(results):
        done, total = checks_run(results, rubric)
        return (f"exécution partielle : {done} vérifications sur {total}, pas de note sur 20 · partial run: "
                f"{done} of {total} checks, no grade on 20")
    return (grade or rubric.grade(results)).basis()
