"""The pictures of the reports: first as data (plain JSON-able dicts, kept in ``CheckResult.figures`` and so in
the JSON export), then drawn from that data alone as inline SVG — no network, no JavaScript, no library.

A check builds a figure with one of the ``*_figure`` functions and records it
(``fixtures.plugin.verdict.record_figure``); :func:`draw` turns it into SVG in a ``<figure>`` whose caption
is French first, English under it. Every text
that reaches the SVG goes through ``escape`` (group ids and topic names are the student's), every number
through ``float``/``int``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

Figure = dict[str, Any]

LEADERS, TIMELINE, LAG, ZONES_MAP, RATES = "leaders", "timeline", "lag", "zones_map", "rates"

# §3.2: the three moments of the survival trial, their names and colours (colour-blind safe, Paul Tol's).
PHASES = {"before": ("avant l'arrêt", "before the stop"), "during": ("broker arrêté", "during the stop"),
          "after": ("après la remise en route", "after the restore")}
PHASE_COLORS = {"before": "#4477aa", "during": "#ee6677", "after": "#228833"}
# The map's five classes (ColorBrewer YlGn), and the zones the figure has no figure for.
MAP_CLASSES = ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837")
NO_DATA = "#e4e4e4"
COMMITTED, LOG_END = "#4477aa", "#dddddd"
INK = "#222222"


# ---------------------------------------------------------------- data (what a check records)


def leaders_figure(topic: str, leaders: Mapping[str, Mapping[int, int]], stopped: int) -> Figure:
    """Partitions of ``topic`` led by each broker, per phase (``before``, ``during``, ``after`` the stop)."""
    brokers = sorted({int(b) for per in leaders.values() for b in per} | {int(stopped)})
    return {"kind": LEADERS, "topic": topic, "stopped": int(stopped), "brokers": brokers,
            "phases": {phase: {str(b): int(per.get(b, 0)) for b in brokers} for phase, per in leaders.items()
                       if phase in PHASES}}


def timeline_figure(phases: Iterable[tuple[str, str, str, float, str]]) -> Figure:
    """Steps of a trial in the order they ran: (name, French label, English label, seconds, moment), the moment
    one of ``PHASES`` (it gives the colour)."""
    return {"kind": TIMELINE, "phases": [{"name": name, "fr": fr, "en": en, "seconds": round(float(seconds), 2),
                                          "moment": moment if moment in PHASES else "before"}
                                         for name, fr, en, seconds, moment in phases]}


def lag_figure(group: str, topic: str, committed: Mapping[int, int], ends: Mapping[int, int]) -> Figure:
    """Per partition of ``topic``: the group's committed offset (None: none) against the log end."""
    return {"kind": LAG, "group": group, "topic": topic,
            "partitions": [{"partition": int(p), "committed": None if committed.get(p) is None else int(committed[p]),
                            "end": int(ends[p])} for p in sorted(ends)]}


def zones_map_figure(zones: Iterable[Mapping[str, Any]], expected: Mapping[int, float], found: Mapping[int, float],
                     measure: tuple[str, str]) -> Figure:
    """A measure per zone on a map, the expected values beside the student's. ``zones``: ``{"id", "name",
    "rings": [[[lon, lat], …], …]}`` (simplified outlines)."""
    return {"kind": ZONES_MAP, "measure_fr": measure[0], "measure_en": measure[1],
            "zones": [{"id": int(z["id"]), "name": str(z["name"]), "rings": z["rings"]} for z in zones],
            "expected": {str(k): round(float(v), 4) for k, v in sorted(expected.items())},
            "found": {str(k): round(float(v), 4) for k, v in sorted(found.items())}}


def rates_figure(rows: Iterable[tuple[str, str, str, int, int]]) -> Figure:
    """The class page: per lab step (step, French name, English name), checks passed over checks counted."""
    return {"kind": RATES, "rows": [{"step": step, "fr": fr, "en": en, "passed": int(passed), "counted": int(counted)}
                                    for step, fr, en, passed, counted in rows]}


# ---------------------------------------------------------------- drawing


def _svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}" '
            f'font-family="system-ui, sans-serif" font-size="12" fill="{INK}">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: Any, size: int = 12, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f"{escape(str(text))}</text>")


def _figure(svg: str, fr: str, en: str, kind: str) -> Markup:
    return Markup(f'<figure class="picture {kind}">{svg}<figcaption>{escape(fr)}<br>'
                  f'<span lang="en" class="en">{escape(en)}</span></figcaption></figure>')


