"""§3.1 — submitted scripts: a student's `velib-get-stations.py` and `velib-monitor-stations.py`, run by the
grader against its own cluster and stand-in API (the roster's ``submission`` folder, or ``--velib-submission
DIR`` alone; ``fixtures/plugin/submissions.py``; contract in README.md).

Two runs per submission (``checks.s3_1_velib.runs``): the producer alone for ``POLLS`` polls, then two
monitor instances fed by the grader's own records. Expected monitor lines come from
``checks.s3_1_velib.oracle``, computed from the data files alone. Script output shown in a report has the
API key replaced by ``***``.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.s3_1_velib.keying import judge_keying
from checks.s3_1_velib.oracle import expected_lines, parse_line, record_problems, station_id
from checks.s3_1_velib.runs import (
    GROUP,
    PARTITIONS,
    POLLS,
    TOPIC,
    Lab,
    MonitorRun,
    ProducerRun,
    monitor_run,
    producer_run,
)
from checks.s3_1_velib.submission import KEY_ENV, hard_coded_keys
from fixtures.jcdecaux import make_api_key
from fixtures.jcdecaux.snapshots import Snapshot, load_snapshots
from fixtures.kafka import clients
from fixtures.kafka.facts import lag
from fixtures.plugin.grader_cluster import velib_runs_lock
from fixtures.plugin.submissions import VELIB, VELIB_FILES, Submission
from fixtures.plugin.verdict import expect, fail, needs, not_evaluated, not_submitted, record_found
from fixtures.sandbox import SandboxReport
from fixtures.titles import titled
from reports.secrets import add_secret, mask_secrets

from . import hints

pytestmark = pytest.mark.submitted(VELIB)
# The harness's own tests set the key so that they can grep for it; a grading run draws a fresh one.
KEY_OVERRIDE_ENV = "KAFKALAB_VELIB_TEST_KEY"
DIFF_LINES = 40


# ---------------------------------------------------------------- fixtures: one cluster, two runs per submission


@pytest.fixture(scope="module")
def velib_key() -> str:
    key = os.environ.get(KEY_OVERRIDE_ENV) or make_api_key()
    add_secret(key)  # masked in every result, log and export, wherever a script prints it
    return key


@pytest.fixture(scope="module")
def velib_snapshots() -> list[Snapshot]:
    return load_snapshots()


@pytest.fixture(scope="module")
def velib_lab(request: pytest.FixtureRequest, velib_key: str, velib_snapshots: list[Snapshot],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The run's grader cluster for submitted scripts (one per run, shared by the xdist workers:
    ``fixtures/plugin/grader_cluster.py``) and this worker's folder for the runs."""
    bootstrap = request.getfixturevalue("grader_bootstrap")
    admin = clients.admin(bootstrap, timeout_s=15.0)
    try:
        yield Lab(bootstrap, admin, velib_snapshots, velib_key, tmp_path_factory.mktemp("velib-submissions"),
                  request.config.getoption("kafkalab_velib_timeout"))
    finally:
        admin.close()


@pytest.fixture(scope="module")
def handed_in(submission: Submission) -> Submission:
    """The §3.1 part of a submission: at least one of its two files (else every §3.1 check: not submitted)."""
    if not submission.velib_handed_in():
        not_submitted(f"none of {', '.join(VELIB_FILES)} ({submission.where()})")
    return submission


@pytest.fixture(scope="module")
def scripts(handed_in: Submission) -> Submission:
    if handed_in.missing():
        needs(", ".join(handed_in.missing()), f"not in {handed_in.folder}")
    return handed_in


@pytest.fixture(scope="module")
def producer_result(scripts: Submission, velib_lab: Lab, request: pytest.FixtureRequest) -> ProducerRun:
    velib_lab.workdir = Path(tempfile.mkdtemp(prefix=f"{scripts.name}-", dir=velib_lab.root))
    with velib_runs_lock(request.config):  # the lab's topic name is fixed: one run at a time on the cluster
        return producer_run(velib_lab, scripts)


