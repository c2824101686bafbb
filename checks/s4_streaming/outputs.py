"""Read what a submission left behind: its JSON output folders and what ``launch.py`` recorded of its queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

OUTPUTS = ("rides", "fares", "cleaned", "joined", "tips")


def parse_timestamp(value: Any) -> datetime | None:
    """Spark's JSON timestamps (``2013-01-01T00:00:36.000Z`` with a UTC session) as UTC datetimes."""
    if value is None:
        return None
    if isinstance(value, (int, float)):  # a student may write epoch seconds
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value).replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _committed_files(folder: Path) -> list[Path]:
    """Files the file sink committed (listed in ``_spark_metadata``), or every part file if there is no log.

    Reading the log rather than the folder leaves out the files of a batch that failed half-way.
    """
    log = folder / "_spark_metadata"
    if not log.is_dir():
        return sorted(p for p in folder.rglob("part-*") if p.is_file() and not p.name.endswith(".crc"))
    added: dict[str, bool] = {}
    for entry in sorted(log.iterdir()):
        if entry.name.startswith(".") or entry.name.endswith(".tmp"):
            continue
        for line in entry.read_text().splitlines()[1:]:  # the first line is the version, "v1"
            item = json.loads(line)
            added[item["path"]] = item.get("action", "add") != "delete"
    paths = [Path(unquote(urlparse(p).path)) for p, keep in added.items() if keep]
    return sorted(p for p in paths if p.exists())


def read_records(folder: Path) -> list[dict[str, Any]]:
    records = []
    for path in _committed_files(folder):
        for line in path.read_text().splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


@dataclass
class QueryRecord:
    """One streaming query as recorded by ``launch.py``: schema, plan, error, progress events."""

    name: str
    schema: dict[str, Any] | None = None
    plan: str = ""
    exception: str | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    is_active: bool | None = None

    def field_types(self) -> dict[str, str]:
        """Column name -> Spark type name (``long``, ``float``, ``timestamp``, …) in the DataFrame's order."""
        if not self.schema:
            return {}
        return {f["name"]: (f["type"] if isinstance(f["type"], str) else f["type"].get("type", "struct"))
                for f in self.schema.get("fields", [])}

    def watermarked_columns(self) -> list[str]:
        """Columns that carry a watermark in the output schema (Spark tags them ``spark.watermarkDelayMs``)."""
        if not self.schema:
            return []
        return [f["name"] for f in self.schema.get("fields", [])
                if "spark.watermarkDelayMs" in (f.get("metadata") or {})]

    def state_operators(self, operator: str) -> list[dict[str, Any]]:
        """That operator's state figures at every progress event, in order (e.g. ``symmetricHashJoin``)."""
        figures = []
        for event in self.progress:
            for op in event.get("stateOperators") or []:
                if op.get("operatorName") == operator:
                    figures.append(op)
        return figures

    @property
    def input_rows(self) -> int:
        return sum(int(event.get("numInputRows") or 0) for event in self.progress)


def _load_progress(hook_dir: Path, name: str) -> list[dict[str, Any]]:
    path = hook_dir / "progress" / f"{name}.jsonl"
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the last line of a killed run may be cut
    return events


def load_query(hook_dir: Path, name: str) -> QueryRecord | None:
    """What was recorded of query ``name``, or None when the script started no query of that name."""
    progress = _load_progress(hook_dir, name)
    path = hook_dir / "queries" / f"{name}.json"
    if not path.exists():
        return QueryRecord(name, progress=progress) if progress else None
    data = json.loads(path.read_text())
    return QueryRecord(
        name=name, schema=data.get("schema"), plan=data.get("plan") or "", exception=data.get("exception"),
        progress=progress or list(data.get("recentProgress") or []), is_active=data.get("isActive"),
    )  # fmt: skip


@dataclass
class RunOutputs:
    output_dir: Path
    hook_dir: Path

    def has(self, name: str) -> bool:
        return (self.output_dir / name).is_dir()

    def records(self, name: str) -> list[dict[str, Any]]:
        return read_records(self.output_dir / name) if self.has(name) else []

    def query(self, name: str) -> QueryRecord | None:
        return load_query(self.hook_dir, name)

    def query_names(self) -> list[str]:
        names = {p.stem for p in (self.hook_dir / "queries").glob("*.json")}
        names |= {p.stem for p in (self.hook_dir / "progress").glob("*.jsonl")}
        return sorted(names)
