"""pytest hooks that turn check outcomes into results, reports and a readable terminal verdict.

``pytest_runtest_makereport`` runs where the check ran (an xdist worker or the only process) and attaches
a ``CheckResult`` to the report; ``pytest_runtest_logreport`` runs on the controller and collects them;
``pytest_sessionfinish`` writes one JSON and one HTML file per target.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures.verdict import CheckFailed

from .exports import write_gradescope, write_jsonl, write_moodle_csv
from .html import write_class_html, write_target_html
from .results import USER_PROPERTY, CheckResult, TargetResults
from .rubric import Rubric

TARGET_PROPERTY = "kafkalab.target"
SETUP_S = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kafkalab")
    group.addoption("--report-dir", dest="kafkalab_report_dir", default=None, metavar="DIR",
                    help="write there, per target: <id>.json, <id>.html, gradescope/<id>/results.json; for the "
                         "class: index.html, moodle.csv, results.jsonl, junit.xml (default: no files)")
    group.addoption("--rubric", dest="kafkalab_rubric", default=None, metavar="FILE",
                    help="weights of the checks for the grade on 20 (default: reports/rubric.toml)")


@pytest.hookimpl(tryfirst=True)  # before pytest's junitxml plugin reads its option
def pytest_configure(config: pytest.Config) -> None:
    report_dir = config.getoption("kafkalab_report_dir")
    if report_dir and not getattr(config.option, "xmlpath", None) and not hasattr(config, "workerinput"):
        config.option.xmlpath = str(Path(report_dir) / "junit.xml")
    try:
        rubric = Rubric.load(Path(config.getoption("kafkalab_rubric")) if config.getoption("kafkalab_rubric") else None)
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(f"kafkalab: rubric: {exc}") from None
    config.pluginmanager.register(ResultCollector(config, rubric), "kafkalab-results")


def _target_spec(item: pytest.Item):
    callspec = getattr(item, "callspec", None)
    # A check grades a target (a cluster) or a submission (a student's §3.1 scripts): either names the report.
    return (callspec.params.get("target") or callspec.params.get("submission")) if callspec else None


def _check_name(item: pytest.Item) -> str:
    return getattr(item, "originalname", None) or item.name.split("[")[0]


def _outcome(report: pytest.TestReport, call: pytest.CallInfo) -> str:
    if report.skipped:
        return "skipped"
    if report.failed:
        failed_check = call.excinfo is not None and isinstance(call.excinfo.value, AssertionError)
        return "failed" if report.when == "call" and failed_check else "error"
    return "passed"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    spec = _target_spec(item)
    target = getattr(spec, "id", None)
    if report.when == "setup":
        # A target's probes and clients are set up with its first check: count that time as the check's.
        item.stash[SETUP_S] = report.duration
    if target is None or not (report.when == "call" or (report.when == "setup" and not report.passed)):
        return
    props = dict(report.user_properties)
    exc = call.excinfo.value if call.excinfo else None
    values = {"reason": "", "expected": None, "found": props.get("found"), "hint_fr": None, "hint_en": None}
    if isinstance(exc, CheckFailed):
        # A graded failure is a verdict, not a bug: show the reason and the hint, not the check's source.
        report.longrepr = f"{item.nodeid}\n{exc}"
        values.update(reason=exc.reason, expected=exc.expected, found=exc.found if exc.found is not None
                      else values["found"])
        if exc.hint:
            values.update(hint_fr=exc.hint.fr, hint_en=exc.hint.en)
    elif report.skipped and isinstance(report.longrepr, tuple):
        values["reason"] = str(report.longrepr[2]).removeprefix("Skipped: ")
    elif exc is not None:
        values["reason"] = f"{type(exc).__name__}: {exc}"
    logs: dict[str, str] = {}
    resolved = item.funcargs.get("target") if hasattr(item, "funcargs") else None
    if report.failed and getattr(resolved, "read_logs", None):
        logs = {name: text for name, text in resolved.read_logs().items() if text}
        for name, text in logs.items():
            report.sections.append((f"{name} log (warnings and errors)", text))
    info = spec.describe() if hasattr(spec, "describe") else {"id": target}
    if resolved is not None:
        info["endpoints"] = f"ZooKeeper {resolved.zookeeper} · brokers {resolved.bootstrap}"
    report.user_properties.append((TARGET_PROPERTY, info))
    doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
    step = item.get_closest_marker("step")
    duration = report.duration + (item.stash.get(SETUP_S, 0.0) if report.when == "call" else 0.0)
    result = CheckResult.build(
        target=target, check=_check_name(item), title=doc[0] if doc else _check_name(item),
        step=step.args[0] if step else "", outcome=_outcome(report, call), note=props.get("note"),
        chart=props.get("chart"),
        duration_s=round(duration, 3), logs=logs, nodeid=item.nodeid, **values,
    )
    report.user_properties.append((USER_PROPERTY, result.to_dict()))


class ResultCollector:
    """Lives on the controller: gathers the results of every target and writes them at the end."""

    def __init__(self, config: pytest.Config, rubric: Rubric) -> None:
        self.config = config
        self.rubric = rubric
        self.by_target: dict[str, TargetResults] = {}
        self.started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if USER_PROPERTY in props:
            result = CheckResult.from_dict(props[USER_PROPERTY])
            results = self.by_target.setdefault(result.target, TargetResults(result.target))
            results.results.append(result)
            results.meta.setdefault("target", props.get(TARGET_PROPERTY, {}))
            if props.get(TARGET_PROPERTY, {}).get("endpoints"):
                results.meta["endpoints"] = props[TARGET_PROPERTY]["endpoints"]

    def roster_errors(self) -> list[str]:
        from fixtures.plugin import ROSTER_ERRORS

        return [str(error) for error in self.config.stash.get(ROSTER_ERRORS, [])]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller writes the reports
        report_dir = self.config.getoption("kafkalab_report_dir")
        if not report_dir:
            return
        out = Path(report_dir)
        for name, results in self.by_target.items():
            results.meta.update(started=self.started, finished=time.time())
            results.meta["grade_on_20"] = self.rubric.grade(results).on_20
            results.write_json(out / f"{name}.json")
            write_target_html(results, out / f"{name}.html", self.rubric)
            write_gradescope(results, self.rubric, out / "gradescope" / name / "results.json")
        every = list(self.by_target.values())
        write_class_html(every, self.rubric, self.roster_errors(), out / "index.html")
        write_moodle_csv(every, self.rubric, out / "moodle.csv")
        write_jsonl(every, out / "results.jsonl")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        """The student's verdict: one line per check, the reason and the hint under each failure."""
        report_dir = self.config.getoption("kafkalab_report_dir")
        for error in self.roster_errors():
            terminalreporter.write_line(f"roster: {error} — this row was not graded", yellow=True)
        for name, results in self.by_target.items():
            counts = results.counts()
            grade = self.rubric.grade(results).on_20
            terminalreporter.section(f"Kafka lab — {name}: {counts['passed']}/{len(results.results)} checks passed, "
                                     f"{grade:.2f}/20")
            for r in results.in_lab_order():
                mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "error": "ERR "}[r.outcome]
                terminalreporter.write_line(f" {mark} [{r.step or '-'}] {r.title}")
                if r.outcome != "passed" and r.reason:
                    terminalreporter.write_line(f"        {r.reason.splitlines()[0]}")
                if r.hint_fr:
                    terminalreporter.write_line(f"        FR: {r.hint_fr}")
                    terminalreporter.write_line(f"        EN: {r.hint_en}")
            if report_dir:
                terminalreporter.write_line(f" report: {Path(report_dir) / name}.html")
