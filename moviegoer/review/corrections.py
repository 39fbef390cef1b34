"""What a person corrects while reviewing a film, kept as data: one table per film (`data/review/<film>.parquet`),
one row per correction in the order made (who, when, what), journaled and fsynced before the table is rewritten
(moviegoer.core.journal), so an acknowledged correction survives a kill.

A correction names what it corrects by what survives a new analysis, not by the analysis' numbers: a character by
the mean of its faces' identity descriptors (re-analysis may number characters differently), a scene by its start
and end. moviegoer.review.state applies them to the current analysis."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.core.journal import journal_of, journal_records, journaled

KINDS = ("name", "merge", "split", "scene_status", "scene_add", "scene_bounds", "scene_people")
SCENE_KINDS = ("scene_status", "scene_add", "scene_bounds", "scene_people")
STATUSES = ("confirmed", "rejected")
SCHEMA = pa.schema([
    pa.field("film_id", pa.string()), pa.field("number", pa.int32()), pa.field("kind", pa.string()),
    pa.field("subject", pa.string()), pa.field("value", pa.string()),  # JSON objects
    pa.field("by", pa.string()), pa.field("at", pa.string()),  # ISO 8601, UTC
])  # fmt: skip


@dataclass(frozen=True)
class ReviewParams:
    name_distance: float  # a name goes to the character whose faces' mean lies this near the named one's
    scene_iou: float  # a scene's status goes to scenes overlapping it at least this much in time
    copy_height: int  # lines of a playable copy (moviegoer.review.playable)

    def __post_init__(self) -> None:
        for key in ("name_distance", "scene_iou"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or not 0 < value <= 1:
                raise ParamsError(key, f"must be a number in (0, 1] (got {value!r})")
        if not isinstance(self.copy_height, int) or not 144 <= self.copy_height <= 2160:
            raise ParamsError(
                "copy_height", f"must be a whole number of lines, 144 to 2160 (got {self.copy_height!r})"
            )


@dataclass(frozen=True)
class Correction:
    kind: str  # one of KINDS
    subject: dict[str, Any]  # name, merge, split: {"centroid": [128 floats]}; scene_*: {"start_ms", "end_ms"}
    # name: {"name"}; merge: {"into": centroid}; split: {"exemplar": the split-off faces' mean descriptor};
    # scene_status: {"status"}; scene_add: {}; scene_bounds: {"start_ms", "end_ms"}; scene_people: {"a", "b": centroid}
    value: dict[str, Any]
    by: str
    at: str


def read_corrections(path: Path) -> list[Correction]:
    """A film's corrections as stored (a journal a killed server left is replayed by the store, not here)."""
    if not path.exists():
        return []
    try:
        table = pq.read_table(path).to_pandas()
        return [Correction(r.kind, json.loads(r.subject), json.loads(r.value), r.by, r.at)
                for r in table.itertuples()]  # fmt: skip
    except (OSError, ValueError, pa.ArrowException, AttributeError) as exc:
        raise MoviegoerError(f"{path}: not a corrections table ({exc.__class__.__name__})") from exc


class CorrectionStore:
    """One film's corrections, in memory and on disk, one writer at a time."""

    def __init__(self, path: Path, film_id: str) -> None:
        self.path, self.film_id = Path(path), film_id
        self.journal = journal_of(self.path)
        self.lock = threading.Lock()
        self.corrections = read_corrections(self.path)
        self.replayed = self._replay()

    def _replay(self) -> int:
        """Append what a killed server journaled but may not have written (each record carries its number)."""
        missing: list[Correction] = []
        for record in journal_records(self.journal):
            if record.pop("number", None) == len(self.corrections) + len(missing):
                try:
                    missing.append(Correction(**record))
                except TypeError:
                    continue
        if missing:
            self.corrections = [*self.corrections, *missing]
            self._write(self.corrections)
        self.journal.unlink(missing_ok=True)
        return len(missing)

    def add(self, correction: Correction) -> int:
        """Append `correction` durably; its number (0 the first)."""
        with self.lock:
            corrections = [*self.corrections, correction]
            record = {**correction.__dict__, "number": len(self.corrections)}
            journaled(self.journal, record, lambda: self._write(corrections))
            self.corrections = corrections
            return len(corrections) - 1

    def _write(self, corrections: list[Correction]) -> None:
        table = pd.DataFrame(
            [{"film_id": self.film_id, "number": number, "kind": c.kind, "subject": json.dumps(c.subject),
              "value": json.dumps(c.value), "by": c.by, "at": c.at} for number, c in enumerate(corrections)],
            columns=SCHEMA.names,
        )  # fmt: skip
        with atomic_file(self.path) as tmp:
            pq.write_table(pa.Table.from_pandas(table, schema=SCHEMA, preserve_index=False), tmp)
