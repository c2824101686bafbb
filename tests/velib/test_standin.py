"""The stand-in JCDecaux API: real snapshots in order, the real API's shape, each fault, standalone mode."""

from __future__ import annotations

import http.client
import json
import logging
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fixtures.jcdecaux import Fault, JCDecauxStandIn, parse_plan
from fixtures.jcdecaux.server import ACCESS_LOG, MAINTENANCE_PAGE, STATE_PATH
from fixtures.jcdecaux.snapshots import Snapshot, default_snapshot_dir
from fixtures.kafka.cluster import free_port
from fixtures.system.paths import REPO
from fixtures.system.wait import wait_until

from .procs import CapturedOutput, clean_env


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def stations_url(api: JCDecauxStandIn, key: str | None = None, **params: str) -> str:
    query = {**({"apiKey": key} if key is not None else {}), **params}
    return api.url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_serves_the_real_snapshots_in_order_byte_for_byte(standin: JCDecauxStandIn, api_key: str) -> None:
    files = sorted(default_snapshot_dir().glob("snapshot-*.json"))
    for path in files:
        status, body = get(stations_url(standin, api_key))
        assert status == 200
        assert body == path.read_bytes(), f"{path.name} not served as stored"
    # After the last snapshot the last one is served again (a real API would simply not change).
    assert get(stations_url(standin, api_key))[1] == files[-1].read_bytes()
    assert [s.name for s in standin.served][:len(files)] == [p.name for p in files]


def test_answers_json_with_the_api_content_type(standin: JCDecauxStandIn, api_key: str) -> None:
    with urllib.request.urlopen(stations_url(standin, api_key), timeout=5) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        stations = json.loads(response.read())
    assert isinstance(stations, list) and len(stations) == 114
    assert list(stations[0]) == ["number", "contract_name", "name", "address", "position", "banking", "bonus",
                                 "bike_stands", "available_bike_stands", "available_bikes", "status",
                                 "last_update"]


@pytest.mark.parametrize("key", [None, "", "0" * 40], ids=["missing", "empty", "wrong"])
def test_a_missing_or_wrong_key_gets_403_and_does_not_advance(standin: JCDecauxStandIn,
                                                              key: str | None) -> None:
    status, body = get(stations_url(standin, key))
    assert status == 403
    assert json.loads(body) == {"error": "Unauthorized"}
    assert standin.state()["served"] == 0 and standin.state()["rejected"] == 1


def test_contract_filter(standin: JCDecauxStandIn, api_key: str) -> None:
    status, body = get(stations_url(standin, api_key, contract="dublin"))
    assert status == 200 and len(json.loads(body)) == 114
    status, body = get(stations_url(standin, api_key, contract="paris"))
    assert status == 400 and "error" in json.loads(body)


