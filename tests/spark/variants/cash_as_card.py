"""Broken variant: cash rides counted as card rides (their recorded tip of 0 pulls the card average down)."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402


def is_card(payment_type):
    return payment_type.isin("CRD", "CSH")


ref.is_card = is_card

if __name__ == "__main__":
    sys.exit(ref.main())
