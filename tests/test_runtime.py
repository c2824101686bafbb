"""Runtime provisioning: the wrappers name the right main classes, the cache is reused, a dead registry is said."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fixtures.runtime import VERSIONS, KafkaRuntime, RuntimeFetchError, fetch
from fixtures.runtime.scripts import render_script, script_names
from fixtures.runtime.versions import get_version

LAB_SCRIPTS = {"zookeeper-server-start.sh", "kafka-server-start.sh", "kafka-server-stop.sh", "kafka-topics.sh",
               "kafka-console-producer.sh", "kafka-console-consumer.sh", "kafka-consumer-groups.sh",
               "zookeeper-shell.sh", "kafka-leader-election.sh"}
# What a Kafka 4 student types: no ZooKeeper, the storage formatted first, the quorum described.
KRAFT_SCRIPTS = {"kafka-storage.sh", "kafka-server-start.sh", "kafka-server-stop.sh", "kafka-topics.sh",
                 "kafka-console-producer.sh", "kafka-console-consumer.sh", "kafka-consumer-groups.sh",
                 "kafka-metadata-quorum.sh", "kafka-leader-election.sh"}
# kafka-leader-election.sh: §3.2's last step, played by reference/election.py for the answers.


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_lab_script_is_written_with_its_main_class(version: str) -> None:
    kafka = VERSIONS[version]
    assert set(script_names(kafka)) == (KRAFT_SCRIPTS if kafka.kraft_only else LAB_SCRIPTS)
    for name, main in kafka.main_classes.items():
        assert main in render_script(name, kafka)


def test_main_classes_follow_the_moves_between_releases() -> None:
    assert VERSIONS["2.7.0"].main_classes["kafka-topics.sh"] == "kafka.admin.TopicCommand"
    assert VERSIONS["3.9.2"].main_classes["kafka-topics.sh"] == "org.apache.kafka.tools.TopicCommand"
    assert VERSIONS["3.9.2"].main_classes["kafka-console-consumer.sh"].startswith("org.apache.kafka.tools.consumer")
    assert VERSIONS["2.7.0"].topics_accept_zookeeper and not VERSIONS["3.9.2"].topics_accept_zookeeper
    kraft = get_version("4.x")
    assert kraft.kraft_only and kraft.log4j2 and not kraft.producer_accepts_broker_list
    assert kraft.main_classes["kafka-console-producer.sh"] == "org.apache.kafka.tools.ConsoleProducer"
    assert "log4j2.configurationFile" in render_script("kafka-topics.sh", kraft)


def test_kafka_4_runs_its_storage_tool_and_logs_with_log4j2(tmp_path: Path) -> None:
    runtime = KafkaRuntime.for_version("4.x")
    if not runtime.is_installed():
        pytest.skip("the Kafka 4 runtime is not cached yet (python -m fixtures.runtime fetch --kafka 4.x)")
    done = subprocess.run([str(runtime.script("kafka-storage.sh")), "random-uuid"], capture_output=True, text=True,
                          timeout=60, env=runtime.tool_env())
    assert done.returncode == 0 and len(done.stdout.strip()) == 22, done.stderr
    assert "log4j:WARN" not in done.stderr and "StatusLogger" not in done.stderr, done.stderr


def _fake_mvn(folder: Path, body: str) -> dict[str, str]:
    folder.mkdir()
    mvn = folder / "mvn"
    mvn.write_text("#!/bin/sh\n" + body)
    mvn.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_an_unreachable_registry_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    maven_says = "[ERROR] Could not transfer artifact org.apache.kafka:kafka_2.13:pom:3.9.2: UnknownHostException"
    env = _fake_mvn(tmp_path / "bin", f"echo '{maven_says}'; exit 1\n")
    monkeypatch.setenv("PATH", env["PATH"])
    with pytest.raises(RuntimeFetchError, match="cannot reach Maven Central"):
        fetch("3.9.2", root=tmp_path / "cache", progress=lambda _: None)
    assert not (tmp_path / "cache" / "kafka-3.9.2" / "lib").exists(), "a failed fetch must not leave a half lib/"


def test_a_complete_cache_is_reused_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = KafkaRuntime.for_version("3.9.2")
    if not real.is_installed():
        pytest.skip("the Kafka 3.9.2 runtime is not cached yet (python -m fixtures.runtime fetch)")
    monkeypatch.setenv("PATH", _fake_mvn(tmp_path / "bin", "echo 'must not run'; exit 3\n")["PATH"])
    messages: list[str] = []
    assert fetch("3.9.2", progress=messages.append).home == real.home
    assert "already in" in messages[0]


def test_the_wrapper_runs_a_real_cli(tmp_path: Path) -> None:
    runtime = KafkaRuntime.for_version("3.9.2")
    if not runtime.is_installed():
        pytest.skip("the Kafka 3.9.2 runtime is not cached yet")
    done = subprocess.run([str(runtime.script("kafka-topics.sh")), "--version"], capture_output=True, text=True,
                          timeout=60, env=runtime.tool_env())
    assert done.returncode == 0 and "3.9.2" in done.stdout


def test_a_script_added_or_changed_since_the_fetch_is_written_without_fetching_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The jars are there (the marker says so), one script is missing and one is an older harness's: both are
    written, Maven is not run, the current ones are left as they are, and the changed one is replaced by a new file
    (a run executing the old one keeps reading it whole)."""
    import fixtures.runtime as runtime_module
    from fixtures.runtime.scripts import write_scripts

    runtime = KafkaRuntime.for_version("2.7.0", tmp_path)
    write_scripts(runtime.home, runtime.version)
    runtime.marker.parent.mkdir(parents=True, exist_ok=True)
    runtime.marker.write_text(runtime.pom_digest())
    (runtime.bin / "kafka-leader-election.sh").unlink()
    older = runtime.bin / "kafka-topics.sh"
    current = render_script("kafka-topics.sh", runtime.version)
    older.write_text(current.replace(" $KAFKA_JVM_PERFORMANCE_OPTS", ""))
    untouched = runtime.bin / "kafka-console-consumer.sh"
    untouched_inode = untouched.stat().st_ino
    assert not runtime.is_installed()

    def no_maven(*args: object) -> None:
        raise AssertionError("Maven run for a missing script")

    monkeypatch.setattr(runtime_module, "_run_maven", no_maven)
    with open(older) as running:
        assert fetch("2.7.0", root=tmp_path, progress=lambda message: None).is_installed()
        assert "$KAFKA_JVM_PERFORMANCE_OPTS" not in running.read()
    assert "kafka.admin.LeaderElectionCommand" in (runtime.bin / "kafka-leader-election.sh").read_text()
    assert older.read_text() == current
    assert untouched.stat().st_ino == untouched_inode


def test_the_scripts_start_java_with_the_quick_compiler_unless_told_otherwise() -> None:
    """A script's JVM runs with the grader's JIT and collector by default, and KAFKA_JVM_PERFORMANCE_OPTS replaces
    them (as in Kafka's own scripts): the JVM's own list of the flags it runs with says which."""
    runtime = KafkaRuntime.for_version("3.9.2")
    if not runtime.is_installed():
        pytest.skip("the Kafka 3.9.2 runtime is not cached yet (python -m fixtures.runtime fetch)")

    def flags(**env: str) -> str:
        done = subprocess.run([str(runtime.script("kafka-topics.sh")), "--version"], capture_output=True, text=True,
                              timeout=60, env={**runtime.tool_env(), "KAFKA_OPTS": "-XX:+PrintCommandLineFlags",
                                               **env})
        assert done.returncode == 0, done.stderr
        return done.stdout

    default = flags()
    assert "-XX:TieredStopAtLevel=1" in default and "-XX:+UseSerialGC" in default
    told = flags(KAFKA_JVM_PERFORMANCE_OPTS="-XX:+UseParallelGC")
    assert "-XX:+UseParallelGC" in told and "TieredStopAtLevel" not in told and "UseSerialGC" not in told
