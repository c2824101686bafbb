"""The evidence fetched from a remote student's host: secrets masked, the log's end chosen well."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fixtures.control.evidence import last_log_lines, mask_secrets

values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=4).filter(
    lambda v: v.strip() == v and "***" not in v)


@given(name=st.sampled_from(["ssl.keystore.password", "sasl.jaas.config", "listener.name.x.secret",
                             "SSL.TRUSTSTORE.PASSWORD"]), value=values, sep=st.sampled_from(["=", " = ", ":"]))
def test_a_secret_setting_never_shows_its_value(name: str, value: str, sep: str) -> None:
    text = f"# a comment\nbroker.id=0\n{name}{sep}{value}\nlog.dirs=/tmp/kafka-logs\n"
    masked = mask_secrets(text)
    assert masked.splitlines()[2] == f"{name}{sep.rstrip()}***"
    assert masked.splitlines()[:2] == text.splitlines()[:2] and masked.splitlines()[3] == "log.dirs=/tmp/kafka-logs"


def test_the_last_warnings_and_errors_are_kept_else_the_last_lines() -> None:
    lines = [f"[2026-01-01 00:00:{i:02d},000] INFO line {i} (kafka.server)" for i in range(60)]
    lines[10] = "[2026-01-01 00:00:10,000] ERROR could not bind (kafka.network)"
    assert last_log_lines("\n".join(lines)) == lines[10]
    assert last_log_lines("\n".join(lines[11:]), lines=5).splitlines() == lines[-5:]
