"""The label table behind the app: every write is journaled (appended and fsynced) before it touches the table,
applied through the same code as `moviegoer labels import` (validation, matching the frame, merging), written
atomically, and only then acknowledged; a kill at any moment loses at most the write in flight, and the next start
replays it. Last write per frame wins; a write made on top of a state its writer had not seen is reported to them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.core.errors import MoviegoerError
from moviegoer.core.journal import journal_of, journal_records, journaled
from moviegoer.dataset import labels as lab


@dataclass(frozen=True)
class LabelWrite:
    """One request to set (label "mcu"/"non_mcu") or clear (label None) a frame's label."""

    film_id: str
    frame: str
    label: str | None
    sure: bool | None
    labeled_by: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LabelWrite | None:
        try:
            return cls(**record)
        except TypeError:
            return None


def state_of(row: pd.Series | None) -> dict[str, Any] | None:
    """What a client sees of a frame's label: enough to tell whether someone else changed it since."""
    if row is None:
        return None
    return {
        "label": row["label"],
        "sure": None if pd.isna(row["sure"]) else bool(row["sure"]),
        "labeled_by": row["labeled_by"],
        "labeled_at": pd.Timestamp(row["labeled_at"]).isoformat(),
    }


class LabelStore:
    """The label table in memory and on disk, one writer at a time."""

    def __init__(self, path: Path, manifests: pd.DataFrame, params: lab.LabelParams) -> None:
        self.path = Path(path)
        self.journal = journal_of(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.manifests = manifests
        self.params = params
        self.lock = threading.Lock()
        self.table = lab.typed(lab.read_labels(self.path))
        self.replayed = self._replay()

    def _replay(self) -> int:
        """Apply what a killed server journaled but may not have written."""
        if not self.journal.exists():
            return 0
        writes = [
            write for record in journal_records(self.journal) if (write := LabelWrite.from_record(record))
        ]
        for write in writes:
            try:
                self.table = self._applied(self.table, write)
            except MoviegoerError:
                continue  # its frame is gone since (re-extracted films): nothing to apply it to
        if writes:
            lab.write_labels(self.table, self.path)
        self.journal.unlink()
        return len(writes)

    def current(self, film_id: str, frame: str) -> pd.Series | None:
        rows = self.table[(self.table["film_id"] == film_id) & (self.table["frame"] == frame)]
        return None if rows.empty else rows.iloc[0]

    def _applied(self, table: pd.DataFrame, write: LabelWrite) -> pd.DataFrame:
        if write.label is None:
            return lab.typed(lab.drop_label(table, write.film_id, write.frame))
        candidate = pd.DataFrame([{
            "film_id": write.film_id, "frame": write.frame, "t_ms": 0.0, "label": write.label,
            "sure": write.sure, "note": None, "labeled_by": write.labeled_by,
        }])  # fmt: skip
        new, report = lab.import_labels(
            candidate, table, self.manifests, self.params, "labelling app", overwrite=True
        )
        problems = report.invalid.examples + report.unmatched.examples
        if problems:
            raise MoviegoerError(f"{write.film_id}/{write.frame}: {problems[0]}")
        return new

    def write(self, write: LabelWrite, seen: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
        """Apply `write`; returns the frame's new state and, when the frame had changed since the writer last saw it
        (`seen`), the state the write replaced (the conflict to report)."""
        with self.lock:
            before = state_of(self.current(write.film_id, write.frame))
            table = self._applied(self.table, write)  # validates before anything is journaled
            journaled(self.journal, write.__dict__, lambda: lab.write_labels(table, self.path))
            self.table = table
            after = state_of(self.current(write.film_id, write.frame))
        return after, (before if before != seen else None)
