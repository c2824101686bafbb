"""HTML pages rendered by jinja2 with autoescaping: every value a student controls (topic names, messages,
hostnames, logs) is shown as text, never as markup. Pages are single files (inline CSS and SVG): they open
offline and can be mailed to a student."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .figures import draw, rates_figure
from .headline import checks_run, headline, is_partial
from .results import COUNTED, NOT_EVALUATED, OUTCOME_LABELS, PASSED, TargetResults
from .rubric import Rubric
from .steps import section_title, step_key

TEMPLATES = Path(__file__).resolve().parent / "templates"
_COLORS = ("#4477aa", "#ee6677", "#228833", "#ccbb44")

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["when"] = lambda ts: dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: str | None) -> Markup:
    """Markdown code spans (`kafka-topics.sh --alter`) as <code>, everything else as escaped text."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text or ""))))


_ENV.filters["code"] = code_spans
_ENV.globals["draw"] = draw
_ENV.globals["section"] = section_title


def bar_chart(chart: dict[str, Any], width: int = 420, bar: int = 18) -> Markup:
    """Grouped horizontal bars as inline SVG (e.g. partition leaders per broker, before/after a shutdown)."""
    series: dict[str, dict[str, float]] = chart.get("series") or {}
    labels = sorted({label for values in series.values() for label in values})
    peak = max((v for values in series.values() for v in values.values()), default=0) or 1
    rows, y = [], 20
    for label in labels:
        rows.append(f'<text x="0" y="{y + bar - 5}" font-size="12">{escape(label)}</text>')
        for index, (name, values) in enumerate(series.items()):
            value = values.get(label, 0)
            length = (width - 190) * value / peak
            color = _COLORS[index % len(_COLORS)]
            rows.append(f'<rect x="90" y="{y}" width="{length:.0f}" height="{bar - 4}" fill="{color}">'
                        f"<title>{escape(name)}: {value:g}</title></rect>"
                        f'<text x="{95 + length:.0f}" y="{y + bar - 6}" font-size="11">{escape(name)} {value:g}</text>')
            y += bar
        y += 6
    title = escape(chart.get("title", ""))
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" role="img" '
                  f'aria-label="{title}"><text x="0" y="12" font-size="12" font-weight="bold">{title}</text>'
                  + "".join(rows) + "</svg>")


_ENV.globals["bar_chart"] = bar_chart


def render_target(results: TargetResults, rubric: Rubric | None = None) -> str:
    rubric = rubric or Rubric.load()
    return _ENV.get_template("target.html.j2").render(
        results=results, ordered=results.in_lab_order(), counts=results.counts(), grade=rubric.grade(results),
        labels=OUTCOME_LABELS, not_evaluated=[r for r in results.in_lab_order() if r.outcome == NOT_EVALUATED],
        rubric=rubric, info=results.meta.get("target", {}), headline=headline(results, rubric))


def pass_rates(all_results: list[TargetResults]) -> dict:
    """Per lab step, over the whole class: checks passed over checks counted (not evaluated ones left out)."""
    steps = sorted({r.step for t in all_results for r in t.results}, key=step_key)
    rows = []
    for step in steps:
        counted = [r for t in all_results for r in t.results if r.step == step and r.outcome in COUNTED]
        rows.append((step, *section_title(step), sum(r.outcome == PASSED for r in counted), len(counted)))
    return rates_figure(rows)


def render_class(all_results: list[TargetResults], rubric: Rubric, roster_errors: list[str]) -> str:
    ordered = sorted(all_results, key=lambda r: r.target)
    steps = sorted({r.step for t in ordered for r in t.results}, key=step_key)
    grid = {t.target: {step: [r for r in t.results if r.step == step] for step in steps} for t in ordered}
    grades = {t.target: rubric.grade(t) for t in ordered}
    # A partial run's subjects show "N/M checks", not a grade, and stay out of the distribution.
    partial = {t.target: "{}/{}".format(*checks_run(t, rubric)) for t in ordered if is_partial(t)}
    buckets = [0] * 5  # 0-4, 4-8, 8-12, 12-16, 16-20
    for target, grade in grades.items():
        if target in partial:
            continue
        buckets[min(int(grade.on_20 // 4), 4)] += 1
    return _ENV.get_template("class.html.j2").render(
        ordered=ordered, steps=steps, grid=grid, grades=grades, rubric=rubric, roster_errors=roster_errors,
        partial=partial,
        rates=draw(pass_rates(ordered)),
        distribution=bar_chart({"title": "Répartition des notes · grade distribution", "series": {"students": {
            f"{4 * i:>2}–{4 * i + 4}": n for i, n in enumerate(buckets)}}}))


def write_target_html(results: TargetResults, path: Path, rubric: Rubric | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_target(results, rubric), encoding="utf-8")
    return path


def write_class_html(all_results: list[TargetResults], rubric: Rubric, roster_errors: list[str], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_class(all_results, rubric, roster_errors), encoding="utf-8")
    return path
