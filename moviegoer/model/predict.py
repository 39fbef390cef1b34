"""Apply a trained MCU model to frames from anywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.core.atomic import atomic_file, write_csv
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.logs import native_stderr_silenced
from moviegoer.features.faces import FaceParams
from moviegoer.features.frame import frame_features_table
from moviegoer.model.designs import feature_names, model_frame_shape, model_inputs
from moviegoer.model.inputs import frame_dataset
from moviegoer.model.storage import load_model

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def predict_scores(model: Any, paths: list[str], batch_size: int, face_params: FaceParams) -> np.ndarray:
    """P(MCU) of each frame file, fed to the model as its inputs ask (frames decoded, frame features computed)."""
    if not paths:
        return np.zeros(0)
    inputs = model_inputs(model)
    input_size, channels = model_frame_shape(model) or (0, 0)
    features = None
    if "features" in inputs:
        features = frame_features_table(paths, feature_names(model), face_params)
    dataset = frame_dataset(paths, None, input_size, channels, batch_size, inputs=inputs, features=features)
    return model.predict(dataset, verbose=0).reshape(-1)


@dataclass(frozen=True)
class FolderPredictions:
    table: pd.DataFrame  # path, p_mcu, label: one row per image that decodes
    skipped: list[tuple[Path, str]]  # images that do not decode, and why


def undecodable(path: Path) -> str | None:
    """Why TensorFlow's image decoder (the one prediction uses) cannot read `path`; None when it can."""
    import tensorflow as tf

    try:
        if path.stat().st_size == 0:
            return "empty file (0 bytes)"
        with native_stderr_silenced():  # libjpeg prints its own complaint
            tf.io.decode_image(tf.io.read_file(str(path)), channels=3, expand_animations=False)
    except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError, OSError) as exc:
        message = getattr(exc, "message", str(exc)).splitlines()[0]
        message = re.sub(r"\{\{.*?\}\}\s*", "", message).split(" [Op:")[0].strip()
        return f"not a readable image ({message})"
    return None


def score_feature_rows(model: Any, rows: np.ndarray) -> np.ndarray:
    """P(MCU) from rows of the model's own features (feature_names(model), in that order) already computed (pictures
    held in memory), for a model of a linear design."""
    if "frame" in model_inputs(model):
        raise MoviegoerError(f"model {model.name}: needs the frames themselves, not their features")
    if not len(rows):
        return np.zeros(0)
    # a direct call, not model.predict: predict traces a new graph per batch shape, and warns about it per film
    features = np.asarray(rows, dtype=np.float32)
    if features.shape[1] != len(feature_names(model)):
        raise MoviegoerError(
            f"model {model.name}: takes {len(feature_names(model))} features, got {features.shape[1]}"
        )
    return np.asarray(model(features, training=False)).reshape(-1)


def predict_folder(
    model_path: Path,
    folder: Path,
    threshold: float,
    batch_size: int,
    face_params: FaceParams,
    strict: bool = False,
) -> FolderPredictions:
    """One row per image under `folder`: path, p_mcu, label. An image that does not decode is skipped and listed
    (with `strict`, it is an error instead and nothing is scored)."""
    model = load_model(model_path)
    if not Path(folder).is_dir():
        raise MoviegoerError(f"{folder}: not a folder")
    images = image_files(folder)
    if not images:
        raise MoviegoerError(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) found")
    skipped = [(path, why) for path in images if (why := undecodable(path))]
    if strict and skipped:
        raise MoviegoerError(f"{skipped[0][0]}: {skipped[0][1]} (--strict: nothing scored)")
    unreadable = {path for path, _ in skipped}
    readable = [str(path) for path in images if path not in unreadable]
    scores = predict_scores(model, readable, batch_size, face_params)
    table = pd.DataFrame(
        {
            "path": readable,
            "p_mcu": scores.astype(float),
            "label": np.where(scores >= threshold, "mcu", "non_mcu"),
        }
    )
    return FolderPredictions(table, skipped)


def write_predictions(table: pd.DataFrame, out: Path) -> None:
    if Path(out).suffix.lower() == ".csv":
        write_csv(table, Path(out))
        return
    with atomic_file(Path(out)) as tmp:
        table.to_parquet(tmp, index=False)