@pytest.fixture(scope="module")
def monitor_result(scripts: Submission, velib_lab: Lab, producer_result: ProducerRun,
                   request: pytest.FixtureRequest) -> MonitorRun:
    # After the producer's run (which sets this submission's folder); never two runs at once.
    with velib_runs_lock(request.config):
        return monitor_run(velib_lab, scripts)


def _shown(text: str, key: str, lines: int = 8) -> str:
    """The end of a script's output, fit for a report: the key masked, a few lines only."""
    return "\n".join(mask_secrets(text, key).strip().splitlines()[-lines:])


# ---------------------------------------------------------------- checks


@pytest.mark.step("3.1.2", points=1)
def test_velib_submission_has_both_scripts(handed_in: Submission) -> None:
    """The submission holds `velib-get-stations.py` and `velib-monitor-stations.py`.

    FR: Le rendu contient `velib-get-stations.py` et `velib-monitor-stations.py`."""
    submission = handed_in
    missing = submission.missing()
    record_found(f"{submission.folder}: {'missing ' + ', '.join(missing) if missing else 'both'}")
    expect(not missing, f"missing in the submission: {', '.join(missing)}", hints.MISSING_FILES,
           expected="velib-get-stations.py, velib-monitor-stations.py",
           found=sorted(p.name for p in submission.folder.glob("*.py")) or "no .py file")


@pytest.mark.step("3.1.2", points=1)
def test_velib_api_key_is_not_written_in_the_scripts(scripts: Submission, producer_result: ProducerRun) -> None:
    """The API key is read from JCDECAUX_API_KEY, not written in the scripts.

    FR: La clé d'API est lue dans JCDECAUX_API_KEY, elle n'est pas écrite dans les scripts."""
    literals = [k for path in (scripts.producer, scripts.monitor) for k in hard_coded_keys(path)]
    run = producer_result
    record_found(f"{len(literals)} key-like literal(s); the API got {run.calls} request(s), "
                             f"{run.rejected} with a wrong or missing key")
    if literals:
        fail("the scripts seem to hold an API key", hints.KEY_IN_CODE, expected=f"the key read from {KEY_ENV}",
             found="; ".join(map(str, literals)))
    expect(not (run.rejected and not run.served), f"every call to the API used another key than {KEY_ENV}'s",
           hints.KEY_IN_CODE, expected=f"the key of {KEY_ENV}", found=f"{run.rejected} call(s) refused (HTTP 403)")


@pytest.mark.step("3.1.2", points=1)
def test_velib_producer_sends_one_record_per_station_per_poll(producer_result: ProducerRun,
                                                              velib_snapshots: list[Snapshot], velib_key: str) -> None:
    """The producer sends exactly one record per station to `velib-stations` for each answer of the API.

    FR: Le producer envoie exactement un enregistrement par station dans `velib-stations` pour chaque réponse de
    l'API."""
    run = producer_result
    if not run.served:
        fail("the producer never got a list of stations from the API", hints.ONE_PER_STATION,
             expected=f"{POLLS} calls with the key", found=f"{run.calls} call(s), {run.rejected} refused; "
                                                          f"stderr: {_shown(run.stderr_tail, velib_key, 4)}")
    polls = _records_per_poll(run)
    problems = []
    for index, (served, records) in enumerate(polls):
        last_cut = index == len(polls) - 1 and run.interrupted
        want = Counter(station_id(s) for s in velib_snapshots[served.index].stations)
        got = Counter(station_id(json.loads(r.value)) for r in records if not record_problems(r.value))
        if got != want and not (last_cut and not (got - want)):
            extra, missing = sum((got - want).values()), sum((want - got).values())
            problems.append(f"poll {index + 1} ({served.name}): {sum(got.values())} record(s) for "
                            f"{len(want)} stations ({missing} missing, {extra} extra or repeated)")
    record_found(f"{len(run.served)} answer(s) served, {len(run.records)} record(s) in {TOPIC}")
    if not run.records:
        others = [t for t in run.topics if t != TOPIC]
        fail(f"no record reached {TOPIC!r}" + (f" (the producer wrote to {others}: a typo?)" if others else ""),
             hints.ONE_PER_STATION, expected=f"{len(velib_snapshots[0].stations)} records per poll in {TOPIC}",
             found=f"topics: {run.topics}")
    expect(not problems, f"{len(problems)} of {len(polls)} poll(s) did not send one record per station",
           hints.ONE_PER_STATION, expected=f"{len(velib_snapshots[0].stations)} records per poll, one per station",
           found="; ".join(problems[:3]))


