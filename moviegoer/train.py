"""Train the MCU classifier on the split folders; log the per-epoch history for `dvc plots`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.atomic import write_csv, write_text
from moviegoer.data import frame_dataset, split_frame_sets
from moviegoer.errors import MoviegoerError, ParamsError
from moviegoer.fit_features import fit_features_model
from moviegoer.frame_features import frame_features_table
from moviegoer.model import FEATURES_NORM, ModelParams, build_model, model_inputs
from moviegoer.model_file import save_model

CLASS_WEIGHTS = ("none", "balanced")


@dataclass(frozen=True)
class TrainParams(ModelParams):
    epochs: int = 50
    batch_size: int = 50
    patience: int = 5  # early stopping on val_loss
    seed: int = 42
    class_weight: str = "none"  # "balanced": weight classes by inverse frequency in train

    def __post_init__(self) -> None:
        super().__post_init__()
        for key in ("epochs", "batch_size", "patience"):
            value = getattr(self, key)
            if not isinstance(value, int) or value < (0 if key == "patience" else 1):
                raise ParamsError(key, f"must be a positive integer (got {value!r})")
        if self.class_weight not in CLASS_WEIGHTS:
            raise ParamsError(
                "class_weight", f"must be one of {', '.join(CLASS_WEIGHTS)} (got {self.class_weight!r})"
            )

    def model_params(self) -> ModelParams:
        return ModelParams(**{f.name: getattr(self, f.name) for f in fields(ModelParams)})


@dataclass(frozen=True)
class TrainResult:
    model_path: Path
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    frames: dict[str, int]


def seed_everything(seed: int) -> None:
    """Same seed, same weights, same batches, same numbers (op determinism costs a little speed on CPU)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def class_weights(labels: Sequence[int], mode: str) -> dict[int, float] | None:
    """Per-class weights of the 0/1 training labels: "balanced" weighs each class by its inverse frequency."""
    if mode == "none":
        return None
    positives = int(sum(labels))
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    return {0: len(labels) / (2 * negatives), 1: len(labels) / (2 * positives)}


def _epoch_logger(on_epoch: Callable[[int, dict[str, float]], None] | None) -> list[Any]:
    import keras

    if on_epoch is None:
        return []
    return [
        keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: on_epoch(epoch + 1, dict(logs or {})))
    ]


def train_model(
    splits_dir: Path,
    model_path: Path,
    history_path: Path,
    params: TrainParams = TrainParams(),
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> TrainResult:
    """Fit on train, stop early on val_loss (best weights restored), save the model and the history. The `features`
    design is solved exactly instead (moviegoer.fit_features)."""
    import keras

    started = time.perf_counter()
    sets = split_frame_sets(splits_dir)
    if not len(sets["train"]) or not len(sets["val"]):
        raise MoviegoerError(
            f"{splits_dir}: train and val need frames (train {len(sets['train'])}, val {len(sets['val'])})"
        )
    seed_everything(params.seed)
    model = build_model(params.model_params())
    inputs = model_inputs(model)
    features = {"train": None, "val": None}
    if params.uses_features:
        features = {
            name: frame_features_table(sets[name].paths, f"{name} frame features") for name in features
        }
        model.get_layer(FEATURES_NORM).adapt(features["train"])
    shape = (params.input_size, params.channels, params.batch_size)
    train = frame_dataset(
        sets["train"].paths, sets["train"].labels, *shape, params.seed, inputs, features["train"]
    )
    val = frame_dataset(sets["val"].paths, sets["val"].labels, *shape, None, inputs, features["val"])
    weights = class_weights(sets["train"].labels, params.class_weight)
    if params.design == "features":
        fit_features_model(model, features["train"], np.array(sets["train"].labels), params.l2, weights)
        history = {  # solved in one step: the history has one epoch
            **{name: [value] for name, value in model.evaluate(train, verbose=0, return_dict=True).items()},
            **{
                f"val_{name}": [value]
                for name, value in model.evaluate(val, verbose=0, return_dict=True).items()
            },
        }
    else:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=params.patience, restore_best_weights=True
        )
        history = model.fit(
            train,
            validation_data=val,
            epochs=params.epochs,
            callbacks=[stopper, *_epoch_logger(on_epoch)],
            class_weight=weights,
            shuffle=False,  # the dataset shuffles itself, reproducibly
            verbose=0,
        ).history
    history = pd.DataFrame(history)
    history.insert(0, "epoch", range(1, len(history) + 1))
    write_csv(history, Path(history_path))
    save_model(model, Path(model_path))
    best = int(history["val_loss"].idxmin())
    result = TrainResult(
        model_path=Path(model_path),
        epochs_run=len(history),
        best_epoch=best + 1,
        best_val_loss=float(history["val_loss"].iloc[best]),
        seconds=round(time.perf_counter() - started, 1),
        frames={name: len(frame_set) for name, frame_set in sets.items()},
    )
    summary = {**asdict(result), "model_path": str(model_path), "params": asdict(params)}
    write_text(Path(history_path).with_name("train.json"), json.dumps(summary, indent=2) + "\n")
    return result
