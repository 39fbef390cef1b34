"""Classification metrics of MCU predictions, the way the original research reported them (recall and false
positive rate), plus the usual others, and the DummyClassifier baselines to read them against."""

from __future__ import annotations

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from moviegoer.evaluation.results import DUMMY_STRATEGIES


def _safe_auc(y_true: np.ndarray, scores: np.ndarray) -> float | None:
    return float(roc_auc_score(y_true, scores)) if len(set(y_true.tolist())) == 2 else None


def _safe_ap(y_true: np.ndarray, scores: np.ndarray) -> float | None:
    return float(average_precision_score(y_true, scores)) if len(set(y_true.tolist())) == 2 else None


def binary_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float | int | None]:
    """Recall (true positive rate), false positive rate, precision, accuracy, F1 at `threshold`; ROC-AUC and PR-AUC
    (average precision) over all thresholds."""
    y_true = np.asarray(y_true, dtype=int)
    scores = np.asarray(scores, dtype=float)
    predicted = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_true, predicted, labels=[0, 1]).ravel()
    return {
        "threshold": float(threshold),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "false_positive_rate": float(fp / (fp + tn)) if fp + tn else 0.0,
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "f1": float(f1_score(y_true, predicted, zero_division=0)),
        "roc_auc": _safe_auc(y_true, scores),
        "pr_auc": _safe_ap(y_true, scores),
        "tp": int(tp),
        "fp": int(fp),
        "tn": int(tn),
        "fn": int(fn),
    }


def threshold_for_recall(y_true: np.ndarray, scores: np.ndarray, target_recall: float) -> float:
    """The highest threshold whose recall reaches `target_recall` (fewest false positives for that recall)."""
    y_true = np.asarray(y_true, dtype=int)
    if not y_true.any():
        return 0.5
    fpr, tpr, thresholds = roc_curve(y_true, scores)
    reaching = np.flatnonzero(tpr >= target_recall)
    return float(min(thresholds[reaching[0]], 1.0))


def dummy_baselines(
    y_train: np.ndarray, y_test: np.ndarray, seed: int
) -> dict[str, dict[str, float | int | None]]:
    """What sklearn's DummyClassifier reaches on test when fit on train's labels: the floor a model must beat."""
    baselines = {}
    features_train = np.zeros((len(y_train), 1))
    features_test = np.zeros((len(y_test), 1))
    for strategy in DUMMY_STRATEGIES:
        dummy = DummyClassifier(strategy=strategy, random_state=seed).fit(features_train, y_train)
        baselines[f"dummy_{strategy}"] = binary_metrics(
            y_test, dummy.predict(features_test).astype(float), 0.5
        )
    return baselines
