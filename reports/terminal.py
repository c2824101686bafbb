"""The verdict a student reads in a terminal: the report's wording (French first, English under it), in 80
columns, with the command that re-runs each failed or blocked check. Pure text: the results plugin prints it."""

from __future__ import annotations

import re
import textwrap

from .results import BLOCKED, FAILED, NOT_EVALUATED, OUTCOME_LABELS, PASSED, TargetResults, clean_text
from .rubric import Grade

WIDTH = 80
# Six columns, French first: what stands before each check.
MARKS = {PASSED: "ok", FAILED: "ÉCHEC", BLOCKED: "BLOQUÉ", NOT_EVALUATED: "N.ÉVAL"}
STYLES = {PASSED: "green", FAILED: "red", BLOCKED: "yellow", NOT_EVALUATED: ""}
_INDENT = " " * 15  # " ÉCHEC  2.1.4  " : mark, step, then the text

Line = tuple[str, str]  # (text, style: "", "green", "red", "yellow")


def printable(text: str | None) -> str:
    """No control character of a student's text (escape sequences, bidi overrides) reaches a terminal: the one
    sanitiser, ``results.clean_text`` (line ends kept for the wrapping, tabs made spaces)."""
    return clean_text(text or "").replace("\t", " ")


def _wrap(text: str, first: str, style: str = "", width: int = WIDTH) -> list[Line]:
    lines = textwrap.wrap(printable(text), width, initial_indent=first, subsequent_indent=_INDENT,
                          break_on_hyphens=False) or [first.rstrip()]
    return [(line, style) for line in lines]


def _one_line(text: str, width: int = WIDTH) -> str:
    text = printable(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _command(command: str, width: int = WIDTH) -> list[Line]:
    """A command stays copyable: cut only before an option, with the shell's backslash."""
    lines, current = [], _INDENT
    for word in re.split(r" (?=--?[a-z])", printable(command)):
        if current.strip() and len(current) + len(word) + 3 > width:
            lines.append((current + " \\", ""))
            current = _INDENT + "  "
        current += (" " if current.strip() else "") + word
    return [*lines, (current, "")]


def verdict_lines(results: TargetResults, grade: Grade, width: int = WIDTH, first: str | None = None) -> list[Line]:
    """Every check on one line (its French title); under a failed or blocked one, the English title, why, the
    hint in both languages and the command to try again; the checks not evaluated, and why, at the end.
    ``first``: what the first line says instead of the grade (a partial run's "N of M checks",
    ``reports.headline``)."""
    lines = _wrap(f"Note · grade : {first or grade.basis()}", " ", width=width)
    counts = results.counts()
    lines += _wrap(" · ".join(f"{counts[state]} {fr}" for state, (fr, _) in OUTCOME_LABELS.items())
                   + f" / {len(results.results)}", " ", width=width)
    lines += _wrap(" · ".join(f"{counts[state]} {en}" for state, (_, en) in OUTCOME_LABELS.items()), " ",
                   width=width)
    for r in results.in_lab_order():
        head = f" {MARKS[r.outcome]:<6} {r.step or '-':<6} "
        if r.outcome not in (FAILED, BLOCKED):
            lines.append((_one_line(head + (r.title_fr or r.title), width), STYLES[r.outcome]))
            continue
        lines += _wrap(r.title_fr or r.title, head, STYLES[r.outcome], width)
        if r.title_fr:
            lines += _wrap(r.title, _INDENT, width=width)
        reason = r.reason.splitlines()[0] if r.reason else ""
        if r.blocked_by:  # the reason of a blocked check is "needs <what>: <why>": one line says both
            why = reason.removeprefix("needs ").removeprefix(r.blocked_by).lstrip(": ")
            lines += _wrap(f"bloqué par · blocked by : {r.blocked_by}" + (f" ({why})" if why else ""), _INDENT,
                           width=width)
        elif reason:
            lines += _wrap(reason, _INDENT, width=width)
        if r.hint_fr:
            lines += _wrap(f"FR : {r.hint_fr}", _INDENT, width=width)
        if r.hint_en:
            lines += _wrap(f"EN: {r.hint_en}", _INDENT, width=width)
        if r.rerun:
            lines += _wrap("relancer seule · re-run alone :", _INDENT, width=width) + _command(r.rerun, width)
    skipped = [r for r in results.in_lab_order() if r.outcome == NOT_EVALUATED]
    if skipped:
        lines += _wrap(f"{len(skipped)} non évaluée(s), sans effet sur la note · not evaluated, no effect on the "
                       f"grade :", " ", "yellow", width)
        for r in skipped:
            lines += _wrap(f"{r.title_fr or r.title} — {r.reason or '?'}", f"   {r.step or '-':<6}      ", width=width)
    return lines
