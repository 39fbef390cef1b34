"""A real TensorFlow model on real frames: it learns, it reproduces, its metrics and report are right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moviegoer.core.errors import ParamsError
from moviegoer.dataset.labels import LabelParams, empty_labels, import_labels, read_csv
from moviegoer.dataset.manifest import load_manifests
from moviegoer.dataset.split import SplitParams, assign_splits, write_splits
from moviegoer.evaluation.evaluate import EvaluateParams, evaluate_model
from moviegoer.evaluation.metrics import binary_metrics, dummy_baselines, threshold_for_recall
from moviegoer.evaluation.report import SECTIONS, render_report
from moviegoer.evaluation.results import HEADLINE, read_results
from moviegoer.features.faces import FaceParams
from moviegoer.model.designs import build_model, feature_map_size
from moviegoer.model.fit import TrainParams
from moviegoer.model.train import train_model
from tests.conftest import PROJECT_ROOT, project_params

FACE_PARAMS = project_params(FaceParams, "faces")

PARAMS = str(PROJECT_ROOT / "params.yaml")

TINY = project_params(TrainParams, "train", design="k4", input_size=64, filters=8, last_filters=16, dense_units=16, epochs=4, batch_size=16,
                   patience=10, seed=7, learning_rate=0.002)  # fmt: skip


def test_k6_is_the_original_architecture() -> None:
    model = build_model(project_params(TrainParams, "train", design="k6"))
    convs = [(layer.filters, layer.kernel_size) for layer in model.layers if layer.name.startswith("conv")]
    assert convs == [(64, (3, 3)), (64, (6, 6)), (64, (5, 5)), (64, (4, 4)), (128, (3, 3))]
    assert model.input_shape == (None, 128, 128, 1)
    assert [layer.units for layer in model.layers if layer.name in ("dense", "p_mcu")] == [64, 1]
    assert model.optimizer.__class__.__name__ == "RMSprop"
    assert feature_map_size(128, "k6") == 1 and feature_map_size(128, "k4") > 1
    with pytest.raises(ParamsError, match="input_size"):
        project_params(TrainParams, "train", design="k6", input_size=48)


def test_metrics_known_answers() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0, 1, 0, 0])
    scores = np.array([0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.3, 0.8, 0.55, 0.05])
    metrics = binary_metrics(y, scores, 0.5)
    # at 0.5: positives 0.9, 0.6, 0.8 found, 0.4 missed; negatives 0.7 and 0.55 taken for MCUs
    assert (metrics["tp"], metrics["fp"], metrics["tn"], metrics["fn"]) == (3, 2, 4, 1)
    assert metrics["recall"] == pytest.approx(3 / 4)
    assert metrics["false_positive_rate"] == pytest.approx(2 / 6)
    assert metrics["precision"] == pytest.approx(3 / 5)
    assert metrics["accuracy"] == pytest.approx(7 / 10)
    assert metrics["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert metrics["roc_auc"] == pytest.approx(21 / 24)  # 21 of the 24 positive/negative pairs ranked right
    assert metrics["pr_auc"] == pytest.approx(
        (1 + 1 + 3 / 4 + 4 / 6) / 4
    )  # precision at each positive's rank
    assert threshold_for_recall(y, scores, 1.0) == pytest.approx(0.4)  # the lowest-scored positive
    assert threshold_for_recall(y, scores, 0.75) == pytest.approx(0.6)
    baselines = dummy_baselines(np.array([0, 0, 0, 1]), y, seed=0)
    assert baselines["dummy_most_frequent"]["recall"] == 0.0
    assert baselines["dummy_most_frequent"]["false_positive_rate"] == 0.0
    assert baselines["dummy_most_frequent"]["roc_auc"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def real_splits(real_frames: Path, real_labels_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    labels, _ = import_labels(
        read_csv(real_labels_csv),
        empty_labels(),
        load_manifests(real_frames),
        project_params(LabelParams, "labels"),
        "csv",
    )
    out = tmp_path_factory.mktemp("splits") / "splits"
    write_splits(
        assign_splits(labels, project_params(SplitParams, "split", seed=1, imbalance_removal=0.4)),
        real_frames,
        out,
    )
    return out


@pytest.mark.slow
def test_training_on_real_frames_lowers_the_loss_and_reproduces(real_splits: Path, tmp_path: Path) -> None:
    first = train_model(
        real_splits,
        tmp_path / "a" / "mcu.keras",
        tmp_path / "a" / "history.csv",
        tmp_path / "a" / "train.json",
        TINY,
        FACE_PARAMS,
    )
    history = pd.read_csv(tmp_path / "a" / "history.csv")
    assert first.epochs_run == 4 and len(history) == 4
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert (tmp_path / "a" / "mcu.keras").exists() and (tmp_path / "a" / "train.json").exists()
    train_model(
        real_splits,
        tmp_path / "b" / "mcu.keras",
        tmp_path / "b" / "history.csv",
        tmp_path / "b" / "train.json",
        TINY,
        FACE_PARAMS,
    )
    again = pd.read_csv(tmp_path / "b" / "history.csv")
    assert np.allclose(history["val_loss"], again["val_loss"], atol=1e-4)
    # seconds apart, same seed: the same bytes (no save-time stamps, no memory addresses of the shared L2
    # regulariser), so `dvc repro` reproduces the model file
    assert (tmp_path / "a" / "mcu.keras").read_bytes() == (tmp_path / "b" / "mcu.keras").read_bytes()


@pytest.mark.slow
def test_evaluation_and_report(real_splits: Path, tmp_path: Path) -> None:
    model = tmp_path / "mcu.keras"
    train_model(real_splits, model, tmp_path / "history.csv", tmp_path / "train.json", TINY, FACE_PARAMS)
    evaluation = evaluate_model(
        model,
        real_splits,
        tmp_path / "history.csv",
        tmp_path / "eval",
        project_params(EvaluateParams, "evaluate"),
        FACE_PARAMS,
    )
    result = read_results(tmp_path / "eval")
    assert result == evaluation.result and result.design == "k4"
    assert set(result.rows) == {"model", "model_at_target_recall", "dummy_most_frequent", "dummy_stratified",
                                "dummy_uniform"}  # fmt: skip
    predictions = evaluation.predictions
    actual, predicted = predictions["label"] == "mcu", predictions["predicted"] == "mcu"
    counted = {
        "tp": actual & predicted,
        "fp": ~actual & predicted,
        "tn": ~actual & ~predicted,
        "fn": actual & ~predicted,
    }
    assert {key: int(value.sum()) for key, value in counted.items()} == {
        key: result.model[key] for key in counted
    }
    assert result.test_frames == len(predictions)
    for row in result.rows:  # `dvc metrics show` files: the headline numbers of each row, nothing else
        headline = json.loads((tmp_path / "eval" / "metrics" / f"{row}.json").read_text())
        assert headline == {key: result.rows[row][key] for key in HEADLINE} | {
            "test_frames": result.test_frames
        }
    figures = {p.name for p in (tmp_path / "eval" / "figures").iterdir()}
    assert {"training_curves.png", "confusion_matrix.png", "roc_pr.png", "grid_false_positive.png"} <= figures
    assert any(name.startswith("activations_conv1") for name in figures)
    report = render_report(
        tmp_path / "eval", tmp_path / "no_eda", tmp_path / "no_docs", tmp_path / "report.html", {}
    )
    page = report.read_text()
    for title, _ in SECTIONS:
        assert f">{title}</h2>" in page
    row = re.search(r'<tr class="model"><td>model \(k4\)</td>(.*?)</tr>', page)
    shown = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert shown[: len(HEADLINE)] == [f"{result.model[key]:.3f}" for key in HEADLINE]
    assert f"finds <b>{result.model['recall']:.0%}</b> of the MCUs" in page


@pytest.mark.slow
def test_predict_frames_classifies_any_folder(real_splits: Path, real_frames: Path, tmp_path: Path) -> None:
    from tests.conftest import run

    model = tmp_path / "mcu.keras"
    train_model(real_splits, model, tmp_path / "history.csv", tmp_path / "train.json", TINY, FACE_PARAMS)
    folder = real_frames / "joker_teaser"
    out = tmp_path / "predictions.csv"
    result = run(
        ["moviegoer", "predict-frames", str(model), str(folder), "--out", str(out), "--params", PARAMS],
        tmp_path,
    )
    table = pd.read_csv(out)
    assert len(table) == len(list(folder.glob("*.jpg"))) == 16
    assert list(table.columns) == ["path", "p_mcu", "label"]
    assert table["p_mcu"].between(0, 1).all() and set(table["label"]) <= {"mcu", "non_mcu"}
    assert "16 frames" in result.stdout
    native_logs = re.compile(r"^[IWE]\d{4} |absl::InitializeLog|oneDNN", re.M)  # TensorFlow's C++ logging
    assert not native_logs.search(result.stderr), result.stderr
    verbose = run(
        [
            "moviegoer",
            "--verbose",
            "predict-frames",
            str(model),
            str(folder),
            "--out",
            str(out),
            "--params",
            PARAMS,
        ],
        tmp_path,
    )
    assert native_logs.search(verbose.stderr)
    missing = run(
        ["moviegoer", "predict-frames", str(tmp_path / "nope.keras"), str(folder), "--params", PARAMS],
        tmp_path,
        check=False,
    )
    assert missing.returncode == 1 and "nope.keras: no such model file" in missing.stderr
