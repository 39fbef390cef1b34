"""Apply a trained MCU model to frames from anywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moviegoer.atomic import atomic_file, write_csv
from moviegoer.errors import MoviegoerError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def predict_folder(
    model_path: Path, folder: Path, threshold: float = 0.5, batch_size: int = 64
) -> pd.DataFrame:
    """One row per image under `folder`: path, p_mcu, label."""
    import keras

    from moviegoer.evaluate import predict_scores

    if not Path(model_path).exists():
        raise MoviegoerError(f"{model_path}: no such model")
    if not Path(folder).is_dir():
        raise MoviegoerError(f"{folder}: not a folder")
    images = image_files(folder)
    if not images:
        raise MoviegoerError(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) found")
    model = keras.models.load_model(model_path, compile=False)  # predicting needs no optimizer
    scores = predict_scores(model, [str(p) for p in images], batch_size)
    return pd.DataFrame(
        {
            "path": [str(p) for p in images],
            "p_mcu": scores.astype(float),
            "label": np.where(scores >= threshold, "mcu", "non_mcu"),
        }
    )


def write_predictions(table: pd.DataFrame, out: Path) -> None:
    if Path(out).suffix.lower() == ".csv":
        write_csv(table, Path(out))
        return
    with atomic_file(Path(out)) as tmp:
        table.to_parquet(tmp, index=False)
