"""The evaluate stage: the trained classifier on the test split. Writes the results (moviegoer.evaluation.results),
the curve data for `dvc plots`, and the pictures a person looks at (curves, confusion matrix, sample grids,
activation maps)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.core.atomic import write_csv, write_png
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.evaluation import results as fmt
from moviegoer.evaluation.metrics import binary_metrics, dummy_baselines, threshold_for_recall
from moviegoer.features.faces import FaceParams
from moviegoer.model.designs import conv_layer_names, model_frame_shape
from moviegoer.model.inputs import FrameSet, load_frame, split_frame_sets
from moviegoer.model.predict import predict_scores
from moviegoer.model.storage import load_model

GRID_SIZE = 12  # frames per sample grid


@dataclass(frozen=True)
class EvaluateParams:
    threshold: float
    target_recall: float  # also report the threshold reaching this recall, and its false positive rate
    batch_size: int

    def __post_init__(self) -> None:
        for key in ("threshold", "target_recall"):
            if not isinstance(getattr(self, key), int | float) or not 0 <= getattr(self, key) <= 1:
                raise ParamsError(key, f"must be a number in [0, 1] (got {getattr(self, key)!r})")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ParamsError("batch_size", f"must be a positive integer (got {self.batch_size!r})")


@dataclass(frozen=True)
class Evaluation:
    result: fmt.EvaluationResult
    predictions: pd.DataFrame
    files: list[Path]


def score_test_set(
    model: Any, design: str, sets: dict[str, FrameSet], params: EvaluateParams, face_params: FaceParams
) -> tuple[fmt.EvaluationResult, np.ndarray]:
    """The result rows (model at the threshold and at the target recall, dummy baselines) and the test scores."""
    test = sets["test"]
    scores = predict_scores(model, test.paths, params.batch_size, face_params)
    y_test = np.array(test.labels)
    at_target = threshold_for_recall(y_test, scores, params.target_recall)
    rows = {
        fmt.MODEL: binary_metrics(y_test, scores, params.threshold),
        fmt.MODEL_AT_TARGET: binary_metrics(y_test, scores, at_target),
        **dummy_baselines(np.array(sets["train"].labels), y_test, seed=0),
    }
    return fmt.EvaluationResult(design, len(test), float(y_test.mean()), rows), scores


def evaluate_model(
    model_path: Path,
    splits_dir: Path,
    history_csv: Path,
    out_dir: Path,
    params: EvaluateParams,
    face_params: FaceParams,
) -> Evaluation:
    model = load_model(model_path)
    sets = split_frame_sets(splits_dir)
    test = sets["test"]
    if not len(test):
        raise MoviegoerError(f"{splits_dir}: the test split is empty")
    design = model.name.removeprefix("mcu_")
    result, scores = score_test_set(model, design, sets, params, face_params)
    y_test = np.array(test.labels)
    predictions = test.table.assign(
        p_mcu=scores, predicted=np.where(scores >= params.threshold, "mcu", "non_mcu")
    )
    out_dir = Path(out_dir)
    files = fmt.write_results(result, out_dir)
    files += _write_plot_data(predictions, y_test, scores, out_dir)
    files += _write_pictures(
        model, predictions, test, history_csv, y_test, scores, result, out_dir / fmt.FIGURES_DIR
    )
    return Evaluation(result, predictions, files)


def _write_plot_data(
    predictions: pd.DataFrame, y_test: np.ndarray, scores: np.ndarray, out_dir: Path
) -> list[Path]:
    from sklearn.metrics import precision_recall_curve, roc_curve

    files = [
        write_csv(
            predictions[["film_id", "frame", "label", "predicted", "p_mcu"]], out_dir / fmt.PREDICTIONS_CSV
        )
    ]
    if len(set(y_test.tolist())) == 2:
        fpr, tpr, thresholds = roc_curve(y_test, scores)
        files.append(
            write_csv(
                pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thresholds, 1.0)}),
                out_dir / fmt.ROC_CSV,
            )
        )
        precision, recall, _ = precision_recall_curve(y_test, scores)
        files.append(
            write_csv(pd.DataFrame({"recall": recall, "precision": precision}), out_dir / fmt.PR_CSV)
        )
    return files


def _write_pictures(
    model: Any,
    predictions: pd.DataFrame,
    test: FrameSet,
    history_csv: Path,
    y_test: np.ndarray,
    scores: np.ndarray,
    result: fmt.EvaluationResult,
    out_dir: Path,
) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from moviegoer.evaluation import figures

    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    if Path(history_csv).exists():
        files.append(
            write_png(figures.training_curves(pd.read_csv(history_csv)), out_dir / fmt.TRAINING_CURVES_PNG)
        )
    files.append(write_png(figures.confusion(result.model), out_dir / fmt.CONFUSION_PNG))
    if len(set(y_test.tolist())) == 2:
        files.append(write_png(figures.roc_pr(y_test, scores, result), out_dir / fmt.ROC_PR_PNG))
    outcome = np.where(
        predictions["label"] == "mcu",
        np.where(predictions["predicted"] == "mcu", "true_positive", "false_negative"),
        np.where(predictions["predicted"] == "mcu", "false_positive", "true_negative"),
    )
    for kind in fmt.OUTCOMES:
        chosen = np.flatnonzero(outcome == kind)
        order = chosen[np.argsort(-np.abs(scores[chosen] - 0.5))][:GRID_SIZE]  # most confident first
        grid = figures.frame_grid([test.paths[i] for i in order], [float(scores[i]) for i in order], kind)
        files.append(write_png(grid, out_dir / fmt.grid_png(kind)))
    frame_shape = model_frame_shape(model)
    if len(test) and frame_shape:
        strongest = int(np.argmax(scores))
        frame = load_frame(test.paths[strongest], *frame_shape).numpy()
        for name in (conv_layer_names(model)[0], conv_layer_names(model)[-1]):
            files.append(
                write_png(figures.activations(model, frame, name), out_dir / fmt.activations_png(name))
            )
    return files
