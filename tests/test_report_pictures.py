"""The report a student reads (issue 18): French titles for every check, pictures drawn from the data the JSON
export holds (and only from it), student text escaped inside a picture, the command to try again, and a
terminal verdict in 80 columns."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.hosts.targets import TargetSpec
from fixtures.plugin.rerun import rerun_command
from fixtures.plugin.submissions import Submission
from reports.catalogue import check_titles
from reports.figures import NO_DATA, draw, lag_figure, leaders_figure, map_class
from reports.html import code_spans, pass_rates, render_class, render_target
from reports.results import FAILED, PASSED, TargetResults
from reports.rubric import Rubric
from reports.terminal import WIDTH, printable, verdict_lines
from tests.support.full_report import LEADERS, full_report, lab_checks, oracle_tips

SVG_TAGS = {"figure", "svg", "rect", "text", "title", "line", "path", "figcaption", "br", "span"}


class Parsed(HTMLParser):
    """Tags, attributes and text of a piece of HTML, as a browser would read them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag and all(attrs.get(k) == v for k, v in wanted.items())]


@pytest.fixture(scope="module")
def report() -> TargetResults:
    return full_report()


def test_every_check_has_a_french_title_and_a_name_k_selects_alone() -> None:
    checks = lab_checks()
    assert len(checks) >= 40
    for name, _, title, title_fr in checks:
        assert title_fr and title_fr != title, name
    names = [name for name, *_ in checks]
    assert not [(a, b) for a in names for b in names if a != b and a in b]  # `-k NAME` selects one check


def test_the_french_title_is_the_docstrings_fr_paragraph() -> None:
    doc = "ZooKeeper answers `srvr`.\n\n    FR: ZooKeeper répond à\n    `srvr`.\n\n    More about it."
    assert check_titles(doc, "x") == ("ZooKeeper answers `srvr`.", "ZooKeeper répond à `srvr`.")
    assert check_titles(None, "test_x") == ("test_x", None)


def test_code_spans_are_code_and_the_rest_is_text() -> None:
    assert code_spans("run `kafka-topics.sh --alter` <b>") == \
        "run <code>kafka-topics.sh --alter</code> &lt;b&gt;"
    assert code_spans("`<script>`") == "<code>&lt;script&gt;</code>"


def test_each_picture_is_drawn_from_the_json_it_exports(report: TargetResults, tmp_path) -> None:
    """The page drawn from the JSON file is the page drawn from the results; and each drawing shows the JSON's
    figures: a bar per broker and phase of the height of its count, a committed bar per partition, a zone's
    colour from its value."""
    loaded = TargetResults.read_json(report.write_json(tmp_path / "alice.json"))
    assert render_target(loaded) == render_target(report)
    exported = {r["check"]: r["figures"] for r in json.loads((tmp_path / "alice.json").read_text())["results"]}
    kinds = {fig["kind"] for figures in exported.values() for fig in figures}
    assert kinds == {"leaders", "timeline", "lag", "zones_map"}
    for figures in exported.values():
        for fig in figures:
            svg = Parsed(draw(fig))
            if fig["kind"] == "leaders":
                bars = svg.all("rect", **{"class": "bar"})
                assert len(bars) == len(fig["brokers"]) * len(fig["phases"])
                peak = max(v for per in fig["phases"].values() for v in per.values())
                for bar in bars:
                    value = fig["phases"][bar["data-phase"]][bar["data-broker"]]
                    assert float(bar["height"]) == pytest.approx(150 * value / peak, abs=0.1)
            elif fig["kind"] == "lag":
                for part in fig["partitions"]:
                    assert f"{part['committed']} / {part['end']} · retard (lag) {part['end'] - part['committed']}" \
                        in svg.texts
            elif fig["kind"] == "zones_map":
                peak = max([*fig["expected"].values(), *fig["found"].values()])
                for side in ("expected", "found"):
                    for path in svg.all("path", **{"data-side": side}):
                        assert path["fill"] == map_class(fig[side].get(path["data-zone"]), peak)
            elif fig["kind"] == "timeline":
                assert len(svg.all("rect", **{"class": "phase"})) == len(fig["phases"])


