"""ssh host keys (issue 15): a host not in known_hosts is refused unless the roster pins its fingerprint or
the instructor accepts new keys for the run. The policy is paramiko's own hook, given a real key."""

from __future__ import annotations

import pytest

from fixtures.control.ssh import HostKeyPolicy, UnknownHostKey, fingerprint

paramiko = pytest.importorskip("paramiko")


@pytest.fixture(scope="module")
def key():  # noqa: ANN201
    return paramiko.ECDSAKey.generate()


def test_an_unknown_host_is_refused_by_default(key) -> None:  # noqa: ANN001
    client = paramiko.SSHClient()
    with pytest.raises(UnknownHostKey, match="not in known_hosts.*--ssh-accept-new-host-keys"):
        HostKeyPolicy().missing_host_key(client, "pi-7", key)
    assert client.get_host_keys().lookup("pi-7") is None


def test_a_pinned_fingerprint_must_match(key) -> None:  # noqa: ANN001
    client = paramiko.SSHClient()
    HostKeyPolicy(pinned=fingerprint(key.asbytes())).missing_host_key(client, "pi-7", key)
    assert client.get_host_keys().lookup("pi-7") is not None
    with pytest.raises(UnknownHostKey, match="the roster pins SHA256:"):
        HostKeyPolicy(pinned="SHA256:" + "A" * 43).missing_host_key(paramiko.SSHClient(), "pi-7", key)


def test_accept_new_lets_an_unknown_host_in_for_the_run(key) -> None:  # noqa: ANN001
    client = paramiko.SSHClient()
    HostKeyPolicy(accept_new=True).missing_host_key(client, "pi-7", key)
    assert client.get_host_keys().lookup("pi-7") is not None
