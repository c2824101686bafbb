"""Simulated hosts (``tests.support.hosts``): own address and name, commands inside, everything removed after."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from fixtures.system.wait import wait_until
from tests.support import hosts

pytestmark = pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))

SERVE = "import socket,sys; s=socket.socket(); s.bind(('0.0.0.0', 2181)); s.listen(); c,_=s.accept(); c.send(b'pi')"


def _netns_exists(name: str) -> bool:
    return name in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10).stdout


def test_a_simulated_host_has_its_address_and_name_and_is_removed_after() -> None:
    with hosts.simulated_host("kl-test-pi") as pi:
        assert pi.address in pi.run(["ip", "-4", "addr"], timeout=10).stdout
        assert socket.gethostbyname("kl-test-pi") == pi.address
        server = pi.popen([sys.executable, "-c", SERVE])

        def answer() -> bytes:
            with socket.create_connection(("kl-test-pi", 2181), timeout=2) as conn:
                return conn.recv(2)

        # The port is the host's own: nothing of this machine's loopback answers on it.
        assert wait_until(answer, 15, "the server inside the simulated host to answer") == b"pi"
        server.wait(timeout=10)
        namespace = pi.namespace
    assert not _netns_exists(namespace)
    assert "kl-test-pi" not in hosts.HOSTS_FILE.read_text()
    with pytest.raises(OSError):
        socket.gethostbyname("kl-test-pi")


def test_everything_is_removed_when_the_body_fails() -> None:
    with pytest.raises(RuntimeError, match="boom"), hosts.simulated_host("kl-test-fail") as pi:
        sleeper = pi.popen(["sleep", "600"])
        raise RuntimeError("boom")
    assert sleeper.wait(timeout=10) != 0  # killed with the host
    assert not _netns_exists(pi.namespace)
    assert "kl-test-fail" not in hosts.HOSTS_FILE.read_text()


# Another test run on this machine asks for the same host, with a short wait: it must give up waiting, not tear
# the first run's host down (as removing a killed run's leftovers by that name would).
SECOND_RUN = """
import sys
from tests.support import hosts
hosts.HOST_WAIT_S = 2.0
try:
    with hosts.simulated_host("kl-test-held"):
        print("made it")
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def test_a_host_another_run_holds_is_waited_for_not_torn_down() -> None:
    with hosts.simulated_host("kl-test-held") as pi:
        second = subprocess.run([sys.executable, "-c", SECOND_RUN], capture_output=True, text=True, timeout=60)
        assert "WaitTimeout" in second.stdout and "kl-kl-test-held" in second.stdout, second.stdout + second.stderr
        assert _netns_exists(pi.namespace)
        assert socket.gethostbyname("kl-test-held") == pi.address
    with hosts.simulated_host("kl-test-held"):  # released on exit: the name can be had again at once
        pass
