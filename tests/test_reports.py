"""Reports escape what students control and never show a secret."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from reports.html import render_target
from reports.results import CheckResult, TargetResults, safe_text


def result(**values) -> CheckResult:
    base = dict(target="pi-node07", check="test_conversation_topic_exists", title="a check", step="2.1.4",
                outcome="failed")
    base.update(values)
    return CheckResult.build(**base)


@given(st.text(min_size=1))
def test_any_student_text_is_escaped_in_the_html(text: str) -> None:
    page = render_target(TargetResults("pi-node07", [result(reason=text, found=text, title=text)]))
    shown = safe_text(text)  # cleaned of control characters and masked, as every result
    assert str(escape(shown)) in page
    if "<" in shown and shown not in render_target(TargetResults("pi-node07", [result(reason="x")])):
        assert shown not in page  # never as raw markup (unless the page's own markup holds that text anyway)


def test_a_script_in_a_topic_name_is_shown_as_text() -> None:
    payload = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    page = render_target(TargetResults(payload, [result(target=payload, reason=f"topic {payload} missing")]))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page


@given(st.from_regex(r"[A-Za-z0-9]{8,40}", fullmatch=True), st.sampled_from(["apiKey=", "api_key: ", "password="]))
def test_secrets_never_reach_a_report(secret: str, prefix: str) -> None:
    text = f"GET /vls/v1/stations?{prefix}{secret}&contract=dublin"
    results = TargetResults("t", [result(reason=text, found=text, logs={"broker0": text})])
    assert secret not in json.dumps(results.to_dict())
    assert secret not in render_target(results)


def test_results_round_trip_through_json(tmp_path) -> None:
    results = TargetResults("t", [result(expected=2, found=1, hint_fr="fr", hint_en="en")])
    back = TargetResults.read_json(results.write_json(tmp_path / "t.json"))
    assert back.results == results.results and back.counts()["failed"] == 1