def _leaders(fig: Figure) -> Markup:
    brokers = [int(b) for b in fig["brokers"]]
    phases = [p for p in PHASES if p in fig["phases"]]
    peak = max((int(v) for per in fig["phases"].values() for v in per.values()), default=0) or 1
    bar, gap, top, plot = 22, 26, 14, 150
    width = 40 + len(brokers) * (len(phases) * bar + gap) + 10
    body = []
    for i, broker in enumerate(brokers):
        x0 = 40 + i * (len(phases) * bar + gap)
        for j, phase in enumerate(phases):
            value = int(fig["phases"][phase].get(str(broker), 0))
            height = plot * value / peak
            x, y = x0 + j * bar, top + plot - height
            fr, en = PHASES[phase]
            body.append(f'<rect class="bar" data-broker="{broker}" data-phase="{phase}" x="{x}" y="{y:.1f}" '
                        f'width="{bar - 3}" height="{height:.1f}" fill="{PHASE_COLORS[phase]}">'
                        f"<title>broker {broker}, {escape(fr)} · {escape(en)} : {value}</title></rect>")
            body.append(_text(x + (bar - 3) / 2, y - 3, value, 10, "middle"))
        name = f"broker {broker}" + (" ✕" if broker == int(fig["stopped"]) else "")
        body.append(_text(x0 + len(phases) * bar / 2, top + plot + 15, name, 12, "middle"))
    body.append(f'<line x1="36" y1="{top + plot}" x2="{width - 6}" y2="{top + plot}" stroke="{INK}"/>')
    y = top + plot + 34
    for phase in phases:
        fr, en = PHASES[phase]
        body.append(f'<rect x="40" y="{y - 10}" width="12" height="12" fill="{PHASE_COLORS[phase]}"/>')
        body.append(_text(58, y, f"{fr} · {en}", 11))
        y += 16
    topic, stopped = str(fig["topic"]), int(fig["stopped"])
    return _figure(_svg(max(width, 300), y, f"leaders per broker, {topic}", body),
                   f"Leaders des partitions de « {topic} » par broker, avant, pendant et après l'arrêt du broker "
                   f"{stopped} (✕)",
                   f"Partition leaders of {topic} per broker, before, during and after broker {stopped} (✕) was "
                   f"stopped", LEADERS)


def _timeline(fig: Figure) -> Markup:
    phases = fig["phases"]
    total = sum(float(p["seconds"]) for p in phases) or 1.0
    label_w, plot, row = 230, 380, 20
    body, start = [], 0.0
    for i, phase in enumerate(phases):
        seconds = float(phase["seconds"])
        y = 6 + i * row
        x = label_w + plot * start / total
        body.append(_text(0, y + 12, f"{phase['fr']} · {phase['en']}", 11))
        body.append(f'<rect class="phase" x="{x:.1f}" y="{y}" width="{max(plot * seconds / total, 1.5):.1f}" '
                    f'height="{row - 6}" fill="{PHASE_COLORS.get(phase.get("moment"), INK)}">'
                    f"<title>{escape(phase['name'])}: {seconds:.1f} s</title></rect>")
        body.append(_text(min(x + plot * seconds / total + 4, label_w + plot + 4), y + 12, f"{seconds:.1f} s", 10))
        start += seconds
    height = 6 + len(phases) * row + 20
    body.append(_text(label_w, height - 4, "0 s", 10))
    body.append(_text(label_w + plot, height - 4, f"{total:.1f} s", 10, "end"))
    return _figure(_svg(label_w + plot + 50, height, "trial phases", body),
                   f"Les étapes de l'essai sur une ligne de temps ({total:.1f} s en tout)",
                   f"The trial's phases on a time line ({total:.1f} s in all)", TIMELINE)


def _lag(fig: Figure) -> Markup:
    parts = fig["partitions"]
    peak = max((int(p["end"]) for p in parts), default=0) or 1
    label_w, plot, row = 90, 300, 20
    body = []
    for i, part in enumerate(parts):
        y = 4 + i * row
        end, committed = int(part["end"]), part["committed"]
        body.append(_text(0, y + 12, f"partition {int(part['partition'])}", 11))
        body.append(f'<rect class="end" x="{label_w}" y="{y}" width="{plot * end / peak:.1f}" height="{row - 6}" '
                    f'fill="{LOG_END}"/>')
        if committed is None:
            note = f"aucun offset · none / {end}"
        else:
            committed = int(committed)
            body.append(f'<rect class="committed" data-partition="{int(part["partition"])}" x="{label_w}" y="{y}" '
                        f'width="{plot * min(committed, end) / peak:.1f}" height="{row - 6}" fill="{COMMITTED}"/>')
            note = f"{committed} / {end} · retard (lag) {end - committed}"
        body.append(_text(label_w + plot + 6, y + 12, note, 11))
    group, topic = str(fig["group"]), str(fig["topic"])
    height = 8 + len(parts) * row
    return _figure(_svg(label_w + plot + 200, height, f"lag of {group} on {topic}", body),
                   f"Offset validé du groupe « {group} » (bleu) face à la fin du journal (gris), par partition "
                   f"de « {topic} »",
                   f"Committed offset of group {group} (blue) against the log end (grey), per partition of {topic}",
                   LAG)


