"""The tables the answers show for the §4.2 and §4.4 treatments, from the plain-Python recomputation of their
outputs on the lines a run reads (``tests/support/treatments.py``; ``tests/spark/test_treatments.py`` checks
that the Spark scripts write the same). ``python -m tests.answers.treatments`` prints them."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from checks.s4_streaming.oracle import Expected
from fixtures.taxi.files import FARED_RIDES, FARES, read_lines
from fixtures.taxi.ticks import ticks_for
from tests.support.treatments import Cells, Treatments

NBSP = "\u00a0"


@cache
def recomputed() -> Treatments:
    ticks = ticks_for(FARED_RIDES, FARES)  # as the Spark runs read them (tests/spark/conftest.py)
    return Treatments(Expected.from_lines([*read_lines(FARED_RIDES), ticks.ride], [*read_lines(FARES), ticks.fare]))


def _number(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",") + (f"{NBSP}{unit}" if unit else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _sum_by(cells: Cells, index: int) -> dict:
    """Windows added up: per the key's ``index``-th part, every figure summed."""
    total: dict = defaultdict(lambda: defaultdict(float))
    for key, cell in cells.items():
        for field, value in cell.items():
            if isinstance(value, (int, float)):
                total[key[index]][field] += value
    return total


def durations_table() -> str:
    rows = [[f"{key[0]:%H:%M}–{cell['windowEnd']:%H:%M}", str(cell["rides"]), _number(cell["avgMinutes"], 1, "min"),
             _number(cell["avgKmh"], 1, "km/h"), _number(cell["maxKmh"], 1, "km/h")]
            for key, cell in sorted(recomputed().speeds().items())]
    return _table(["fin de course (fenêtre)", "courses", "durée moyenne", "vitesse moyenne", "vitesse maximale"], rows)


def payments_table() -> str:
    cells = recomputed().payments()
    fares = sum(cell["fares"] for cell in cells.values())
    names = {"CRD": "carte (CRD)", "CSH": "espèces (CSH)", "NOC": "sans frais (NOC)", "DIS": "contesté (DIS)"}
    rows = [[names.get(key[1], key[1]), str(cell["fares"]), _number(100 * cell["fares"] / fares, 1, "%"),
             _number(cell["fareSum"] / cell["fares"], 2, "$"), _number(cell["tipSum"] / cell["fares"], 2, "$"),
             _number(100 * cell["avgTipShare"], 1, "%") if cell["avgTipShare"] else "—"]
            for key, cell in sorted(cells.items(), key=lambda kv: -kv[1]["fares"])]
    return _table(["paiement", "tarifs", "part des tarifs", "prix moyen", "pourboire moyen",
                   "pourboire / prix au compteur"], rows)


def airports_table() -> str:
    t = recomputed()
    by_zone = _sum_by(t.airports(), 1)
    names = {cell["zoneName"] for cell in t.airports().values()}
    fares: dict[int, list[float]] = defaultdict(list)
    for ride in t.airport_rides().values():
        fares[ride["zone"]].append(ride["totalFare"])
    name_of = {ride["zone"]: ride["zoneName"] for ride in t.airport_rides().values()}
    assert set(name_of.values()) == names
    rows = [[f"{name_of[zone]} ({zone})", str(int(f["rides"])), str(int(f["cardRides"])),
             _number(f["cardTipSum"] / f["cardRides"] if f["cardRides"] else None, 2, "$"),
             _number(sum(fares[zone]) / len(fares[zone]), 2, "$")]
            for zone, f in sorted(by_zone.items(), key=lambda kv: -kv[1]["rides"])]
    return _table(["aéroport (LocationID)", "courses", "dont carte", "pourboire moyen, carte", "prix moyen"], rows)


def passengers_table() -> str:
    by_count = _sum_by(recomputed().passengers(), 1)
    rows = [[str(count), str(int(f["rides"])), str(int(f["cardRides"])),
             _number(f["cardTipSum"] / f["cardRides"] if f["cardRides"] else None, 2, "$"),
             _number(f["fareSum"] / f["rides"], 2, "$")]
            for count, f in sorted(by_count.items())]
    return _table(["passagers", "courses", "dont carte", "pourboire moyen, carte", "prix moyen"], rows)


def figures() -> dict[str, int | str]:
    """The counts the answers quote beside the tables."""
    t, ticks = recomputed(), ticks_for(FARED_RIDES, FARES)
    rides = [key for key in t.durations() if not ticks.is_tick(key[0])]
    joined = [row for row in t.expected.joined if not ticks.is_tick(row.ride_id)]
    return {"cleaned": len(rides), "joined": len(joined), "plausible": len(t.plausible()),
            "airport": len(t.airport_rides())}


TABLES = {"durations": durations_table, "payments": payments_table, "airports": airports_table,
          "passengers": passengers_table}

if __name__ == "__main__":
    for name, table in TABLES.items():
        print(f"<!-- treatment: {name} -->\n{table()}\n")
    print(figures())
