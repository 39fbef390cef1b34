"""Matplotlib figures of an evaluation: training curves, confusion matrix, ROC/PR, frame grids, activation maps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from moviegoer.evaluation.results import ORIGINAL_RESEARCH, EvaluationResult


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def training_curves(history: pd.DataFrame) -> Any:
    figure, axes = _plt().subplots(1, 2, figsize=(10, 3.6))
    for axis, metric in zip(axes, ("loss", "accuracy"), strict=True):
        if metric in history:
            axis.plot(history["epoch"], history[metric], marker="o", label="train")
        if f"val_{metric}" in history:
            axis.plot(history["epoch"], history[f"val_{metric}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_title(metric)
        axis.legend()
    best = int(history["val_loss"].idxmin()) if "val_loss" in history else None
    if best is not None:
        axes[0].axvline(history["epoch"].iloc[best], color="grey", linestyle=":", label="best")
    figure.tight_layout()
    return figure


def confusion(metrics: dict[str, Any]) -> Any:
    matrix = np.array([[metrics["tn"], metrics["fp"]], [metrics["fn"], metrics["tp"]]])
    figure, axis = _plt().subplots(figsize=(4, 3.6))
    axis.imshow(matrix, cmap="Blues")
    for (row, col), value in np.ndenumerate(matrix):
        axis.text(col, row, str(value), ha="center", va="center", fontsize=14,
                  color="white" if value > matrix.max() / 2 else "black")  # fmt: skip
    axis.set_xticks([0, 1], ["non_mcu", "mcu"])
    axis.set_yticks([0, 1], ["non_mcu", "mcu"])
    axis.set_xlabel("predicted")
    axis.set_ylabel("actual")
    axis.set_title(f"threshold {metrics['threshold']:.2f}")
    return figure


def roc_pr(y_true: np.ndarray, scores: np.ndarray, result: EvaluationResult) -> Any:
    from sklearn.metrics import precision_recall_curve, roc_curve

    model = result.model
    figure, (roc_axis, pr_axis) = _plt().subplots(1, 2, figsize=(10, 4))
    fpr, tpr, _ = roc_curve(y_true, scores)
    roc_axis.plot(fpr, tpr, label=f"{result.design} (AUC {model['roc_auc']:.2f})")
    roc_axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
    original = ORIGINAL_RESEARCH
    roc_axis.scatter([original["false_positive_rate"]], [original["recall"]], color="black", zorder=3,
                     label=f"original research ({original['recall']:.0%} / {original['false_positive_rate']:.0%})")  # fmt: skip
    roc_axis.scatter([model["false_positive_rate"]], [model["recall"]], color="red", zorder=3,
                     label=f"{result.design} at threshold {model['threshold']:.2f}")  # fmt: skip
    roc_axis.set_xlabel("false positive rate")
    roc_axis.set_ylabel("recall (true positive rate)")
    roc_axis.set_title("ROC")
    roc_axis.legend(loc="lower right", fontsize=8)
    precision, recall, _ = precision_recall_curve(y_true, scores)
    pr_axis.plot(recall, precision, label=f"{result.design} (AP {model['pr_auc']:.2f})")
    pr_axis.axhline(float(np.mean(y_true)), color="grey", linestyle=":", label="chance (MCU share)")
    pr_axis.set_xlabel("recall")
    pr_axis.set_ylabel("precision")
    pr_axis.set_title("precision / recall")
    pr_axis.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    return figure


def frame_grid(paths: list[str], scores: list[float], title: str, columns: int = 6) -> Any:
    import matplotlib.image as mpimg

    rows = max(1, -(-len(paths) // columns))
    figure, axes = _plt().subplots(rows, columns, figsize=(2.2 * columns, 1.4 * rows + 0.5), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, path, score in zip(axes.ravel(), paths, scores, strict=False):
        axis.imshow(mpimg.imread(path))
        axis.set_title(f"p(MCU) {score:.2f}", fontsize=8)
    figure.suptitle(
        f"{title.replace('_', ' ')}s ({len(paths)} shown)" if paths else f"no {title.replace('_', ' ')}s"
    )
    figure.tight_layout()
    return figure


def activations(model: Any, frame: np.ndarray, layer_name: str, maps: int = 16) -> Any:
    """The first `maps` feature maps a conv layer computes for one frame, beside the frame itself."""
    import keras

    probe = keras.Model(model.get_layer("frame").output, model.get_layer(layer_name).output)
    output = probe.predict(frame[None], verbose=0)[0]
    count = min(maps, output.shape[-1])
    columns = 6
    rows = -(-(count + 1) // columns)
    figure, axes = _plt().subplots(rows, columns, figsize=(2 * columns, 2 * rows), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    axes[0, 0].imshow(frame.squeeze(), cmap="gray" if frame.shape[-1] == 1 else None)
    axes[0, 0].set_title("input", fontsize=8)
    for index in range(count):
        axis = axes.ravel()[index + 1]
        axis.imshow(output[..., index], cmap="magma")
        axis.set_title(f"map {index}", fontsize=8)
    figure.suptitle(f"activations of {layer_name}")
    figure.tight_layout()
    return figure
