"""Writes beside its own folder and into its own code folder (it may write in HOME and TMPDIR only)."""
from pathlib import Path

here = Path(__file__).resolve().parent
for target in (here / "{MARK}", here.parent / "{MARK}"):
    try:
        target.write_text("planted")
    except OSError as error:
        print(error)
raise SystemExit(1)
