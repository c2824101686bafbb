"""A real browser (Debian's headless Chromium) renders a student's report and the class page: the screenshot
shows the expected content, and a topic named with an HTML/script payload shows as text and runs nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.html import write_class_html, write_target_html
from reports.results import CheckResult, TargetResults
from reports.rubric import Rubric

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is missing (apt-get install chromium)")
PAYLOAD = '<script>document.body.innerHTML="PWNED"</script><img src=x onerror="document.title=\'PWNED\'">'
# Flags for a closed network: no background connections, no sandbox as root, a fresh profile.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def colours(png: Path) -> set[tuple[int, int, int]]:
    from PIL import Image

    with Image.open(png) as image:
        return {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.fixture
def pages(tmp_path: Path) -> tuple[Path, Path]:
    failed = CheckResult.build(target="alice", check="test_conversation_topic_exists", title="The topic exists.",
                               step="2.1.4", outcome="failed", reason=f"found topic {PAYLOAD}", found=PAYLOAD,
                               hint_fr="Créez le topic", hint_en="Create the topic")
    failed.chart = {"title": "leaders per broker", "series": {"before": {"broker 0": 5, "broker 1": 5},
                                                              "after": {"broker 1": 10}}}
    passed = CheckResult.build(target="alice", check="test_zookeeper_answers_on_its_port", title="ZooKeeper answers",
                               step="2.1.2", outcome="passed", found="ZooKeeper 3.8.4")
    alice = TargetResults("alice", [passed, failed], {"target": {"student": PAYLOAD, "host": "pi-node07"}})
    bob = TargetResults("bob", [CheckResult.build(target="bob", check="test_zookeeper_answers_on_its_port",
                                                  title="ZooKeeper answers", step="2.1.2", outcome="passed")],
                        {"target": {"student": "Bob"}})
    rubric = Rubric.load()
    return (write_target_html(alice, tmp_path / "alice.html", rubric),
            write_class_html([alice, bob], rubric, [], tmp_path / "index.html"))


def test_the_student_report_renders_with_its_hint_and_chart(tmp_path: Path, pages) -> None:
    report, _ = pages
    png = tmp_path / "alice.png"
    chromium(tmp_path, report, "--window-size=1200,1000", f"--screenshot={png}")
    seen = colours(png)
    for colour in ("#4477aa", "#ee6677", "#eef4ff"):  # the two chart series, the hint box
        assert hex_rgb(colour) in seen, colour


def test_the_class_page_renders_its_grid(tmp_path: Path, pages) -> None:
    _, index = pages
    png = tmp_path / "index.png"
    chromium(tmp_path, index, "--window-size=1200,900", f"--screenshot={png}")
    seen = colours(png)
    assert hex_rgb("#d9f2dd") in seen and hex_rgb("#f7d4d4") in seen  # a passed and a failed cell


def test_a_script_payload_in_a_topic_name_runs_nothing(tmp_path: Path, pages) -> None:
    for page in pages:
        dom = chromium(tmp_path, page, "--dump-dom")
        assert "PWNED</title>" not in dom and "<body>PWNED" not in dom  # neither script nor handler ran
        assert "&lt;script&gt;document.body.innerHTML" in dom  # the payload is there, as text
        assert "<img src=\"x\"" not in dom


@pytest.fixture(scope="module")
def full_pages(tmp_path_factory: pytest.TempPathFactory):
    """A full student report (every check of the lab, every picture) and the class page beside another student."""
    from tests.support.full_report import full_report

    folder = tmp_path_factory.mktemp("full")
    alice, bob = full_report(), full_report("bob", with_map=False)
    for student in (alice, bob):  # the class stumbled on §3.2.1: nobody has a second broker
        for result in student.results:
            if result.step == "3.2.1":
                result.outcome = "failed"
    rubric = Rubric.load()
    return alice, (write_target_html(alice, folder / "alice.html", rubric),
                   write_class_html([alice, bob], rubric, [], folder / "index.html"))


def test_a_full_report_shows_its_pictures_in_french_and_english(tmp_path: Path, full_pages) -> None:
    """The leaders chart has one bar per broker and phase, in the phases' colours; the lag bars are there; the map
    colours every zone the oracle has tips for; titles are French with the English beside them."""
    from reports.figures import COMMITTED, NO_DATA, PHASE_COLORS, map_class
    from tests.support.full_report import oracle_tips

    results, (report, _) = full_pages
    png = tmp_path / "full.png"
    chromium(tmp_path, report, "--window-size=1300,9000", "--hide-scrollbars", f"--screenshot={png}")
    seen = colours(png)
    for colour in (*PHASE_COLORS.values(), COMMITTED, NO_DATA):
        assert hex_rgb(colour) in seen, colour
    (tips,) = next(r for r in results.results if r.check == "test_spark_tips_per_zone_match_the_oracle").figures
    peak = max([*tips["expected"].values(), *tips["found"].values()])
    for value in tips["expected"].values():
        assert hex_rgb(map_class(value, peak)) in seen, value
    dom = chromium(tmp_path, report, "--dump-dom")
    leaders = next(f for r in results.results for f in r.figures if f["kind"] == "leaders")
    for broker in leaders["brokers"]:
        for phase in leaders["phases"]:
            assert dom.count(f'class="bar" data-broker="{broker}" data-phase="{phase}"') == 1
    fills = dict(re.findall(r'<path class="zone" data-side="expected" data-zone="(\d+)" d="[^"]*" fill="(#\w+)"', dom))
    assert len(fills) == len(tips["zones"])
    with_tips = {str(cell.zone) for cell in oracle_tips().tips.values() if cell.tip_sum > 0}
    assert with_tips and all(fills[zone] != NO_DATA for zone in with_tips)
    assert "Le topic <code>conversation</code> existe." in dom
    assert '<span lang="en" class="en">The topic <code>conversation</code> exists.</span>' in dom


def test_the_class_page_shows_the_pass_rate_per_step_beside_the_grades(tmp_path: Path, full_pages) -> None:
    _, (_, index) = full_pages
    png = tmp_path / "class.png"
    chromium(tmp_path, index, "--window-size=1300,1600", "--hide-scrollbars", f"--screenshot={png}")
    seen = colours(png)
    for colour in ("#228833", "#ee6677", "#4477aa"):  # steps the class passed, §3.2.1; the grades
        assert hex_rgb(colour) in seen, colour
    dom = chromium(tmp_path, index, "--dump-dom")
    assert dom.count('class="rate"') == len({r.step for r in full_pages[0].results}) and "Taux de réussite" in dom
