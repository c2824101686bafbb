"""The broker control backends, each against the real thing.

- ssh: an sshd (Debian's openssh-server) in a simulated host, in its own PID namespace so that the lab's
  ``kafka-server-stop.sh`` (which signals every broker it can see) sees only that host's broker; a real
  2-broker cluster runs in the same simulated host, and broker 1 is started and stopped through ssh.
- docker: a Docker engine started for the test (``dockerd`` with its state in a temporary folder), an image
  made with ``docker import`` of a rootfs holding only mount points (nothing pulled), and a container running
  a real broker of an embedded cluster (host network, this machine's /usr and Kafka folder read-only).
  Where no engine can start here, these tests skip with the reason.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.control.scripts import BrokerScripts, ScriptControl
from fixtures.control.ssh import SshRunner
from fixtures.hosts.probes import kafka_status
from fixtures.hosts.roster import parse
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.plugin.destructive import control_for
from fixtures.system.wait import WaitTimeout, wait_until
from tests.support import hosts

pytestmark = pytest.mark.slow
SSHD = "/usr/sbin/sshd"
BROKER_S = 60.0


def broker_listed(cluster: EmbeddedCluster, node: int) -> bool:
    status = kafka_status(cluster.broker_endpoints[0], 1.0)
    return status.speaks_kafka and any(b.node_id == node for b in status.brokers)


# ---------------------------------------------------------------- ssh


def _sshd_config(tmp: Path, address: str) -> tuple[Path, Path]:
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / name)], check=True,
                       timeout=30, capture_output=True)
    (tmp / "authorized_keys").write_text((tmp / "client_key.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    config = tmp / "sshd_config"
    config.write_text("\n".join([
        f"ListenAddress {address}", "Port 22", f"HostKey {tmp / 'host_key'}", f"PidFile {tmp / 'sshd.pid'}",
        f"AuthorizedKeysFile {tmp / 'authorized_keys'}", "StrictModes no", "UsePAM no",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
        # The broker started over ssh: a small heap, and its logs in the test's folder.
        f"SetEnv KAFKA_HEAP_OPTS=-Xmx384M LOG_DIR={tmp / 'daemon-logs'}", "",
    ]))
    return config, tmp / "client_key"


@contextlib.contextmanager
def sshd_host(tmp_path: Path, name: str) -> Iterator[tuple[hosts.SimulatedHost, Path]]:
    """A simulated host ``name`` running sshd (root login with the returned key), or a skip saying why not."""
    reason = hosts.available() or (None if Path(SSHD).exists() else "openssh-server is not installed (apt-get "
                                                                     "install openssh-server)")
    if reason:
        pytest.skip(reason)
    pytest.importorskip("paramiko", reason="the ssh extra is not installed (pip install .[ssh])")
    with hosts.simulated_host(name) as pi:
        config, key = _sshd_config(tmp_path, pi.address)
        # Own PID namespace: kafka-server-stop.sh run through ssh must not see this machine's other brokers.
        sshd = pi.popen(["unshare", "--pid", "--fork", "--mount-proc", SSHD, "-D", "-e", "-f", str(config)],
                        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "sshd.log", "wb"))  # noqa: SIM115

        def listening() -> bool:
            with socket.create_connection((pi.address, 22), timeout=1) as conn:
                return conn.recv(4) == b"SSH-"

        wait_until(listening, 20, f"sshd to answer on {pi.address}:22")
        yield pi, key
        sshd.terminate()


@pytest.fixture
def pi_with_sshd(tmp_path: Path) -> Iterator[tuple[hosts.SimulatedHost, Path]]:
    with sshd_host(tmp_path, "kl-ssh-pi") as host:
        yield host


def test_ssh_backend_starts_and_stops_a_broker_with_the_lab_scripts(pi_with_sshd, tmp_path: Path) -> None:
    pi, key = pi_with_sshd
    with EmbeddedCluster(brokers=2, netns=pi.namespace, host=pi.address, workdir=tmp_path / "cluster") as cluster:
        cluster.stop_broker(1)  # from now on broker 1 lives and dies through ssh only
        home = str(cluster.runtime.home)
        brokers = [BrokerScripts(home, str(server.config)) for server in cluster.servers]
        # By name (resolved through /etc/hosts); the simulated Pi's fresh host key is accepted for the run.
        runner = SshRunner(pi.name, "root", 22, str(key), accept_new_host_keys=True)
        try:
            for stop_with in ("own", "script"):
                control = ScriptControl(runner, brokers, stop_with=stop_with)
                control.start(1, 30)
                wait_until(lambda: broker_listed(cluster, 1), BROKER_S, "broker 1 started over ssh to register")
                assert control.is_running(1)
                control.stop(1, 30)
                assert not control.is_running(1)
                wait_until(lambda: not broker_listed(cluster, 1), 30, "broker 1 to leave the metadata")
                # kafka-server-stop.sh saw only the simulated host's broker: the cluster's broker 0 still runs.
                assert cluster.servers[0].running
        finally:
            last = ScriptControl(runner, brokers)  # whatever happened, no broker 1 may outlive the test
            if last.is_running(1):
                last.stop(1, 30)
            runner.close()


def test_a_failing_check_over_ssh_carries_the_students_config_and_log(tmp_path: Path, run_checks) -> None:
    """--control ssh: the student's server.properties and the end of their log, fetched from their host."""
    overrides = {0: {"listeners": "PLAINTEXT://0.0.0.0:{port}", "advertised.listeners": "PLAINTEXT://localhost:{port}",
                     "ssl.keystore.password": "hunter2-not-for-reports"}}
    with sshd_host(tmp_path, "strength-ssh-pi") as (pi, key), \
            EmbeddedCluster(brokers=1, netns=pi.namespace, host=pi.address, broker_overrides=overrides,
                            workdir=tmp_path / "kafka") as cluster:
        home = cluster.workdir
        (home / "logs" / "server.log").symlink_to(home / "logs" / "broker0" / "server.log")  # the lab's layout
        run = run_checks("--target", pi.name, "--control", "ssh", "--ssh-user", "root", "--ssh-key", str(key),
                         "--ssh-accept-new-host-keys",
                         "--kafka-home", str(home), "--broker-configs", "config/broker0.properties,config/none",
                         "-k", "advertises or speaks_kafka")
    failed = run.result("test_broker_advertises_a_reachable_address")
    assert failed["outcome"] == "failed", run.output
    logs = failed["logs"]
    config = next(text for name, text in logs.items() if name.startswith("config/broker0.properties"))
    assert "advertised.listeners=PLAINTEXT://localhost:9092" in config
    assert "ssl.keystore.password=***" in config and "hunter2" not in str(run.results)
    log = next(text for name, text in logs.items() if name.startswith("logs/server.log"))
    assert "kafka" in log.lower() and len(log.splitlines()) <= 40
    assert not any(name.startswith("config/none") for name in logs)  # a missing file is no evidence
    assert run.result("test_broker_speaks_kafka")["logs"] == {}  # a passed check carries none


