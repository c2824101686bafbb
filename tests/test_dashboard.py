"""The live dashboard on a simulated class whose students progress during the test, seen by headless Chromium.

Two students' Pis (network namespaces, each with a real ZooKeeper and broker) and a hung host (accepts, never
answers) are graded in passes by ``python -m dashboard``; the test performs a lab step on one cluster,
then the other, and Chromium must see that student's row change within the next full pass. The page is built by
the browser from the JSON API (its HTML has no row), so what Chromium shows came through the page's own refresh.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from kafka.admin import NewTopic

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster, free_port
from fixtures.system.paths import REPO
from fixtures.system.wait import wait_until
from tests.support import hosts
from tests.test_browser import CHROMIUM, FLAGS, colours, hex_rgb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available())),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is missing (apt-get install chromium)"),
]
pytest.importorskip("starlette")
PROBE_TIMEOUT_S = 2.0
PASS_DEADLINE_S = 420.0
HUNG = ("import signal, socket, sys\n"
        "servers = [socket.create_server((sys.argv[1], p)) for p in (2181, 9092, 9093)]\n"
        "signal.pause()\n")


def api(port: int, path: str = "/api/state") -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return json.loads(answer.read())


def await_pass(port: int, number: int) -> dict:
    return wait_until(lambda: (s := api(port)) and s["pass"] >= number and s, PASS_DEADLINE_S,
                      f"dashboard pass {number} to finish (deadline {PASS_DEADLINE_S:.0f}s)")


def browser_rows(tmp_path: Path, url: str) -> dict[str, dict[str, str]]:
    """What Chromium shows after the page's scripts ran: student -> step -> state."""
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000",
                           "--dump-dom", url], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    rows: dict[str, dict[str, str]] = {}
    for student, row in re.findall(r'<tr id="student-([^"]+)"[^>]*>(.*?)</tr>', done.stdout, re.S):
        rows[student] = dict(re.findall(r'data-step="([^"]+)" data-state="([^"]*)"', row))
    return rows


def create_conversation(cluster: EmbeddedCluster, partitions: int) -> None:
    admin = clients.admin(cluster.bootstrap)
    try:
        admin.create_topics([NewTopic("conversation", partitions, 1)])
        wait_until(lambda: "conversation" in admin.list_topics(), 30, "topic conversation to be listed")
    finally:
        admin.close()
    clients.send_all(cluster.bootstrap, "conversation", (f"message {i}".encode() for i in range(5)), 15)


def test_the_dashboard_follows_a_class_that_progresses(tmp_path: Path) -> None:
    with ExitStack() as stack:
        pis = {name: stack.enter_context(hosts.simulated_host(f"dash-{name}")) for name in ("alice", "bob", "hank")}
        clusters = {name: stack.enter_context(EmbeddedCluster(brokers=1, host=pis[name].address,
                                                              netns=pis[name].namespace, workdir=tmp_path / name))
                    for name in ("alice", "bob")}
        hank = pis["hank"].popen([sys.executable, "-c", HUNG, pis["hank"].address], stdout=subprocess.DEVNULL)
        stack.callback(hank.kill)
        roster = tmp_path / "class.csv"
        roster.write_text("id,name,email,host\n" + "".join(
            f"{n},{'<script>alert(1)</script>' if n == 'hank' else n.title()},{n}@univ.example,{pi.name}\n"
            for n, pi in pis.items()))
        port = free_port()
        out = tmp_path / "out"
        dashboard = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "--roster", str(roster), "--port", str(port),
             "--state", str(tmp_path / "session.sqlite"), "--workdir", str(tmp_path / "passes"), "--report-dir",
             str(out), "--interval", "0", "--poll", "1", "--stale-minutes", "0.05", "--",
             "--step", "2", "--probe-timeout", str(PROBE_TIMEOUT_S), "--check-timeout", "20"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        stack.callback(lambda: dashboard.poll() is None and dashboard.kill())

        first = await_pass(port, 1)
        seen = browser_rows(tmp_path, f"http://127.0.0.1:{port}/")
        assert set(seen) == {"alice", "bob", "hank"}, seen
        assert seen["alice"]["2.1.4"] != "passed" and seen["bob"]["2.1.4"] != "passed"

        for student in ("alice", "bob"):  # one lab step, then the other student's
            create_conversation(clusters[student], partitions=1)
            acted_during = api(port)["pass"] + 1  # the pass running now may have started before the step
            await_pass(port, acted_during + 1)
            seen = browser_rows(tmp_path, f"http://127.0.0.1:{port}/")
            assert seen[student]["2.1.4"] == "passed", (student, seen)

        state = api(port)
        rows = {row["id"]: row for row in state["students"]}
        assert rows["hank"]["stalled"]  # never progressed, past --stale-minutes (3 s here)
        assert rows["hank"]["last_progress"] == first["pass_finished"]
        for student in ("alice", "bob"):  # their progress moved the clock on
            assert rows[student]["last_progress"] > first["pass_finished"]
        assert rows["alice"]["cells"]["2.1.4"]["first_passed"] is not None
        # The hung host costs its probe, not one timeout per check: its checks took no longer in all.
        last = sorted((tmp_path / "passes").glob("pass-*"))[-2]
        hung = json.loads((last / "hank.json").read_text())["results"]
        assert sum(r["duration_s"] for r in hung) <= 2 * PROBE_TIMEOUT_S + 3, hung

        # A student's own page holds only their row; student-controlled text stays text.
        assert set(browser_rows(tmp_path, f"http://127.0.0.1:{port}/student/bob")) == {"bob"}
        screenshot = tmp_path / "dashboard.png"
        done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                               "--virtual-time-budget=8000", f"--screenshot={screenshot}", "--window-size=1100,500",
                               f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr[-2000:]
        shown = colours(screenshot)
        for colour in ("#2e9e44", "#d64545", "#ffd43b"):  # passed, failed, no progress
            assert hex_rgb(colour) in shown, colour
        page = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                               "--virtual-time-budget=8000", "--dump-dom", f"http://127.0.0.1:{port}/"],
                              capture_output=True, text=True, timeout=90).stdout
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page

        os.kill(dashboard.pid, signal.SIGTERM)  # the end of the session: the last pass's reports are kept
        dashboard.wait(120)
        assert (out / "index.html").is_file() and (out / "alice.json").is_file()
