"""The frame manifest: one row per extracted frame of a film (`data/frames/<film>/manifest.parquet`), its schema,
and readers of one film's or every film's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.paths import FRAMES_DIR, MANIFEST_NAME

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("film_id", pa.string(), nullable=False),
        pa.field("frame", pa.string(), nullable=False),  # JPEG file name inside the film's frames folder
        pa.field("index", pa.int32(), nullable=False),  # position of the frame in the manifest
        pa.field("target_ms", pa.int64(), nullable=False),  # the mark k * interval the frame stands for
        pa.field("t_ms", pa.float64(), nullable=False),  # the frame's own decoded timestamp
        pa.field("width", pa.int32(), nullable=False),
        pa.field("height", pa.int32(), nullable=False),
    ]
)


def read_manifest(frames_dir: Path) -> pa.Table:
    return pq.read_table(Path(frames_dir) / MANIFEST_NAME, schema=MANIFEST_SCHEMA)


def manifest_files(frames_root: Path = FRAMES_DIR) -> list[Path]:
    return sorted(Path(frames_root).glob(f"*/{MANIFEST_NAME}"))


def load_manifests(frames_root: Path = FRAMES_DIR) -> pd.DataFrame:
    """Every extracted frame of every film (MANIFEST_SCHEMA columns); empty with those columns if none."""
    files = manifest_files(frames_root)
    if not files:
        return MANIFEST_SCHEMA.empty_table().to_pandas()
    table = pa.concat_tables(pq.read_table(f, schema=MANIFEST_SCHEMA) for f in files)
    return table.to_pandas()