def _fingerprint(public_key: Path) -> str:
    """The host key's fingerprint as an instructor reads it for the roster (``ssh-keygen -lf``)."""
    done = subprocess.run(["ssh-keygen", "-lf", str(public_key)], capture_output=True, text=True, timeout=30,
                          check=True)
    return done.stdout.split()[1]


class _Options:
    """The command line of ``pytest checks --roster … --allow-destructive`` (``control_for`` reads only options)."""

    def __init__(self, key: Path) -> None:
        self.values = {"kafkalab_control": "ssh", "kafkalab_kafka_home": "~/kafka", "kafkalab_stop_with": "own",
                       "kafkalab_broker_configs": "config/server.properties", "kafkalab_ssh_user": "root",
                       "kafkalab_ssh_port": 22, "kafkalab_ssh_key": str(key),
                       "kafkalab_ssh_accept_new_host_keys": False}

    def getoption(self, name: str) -> object:
        return self.values[name]


def test_the_roster_s_pinned_host_key_lets_the_ssh_backend_in(tmp_path: Path) -> None:
    """A roster row's ``host_key`` reaches the ssh backend: the host is not in known_hosts, no new key is
    accepted for the run, and the pinned fingerprint alone lets the grader in; a wrong pin is refused."""
    wrong = "SHA256:" + "A" * 43
    with sshd_host(tmp_path, "hygiene-ssh-pi") as (pi, key):
        pinned = _fingerprint(tmp_path / "host_key.pub")
        roster = parse(f"id,host,host_key\nalice,{pi.name},{pinned}\nmallory,{pi.name},{wrong}\n")
        alice, mallory = (spec.resolve() for spec in roster.specs)
        control = control_for(_Options(key), alice)
        try:
            assert control.runner.run("echo pinned", 30) == (0, "pinned\n")
        finally:
            control.runner.close()
        code, out = control_for(_Options(key), mallory).runner.run("true", 30)
    assert code == 255 and f"the roster pins {wrong}: refused" in out and pinned in out


