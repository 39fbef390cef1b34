"""The train stage: fit the MCU classifier on the split folders, save it, and log the per-epoch history for
`dvc plots`. File handling only; the fit itself is moviegoer.model.fit."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from moviegoer.core.atomic import write_csv, write_text
from moviegoer.core.errors import MoviegoerError
from moviegoer.features.faces import FaceParams
from moviegoer.features.frame import frame_features_table
from moviegoer.model.fit import EpochCallback, TrainingData, TrainParams, fit_model
from moviegoer.model.inputs import split_frame_sets
from moviegoer.model.storage import save_model


@dataclass(frozen=True)
class TrainResult:
    model_path: Path
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    frames: dict[str, int]


def train_model(
    splits_dir: Path,
    model_path: Path,
    history_path: Path,
    summary_path: Path,
    params: TrainParams,
    face_params: FaceParams,
    on_epoch: EpochCallback | None = None,
) -> TrainResult:
    """Fit on train (stopping on val), then write the model, the history CSV and a JSON summary of the run."""
    started = time.perf_counter()
    sets = split_frame_sets(splits_dir)
    if not len(sets["train"]) or not len(sets["val"]):
        raise MoviegoerError(
            f"{splits_dir}: train and val need frames (train {len(sets['train'])}, val {len(sets['val'])})"
        )

    def features(name: str) -> np.ndarray | None:
        if not params.uses_features:
            return None
        return frame_features_table(
            sets[name].paths, params.feature_names, face_params, f"{name} frame features"
        )

    data = {
        name: TrainingData(labels=sets[name].labels, frames=sets[name].paths, features=features(name))
        for name in ("train", "val")
    }
    fitted = fit_model(params, data["train"], data["val"], on_epoch)
    write_csv(fitted.history, Path(history_path))
    save_model(fitted.model, Path(model_path))
    best = int(fitted.history["val_loss"].idxmin())
    result = TrainResult(
        model_path=Path(model_path),
        epochs_run=len(fitted.history),
        best_epoch=best + 1,
        best_val_loss=float(fitted.history["val_loss"].iloc[best]),
        seconds=round(time.perf_counter() - started, 1),
        frames={name: len(frame_set) for name, frame_set in sets.items()},
    )
    summary = {**asdict(result), "model_path": str(model_path), "design": params.design}
    write_text(Path(summary_path), json.dumps(summary, indent=2) + "\n")
    return result
