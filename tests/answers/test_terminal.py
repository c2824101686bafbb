"""reference/terminal.py: the transcripts show stdout and stderr in the order a terminal shows them."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from reference import terminal

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def test_streams_keep_the_order_they_were_written_in() -> None:
    # 2.7's kafka-consumer-groups.sh: the notice on stderr, then the table on stdout, then a late stderr line
    ran = terminal.run(["bash", "-c", "echo notice >&2; echo table; sleep 0.3; echo late >&2; printf end"],
                       None, 10, ENV)
    assert ran.lines == [("err", "notice"), ("out", "table"), ("err", "late"), ("out", "end")]
    assert ran.stdout == "table\nend" and ran.stderr == "notice\nlate\n"
    assert ran.terminal() == "notice\ntable\nlate\nend\n"
    assert ran.terminal(lambda line: line != "late") == "notice\ntable\nend\n"


@settings(max_examples=10, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=3000))
def test_stdin_is_given_whole_and_stdout_kept_whole(text: str) -> None:
    ran = terminal.run(["cat"], text, 10, ENV)
    assert ran.returncode == 0 and ran.stdout == text.encode().decode()


def test_a_large_input_and_output_do_not_block() -> None:
    ran = terminal.run(["bash", "-c", "head -c 300000 /dev/zero | tr '\\0' a; wc -c"], "y" * 300000, 30, ENV)
    assert ran.stdout == "a" * 300000 + "300000\n"