@pytest.mark.step("3.1.4", points=2)
def test_velib_producer_keys_records_by_station(producer_result: ProducerRun) -> None:
    """The producer keys its records by station: each station in one partition, one key per station, most
    of the 10 partitions used.

    FR: Le producer donne la station pour clé : chaque station dans une seule partition, une clé par station, la
    plupart des 10 partitions utilisées."""
    keying = judge_keying(producer_result.records, PARTITIONS)
    if not keying.stations:
        needs("station records from the producer", "none in velib-stations (see the check above)")
    record_found(f"over {len(producer_result.served)} poll(s): {keying.summary()}")
    problem = keying.problem(hints.KEYING)
    if problem:
        reason, hint, expected, found = problem
        fail(reason, hint, expected=expected, found=found)


@pytest.mark.step("3.1.3", points=1)
@titled
def test_velib_monitor_prints_the_expected_lines(monitor_result: MonitorRun, velib_snapshots: list[Snapshot],
                                                 velib_key: str) -> None:
    """The monitor prints exactly the expected `+N address (contract)` lines for the {snapshots} replayed snapshots.

    FR: Le moniteur affiche exactement les lignes `+N adresse (contrat)` attendues pour les {snapshots} instantanés
    rejoués."""
    expected = expected_lines([s.stations for s in velib_snapshots])
    found = [line for lines in monitor_result.phase1 for line in lines]
    record_found(f"{len(found)} line(s) from {len(monitor_result.phase1)} instance(s), "
                             f"{len(expected)} expected")
    want, got = _by_station(expected, [expected]), _by_station(found, monitor_result.phase1)
    if Counter(found) == Counter(expected) and want == got:
        return
    diff = list(difflib.unified_diff(_flatten(want), _flatten(got), "expected (oracle)", "printed", lineterm="", n=1))
    fail(f"the monitor printed {len(found)} line(s), {len(expected)} expected, not the same", hints.MONITOR_LINES,
         expected=f"{len(expected)} lines (per station, in order)",
         found=mask_secrets("\n".join(diff[:DIFF_LINES]) + ("\n…" if len(diff) > DIFF_LINES else ""), velib_key)
         or _shown(" ".join(monitor_result.stderr_tails), velib_key))


@pytest.mark.step("3.1.3", points=1)
def test_velib_monitor_survives_a_malformed_record(monitor_result: MonitorRun, velib_snapshots: list[Snapshot],
                                                   velib_key: str) -> None:
    """The monitor skips malformed records (not JSON, missing or mistyped fields) and keeps going.

    FR: Le moniteur ignore les enregistrements mal formés (pas du JSON, champs absents ou mal typés) et continue."""
    stations = [s.stations for s in velib_snapshots]
    after = expected_lines([*stations, stations[0]])[len(expected_lines(stations)):]
    found = [line for lines in monitor_result.phase2 for line in lines]
    record_found(f"instances running at the end: {monitor_result.alive_after_phase2}; "
                             f"{len(found)} of {len(after)} line(s) after the malformed records")
    if not all(monitor_result.alive_after_phase2):
        dead = [i for i, alive in enumerate(monitor_result.alive_after_phase2) if not alive]
        fail(f"the monitor stopped on the malformed records (instance {dead[0] + 1})", hints.MALFORMED,
             expected="it skips them and keeps printing", found=_shown(monitor_result.stderr_tails[dead[0]], velib_key))
    expect(Counter(found) == Counter(after), "after the malformed records the monitor did not print the expected lines",
           hints.MALFORMED, expected=f"{len(after)} lines for snapshot 1 sent again", found=f"{len(found)} line(s)")


