"""One assertion for every broken-variant test (§2, §3.1, §3.2, §4): the checks that fail are exactly the ones
the variant breaks, and every other check passes, or is blocked or in another state the test names.

Asserting only "the broken checks fail" would let an over-strict check fail a student wrongly unnoticed; a
variant must move exactly the outcomes it is meant to move.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Union

PASSED, FAILED, BLOCKED = "passed", "failed", "blocked"
Outcomes = Union[Mapping[str, str], list[dict]]


def outcomes_of(results: Outcomes) -> dict[str, str]:
    """check -> outcome, from such a mapping or from a report's list of results (``{"check", "outcome", …}``)."""
    if isinstance(results, Mapping):
        return dict(results)
    return {r["check"]: r["outcome"] for r in results}


def assert_exact_outcomes(results: Outcomes, failed: Collection[str], *, blocked: Collection[str] = (),
                          other: Mapping[str, str] | None = None, ran: Collection[str] | None = None,
                          context: object = "") -> None:
    """Exactly ``failed`` fail, exactly ``blocked`` are blocked (by what failed), the checks of ``other`` are in
    the state it gives (e.g. not evaluated: not applicable to this Kafka mode), and every other check passed.
    Every check named here, and every one of ``ran``, must have run."""
    found = outcomes_of(results)
    other = dict(other or {})
    want = {**{c: FAILED for c in failed}, **{c: BLOCKED for c in blocked}, **other}
    overlap = set(failed) & set(blocked) | (set(failed) | set(blocked)) & set(other)
    assert not overlap, f"a check is given two expected outcomes: {sorted(overlap)}"
    not_run = sorted((set(want) | set(ran or ())) - set(found))
    wrong = {check: f"{outcome} (expected {want.get(check, PASSED)})" for check, outcome in sorted(found.items())
             if outcome != want.get(check, PASSED)}
    assert not (wrong or not_run), (f"outcomes differ from the variant's exact set: {wrong}; "
                                    f"expected but did not run: {not_run}\n{_short(context)}")


def _short(context: object, limit: int = 3000) -> str:
    """The context, cut: a whole report's results would bury the difference above."""
    if isinstance(context, list) and all(isinstance(r, dict) for r in context):
        context = "\n".join(f"{r.get('check')}: {r.get('outcome')} {r.get('reason') or ''}" for r in context)
    text = str(context)
    return text if len(text) <= limit else text[:limit] + " …"


def assert_exact_run(run: object, failed: Collection[str], blocked: Collection[str] = (),
                     among: Collection[str] | None = None) -> None:
    """The same for a graded run of ``tests/conftest.py`` (``run_checks``): among the checks of this Kafka mode
    that ran (or only ``among``, which must all have run), exactly ``failed`` fail and ``blocked`` are blocked,
    every other one passes."""
    outcomes = run.applicable  # type: ignore[attr-defined]
    if among is not None:
        outcomes = {check: outcome for check, outcome in outcomes.items() if check in among}
    assert_exact_outcomes(outcomes, failed, blocked=blocked, ran=among, context=run.output[-4000:])  # type: ignore[attr-defined]
