"""What the check modules say about each check, read from their source (never imported): the one source of a
check's facts.

A check is a ``test_*`` function of ``checks/**/test_*.py``. Its decorator ``@pytest.mark.step("3.1.2", points=2)``
gives the lab step it grades and what it is worth; its docstring gives its English title (first line) and its
French title (the paragraph starting ``FR:``); its rubric section is the first of :data:`reports.steps.RUBRIC_SECTIONS`
that its step belongs to, and that section's title is in :data:`reports.steps.SECTIONS`. Adding a check is writing
the function (and its test): nothing else lists it.

Read with :mod:`ast` so that the reports (and the xdist controller, which collects nothing) know every check
without importing the checks' dependencies, and so that this bottom layer never imports ``checks/``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .steps import RUBRIC_SECTIONS, rubric_section

CHECKS = Path(__file__).resolve().parents[1] / "checks"
STEP_MARKER = "step"


class CatalogueError(ValueError):
    """A check whose facts cannot be read: its message names the file, the check and what is wrong (FR · EN)."""


@dataclass(frozen=True)
class CheckInfo:
    name: str
    step: str
    points: float
    title: str
    title_fr: str | None
    module: Path

    @property
    def section(self) -> str:
        """The rubric section ("3.1") the check's points count in."""
        return rubric_section(self.step)


def check_titles(doc: str | None, fallback: str) -> tuple[str, str | None]:
    """check50's convention, in two languages: the docstring's first line is the check's title (English); a
    paragraph starting ``FR:`` is its French title."""
    lines = [line.strip() for line in (doc or "").strip().splitlines()]
    title = lines[0] if lines and lines[0] else fallback
    for index, line in enumerate(lines):
        if line.startswith("FR:"):
            paragraph = [line[3:].strip()]
            for more in lines[index + 1:]:
                if not more:
                    break
                paragraph.append(more)
            return title, " ".join(paragraph)
    return title, None


def _step_marker(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    """The ``@pytest.mark.step(...)`` (or ``@mark.step(...)``) call among the function's decorators."""
    for decorator in function.decorator_list:
        if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr == STEP_MARKER and isinstance(decorator.func.value, ast.Attribute)
                and decorator.func.value.attr == "mark"):
            return decorator
    return None


def _constant(node: ast.expr | None, what: str, where: str) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        raise CatalogueError(f"{where}: {what} must be written as a literal · doit être une valeur littérale") from None


def _info(function: ast.FunctionDef | ast.AsyncFunctionDef, module: Path) -> CheckInfo:
    where = f"{module}:{function.lineno} {function.name}"
    marker = _step_marker(function)
    if marker is None:
        raise CatalogueError(f"{where}: no @pytest.mark.step(\"…\", points=…) · pas de marqueur step")
    step = _constant(marker.args[0] if marker.args else None, "the step", where)
    points = _constant(next((k.value for k in marker.keywords if k.arg == "points"), None), "points", where)
    if not isinstance(step, str) or not step:
        raise CatalogueError(f"{where}: the step must be a string such as \"2.1.4\" · l'étape doit être une chaîne")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
        raise CatalogueError(f"{where}: points must be a number ≥ 0, not {points!r} · les points doivent être un "
                             f"nombre ≥ 0")
    if not rubric_section(step):
        raise CatalogueError(f"{where}: step {step} is in none of the rubric's sections {', '.join(RUBRIC_SECTIONS)} "
                             f"· l'étape n'appartient à aucune section du barème")
    title, title_fr = check_titles(ast.get_docstring(function), function.name)
    return CheckInfo(function.name, step, float(points), title, title_fr, module)


def module_checks(module: Path) -> list[CheckInfo]:
    """The checks of one module, in source order."""
    tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
    return [_info(node, module) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")]


def check_modules(root: Path = CHECKS) -> list[Path]:
    return sorted(root.rglob("test_*.py"))


@lru_cache(maxsize=4)
def catalogue(root: Path = CHECKS) -> tuple[CheckInfo, ...]:
    """Every check under ``root``, by module then source order; a name twice is an error (the rubric and the
    reports know a check by its function name)."""
    found: dict[str, CheckInfo] = {}
    for module in check_modules(root):
        for info in module_checks(module):
            if info.name in found:
                raise CatalogueError(f"{info.module} and {found[info.name].module}: two checks named {info.name} · "
                                     f"deux vérifications du même nom")
            found[info.name] = info
    return tuple(found.values())
