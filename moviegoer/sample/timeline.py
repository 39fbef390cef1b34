"""The sample's ground truth: one row per shot (type, characters, scene, dialogue flag, camera setup), and what
follows from it: which shot covers a time, the MCU label of any extracted frame, and the time span of each dialogue
scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError
from moviegoer.sample.plan import MCU_SHOT_TYPES, FilmPlan

TIMELINE_NAME = "timeline.parquet"
TIMELINE_SCHEMA = pa.schema(
    [
        pa.field("film_id", pa.string(), nullable=False),
        pa.field("start_ms", pa.int64(), nullable=False),
        pa.field("end_ms", pa.int64(), nullable=False),
        pa.field("shot_type", pa.string(), nullable=False),
        pa.field("characters", pa.list_(pa.string()), nullable=False),
        pa.field("scene_id", pa.int32(), nullable=False),
        pa.field("is_dialogue", pa.bool_(), nullable=False),
        pa.field("setup", pa.int32(), nullable=False),  # the camera setup, numbered per film
    ]
)


def timeline_table(plans: list[FilmPlan]) -> pa.Table:
    """The ground truth: one row per shot, contiguous, covering each film from 0 to its end."""
    shots = [(p.film_id, s) for p in plans for s in p.shots]
    return pa.Table.from_pydict(
        {
            "film_id": [f for f, _ in shots],
            "start_ms": [s.start_ms for _, s in shots],
            "end_ms": [s.end_ms for _, s in shots],
            "shot_type": [s.shot_type for _, s in shots],
            "characters": [list(s.characters) for _, s in shots],
            "scene_id": [s.scene_id for _, s in shots],
            "is_dialogue": [s.is_dialogue for _, s in shots],
            "setup": [s.setup for _, s in shots],
        },
        schema=TIMELINE_SCHEMA,
    )


def write_timeline(table: pa.Table, path: Path) -> None:
    with atomic_file(Path(path)) as tmp:
        pq.write_table(table, tmp)


def read_timeline(path: Path) -> pd.DataFrame:
    """A timeline.parquet as written by `moviegoer sample`, or a one-line error saying why it is not one."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise MoviegoerError(f"{path}: not a sample timeline (cannot read it as Parquet)") from exc
    missing = [name for name in TIMELINE_SCHEMA.names if name not in table.column_names]
    if missing:
        raise MoviegoerError(f"{path}: not a sample timeline (missing column(s) {', '.join(missing)})")
    return table.select(TIMELINE_SCHEMA.names).to_pandas()


def shots_at(timeline: pd.DataFrame, film_id: str, t_ms: np.ndarray) -> pd.DataFrame:
    """For each time of `t_ms`, the film's shot covering it (start_ms <= t < end_ms), one row per time in order;
    rows of times no shot covers are all missing values."""
    shots = timeline[timeline["film_id"] == film_id].sort_values("start_ms").reset_index(drop=True)
    times = np.asarray(t_ms, dtype=float)
    position = shots["start_ms"].searchsorted(times, side="right") - 1
    found = shots.reindex(position).reset_index(drop=True)
    covered = (position >= 0) & (times < found["end_ms"].to_numpy(dtype=float, na_value=-np.inf))
    return found.where(pd.Series(covered))


def shot_at(timeline: pd.DataFrame, film_id: str, t_ms: float) -> pd.Series:
    """The timeline row covering t_ms (start_ms <= t_ms < end_ms) of a film."""
    row = shots_at(timeline, film_id, np.array([t_ms])).iloc[0]
    if row.isna().all():
        raise KeyError(f"no shot of {film_id!r} covers t={t_ms} ms")
    return row


def timeline_labels(timeline: pd.DataFrame, manifests: pd.DataFrame, labeled_by: str) -> pd.DataFrame:
    """Label candidates (film_id, t_ms, label, frame, note, sure, labeled_by) for every extracted frame of a sample
    film: mcu when the shot it falls in is of an MCU type (the shot type goes into the note)."""
    parts = []
    for film_id, frames in manifests[manifests["film_id"].isin(set(timeline["film_id"]))].groupby("film_id"):
        shot_type = shots_at(timeline, str(film_id), frames["t_ms"].to_numpy())["shot_type"].to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "film_id": film_id,
                    "t_ms": frames["t_ms"].to_numpy(),
                    "label": np.where(pd.Series(shot_type).isin(MCU_SHOT_TYPES), "mcu", "non_mcu"),
                    "frame": frames["frame"].to_numpy(),
                    "note": shot_type,
                }
            )
        )
    columns = ["film_id", "t_ms", "label", "frame", "note"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    table["sure"], table["labeled_by"] = True, labeled_by
    return table


def dialogue_spans(timeline: pd.DataFrame) -> list[tuple[float, float]]:
    """(start_ms, end_ms) of each dialogue scene of one film's timeline, in time order."""
    dialogue = (
        timeline[timeline["is_dialogue"]]
        .groupby("scene_id")
        .agg(start=("start_ms", "min"), end=("end_ms", "max"))
    )
    return [(float(start), float(end)) for start, end in dialogue.sort_values("start").to_numpy()]
