"""The tips ranking the §4 answer shows, computed by the oracle on the shipped matched sample (no ticks)."""

from __future__ import annotations

from checks.s4_streaming.oracle import Expected, zone_ranking
from fixtures.taxi.files import load_fares, load_rides

MIN_CARD_RIDES = 3
TOP = 10


def _money(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + "\u00a0$"  # no-break space before the unit (French typography)


def ranking_table(min_card_rides: int = MIN_CARD_RIDES, top: int = TOP) -> str:
    sample = Expected(load_rides(), load_fares())
    rows = ["| rang | zone (LocationID) | courses | dont carte | pourboire moyen, carte "
            "| pourboire moyen, tous paiements |", "|---|---|---|---|---|---|"]
    for rank, cell in enumerate(zone_ranking(sample.joined, min_card_rides)[:top], 1):
        rows.append(f"| {rank} | {cell.zone_name} ({cell.zone}) | {cell.rides} | {cell.card_rides} | "
                    f"{_money(cell.avg_card_tip or 0.0)} | {_money(cell.avg_tip)} |")
    return "\n".join(rows)


def totals() -> dict[str, int]:
    sample = Expected(load_rides(), load_fares())
    ranked = zone_ranking(sample.joined, 0)
    return {"joined": len(sample.joined), "manhattan": sum(c.rides for c in ranked),
            "card": sum(c.card_rides for c in ranked), "zones": len(ranked),
            "zones_min": len(zone_ranking(sample.joined, MIN_CARD_RIDES))}


if __name__ == "__main__":
    print(ranking_table())
    print(totals())
