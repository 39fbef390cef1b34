"""Apply a trained MCU model to frames from anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.core.atomic import atomic_file, write_csv
from moviegoer.core.errors import MoviegoerError
from moviegoer.features.frame import frame_features_table
from moviegoer.model.designs import model_frame_shape, model_inputs
from moviegoer.model.inputs import frame_dataset
from moviegoer.model.storage import load_model

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def predict_scores(model: Any, paths: list[str], batch_size: int) -> np.ndarray:
    """P(MCU) of each frame file, fed to the model as its inputs ask (frames decoded, frame features computed)."""
    if not paths:
        return np.zeros(0)
    inputs = model_inputs(model)
    input_size, channels = model_frame_shape(model) or (0, 0)
    features = frame_features_table(paths) if "features" in inputs else None
    dataset = frame_dataset(paths, None, input_size, channels, batch_size, inputs=inputs, features=features)
    return model.predict(dataset, verbose=0).reshape(-1)


def predict_folder(
    model_path: Path, folder: Path, threshold: float = 0.5, batch_size: int = 64
) -> pd.DataFrame:
    """One row per image under `folder`: path, p_mcu, label."""
    model = load_model(model_path)
    if not Path(folder).is_dir():
        raise MoviegoerError(f"{folder}: not a folder")
    images = image_files(folder)
    if not images:
        raise MoviegoerError(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) found")
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
