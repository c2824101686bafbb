"""§4's picture: the average tip per ride in each Manhattan taxi zone of pickup, on a map of the zones, the
oracle's beside the student's — the figures the tips check compares, summed over the windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from fixtures.taxi.zones import outlines
from reports.figures import Figure, zones_map_figure

from .oracle import Expected
from .verify import _number, _zone_id

MEASURE = ("pourboire moyen par course, tous paiements ($)", "average tip per ride, all payments ($)")


def _average(cells: Iterable[tuple[Any, float, float]]) -> dict[int, float]:
    """(zone, rides, tips) cells → zone → tips / rides (zones without a ride left out)."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for zone, rides, tips in cells:
        sums[zone][0] += rides
        sums[zone][1] += tips
    return {zone: tips / rides for zone, (rides, tips) in sums.items() if rides > 0}


def tips_map(records: Iterable[Mapping[str, Any]], expected: Expected) -> Figure:
    """The map figure; a student's row with no usable zone, ride count or tip sum is left out of the picture
    (the check itself says what is wrong with it)."""
    known = {zone["id"] for zone in outlines()}
    found = []
    for record in records:
        zone, rides, tips = _zone_id(record.get("zone")), _number(record.get("rides")), _number(record.get("tipSum"))
        if zone in known and rides is not None and tips is not None:
            found.append((zone, rides, tips))
    oracle = _average((cell.zone, cell.rides, cell.tip_sum) for cell in expected.tips.values())
    return zones_map_figure(outlines(), oracle, _average(found), MEASURE)
