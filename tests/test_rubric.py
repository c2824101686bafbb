"""The rubric weighs every check explicitly, by lab section, and agrees exactly with the checks collected;
a partial run never replaces the class's gradebook exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from fixtures.plugin.results import partial_run
from fixtures.system.paths import REPO
from reports.results import CheckResult, TargetResults
from reports.rubric import DEFAULT_RUBRIC, Rubric, RubricError

# Every option that makes a check collected: the §3.1 submission and the §4 script.
ALL_CHECKS = ("--spark-script", "reference/spark/sstreaming.py", "--velib-submission", "reference/velib")


def collect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "checks", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *ALL_CHECKS, *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_shipped_rubric_weighs_every_check_by_section() -> None:
    done = collect()
    assert done.returncode == 0, done.stdout + done.stderr
    collected = {line.split("::")[1].split("[")[0] for line in done.stdout.splitlines() if "::" in line}
    rubric = Rubric.load()
    assert set(rubric.weights) == collected
    assert [s.id for s in rubric.sections] == ["2", "3.1", "3.2", "4"]
    assert rubric.section_of("test_velib_producer_keys_records_by_station").id == "3.1"
    assert all(rubric.labels.get(check) for check in collected), "every check has its French name"


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_an_unknown_or_missing_check_stops_the_run_at_collection(tmp_path: Path, workers: tuple[str, ...]) -> None:
    """Serially at collection; with xdist on the controller, before any worker starts (a worker cannot stop
    the run with a readable message)."""
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    typo = text.replace("test_conversation_has_two_partitions =", "test_conversation_has_2_partitions =")
    (tmp_path / "typo.toml").write_text(typo, encoding="utf-8")
    done = collect("--rubric", str(tmp_path / "typo.toml"), *workers)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout
    assert "test_conversation_has_2_partitions: in the rubric but no such check" in done.stderr
    assert "test_conversation_has_two_partitions: collected but not in the rubric" in done.stderr
    assert "le barème ne correspond pas" in done.stderr


def test_a_partial_collection_only_checks_what_it_collected(tmp_path: Path) -> None:
    """``pytest checks/s2_deploy`` cannot tell a typo in §4's names from a check it did not collect."""
    missing_spark = "\n".join(line for line in DEFAULT_RUBRIC.read_text(encoding="utf-8").splitlines()
                              if not line.startswith("test_spark_"))
    (tmp_path / "r.toml").write_text(missing_spark, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "checks/s2_deploy", "--collect-only", "-q",
                           "--rubric", str(tmp_path / "r.toml")], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("text", "says"), [
    ('default = 1\n[[section]]\nid = "2"\n[section.checks]\na = 1\n', "weighted explicitly"),
    ('[checks]\na = 1\n', "weighted explicitly"),
    ('[[section]]\nid = "2"\n[section.checks]\na = -1\n', "≥ 0"),
    ('[[section]]\nid = "2"\n[section.checks]\na = "one"\n', "≥ 0"),
    ('[[section]]\nid = "2"\n[section.checks]\na = 1\n[[section]]\nid = "3"\n[section.checks]\na = 2\n', "twice"),
    ('[[section]]\n[section.checks]\na = 1\n', "needs an id"),
    ("[[section]\n", "not TOML"),
])
def test_a_bad_rubric_is_refused_plainly(text: str, says: str) -> None:
    with pytest.raises(RubricError, match=says):
        Rubric.parse(text)


def test_a_loaded_rubric_has_no_default_weight() -> None:
    rubric = Rubric.parse('[[section]]\nid = "2"\ntitle = "§2"\n[section.checks]\na = { points = 2, fr = "A" }\n')
    results = TargetResults("s", [CheckResult("s", "b", "b", "2", "passed")])
    with pytest.raises(RubricError, match="b has no points"):
        rubric.grade(results)
    assert rubric.problems({"a", "b"}, complete=True) == ["b: collected but not in the rubric · vérification "
                                                          "absente du barème"]
    assert rubric.problems({"b"}, complete=False) == ["b: collected but not in the rubric · vérification absente "
                                                      "du barème"]
    assert rubric.problems({"a"}, complete=True) == [] and rubric.label("a") == "A"


def _config(args: list[str], keyword: str = "", markexpr: str = "", steps: list[str] | None = None,
            deselect: list[str] | None = None) -> SimpleNamespace:
    """The few parts of pytest's Config that tell a partial run."""
    options = {"kafkalab_steps": steps}
    return SimpleNamespace(args=args, invocation_params=SimpleNamespace(dir=REPO), getoption=options.get,
                           option=SimpleNamespace(keyword=keyword, markexpr=markexpr, deselect=deselect))


@pytest.mark.parametrize(("config", "reasons"), [
    (_config(["checks"]), []),
    (_config([str(REPO)]), []),
    (_config(["checks"], keyword="alice"), ["-k 'alice'"]),
    (_config(["checks"], markexpr="not slow"), ["-m 'not slow'"]),
    (_config(["checks"], steps=["2", "3.1"]), ["--step 2", "--step 3.1"]),
    (_config(["checks"], deselect=["checks/s4_streaming"]), ["--deselect checks/s4_streaming"]),
    (_config(["checks/s2_deploy"]), ["only checks/s2_deploy"]),
    (_config(["checks/s2_deploy/test_broker.py::test_broker_speaks_kafka"]),
     ["only checks/s2_deploy/test_broker.py::test_broker_speaks_kafka"]),
])
def test_a_partial_run_says_why(config: SimpleNamespace, reasons: list[str]) -> None:
    assert partial_run(config) == reasons


def test_a_partial_run_writes_its_own_gradebook_files(tmp_path: Path) -> None:
    """A run with ``-k`` grades one check: the class's moodle.csv from an earlier full run stays as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "moodle.csv").write_text("the full class's grades\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "checks", "-p", "no:cacheprovider", "-q",
                           "--velib-submission", "reference/velib", "-k", "test_velib_submission_has_both_scripts",
                           "--report-dir", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "moodle.csv").read_text() == "the full class's grades\n"
    assert (out / "moodle-partial.csv").exists() and not (out / "gradescope").exists()
    assert (out / "gradescope-partial" / "reference" / "results.json").exists()  # the main job: one subject
    assert "partial run (-k 'test_velib_submission_has_both_scripts')" in done.stdout
