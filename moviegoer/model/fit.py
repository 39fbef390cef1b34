"""Fit an MCU classifier: the pure training core, on inputs held anywhere (files through tf.data, or arrays).

The train stage (moviegoer.model.train) and the real-film benchmark both call `fit_model`; neither restates seeding,
normalisation, class weights, the exact solve of the linear designs or early stopping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.model.designs import FEATURES_NORM, LINEAR_DESIGNS, ModelParams, build_model, model_inputs
from moviegoer.model.exact_fit import fit_features_model
from moviegoer.model.inputs import frame_dataset

CLASS_WEIGHTS = ("none", "balanced")
EpochCallback = Callable[[int, dict[str, float]], None]


@dataclass(frozen=True)
class TrainParams(ModelParams):
    epochs: int
    batch_size: int
    patience: int  # early stopping on val_loss
    seed: int
    class_weight: str  # "balanced": weight classes by inverse frequency in train

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
class TrainingData:
    """One side of a fit (train or validation): 0/1 labels (1 = MCU) and what the model's inputs need: `frames`
    as image file paths (decoded through tf.data) or as an array [n, size, size, channels] in [0, 1]; `features`
    as rows of the design's feature_names."""

    labels: np.ndarray
    frames: Sequence[str] | np.ndarray | None = None
    features: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Fitted:
    model: Any
    history: pd.DataFrame  # one row per epoch: epoch, loss, accuracy, auc and their val_ twins


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


def _dataset(model: Any, data: TrainingData, params: TrainParams, shuffle_seed: int | None) -> Any:
    return frame_dataset(
        data.frames if data.frames is not None else [None] * len(data),
        list(np.asarray(data.labels, dtype=int)),
        params.input_size,
        params.channels,
        params.batch_size,
        shuffle_seed,
        model_inputs(model),
        data.features,
    )


def fit_model(
    params: TrainParams, train: TrainingData, val: TrainingData, on_epoch: EpochCallback | None = None
) -> Fitted:
    """A model of `params.design` fitted on `train`. CNNs stop early on `val`'s loss (best weights restored); the
    linear designs are solved exactly (moviegoer.model.exact_fit) in one step."""
    import keras

    if not len(train) or not len(val):
        raise MoviegoerError(f"training needs frames in train and val (train {len(train)}, val {len(val)})")
    seed_everything(params.seed)
    model = build_model(params.model_params())
    if params.uses_features:
        model.get_layer(FEATURES_NORM).adapt(train.features)
    train_set = _dataset(model, train, params, params.seed)
    val_set = _dataset(model, val, params, None)
    weights = class_weights(train.labels, params.class_weight)
    if params.design in LINEAR_DESIGNS:
        fit_features_model(model, train.features, np.asarray(train.labels), params.l2, weights)
        history = {  # solved in one step: the history has one epoch
            **{
                name: [value]
                for name, value in model.evaluate(train_set, verbose=0, return_dict=True).items()
            },
            **{
                f"val_{name}": [value]
                for name, value in model.evaluate(val_set, verbose=0, return_dict=True).items()
            },
        }
    else:
        callbacks = [
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=params.patience, restore_best_weights=True
            )
        ]
        if on_epoch is not None:
            callbacks.append(
                keras.callbacks.LambdaCallback(
                    on_epoch_end=lambda epoch, logs: on_epoch(epoch + 1, dict(logs or {}))
                )
            )
        history = model.fit(
            train_set,
            validation_data=val_set,
            epochs=params.epochs,
            callbacks=callbacks,
            class_weight=weights,
            shuffle=False,  # the dataset shuffles itself, reproducibly
            verbose=0,
        ).history
    table = pd.DataFrame(history)
    table.insert(0, "epoch", range(1, len(table) + 1))
    return Fitted(model, table)
