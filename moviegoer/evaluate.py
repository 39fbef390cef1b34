"""Evaluate the trained classifier on the test split: metrics JSON for `dvc metrics`, curve data for `dvc plots`,
and the pictures a person looks at (curves, confusion matrix, sample grids, activation maps)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.atomic import write_csv, write_png, write_text
from moviegoer.data import FrameSet, frame_dataset, load_frame, split_frame_sets
from moviegoer.errors import MoviegoerError, ParamsError
from moviegoer.frame_features import frame_features_table
from moviegoer.metrics import binary_metrics, dummy_baselines, threshold_for_recall
from moviegoer.model import conv_layer_names, model_frame_shape, model_inputs

ORIGINAL_RESEARCH = {"recall": 0.81, "false_positive_rate": 0.30}  # mixed split; 0.75 / 0.28 on unseen films
GRID_SIZE = 12  # frames per sample grid
FIGURES = "figures"  # subfolder of the evaluation folder with the PNGs


@dataclass(frozen=True)
class EvaluateParams:
    threshold: float = 0.5
    target_recall: float = 0.81  # also report the threshold reaching this recall, and its false positive rate
    batch_size: int = 64

    def __post_init__(self) -> None:
        for key in ("threshold", "target_recall"):
            if not 0 <= getattr(self, key) <= 1:
                raise ParamsError(key, f"must be in [0, 1] (got {getattr(self, key)!r})")


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, Any]
    predictions: pd.DataFrame
    files: list[Path]


def predict_scores(model: Any, paths: list[str], batch_size: int) -> np.ndarray:
    """P(MCU) of each frame file, fed to the model as its inputs ask (frames decoded, frame features computed)."""
    if not paths:
        return np.zeros(0)
    inputs = model_inputs(model)
    input_size, channels = model_frame_shape(model) or (0, 0)
    features = frame_features_table(paths) if "features" in inputs else None
    dataset = frame_dataset(paths, None, input_size, channels, batch_size, inputs=inputs, features=features)
    return model.predict(dataset, verbose=0).reshape(-1)


def evaluate_model(
    model_path: Path, splits_dir: Path, history_csv: Path, out_dir: Path, params: EvaluateParams
) -> Evaluation:
    import keras

    if not Path(model_path).exists():
        raise MoviegoerError(f"{model_path}: no such model (run the train stage first)")
    model = keras.models.load_model(model_path, compile=False)  # predicting needs no optimizer
    sets = split_frame_sets(splits_dir)
    test = sets["test"]
    if not len(test):
        raise MoviegoerError(f"{splits_dir}: the test split is empty")
    scores = predict_scores(model, test.paths, params.batch_size)
    y_test = np.array(test.labels)
    at_target = threshold_for_recall(y_test, scores, params.target_recall)
    metrics = {
        "cnn": binary_metrics(y_test, scores, params.threshold),
        "cnn_at_target_recall": binary_metrics(y_test, scores, at_target),
        **dummy_baselines(np.array(sets["train"].labels), y_test, seed=0),
        "original_research": ORIGINAL_RESEARCH,
        "test_frames": len(test),
        "test_mcu_share": float(y_test.mean()),
    }
    predictions = test.table.assign(
        p_mcu=scores, predicted=np.where(scores >= params.threshold, "mcu", "non_mcu")
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text(out_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    files = [out_dir / "metrics.json", *_write_plot_data(predictions, y_test, scores, out_dir)]
    figures = out_dir / FIGURES
    figures.mkdir(exist_ok=True)
    files += _write_pictures(model, predictions, test, history_csv, y_test, scores, metrics, figures)
    return Evaluation(metrics, predictions, files)


def _write_plot_data(
    predictions: pd.DataFrame, y_test: np.ndarray, scores: np.ndarray, out_dir: Path
) -> list[Path]:
    from sklearn.metrics import precision_recall_curve, roc_curve

    files = [
        write_csv(
            predictions[["film_id", "frame", "label", "predicted", "p_mcu"]], out_dir / "predictions.csv"
        )
    ]
    if len(set(y_test.tolist())) == 2:
        fpr, tpr, thresholds = roc_curve(y_test, scores)
        files.append(
            write_csv(
                pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thresholds, 1.0)}),
                out_dir / "roc.csv",
            )
        )
        precision, recall, _ = precision_recall_curve(y_test, scores)
        files.append(write_csv(pd.DataFrame({"recall": recall, "precision": precision}), out_dir / "pr.csv"))
    return files


def _write_pictures(
    model: Any,
    predictions: pd.DataFrame,
    test: FrameSet,
    history_csv: Path,
    y_test: np.ndarray,
    scores: np.ndarray,
    metrics: dict[str, Any],
    out_dir: Path,
) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from moviegoer import report_plots as plots

    files = []
    if Path(history_csv).exists():
        files.append(
            write_png(plots.training_curves(pd.read_csv(history_csv)), out_dir / "training_curves.png")
        )
    files.append(write_png(plots.confusion(metrics["cnn"]), out_dir / "confusion_matrix.png"))
    if len(set(y_test.tolist())) == 2:
        files.append(write_png(plots.roc_pr(y_test, scores, metrics), out_dir / "roc_pr.png"))
    outcome = np.where(
        predictions["label"] == "mcu",
        np.where(predictions["predicted"] == "mcu", "true_positive", "false_negative"),
        np.where(predictions["predicted"] == "mcu", "false_positive", "true_negative"),
    )
    for kind in ("true_positive", "false_positive", "false_negative", "true_negative"):
        chosen = np.flatnonzero(outcome == kind)
        order = chosen[np.argsort(-np.abs(scores[chosen] - 0.5))][:GRID_SIZE]  # most confident first
        grid = plots.frame_grid([test.paths[i] for i in order], [float(scores[i]) for i in order], kind)
        files.append(write_png(grid, out_dir / f"grid_{kind}.png"))
    frame_shape = model_frame_shape(model)
    if len(test) and frame_shape:
        strongest = int(np.argmax(scores))
        frame = load_frame(test.paths[strongest], *frame_shape).numpy()
        for name in (conv_layer_names(model)[0], conv_layer_names(model)[-1]):
            files.append(
                write_png(plots.activations(model, frame, name), out_dir / f"activations_{name}.png")
            )
    return files
