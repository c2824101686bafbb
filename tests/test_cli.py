"""``kafkalab``: the subcommands are pytest and the existing modules with a command line put together; help in
French and English; a student's re-run line is their own command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fixtures.plugin import cli


def test_help_is_in_french_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "FR · Vérifier et noter le TP Kafka" in out and "EN · Check and grade the Kafka lab" in out
    for command in cli.COMMANDS:
        assert f"\n  {command}" in out


def test_no_command_or_an_unknown_one_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert cli.main(["chekc"]) == 2
    assert "commande inconnue · unknown command: 'chekc'" in capsys.readouterr().err


def test_check_is_pytest_checks_with_the_plugins_and_every_other_option_passed_on() -> None:
    options, rest = cli._check_parser().parse_known_args(
        ["--target", "pi-node07", "--step", "2.1.6", "-k", "mygroup", "--probe-timeout", "5"])
    args = cli.pytest_args(options, rest)
    assert args[0] == str(cli.CHECKS) and args[0].endswith("checks")
    assert args[args.index("-p"):args.index("-p") + 2] == ["-p", "fixtures.plugin.grader"]
    assert args[args.index("--target"):args.index("--target") + 4] == ["--target", "pi-node07", "--step", "2.1.6"]
    assert args[-4:] == ["-k", "mygroup", "--probe-timeout", "5"]
    assert args[args.index("--rerun-command") + 1] == "kafkalab check"
    assert "--report-dir" not in args  # a report only when asked


def test_grade_needs_a_roster_and_writes_to_out_by_default() -> None:
    with pytest.raises(SystemExit):
        cli._grade_parser().parse_args([])
    options, rest = cli._grade_parser().parse_known_args(["--roster", "class.csv", "-n", "4"])
    args = cli.pytest_args(options, rest)
    assert args[args.index("--roster"):] == ["--roster", "class.csv", "--report-dir", "out", "-n", "4"]


def test_preflight_is_the_module_s_own(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    grades = tmp_path / "moodle.csv"
    grades.write_text("Email address,TP Kafka,TP Kafka (feedback)\nalice@univ.example,25,\n")
    assert cli.main(["preflight", str(grades)]) == 1  # above 20
    assert "problem(s)" in capsys.readouterr().out


def test_a_student_s_check_prints_kafkalab_check_to_re_run_a_check(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "fixtures.plugin.cli", "check", "--target", "pi-nobody.invalid",
                           "-k", "zookeeper"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "kafkalab check --target pi-nobody.invalid \\" in done.stdout
    assert "pytest checks --target" not in done.stdout

