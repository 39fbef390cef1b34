"""A real TensorFlow model on real frames: it learns, it reproduces, its metrics and report are right."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from moviegoer.errors import ParamsError
from moviegoer.evaluate import EvaluateParams, evaluate_model
from moviegoer.labels import LabelParams, empty_labels, import_labels, read_csv
from moviegoer.manifests import load_manifests
from moviegoer.metrics import binary_metrics, dummy_baselines, threshold_for_recall
from moviegoer.model import ModelParams, build_model, feature_map_size
from moviegoer.report import SECTIONS, render_report
from moviegoer.split import SplitParams, assign_splits, write_splits
from moviegoer.train import TrainParams, train_model

TINY = TrainParams(design="k4", input_size=64, filters=8, last_filters=16, dense_units=16, epochs=4, batch_size=16,
                   patience=10, seed=7, learning_rate=0.002)  # fmt: skip


def test_k6_is_the_original_architecture() -> None:
    model = build_model(ModelParams())
    convs = [(layer.filters, layer.kernel_size) for layer in model.layers if layer.name.startswith("conv")]
    assert convs == [(64, (3, 3)), (64, (6, 6)), (64, (5, 5)), (64, (4, 4)), (128, (3, 3))]
    assert model.input_shape == (None, 128, 128, 1)
    assert [layer.units for layer in model.layers if layer.name in ("dense", "p_mcu")] == [64, 1]
    assert model.optimizer.__class__.__name__ == "RMSprop"
    assert feature_map_size(128, "k6") == 1 and feature_map_size(128, "k4") > 1
    with pytest.raises(ParamsError, match="input_size"):
        ModelParams(design="k6", input_size=48)


def test_metrics_match_sklearn() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0, 1, 0, 0])
    scores = np.array([0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.3, 0.8, 0.55, 0.05])
    metrics = binary_metrics(y, scores, 0.5)
    predicted = (scores >= 0.5).astype(int)
    assert metrics["recall"] == pytest.approx(recall_score(y, predicted)) == pytest.approx(0.75)
    assert metrics["precision"] == pytest.approx(precision_score(y, predicted))
    assert metrics["false_positive_rate"] == pytest.approx(2 / 6)
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(y, scores))
    assert (metrics["tp"], metrics["fp"], metrics["tn"], metrics["fn"]) == (3, 2, 4, 1)
    threshold = threshold_for_recall(y, scores, 1.0)
    assert threshold == pytest.approx(0.4)
    assert binary_metrics(y, scores, threshold)["recall"] == 1.0
    baselines = dummy_baselines(np.array([0, 0, 0, 1]), y, seed=0)
    assert baselines["dummy_most_frequent"]["recall"] == 0.0
    assert baselines["dummy_most_frequent"]["roc_auc"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def real_splits(real_frames: Path, real_labels_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    labels, _ = import_labels(
        read_csv(real_labels_csv), empty_labels(), load_manifests(real_frames), LabelParams(), "csv"
    )
    out = tmp_path_factory.mktemp("splits") / "splits"
    write_splits(assign_splits(labels, SplitParams(seed=1, imbalance_removal=0.4)), real_frames, out)
    return out


@pytest.mark.slow
def test_training_on_real_frames_lowers_the_loss_and_reproduces(real_splits: Path, tmp_path: Path) -> None:
    first = train_model(real_splits, tmp_path / "a" / "mcu.keras", tmp_path / "a" / "history.csv", TINY)
    history = pd.read_csv(tmp_path / "a" / "history.csv")
    assert first.epochs_run == 4 and len(history) == 4
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert (tmp_path / "a" / "mcu.keras").exists() and (tmp_path / "a" / "train.json").exists()
    train_model(real_splits, tmp_path / "b" / "mcu.keras", tmp_path / "b" / "history.csv", TINY)
    again = pd.read_csv(tmp_path / "b" / "history.csv")
    assert np.allclose(history["val_loss"], again["val_loss"], atol=1e-4)
    # seconds apart, same seed: the same bytes (no save-time stamps), so `dvc repro` reproduces the model file
    assert (tmp_path / "a" / "mcu.keras").read_bytes() == (tmp_path / "b" / "mcu.keras").read_bytes()


@pytest.mark.slow
def test_evaluation_and_report(real_splits: Path, tmp_path: Path) -> None:
    model = tmp_path / "mcu.keras"
    train_model(real_splits, model, tmp_path / "history.csv", TINY)
    evaluation = evaluate_model(
        model, real_splits, tmp_path / "history.csv", tmp_path / "eval", EvaluateParams()
    )
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert {
        "cnn",
        "cnn_at_target_recall",
        "dummy_most_frequent",
        "dummy_stratified",
        "original_research",
    } <= set(metrics)
    predictions = evaluation.predictions
    assert metrics["cnn"]["roc_auc"] == pytest.approx(
        roc_auc_score(predictions["label"] == "mcu", predictions["p_mcu"])
    )
    assert metrics["cnn_at_target_recall"]["recall"] >= 0.81
    figures = {p.name for p in (tmp_path / "eval" / "figures").iterdir()}
    assert {"training_curves.png", "confusion_matrix.png", "roc_pr.png", "grid_false_positive.png"} <= figures
    assert any(name.startswith("activations_conv1") for name in figures)
    report = render_report(
        tmp_path / "eval", tmp_path / "no_eda", tmp_path / "no_docs", tmp_path / "report.html", {}
    )
    page = report.read_text()
    for title, _ in SECTIONS:
        assert f">{title}</h2>" in page
    assert page.count("data:image/png;base64,") >= 8


@pytest.mark.slow
def test_predict_frames_classifies_any_folder(real_splits: Path, real_frames: Path, tmp_path: Path) -> None:
    from tests.conftest import run

    model = tmp_path / "mcu.keras"
    train_model(real_splits, model, tmp_path / "history.csv", TINY)
    folder = real_frames / "joker_teaser"
    out = tmp_path / "predictions.csv"
    result = run(["moviegoer", "predict-frames", str(model), str(folder), "--out", str(out)], tmp_path)
    table = pd.read_csv(out)
    assert len(table) == len(list(folder.glob("*.jpg"))) == 16
    assert list(table.columns) == ["path", "p_mcu", "label"]
    assert table["p_mcu"].between(0, 1).all() and set(table["label"]) <= {"mcu", "non_mcu"}
    assert "16 frames" in result.stdout
    missing = run(
        ["moviegoer", "predict-frames", str(tmp_path / "nope.keras"), str(folder)], tmp_path, check=False
    )
    assert missing.returncode == 1 and "nope.keras: no such model" in missing.stderr
