"""The per-target HTML page, rendered by jinja2 with autoescaping: every value a student controls
(topic names, messages, hostnames, logs) is shown as text, never as markup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .results import TargetResults

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["when"] = lambda ts: dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_target(results: TargetResults) -> str:
    ordered = results.in_lab_order()
    return _ENV.get_template("target.html.j2").render(results=results, ordered=ordered, counts=results.counts())


def write_target_html(results: TargetResults, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_target(results), encoding="utf-8")
    return path
