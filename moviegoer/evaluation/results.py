"""The evaluation's output format, declared once: what the evaluate stage writes and what the report, the Prefect
flow and the benchmarks read.

An evaluation folder holds
- `evaluation.json`: everything (the model's design, every row's full metrics with confusion counts, the test set);
- `metrics/<row>.json`: the headline numbers of one row, for `dvc metrics show` (one short row per file);
- `predictions.csv`, `roc.csv`, `pr.csv`: the data behind `dvc plots`;
- `figures/*.png`: the pictures a person looks at.

A row is the model at the evaluate.threshold ("model"), the model at the threshold reaching evaluate.target_recall
("model_at_target_recall") or a DummyClassifier baseline ("dummy_<strategy>")."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from moviegoer.core.atomic import write_text
from moviegoer.core.errors import MoviegoerError

MODEL = "model"
MODEL_AT_TARGET = "model_at_target_recall"
DUMMY_STRATEGIES = ("most_frequent", "stratified", "uniform")
DUMMY_ROWS = tuple(f"dummy_{strategy}" for strategy in DUMMY_STRATEGIES)
HEADLINE = ("recall", "false_positive_rate", "precision", "f1", "roc_auc", "pr_auc")

EVALUATION_FILE = "evaluation.json"
METRICS_DIR = "metrics"
PREDICTIONS_CSV = "predictions.csv"
ROC_CSV = "roc.csv"
PR_CSV = "pr.csv"
FIGURES_DIR = "figures"
TRAINING_CURVES_PNG = "training_curves.png"
CONFUSION_PNG = "confusion_matrix.png"
ROC_PR_PNG = "roc_pr.png"
OUTCOMES = ("true_positive", "false_positive", "false_negative", "true_negative")
ACTIVATIONS_PATTERN = "activations_*.png"

# The original research (a Keras CNN on 11,432 hand-labelled frames): recall at a false-positive rate on a mixed
# split, and on films it had not seen. Every comparison with it reads these numbers.
ORIGINAL_RESEARCH = {
    "recall": 0.81,
    "false_positive_rate": 0.30,
    "unseen_recall": 0.75,
    "unseen_false_positive_rate": 0.28,
}


def grid_png(outcome: str) -> str:
    return f"grid_{outcome}.png"


def activations_png(layer: str) -> str:
    return f"activations_{layer}.png"


@dataclass(frozen=True)
class EvaluationResult:
    design: str  # the evaluated model's design (train.design)
    test_frames: int
    test_mcu_share: float
    rows: dict[str, dict[str, Any]]  # row name -> moviegoer.evaluation.metrics.binary_metrics

    @property
    def model(self) -> dict[str, Any]:
        return self.rows[MODEL]

    @property
    def at_target(self) -> dict[str, Any]:
        return self.rows[MODEL_AT_TARGET]

    def headline(self, row: str) -> dict[str, Any]:
        return {key: self.rows[row][key] for key in HEADLINE} | {"test_frames": self.test_frames}


def write_results(result: EvaluationResult, out_dir: Path) -> list[Path]:
    """evaluation.json and one headline file per row under metrics/; returns the files written."""
    out_dir = Path(out_dir)
    files = [out_dir / EVALUATION_FILE]
    write_text(files[0], json.dumps(asdict(result), indent=2) + "\n")
    for row in result.rows:
        files.append(out_dir / METRICS_DIR / f"{row}.json")
        write_text(files[-1], json.dumps(result.headline(row), indent=2) + "\n")
    return files


def read_results(out_dir: Path) -> EvaluationResult:
    path = Path(out_dir) / EVALUATION_FILE
    if not path.is_file():
        raise MoviegoerError(f"{path}: no evaluation (run `moviegoer evaluate` first)")
    try:
        return EvaluationResult(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise MoviegoerError(f"{path}: not an evaluation written by this version of moviegoer") from exc
