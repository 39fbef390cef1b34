"""Read the per-film frame manifests written by the extraction stage as one table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.extract import MANIFEST_SCHEMA
from moviegoer.paths import FRAMES_DIR, MANIFEST_NAME


def manifest_files(frames_root: Path = FRAMES_DIR) -> list[Path]:
    return sorted(Path(frames_root).glob(f"*/{MANIFEST_NAME}"))


def load_manifests(frames_root: Path = FRAMES_DIR) -> pd.DataFrame:
    """Every extracted frame of every film (MANIFEST_SCHEMA columns); empty with those columns if none."""
    files = manifest_files(frames_root)
    if not files:
        return MANIFEST_SCHEMA.empty_table().to_pandas()
    table = pa.concat_tables(pq.read_table(f, schema=MANIFEST_SCHEMA) for f in files)
    return table.to_pandas()