def test_unknown_path_and_method(standin: JCDecauxStandIn, api_key: str) -> None:
    assert get(f"{standin.base_url}/vls/v1/contracts?apiKey={api_key}")[0] == 404
    request = urllib.request.Request(stations_url(standin, api_key), data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 405


def test_period_mode_follows_the_clock(api_key: str, snapshots: list[Snapshot]) -> None:
    with JCDecauxStandIn(api_key, snapshots[:3], period_s=0.2) as api:
        first = get(stations_url(api, api_key))[1]
        assert first == snapshots[0].body
        # Polled, not slept for: the snapshot changes when 0.2 s of wall time have passed.
        wait_until(lambda: get(stations_url(api, api_key))[1] == snapshots[2].body, 5.0,
                   "the third snapshot to be served")


def test_loop_mode_starts_again(api_key: str, snapshots: list[Snapshot]) -> None:
    with JCDecauxStandIn(api_key, snapshots[:2], loop=True) as api:
        bodies = [get(stations_url(api, api_key))[1] for _ in range(3)]
    assert bodies == [snapshots[0].body, snapshots[1].body, snapshots[0].body]


def test_http_500(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.HTTP_500)
    assert get(stations_url(standin, api_key))[0] == 500
    assert get(stations_url(standin, api_key))[1] == standin.snapshots[0].body, "a fault must not advance"


def test_truncated_json(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.TRUNCATED)
    status, body = get(stations_url(standin, api_key))
    full = standin.snapshots[0].body
    assert status == 200 and full.startswith(body) and len(body) < len(full)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_invalid_json(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.INVALID_JSON)
    status, body = get(stations_url(standin, api_key))
    assert status == 200 and body == MAINTENANCE_PAGE


def test_not_a_list(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.NOT_A_LIST)
    status, body = get(stations_url(standin, api_key))
    assert status == 200 and isinstance(json.loads(body), dict)


def test_malformed_station(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.MALFORMED_STATION)
    stations = json.loads(get(stations_url(standin, api_key))[1])
    assert "available_bike_stands" not in stations[0]
    assert isinstance(stations[1]["available_bike_stands"], str)
    assert stations[2:] == standin.snapshots[0].stations[2:]


def test_cut_connection(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(Fault.CUT)
    with pytest.raises(http.client.IncompleteRead):
        get(stations_url(standin, api_key))


def test_slow_answer_times_a_client_out_and_does_not_block_others(standin: JCDecauxStandIn,
                                                                   api_key: str) -> None:
    standin.inject(Fault.SLOW)  # 3 s
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        get(stations_url(standin, api_key), timeout=0.5)
    # The server is threaded: the next client is served while the slow answer is still pending.
    assert get(stations_url(standin, api_key), timeout=2.0)[0] == 200


def test_stop_does_not_wait_for_a_slow_answer(api_key: str, snapshots: list[Snapshot]) -> None:
    api = JCDecauxStandIn(api_key, snapshots, slow_s=60.0).start()
    api.inject(Fault.SLOW)
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        get(stations_url(api, api_key), timeout=0.3)
    started = time.monotonic()
    api.stop()
    assert time.monotonic() - started < 5.0


def test_faults_are_used_in_order_one_per_request(standin: JCDecauxStandIn, api_key: str) -> None:
    standin.inject(*parse_plan("http_500*2,invalid_json"))
    statuses = [get(stations_url(standin, api_key)) for _ in range(4)]
    assert [s for s, _ in statuses] == [500, 500, 200, 200]
    assert statuses[2][1] == MAINTENANCE_PAGE and statuses[3][1] == standin.snapshots[0].body
    assert standin.state()["faults_served"] == ["http_500", "http_500", "invalid_json"]


def test_parse_plan_rejects_unknown_faults() -> None:
    assert parse_plan("") == []
    with pytest.raises(ValueError, match="unknown fault"):
        parse_plan("explode")


def test_control_endpoints(standin: JCDecauxStandIn, api_key: str) -> None:
    request = urllib.request.Request(f"{standin.base_url}/_standin/faults", method="POST",
                                     data=json.dumps({"faults": "http_500"}).encode())
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["faults_pending"] == ["http_500"]
    assert get(stations_url(standin, api_key))[0] == 500
    state = json.loads(get(standin.base_url + STATE_PATH)[1])
    assert state["requests"] == 1 and state["served"] == 0


def test_binds_loopback_only(standin: JCDecauxStandIn) -> None:
    assert standin.url.startswith("http://127.0.0.1:")
    assert standin._server.socket.getsockname()[0] == "127.0.0.1"


def test_access_log_never_shows_the_key(standin: JCDecauxStandIn, api_key: str,
                                        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        get(stations_url(standin, api_key))
        get(stations_url(standin, "wrong-key-123"))
    messages = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOG]
    assert any("apiKey=***" in m for m in messages), messages
    assert not any(api_key in m or "wrong-key-123" in m for m in messages)


def test_standalone_process(api_key: str, tmp_path: Path, transcript: CapturedOutput) -> None:
    port = free_port()
    out, err = tmp_path / "standin.out", tmp_path / "standin.err"
    env = clean_env(JCDECAUX_STANDIN_KEY=api_key)
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        argv = [sys.executable, "-m", "fixtures.jcdecaux", "--port", str(port), "--access-log",
                "--faults", "http_500"]
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=stdout, stderr=stderr)
    try:
        wait_until(lambda: "listening on" in out.read_text() or proc.poll() is not None, 20.0,
                   "the standalone stand-in to listen")
        assert proc.poll() is None, err.read_text()
        url = f"http://127.0.0.1:{port}/vls/v1/stations?apiKey={api_key}"
        assert get(url)[0] == 500
        status, body = get(url)
        assert status == 200 and len(json.loads(body)) == 114
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        transcript.add("standalone stand-in stdout", out.read_text())
        transcript.add("standalone stand-in stderr", err.read_text())
    assert f"http://127.0.0.1:{port}/vls/v1/stations" in out.read_text()
    assert "apiKey=***" in err.read_text()  # the access log, redacted
    assert api_key not in out.read_text() + err.read_text()


def test_standalone_needs_a_key(tmp_path: Path) -> None:
    env = {k: v for k, v in clean_env().items() if k != "JCDECAUX_STANDIN_KEY"}
    done = subprocess.run([sys.executable, "-m", "fixtures.jcdecaux", "--port", "0"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "no API key" in done.stderr
