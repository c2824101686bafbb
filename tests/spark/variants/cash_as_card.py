"""Broken variant: cash rides counted as card rides (their recorded tip of 0 pulls the card average down)."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "reference" / "spark"))
import sstreaming as ref  # noqa: E402


def is_card(payment_type):
    return payment_type.isin("CRD", "CSH")


ref.is_card = is_card

if __name__ == "__main__":
    sys.exit(ref.main())
