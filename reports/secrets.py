"""The one secret mask: every report, export, log, piece of evidence and access log masks with ``mask_secrets``.

It lives in ``reports/``, the bottom layer, so that every user may import it (the result model and the
terminal, ``fixtures.control.evidence``, ``fixtures.jcdecaux.server``, the §3.1 checks): one place decides what
a secret looks like, and a property test (tests/test_secrets.py) proves none survives.
"""

from __future__ import annotations

import re

MASK = "***"
# Values of these names are masked wherever they appear (``apiKey=…`` in a URL, ``password: …``,
# ``API_KEY = "…"`` in a script, ``"token": "…"`` in JSON).
# A lookahead, so that matches may overlap: in ``password=apiKey: K`` both values are found (a plain match
# would swallow ``apiKey:`` as the password's value and never see the key's).
_NAMED = re.compile(r"(?i)(?=(?:api[_-]?key|apikey|password|passwd|secret|token)[\"']?\s*[=:]\s*[\"']?"
                    r"([^\s&\"',;]+))")
# A config line whose key names a secret (``ssl.keystore.password=…``, ``sasl.jaas.config=… password="…";``):
# its whole value is masked, since a properties value runs to the end of the line, spaces included.
_SECRET_SETTING = re.compile(r"(?im)^(\s*[\w.-]*(?:password|secret|jaas)[\w.-]*\s*[=:]).*$")
_PRIVATE_KEY = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
                          re.DOTALL)
# Secrets the grader holds (the API key it drew for the run): masked wherever they appear, named or not.
_KNOWN_SECRETS: set[str] = set()
_SHORTEST_KNOWN_SECRET = 8  # a shorter value would mask ordinary words everywhere, for the rest of the run


def add_secret(value: str) -> None:
    """A secret of the grader's (an API key it drew): from now on masked in every result, log and export."""
    if value and len(value) >= _SHORTEST_KNOWN_SECRET:
        _KNOWN_SECRETS.add(value)


def forget_secret(value: str) -> None:
    """``value`` no longer masked unless named (tests that leave the process's set as they found it)."""
    _KNOWN_SECRETS.discard(value)


def mask_secrets(text: str, *secrets: str) -> str:
    """``text`` with every private key block, every secret the grader holds, every ``secrets`` given here (any
    non-empty one: the caller knows it is one), every secret setting's value and every named secret's value
    replaced by ``***``. Idempotent: masking masked text changes nothing."""
    text = _PRIVATE_KEY.sub(lambda m: f"[{m.group(1)}private key {MASK}]", text)
    # Longest first: a secret that contains another is masked whole.
    for secret in sorted({*_KNOWN_SECRETS, *(s for s in secrets if s)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _SECRET_SETTING.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _mask_spans(text, [m.span(1) for m in _NAMED.finditer(text)])


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span (in order of start, possibly overlapping) replaced by one ``***``."""
    out, shown_to = [], 0
    for start, end in spans:
        if end <= shown_to:
            continue  # inside a span already masked
        if start >= shown_to:
            out.append(text[shown_to:start])
            out.append(MASK)
        shown_to = end
    out.append(text[shown_to:])
    return "".join(out)