def test_the_map_colours_every_zone_the_oracle_has_tips_for(report: TargetResults) -> None:
    (fig,) = next(r for r in report.results if r.check == "test_spark_tips_per_zone_match_the_oracle").figures
    with_tips = {str(cell.zone) for cell in oracle_tips().tips.values() if cell.tip_sum > 0}
    assert with_tips and with_tips <= set(fig["expected"])
    coloured = {p["data-zone"] for p in Parsed(draw(fig)).all("path", **{"data-side": "expected"})
                if p["fill"] != NO_DATA}
    assert with_tips <= coloured
    assert len(fig["found"]) == len(fig["expected"]) - 1  # the zone the student's rows miss is grey on their side


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_a_student_string_inside_a_picture_is_text(group: str, topic: str) -> None:
    """A group id or a topic name, whatever it holds, is shown as text in the picture: no tag, no attribute
    it did not come with; the caption reads it back unchanged."""
    for fig in (lag_figure(group, topic, {0: 1}, {0: 3}), leaders_figure(topic, LEADERS, 0)):
        svg = Parsed(draw(fig))
        assert {tag for tag, _ in svg.tags} <= SVG_TAGS
        assert all(set(attrs) <= {"class", "xmlns", "width", "height", "viewbox", "role", "aria-label", "font-family",
                                  "font-size", "fill", "x", "y", "x1", "y1", "x2", "y2", "stroke", "text-anchor",
                                  "data-broker", "data-phase", "data-partition", "lang", "font-weight"}
                   for _, attrs in svg.tags)
        caption = "".join(svg.texts)
        assert topic in caption and (fig["kind"] != "lag" or group in caption)


def test_the_page_is_french_first_and_says_what_was_not_evaluated_and_how_to_try_again(report) -> None:
    page = render_target(report)
    assert page.index("Le topic <code>conversation</code> existe.") < page.index(
        "The topic <code>conversation</code> exists.")
    assert "Non évalué, sans effet sur la note" in page and "pyspark" in page
    failed = [r for r in report.results if r.outcome == FAILED]
    for r in failed:
        assert f"<pre>pytest checks --target pi-node07 -k {r.check}</pre>" in page
    passed = next(r for r in report.results if r.outcome == PASSED)
    assert f"-k {passed.check}</pre>" not in page  # only what failed or is blocked


def test_the_class_page_shows_where_the_class_stumbled(report: TargetResults) -> None:
    other = full_report("bob", with_map=False)
    rates = pass_rates([report, other])
    row = next(r for r in rates["rows"] if r["step"] == "3.1.4")
    counted = [r for t in (report, other) for r in t.results if r.step == "3.1.4" and r.counted]
    assert (row["passed"], row["counted"]) == (sum(r.outcome == PASSED for r in counted), len(counted))
    page = render_class([report, other], Rubric.load(), [])
    assert "Taux de réussite par étape du TP" in page and "Répartition des notes" in page


def test_the_terminal_verdict_is_french_first_in_80_columns(report: TargetResults) -> None:
    lines = [text for text, _ in verdict_lines(report, Rubric.load().grade(report))]
    assert max(len(line) for line in lines) <= WIDTH
    text = "\n".join(lines)
    assert text.index("Le topic `conversation` existe.") < text.index("Augmentez les partitions")
    assert "-k test_conversation_has_two_partitions" in text and "relancer seule · re-run alone" in text
    assert "non évaluée(s), sans effet sur la note · not evaluated" in text
    assert "bloqué par · blocked by : topic conversation with 2 partitions (it has 1)" in " ".join(text.split())
    assert printable("a\x1b[2Jb\u202ec\td") == "abc d"  # the whole escape sequence goes


@pytest.mark.parametrize(("spec", "markers", "expected"), [
    (TargetSpec("pi-node07"), (), "pytest checks --target pi-node07 -k test_x"),
    (TargetSpec("pi-node07", bootstrap="pi-node07:9092,pi-node08:9093"), ("destructive",),
     "pytest checks --target pi-node07 --bootstrap pi-node07:9092,pi-node08:9093 --allow-destructive -k test_x"),
    (Submission("alice", "/srv/grading/alice"), ("submitted:spark",),
     "pytest checks --spark-script sstreaming-spark-out.py -k test_x"),
    (Submission("alice", "/srv/grading/alice velib"), ("submitted:velib",),
     "pytest checks --velib-submission 'alice velib' -k test_x"),
])
def test_the_rerun_command_names_what_the_check_needs(spec, markers, expected) -> None:
    marks = {m.split(":")[0]: SimpleNamespace(args=tuple(m.split(":")[1:])) for m in markers}
    item = SimpleNamespace(get_closest_marker=lambda name: marks.get(name),
                           config=SimpleNamespace(getoption=lambda name, default=None: default))
    assert rerun_command(item, spec, "test_x") == expected
