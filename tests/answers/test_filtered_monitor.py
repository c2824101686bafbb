"""§3.1.3 «Modifier le script ?»: the modified monitor of the answers is a real file, run here on a real broker.

The answers show ``reference/velib/velib-monitor-filtered.py`` whole (a test below compares the block with the
file); here it reads crafted station records and must print only the changes of the chosen contract that reach
``--min-change``, skip a malformed record with one line, and publish one alert when a station empties. A variant
without the contract filter (what a student who forgets it writes) must be told apart.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

from kafka.admin import NewTopic

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.paths import REPO

SCRIPT = REPO / "reference" / "velib" / "velib-monitor-filtered.py"
ANSWER = REPO / "reference" / "answers" / "s3-1-velib.md"
FILE_BLOCK = re.compile(r"<!-- file: (?P<path>[\w./-]+) -->\n```[^\n]*\n(?P<body>.*?)```", re.S)
RUN_TIMEOUT_S = 120


def _station(contract: str, number: int, free: int, bikes: int) -> bytes:
    return json.dumps({"contract_name": contract, "number": number, "address": f"Adresse {number}",
                       "available_bike_stands": free, "available_bikes": bikes}).encode()


def _observe(cluster: EmbeddedCluster, script: Path) -> tuple[list[str], list[dict], str, str]:
    """Run ``script`` on a fresh topic of crafted records; (lines printed, alerts of these contracts, c1, c2)."""
    bootstrap = [str(endpoint) for endpoint in cluster.broker_endpoints]
    token = secrets.token_hex(4)
    topic, followed, other = f"velib-filtered-{token}", f"suivi-{token}", f"autre-{token}"
    records = [
        _station(followed, 1, free=5, bikes=5),   # first state: nothing to compare with
        _station(other, 2, free=1, bikes=9),      # another contract: filtered out
        b"pas du json",                           # offset 2: skipped with one line
        _station(followed, 1, free=6, bikes=4),   # +1 < --min-change 2: not printed
        _station(followed, 1, free=10, bikes=0),  # +4, and the station is now empty: printed and alerted
        _station(other, 2, free=10, bikes=0),     # empty too, but not followed
        _station(followed, 1, free=10, bikes=0),  # no change: nothing
    ]
    admin = clients.admin(bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 1, 1)])  # one partition: the offsets are the records' order
    finally:
        admin.close()
    clients.send_all(bootstrap, topic, records)
    env = {"KAFKA_BOOTSTRAP_SERVERS": ",".join(bootstrap), "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, str(script), "--contract", followed, "--min-change", "2", "--topic", topic,
                           "--idle-timeout", "8"], capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=env)
    assert done.returncode == 0, done.stderr
    reader = clients.consumer(bootstrap, "velib-alerts", consumer_timeout_ms=5000)
    try:
        alerts = [json.loads(m.value) for m in reader if m.key and m.key.decode().split(":")[0] in (followed, other)]
    finally:
        reader.close()
    return done.stdout.splitlines(), alerts, followed, other


def test_the_filtered_monitor_filters_and_alerts(one_broker: EmbeddedCluster, tmp_path: Path) -> None:
    lines, alerts, followed, _ = _observe(one_broker, SCRIPT)
    assert len(lines) == 2 and lines[0].startswith("message ignoré (offset 2) : "), lines
    assert lines[1] == f"+4 Adresse 1 ({followed})"
    assert alerts == [{"contract": followed, "number": 1, "address": "Adresse 1", "state": "vide"}]
    # A variant without the contract filter prints the other contract's change and alerts for it: told apart.
    broken = tmp_path / "sans-filtre.py"
    broken.write_text(SCRIPT.read_text().replace("if args.contract and sid[0] != args.contract:", "if False:"))
    lines, alerts, followed, other = _observe(one_broker, broken)
    assert f"+9 Adresse 2 ({other})" in lines and len(alerts) == 2


def test_the_answer_shows_the_file_whole() -> None:
    blocks = {m["path"]: m["body"] for m in FILE_BLOCK.finditer(ANSWER.read_text())}
    assert blocks.get("reference/velib/velib-monitor-filtered.py") == SCRIPT.read_text()