def map_class(value: float | None, peak: float) -> str:
    """The colour of a zone: its class among five equal steps of (0, peak], or grey without a value."""
    if value is None:
        return NO_DATA
    index = min(int(len(MAP_CLASSES) * max(value, 0.0) / peak), len(MAP_CLASSES) - 1) if peak > 0 else 0
    return MAP_CLASSES[index]


def _map(fig: Figure) -> Markup:
    zones = fig["zones"]
    points = [(float(x), float(y)) for z in zones for ring in z["rings"] for x, y in ring]
    if not points:
        return Markup("")
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    squeeze = 0.757  # cos(40.78°): a degree of longitude is shorter than a degree of latitude in New York
    height = 400.0
    scale = height / ((north - south) or 1)
    width = (east - west) * squeeze * scale + 2
    values = [float(v) for side in ("expected", "found") for v in fig[side].values()]
    peak = max(values, default=0.0)
    body = []
    for column, (side, fr, en) in enumerate((("expected", "attendu (oracle)", "expected"),
                                             ("found", "votre résultat", "your result"))):
        x0 = column * (width + 30)
        body.append(_text(x0, 14, fr, 12, extra=' font-weight="bold"'))
        body.append(_text(x0, 28, en, 11, extra=' class="en"'))
        shapes = []
        for zone in zones:
            value = fig[side].get(str(int(zone["id"])))
            path = "".join("M" + "L".join(f"{x0 + 1 + (float(x) - west) * squeeze * scale:.1f},"
                                          f"{36 + (north - float(y)) * scale:.1f}" for x, y in ring) + "Z"
                           for ring in zone["rings"])
            shown = "—" if value is None else f"{float(value):.2f}"
            shapes.append(f'<path class="zone" data-side="{side}" data-zone="{int(zone["id"])}" d="{path}" '
                          f'fill="{map_class(None if value is None else float(value), peak)}" stroke="#777777" '
                          f'stroke-width="0.4"><title>{escape(zone["name"])} ({int(zone["id"])}): {shown}</title>'
                          f"</path>")
        body.extend(shapes)
    legend_y = 36 + height + 16
    for i, colour in enumerate(MAP_CLASSES):
        low, high = peak * i / len(MAP_CLASSES), peak * (i + 1) / len(MAP_CLASSES)
        body.append(f'<rect x="{i * 70}" y="{legend_y - 10}" width="14" height="12" fill="{colour}" stroke="#777777"/>')
        body.append(_text(i * 70 + 18, legend_y, f"{low:.1f}–{high:.1f}", 10))
    body.append(f'<rect x="{5 * 70}" y="{legend_y - 10}" width="14" height="12" fill="{NO_DATA}" stroke="#777777"/>')
    body.append(_text(5 * 70 + 18, legend_y, "aucune · none", 10))
    total_w = max(2 * width + 30, 6 * 70 + 90)
    return _figure(_svg(total_w, legend_y + 8, "taxi zones map", body),
                   f"Manhattan, par zone de taxi : {fig['measure_fr']} — attendu à gauche, le vôtre à droite",
                   f"Manhattan, per taxi zone: {fig['measure_en']} — expected on the left, yours on the right",
                   ZONES_MAP)


def _rates(fig: Figure) -> Markup:
    rows = fig["rows"]
    label_w, plot, row = 290, 220, 20
    body = []
    for i, r in enumerate(rows):
        y = 4 + i * row
        passed, counted = int(r["passed"]), int(r["counted"])
        rate = passed / counted if counted else 0.0
        label = f"§{r['step']} {r['fr']}"
        body.append(_text(0, y + 12, label if len(label) <= 44 else label[:43] + "…", 11))
        # Passed in green, the rest (failed or blocked) in red: a step the class stumbled on is mostly red.
        body.append(f'<rect x="{label_w}" y="{y}" width="{plot}" height="{row - 6}" '
                    f'fill="{PHASE_COLORS["during"] if counted else LOG_END}"/>')
        body.append(f'<rect class="rate" data-step="{escape(r["step"])}" x="{label_w}" y="{y}" '
                    f'width="{plot * rate:.1f}" height="{row - 6}" fill="{PHASE_COLORS["after"]}"/>')
        shown = f"{100 * rate:.0f} % ({passed}/{counted})" if counted else "non évalué · not evaluated"
        body.append(_text(label_w + plot + 6, y + 12, shown, 11))
    return _figure(_svg(label_w + plot + 170, 8 + len(rows) * row, "pass rate per lab step", body),
                   "Taux de réussite par étape du TP (vert : réussi, rouge : échoué ou bloqué) : où la classe a buté",
                   "Pass rate per lab step (green: passed, red: failed or blocked): where the class stumbled", RATES)


_DRAW = {LEADERS: _leaders, TIMELINE: _timeline, LAG: _lag, ZONES_MAP: _map, RATES: _rates}


def draw(fig: Figure) -> Markup:
    """The figure as inline SVG in a captioned ``<figure>`` (nothing for a kind this version does not know)."""
    drawer = _DRAW.get(fig.get("kind", ""))
    return drawer(fig) if drawer else Markup("")
