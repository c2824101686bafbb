"""The one secret mask (``reports.secrets.mask_secrets``), used by the reports, the evidence fetched from a
student's host, the JCDecaux stand-in's access log and the §3.1 checks: a secret never survives, whatever
surrounds it; text without a secret is left as it was. (A secret the grader holds, masked anywhere, and the mask
through ``safe_text``: tests/test_output_hygiene.py.)"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from reports.secrets import MASK, mask_secrets

NAMES = ("apiKey", "api_key", "API-KEY", "apikey", "password", "Passwd", "secret", "TOKEN")
SETTINGS = ("ssl.keystore.password", "sasl.jaas.config", "listener.name.x.secret", "SSL.TRUSTSTORE.PASSWORD")
# How a secret is written: a URL's query, a config line, a Python assignment, YAML, JSON.
SPELLINGS = ("{name}={value}", "{name}: {value}", '{name} = "{value}"', "{name}='{value}'", '"{name}": "{value}"')
# A drawn key or a password as a student writes one.
secret_values = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+", min_size=8)
anything = st.text(st.characters(blacklist_categories=("Cs",)))
# Text with no secret in it: none of the names a secret goes by, no key block, no mask already.
WORDS_OF_A_SECRET = ("key", "passw", "secret", "token", "jaas", "private", "*")
plain = anything.filter(lambda t: not any(w in t.lower() for w in WORDS_OF_A_SECRET))


@given(before=anything, name=st.sampled_from(NAMES), spelling=st.sampled_from(SPELLINGS), value=secret_values,
       after=st.sampled_from(["", " ", "&contract=lyon", "\n", ",", ";", '"', " HTTP/1.1"]))
def test_a_named_secret_never_survives(before: str, name: str, spelling: str, value: str, after: str) -> None:
    assume(value not in before and value not in after)
    assert value not in mask_secrets(before + spelling.format(name=name, value=value) + after)


@given(before=anything, name=st.sampled_from(SETTINGS), sep=st.sampled_from(["=", " = ", ":"]),
       value=anything.map(lambda v: v.replace("\n", " ").replace("\r", " ").strip()).filter(lambda v: len(v) >= 4),
       after=anything)
def test_a_secret_setting_never_shows_its_value(before: str, name: str, sep: str, value: str, after: str) -> None:
    """A properties value runs to the end of its line, spaces and quotes included (``sasl.jaas.config``)."""
    assume(value not in before and value not in after and MASK not in value and "-----BEGIN" not in before)
    masked = mask_secrets(f"{before}\n{name}{sep}{value}\n{after}")
    assert value not in masked
    assert f"\n{name}{sep.rstrip()}{MASK}\n" in masked


@given(before=anything, secret=st.text(min_size=1).filter(lambda s: "*" not in s), after=anything)
def test_a_secret_given_by_the_caller_never_survives(before: str, secret: str, after: str) -> None:
    assume(secret not in before and secret not in after)
    assert secret not in mask_secrets(before + secret + after, secret)


@given(plain)
def test_text_without_a_secret_is_unchanged(text: str) -> None:
    assert mask_secrets(text) == text


@given(anything, st.lists(secret_values, max_size=2))
def test_masking_is_idempotent(text: str, secrets: list[str]) -> None:
    once = mask_secrets(text, *secrets)
    assert mask_secrets(once, *secrets) == once


def test_a_private_key_block_and_an_access_log_line() -> None:
    block = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
    assert mask_secrets(f"stolen: {block} done") == "stolen: [OPENSSH private key ***] done"
    assert "b3Blbn" not in mask_secrets(block[:60])  # the tail of an output may cut the block
    line = '"GET /vls/v1/stations?contract=lyon&apiKey=0123abcd HTTP/1.1" 200 -'
    assert mask_secrets(line) == '"GET /vls/v1/stations?contract=lyon&apiKey=*** HTTP/1.1" 200 -'
