"""Every check carries its points on its step marker (the one place they are written), grouped by lab section; an
instructor's override names only what it changes and is validated; a partial run never replaces the class's
gradebook exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.plugin.results import partial_run
from fixtures.system.paths import REPO
from reports.catalogue import CatalogueError, catalogue, module_checks
from reports.results import CheckResult, TargetResults
from reports.rubric import Rubric, RubricError
from reports.steps import SECTIONS

# Every option that makes a check collected: the §3.1 submission and the §4 script.
ALL_CHECKS = ("--spark-script", "reference/spark/sstreaming.py", "--velib-submission", "reference/velib")
CHECK_NAMES = sorted(Rubric.load().weights)


def collect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "checks", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *ALL_CHECKS, *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_every_collected_check_has_its_points_section_and_titles() -> None:
    done = collect()
    assert done.returncode == 0, done.stdout + done.stderr
    collected = {line.split("::")[1].split("[")[0] for line in done.stdout.splitlines() if "::" in line}
    rubric = Rubric.load()
    assert set(rubric.weights) == collected
    assert [s.id for s in rubric.sections] == ["2", "3.1", "3.2", "4"]
    assert rubric.section_of("test_velib_producer_keys_records_by_station").id == "3.1"
    assert rubric.weight("test_velib_each_station_is_in_one_partition") == 2
    for check in catalogue():
        assert check.title_fr, f"{check.name} has no French title (FR: paragraph of its docstring)"
        assert check.step in SECTIONS, f"{check.name}: step {check.step} has no name in reports/steps.SECTIONS"
    assert all(s.title.startswith(f"§{s.id} ") and len(s.title) > len(s.id) + 3 for s in rubric.sections)


def _module(tmp_path: Path, decorator: str) -> Path:
    module = tmp_path / "test_new.py"
    module.write_text(f"import pytest\n\n\n{decorator}\ndef test_new():\n    \"\"\"New.\n\n    FR: Nouveau.\"\"\"\n")
    return module


@pytest.mark.parametrize(("decorator", "says"), [
    ("", "no @pytest.mark.step"),
    ('@pytest.mark.step("2.1.4")', "points must be a number"),
    ('@pytest.mark.step("2.1.4", points=-1)', "points must be a number"),
    ('@pytest.mark.step("2.1.4", points="1")', "points must be a number"),
    ('@pytest.mark.step("9.1", points=1)', "none of the rubric's sections"),
    ("@pytest.mark.step(STEP, points=1)", "literal"),
])
def test_a_check_without_readable_points_is_refused_naming_it(tmp_path: Path, decorator: str, says: str) -> None:
    with pytest.raises(CatalogueError, match=says) as caught:
        module_checks(_module(tmp_path, decorator))
    assert "test_new" in str(caught.value)


def test_a_new_check_is_graded_from_its_marker_alone(tmp_path: Path) -> None:
    (info,) = module_checks(_module(tmp_path, '@pytest.mark.step("2.1.4", points=1.5)'))
    assert (info.name, info.step, info.section, info.points, info.title, info.title_fr) == (
        "test_new", "2.1.4", "2", 1.5, "New.", "Nouveau.")
    rubric = Rubric.of_checks([*catalogue(), info])
    assert rubric.weight("test_new") == 1.5 and rubric.section_of("test_new").id == "2"


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_an_unknown_name_in_an_override_stops_the_run(tmp_path: Path, workers: tuple[str, ...]) -> None:
    """Before any check runs, serially and with xdist (a worker cannot stop the run with a readable message)."""
    (tmp_path / "typo.toml").write_text("[points]\ntest_conversation_has_2_partitions = 2\n", encoding="utf-8")
    done = collect("--rubric", str(tmp_path / "typo.toml"), *workers)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout
    assert "test_conversation_has_2_partitions: in the rubric but no such check" in done.stderr
    assert "barème" in done.stderr


def test_an_override_changes_only_what_it_names(tmp_path: Path) -> None:
    (tmp_path / "r.toml").write_text("[points]\ntest_cluster_leaders_are_spread = 0\n"
                                     "test_velib_each_station_is_in_one_partition = 3.5\n", encoding="utf-8")
    base, changed = Rubric.load(), Rubric.load(tmp_path / "r.toml")
    assert changed.weight("test_cluster_leaders_are_spread") == 0
    assert changed.weight("test_velib_each_station_is_in_one_partition") == 3.5
    assert {k: v for k, v in changed.weights.items() if base.weights[k] != v} == {
        "test_cluster_leaders_are_spread": 0, "test_velib_each_station_is_in_one_partition": 3.5}
    assert changed.sections == base.sections
    # A partial collection with an override naming a check it did not collect: still a check, so accepted.
    done = subprocess.run([sys.executable, "-m", "pytest", "checks/s2_deploy", "--collect-only", "-q",
                           "--rubric", str(tmp_path / "r.toml")], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("text", "says"), [
    ('default = 1\n[points]\ntest_mygroup_exists = 1\n', "only a \\[points\\] table"),
    ('[[section]]\nid = "2"\n[section.checks]\ntest_mygroup_exists = 1\n', "only a \\[points\\] table"),
    ("points = 3\n", "only a \\[points\\] table"),
    ("[points]\ntest_mygroup_exists = -1\n", "≥ 0"),
    ('[points]\ntest_mygroup_exists = "one"\n', "≥ 0"),
    ("[points]\ntest_mygroup_exists = true\n", "≥ 0"),
    ("[points\n", "not TOML"),
])
def test_a_bad_override_is_refused_plainly(text: str, says: str) -> None:
    with pytest.raises(RubricError, match=says):
        Rubric.load().overridden(text)


def _toml_key(name: str) -> str:
    return name if name.replace("_", "").isalnum() and name.isascii() else '"' + name.replace("\\", "\\\\").replace(
        '"', '\\"') + '"'


@given(st.dictionaries(st.sampled_from(CHECK_NAMES), st.one_of(st.integers(0, 100), st.floats(0, 100)), max_size=8),
       st.dictionaries(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20),
                       st.integers(0, 5), max_size=3))
def test_any_override_changes_exactly_its_known_names_or_names_the_unknown(known: dict, other: dict) -> None:
    unknown = {name: value for name, value in other.items() if name not in CHECK_NAMES}
    text = "[points]\n" + "".join(f"{_toml_key(k)} = {v!r}\n" for k, v in {**known, **unknown}.items())
    base = Rubric.load()
    if unknown:
        with pytest.raises(RubricError) as caught:
            base.overridden(text)
        assert all(f"{name}: in the rubric but no such check" in str(caught.value) for name in unknown)
        return
    changed = base.overridden(text)
    assert changed.weights == {**base.weights, **{k: float(v) for k, v in known.items()}}


def test_a_rubric_built_by_hand_without_default_refuses_an_unknown_check() -> None:
    rubric = Rubric({"a": 2})
    results = TargetResults("s", [CheckResult("s", "b", "b", "2", "passed")])
    with pytest.raises(RubricError, match="b has no points"):
        rubric.grade(results)
    assert rubric.problems({"a", "b"}, complete=True) == ["b: collected but not in the rubric · vérification "
                                                          "absente du barème"]
    assert rubric.problems({"a"}, complete=True) == []
    assert rubric.problems({"b"}, complete=False) == ["b: collected but not in the rubric · vérification absente "
                                                      "du barème"]


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


def test_collecting_the_checks_starts_no_jvm() -> None:
    """``--collect-only`` runs nothing: the reference cluster, which a serial run starts ahead of its checks, is not
    started (it was: 4 JVMs started and killed on every collection)."""
    from bench.jvms import run_counting

    run = run_counting([sys.executable, "-m", "pytest", "checks", "--collect-only", "-q", "-p", "no:cacheprovider"],
                       cwd=str(REPO), timeout=120)
    assert "tests collected" in run.output, run.output
    assert run.jvms == 0, run.output