@pytest.mark.step("3.1.3", points=1)
def test_velib_monitor_commits_offsets_in_its_group(monitor_result: MonitorRun,
                                                    velib_snapshots: list[Snapshot]) -> None:
    """The monitor commits its offsets in group `velib-monitor-stations` as it reads.

    FR: Le moniteur valide ses offsets dans le groupe `velib-monitor-stations` au fil de sa lecture."""
    done, ends = monitor_result.committed, monitor_result.ends
    behind = lag(ends, done)
    record_found(f"lag per partition after the {len(velib_snapshots)} snapshots: {behind or 'none'}")
    expect(not behind, f"group {GROUP!r} did not commit what its monitors read ({sum(behind.values())} record(s) "
                       f"behind on {len(behind)} partition(s))", hints.GROUP_OFFSETS,
           expected="committed offsets at the end of every partition", found=f"lag {behind}")


@pytest.mark.step("3.1.4", points=1)
def test_velib_two_monitors_never_report_the_same_station(monitor_result: MonitorRun) -> None:
    """Two monitor instances are both active members of the group, both print, and never the same station.

    FR: Les deux instances du moniteur sont membres actifs du groupe, affichent toutes deux, et jamais la même
    station."""
    seen = [{_station(line) for line in a + b} for a, b in zip(monitor_result.phase1, monitor_result.phase2)]
    both = set.intersection(*seen) if seen else set()
    churn = " (a member left or joined during the run)" if monitor_result.rejoined else ""
    record_found(f"{monitor_result.members} member(s) in the group{churn}; stations reported per instance: "
                 f"{[len(s) for s in seen]}, by both: {len(both)}")
    if not any(seen):
        fail("neither monitor instance printed a line", hints.SAME_STATION, expected="lines from each instance",
             found="nothing")
    # A second instance that never joins (or joins and gets nothing) makes "never the same station" hold
    # trivially: the point of §3.1.4 is that both work.
    if monitor_result.members < len(seen):
        fail(f"{monitor_result.members} of {len(seen)} monitor instances joined group {GROUP!r}", hints.SAME_STATION,
             expected=f"{len(seen)} active members", found=f"{monitor_result.members} member(s)")
    idle = [i + 1 for i, stations in enumerate(seen) if not stations]
    # An instance dropped from the group while the grader was starved (its heartbeats late) loses its
    # partitions to the other one, which reads them all: idle through no fault of the script.
    load = monitor_result.load
    if idle and monitor_result.rejoined and load is not None and load.overloaded:
        not_evaluated(f"monitor instance(s) {idle} printed no line after the group's members changed during the run, "
                      f"on a starved grader: {load.summary()}")
    expect(not idle, f"monitor instance(s) {idle} printed no line: they read no partition", hints.SAME_STATION,
           expected="lines from each instance", found=f"stations per instance: {[len(s) for s in seen]}")
    expect(not both, f"{len(both)} station(s) reported by both instances", hints.SAME_STATION,
           expected="each station reported by one instance only",
           found=", ".join(f"{address} ({contract})" for contract, address in sorted(both)[:3]))


@pytest.mark.step("3.1.2", points=1)
def test_velib_api_key_is_never_printed(producer_result: ProducerRun, monitor_result: MonitorRun,
                                        velib_key: str) -> None:
    """Neither script prints the API key (or a URL holding it).

    FR: Aucun des deux scripts n'affiche la clé d'API (ni une URL qui la contient)."""
    where = [name for name, text in (("the producer", producer_result.output),
                                     ("the monitor", monitor_result.output)) if velib_key in text]
    record_found(f"key in the output of: {where or 'none'}")
    expect(not where, f"the API key appears in the output of {' and '.join(where)}", hints.KEY_PRINTED,
           expected="no key in stdout or stderr", found=_shown("\n".join(
               line for text in (producer_result.output, monitor_result.output) for line in text.splitlines()
               if velib_key in line), velib_key, 2))


