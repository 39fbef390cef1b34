"""What a person corrects while reviewing a film, kept as data: one table per film (`data/review/<film>.parquet`),
one row per correction in the order made (who, when, what), journaled and fsynced before the table is rewritten
(moviegoer.core.journal), so an acknowledged correction survives a kill.

A correction names what it corrects by what survives a new analysis, not by the analysis' numbers: a character by
the mean of its faces' identity descriptors (re-analysis may number characters differently), a scene by its start
and end. `reviewed` applies them to the current analysis: a name or a merge goes to the characters whose faces lie
nearest (within `review.name_distance`), a scene's status to the scenes overlapping it by `review.scene_iou` in
time."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.core.journal import journal_of, journal_records, journaled
from moviegoer.scenes.dialogue import time_iou

KINDS = ("name", "merge", "scene_status", "scene_add")
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

    def __post_init__(self) -> None:
        for key in ("name_distance", "scene_iou"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or not 0 < value <= 1:
                raise ParamsError(key, f"must be a number in (0, 1] (got {value!r})")


@dataclass(frozen=True)
class Correction:
    kind: str  # one of KINDS
    subject: dict[str, Any]  # name, merge: {"centroid": [128 floats]}; scene_*: {"start_ms", "end_ms"}
    # name: {"name"}; merge: {"into": [128 floats]}; scene_status: {"status"}; scene_add: {}
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


def centroids(faces: pd.DataFrame) -> dict[int, np.ndarray]:
    """Each character's mean identity descriptor (faces.parquet rows with a character and an embedding)."""
    known = faces[(faces["character"] >= 0) & faces["embedding"].notna()]
    return {
        int(character): np.mean(np.stack(group["embedding"].to_numpy()), axis=0)
        for character, group in known.groupby("character")
    }


@dataclass(frozen=True)
class Reviewed:
    names: dict[int, str]  # character -> the name a person gave
    merged: dict[
        int, int
    ]  # character -> the character a person merged it into (one person, split by the analysis)
    status: dict[int, str]  # scene number -> confirmed / rejected
    added: list[dict[str, Any]]  # scenes a person added: start_ms, end_ms, status


def reviewed(
    corrections: list[Correction], character_centroids: dict[int, np.ndarray], scenes: pd.DataFrame,
    params: ReviewParams,
) -> Reviewed:  # fmt: skip
    """The corrections applied to the current analysis, later ones over earlier ones. A name or a merge applies to
    the characters whose faces lie nearest the ones it was made on; a merged character's name is its target's."""
    names: dict[int, str] = {}
    merged: dict[int, int] = {}
    status: dict[int, str] = {}
    added: list[dict[str, Any]] = []
    spans = {int(s.scene): (float(s.start_ms), float(s.end_ms)) for s in scenes.itertuples()}

    def nearest(centroid: list[float]) -> int | None:
        if not character_centroids:
            return None
        target = np.asarray(centroid, dtype=np.float32)
        distance, character = min(
            (float(np.linalg.norm(known - target)), number) for number, known in character_centroids.items()
        )
        return character if distance <= params.name_distance else None

    def final(character: int) -> int:
        while character in merged:
            character = merged[character]
        return character

    for correction in corrections:
        if correction.kind == "name":
            character = nearest(correction.subject["centroid"])
            if character is not None:
                names[final(character)] = correction.value["name"]
        elif correction.kind == "merge":
            source, target = nearest(correction.subject["centroid"]), nearest(correction.value["into"])
            if source is not None and target is not None and final(source) != final(target):
                source, target = final(source), final(target)
                if source in names and target not in names:
                    names[target] = names[source]  # the only name the person gave them
                merged[source] = target
        elif correction.kind in ("scene_status", "scene_add"):
            span = (float(correction.subject["start_ms"]), float(correction.subject["end_ms"]))
            if correction.kind == "scene_add":
                added.append({"start_ms": span[0], "end_ms": span[1], "status": "added"})
                continue
            for scene, other in spans.items():
                if time_iou(span, other) >= params.scene_iou:
                    status[scene] = correction.value["status"]
            for scene in added:
                if time_iou(span, (scene["start_ms"], scene["end_ms"])) >= params.scene_iou:
                    scene["status"] = "added" if correction.value["status"] == "confirmed" else "rejected"
    return Reviewed(
        {c: n for c, n in names.items() if c not in merged}, {c: final(c) for c in merged}, status, added
    )
