"""The analysis tables of a film (`data/analysis/<film>/`) with their explicit schemas, so an empty table (a film
with no faces) reads back with the same columns and types as a full one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.errors import MoviegoerError

SHOTS = "shots.parquet"
SAMPLES = "samples.parquet"
FACES = "faces.parquet"
CHARACTERS = "characters.parquet"
THUMBS = "thumbs"  # thumbs/shot_0001.jpg: a picture of each shot
PORTRAITS = "characters"  # characters/character_01.jpg: a face of each character

_FILM = pa.field("film_id", pa.string(), nullable=False)
SCHEMAS = {
    SHOTS: pa.schema([
        _FILM, pa.field("shot", pa.int32()), pa.field("start_ms", pa.float64()), pa.field("end_ms", pa.float64()),
        pa.field("start_frame", pa.int64()), pa.field("end_frame", pa.int64()),
        pa.field("p_mcu", pa.float64()),  # the highest MCU probability of the shot's sample frames
        pa.field("face_height", pa.float64()),  # the largest face's height share: a shot-scale hint
        pa.field("character", pa.int32()),  # the character with most faces in the shot, -1 for none
        pa.field("setup", pa.int32()),  # the camera setup: shots from one camera position in a stretch of film
        pa.field("signature", pa.list_(pa.float32())),  # colour + layout of its samples (analysis.setups)
    ]),
    SAMPLES: pa.schema([
        _FILM, pa.field("shot", pa.int32()), pa.field("frame_index", pa.int64()), pa.field("t_ms", pa.float64()),
        pa.field("faces", pa.int32()), pa.field("face_height", pa.float64()), pa.field("p_mcu", pa.float64()),
    ]),
    FACES: pa.schema([
        _FILM, pa.field("shot", pa.int32()), pa.field("frame_index", pa.int64()), pa.field("t_ms", pa.float64()),
        pa.field("face", pa.int32()),  # 0 = the largest face of its frame
        # box, eyes and nose as fractions of the picture (letterbox cut off)
        pa.field("x", pa.float64()), pa.field("y", pa.float64()), pa.field("width", pa.float64()),
        pa.field("height", pa.float64()), pa.field("confidence", pa.float64()),
        pa.field("left_eye_x", pa.float64()), pa.field("left_eye_y", pa.float64()),
        pa.field("right_eye_x", pa.float64()), pa.field("right_eye_y", pa.float64()),
        pa.field("nose_x", pa.float64()), pa.field("nose_y", pa.float64()),
        pa.field("embedding", pa.list_(pa.float32())),  # dlib's 128-D identity; null for faces too small
        pa.field("character", pa.int32()),  # -1: not identified or not assigned
    ]),
    CHARACTERS: pa.schema([
        _FILM, pa.field("character", pa.int32()), pa.field("faces", pa.int32()), pa.field("shots", pa.int32()),
        pa.field("first_ms", pa.float64()),
    ]),
}  # fmt: skip


def typed_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """`frame` as an Arrow table of exactly `schema` (its columns, in order, with its types)."""
    return pa.Table.from_pandas(
        frame[schema.names], schema=schema, preserve_index=False
    ).replace_schema_metadata(None)


def read_typed(path: Path, schema: pa.Schema, what: str) -> pd.DataFrame:
    """A Parquet table read as `schema`; anything else is one line saying it is not `what`."""
    try:
        return pq.read_table(path, schema=schema).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise MoviegoerError(f"{path}: not {what}") from exc


def to_arrow(name: str, table: pd.DataFrame, film_id: str) -> pa.Table:
    return typed_arrow(table.assign(film_id=film_id), SCHEMAS[name])


def read_table(folder: Path, name: str) -> pd.DataFrame:
    return read_typed(Path(folder) / name, SCHEMAS[name], "an analysis table (run `moviegoer analyze` first)")