@pytest.mark.step("3.1.2", points=0.5)
def test_velib_producer_stays_in_its_sandbox(producer_result: ProducerRun, velib_key: str, record_property) -> None:
    """The producer stays in its sandbox: nothing it tried was refused, no limit reached.

    FR: Le producer reste dans son bac à sable : rien de ce qu'il a tenté n'a été refusé, aucune limite atteinte."""
    _within_sandbox("the producer", producer_result.sandbox, velib_key, record_property)


@pytest.mark.step("3.1.3", points=0.5)
def test_velib_monitor_stays_in_its_sandbox(monitor_result: MonitorRun, velib_key: str, record_property) -> None:
    """The monitor stays in its sandbox: nothing it tried was refused, no limit reached.

    FR: Le moniteur reste dans son bac à sable : rien de ce qu'il a tenté n'a été refusé, aucune limite atteinte."""
    _within_sandbox("the monitor", monitor_result.sandbox, velib_key, record_property)


# ---------------------------------------------------------------- helpers


def _within_sandbox(who: str, reports: list[SandboxReport], key: str, record_property) -> None:  # noqa: ANN001
    """Fail naming what the sandbox refused; protections the grader could not set up are recorded, never
    charged to the student."""
    missing = sorted({m for r in reports for m in r.missing})
    record_property("found", f"{len(reports)} sandboxed run(s): " + "; ".join(r.summary() for r in reports)
                    + (f" (grader: protections missing: {', '.join(missing)})" if missing else ""))
    refused = [r for r in reports if r.refused_anything]
    if refused:
        what = "; ".join(dict.fromkeys(r.summary().split(" | protections missing")[0] for r in refused))
        fail(f"the sandbox refused {who}: {mask_secrets(what, key)}", hints.SANDBOX,
             expected="no access outside its folder, the broker and the API; no limit reached",
             found=mask_secrets(what, key))
    # Nothing refused, but the grader could not tell (issue 24: it stopped the script while starved) or could
    # not protect (issue 27: no root, no bubblewrap): not evaluated, with the figures, never passed.
    unjudged = [u for r in reports for u in r.unjudged]
    if unjudged:
        not_evaluated(f"the grader stopped {who} while overloaded / le correcteur était surchargé pendant "
                      f"l'arrêt : {mask_secrets('; '.join(unjudged), key)}")
    if missing:
        not_evaluated(f"the grader could not sandbox {who} / le correcteur n'a pas pu isoler le script : "
                      f"protections missing / protections absentes : {', '.join(missing)}")



def _records_per_poll(run: ProducerRun) -> list[tuple]:
    """Each answer served, with the records created between it and the next answer (record time, ms)."""
    starts = [int(s.wall * 1000) for s in run.served]
    polls: list[tuple] = [(s, []) for s in run.served]
    for record in run.records:
        index = max((i for i, start in enumerate(starts) if start <= record.timestamp), default=None)
        if index is not None:
            polls[index][1].append(record)
    return polls


def _station(line: str) -> tuple[str, str]:
    parsed = parse_line(line)
    assert parsed is not None  # monitor_lines kept parsable lines only
    return parsed[2], parsed[1]


def _by_station(lines: list[str], per_instance: list[list[str]]) -> dict[tuple[str, str], list[str]]:
    """Lines per station (contract, address), each instance's in its order: Kafka orders one partition only."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for instance in per_instance:
        for line in instance:
            grouped[_station(line)].append(line)
    return dict(grouped)


def _flatten(grouped: dict[tuple[str, str], list[str]]) -> list[str]:
    return [line for station in sorted(grouped) for line in grouped[station]]
