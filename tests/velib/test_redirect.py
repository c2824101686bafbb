"""The submission environment and redirect (no Kafka needed): the lab's hard-coded API URL reaches the stand-in,
port 9092 goes to the grader's broker address, every other host is refused without a DNS lookup, and the
grader's own variables stay out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from checks.s3_1_velib.submission import hard_coded_keys, script_env
from fixtures.jcdecaux import JCDecauxStandIn

PROBE = r'''
import json, os, socket, urllib.request
out = {"env": sorted(os.environ)}
answer = urllib.request.urlopen("https://api.jcdecaux.com/vls/v1/stations?apiKey=" + os.environ["JCDECAUX_API_KEY"],
                                timeout=10)
out["stations"] = len(json.loads(answer.read()))
out["kafka"] = socket.getaddrinfo("pi-node07", 9092, 0, socket.SOCK_STREAM)[0][4][:2]
for host in ("example.com", "10.0.0.7"):
    try:
        socket.create_connection((host, 80), timeout=5)
        out[host] = "connected"
    except OSError as exc:
        out[host] = "kafkalab grader" in str(exc)
print(json.dumps(out))
'''


def test_lab_addresses_are_redirected_and_others_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAFKALAB_SECRET_OF_THE_GRADER", "x")
    with JCDecauxStandIn("k" * 40) as api:
        env = script_env(tmp_path / "home", "k" * 40, api.url, "127.0.0.1:45678")
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert len(api.served) == 1 and out["stations"] == len(api.snapshots[0].stations)
    assert out["kafka"] == ["127.0.0.1", 45678]
    assert out["example.com"] is True and out["10.0.0.7"] is True
    assert "KAFKALAB_SECRET_OF_THE_GRADER" not in out["env"] and "JCDECAUX_API_KEY" in out["env"]


def test_hard_coded_keys_are_found_without_quoting_them(tmp_path: Path) -> None:
    script = tmp_path / "velib-get-stations.py"
    script.write_text('API_KEY = "XXX"  # FIXME\nKEY_ENV = "JCDECAUX_API_KEY"\n'
                      'other_key = "a1b2c3d4e5f6a7b8c9d0"\nurl = "https://x/?apiKey=Zq9Zq9Zq9Zq9Zq9Zq9Zq"\n')
    found = hard_coded_keys(script)
    assert [k.line for k in found] == [3, 4]
    assert not any("a1b2" in str(k) or "Zq9" in str(k) for k in found)