def test_ssh_backend_reports_an_unreachable_host() -> None:
    runner = SshRunner("127.0.0.1", "root", 1)  # nothing listens on port 1
    code, out = runner.run("true", 5)
    assert code == 255 and "127.0.0.1" in out


# ---------------------------------------------------------------- docker


def _rootfs_tar() -> bytes:
    """A rootfs of mount points and the merged-/usr links only: everything comes from read-only binds."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("usr", "etc", "tmp", "proc", "sys", "dev", "root", "kafka", "work"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for link, to in (("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"), ("sbin", "usr/sbin")):
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, to
            tar.addfile(info)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Docker engine of our own (its socket URL), or a skip saying why none can start here."""
    docker = pytest.importorskip("docker", reason="the docker extra is not installed (pip install .[docker])")
    if not shutil.which("dockerd"):
        pytest.skip("dockerd is not installed (Debian's docker.io)")
    if os.geteuid() != 0:
        pytest.skip("dockerd needs root")
    # A short path: the socket path must fit in sun_path.
    state = Path(f"/tmp/kl-dockerd-{os.getpid()}")
    state.mkdir(exist_ok=True)
    url = f"unix://{state}/docker.sock"
    log = open(state / "dockerd.log", "wb")  # noqa: SIM115 - dockerd keeps it open
    daemon = subprocess.Popen(["dockerd", "--data-root", str(state / "data"), "--exec-root", str(state / "exec"),
                               "-H", url, "--pidfile", str(state / "dockerd.pid"), "--bridge", "none",
                               "--iptables=false", "--ip6tables=false"], stdout=log, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            # The client asks the engine's version as it is made: it can only be made once the socket is there.
            client = docker.DockerClient(base_url=url, timeout=10)
            try:
                return daemon.poll() is None and client.ping()
            finally:
                client.close()

        try:
            wait_until(answers, 30, "dockerd to answer a ping")
        except WaitTimeout as exc:
            tail = (state / "dockerd.log").read_text(errors="replace")[-600:]
            pytest.skip(f"no Docker engine can start here: {exc}\n{tail}")
        yield url
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=10)
        log.close()
        # dockerd leaves mounts below its folders (its data root, exec/netns/default): a folder still mounted
        # on cannot be removed, and one such folder was left in /tmp by every run.
        for mount in reversed(_mounts_below(state)):
            subprocess.run(["umount", "-l", mount], capture_output=True, timeout=30)
        shutil.rmtree(state, ignore_errors=True)
        assert not state.exists(), f"dockerd's folder {state} could not be removed"


def _mounts_below(folder: Path) -> list[str]:
    """Mount points inside ``folder``, outermost first (from /proc/self/mounts; octal escapes as written)."""
    points = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    return sorted(p for p in points if p.startswith(f"{folder}/"))


def test_docker_backend_stops_and_starts_a_broker_container(docker_engine: str, tmp_path: Path) -> None:
    import docker

    from fixtures.control.docker import DockerControl

    client = docker.DockerClient(base_url=docker_engine, timeout=60)
    done = subprocess.run(["docker", "-H", docker_engine, "import", "-", "kafkalab/broker-rootfs:test"],
                          input=_rootfs_tar(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with EmbeddedCluster(brokers=2, workdir=tmp_path / "cluster") as cluster:
        cluster.stop_broker(1)
        home, config = cluster.runtime.home, cluster.servers[1].config
        container = client.containers.run(
            "kafkalab/broker-rootfs:test", ["/kafka/bin/kafka-server-start.sh", str(config)], detach=True,
            name=f"kl-broker1-{os.getpid()}", network_mode="host",
            environment={"KAFKA_HEAP_OPTS": "-Xmx384M", "LOG_DIR": str(cluster.workdir / "logs" / "docker-broker1")},
            volumes={"/usr": {"bind": "/usr", "mode": "ro"}, "/etc": {"bind": "/etc", "mode": "ro"},
                     str(home): {"bind": "/kafka", "mode": "ro"},
                     str(cluster.workdir): {"bind": str(cluster.workdir), "mode": "rw"}})
        try:
            control = DockerControl([f"kl-broker0-{os.getpid()}", container.name], docker_engine)
            wait_until(lambda: broker_listed(cluster, 1), BROKER_S, "broker 1 in its container to register")
            assert control.is_running(1)
            control.stop(1, 30)
            assert not control.is_running(1)
            wait_until(lambda: not broker_listed(cluster, 1), 30, "broker 1 to leave the metadata")
            control.start(1, 30)
            wait_until(lambda: broker_listed(cluster, 1), BROKER_S, "broker 1 restarted by docker to register")
        finally:
            container.remove(force=True)
            client.close()

