"""How well found dialogue scenes match true ones: a found scene matches at most one true scene, greedily by time
IoU, when they overlap by at least `min_iou`; recall, precision and the matched pairs' mean IoU follow. The scenes
benchmark (against the sample's exact ground truth and the labelled conversations) and the scene evaluation stage
(against the scenes people confirmed or added in `moviegoer review`) both score with this."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from moviegoer.scenes.dialogue import time_iou

Span = tuple[float, float]  # start_ms, end_ms


def match_scenes(found: list[Span], truth: list[Span], min_iou: float) -> list[float]:
    """Greedy one-to-one matching by IoU; the IoUs of the matched pairs."""
    pairs = sorted(
        ((time_iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True
    )
    used_found, used_truth, matched = set(), set(), []
    for value, i, j in pairs:
        if value >= min_iou and i not in used_found and j not in used_truth:
            used_found.add(i)
            used_truth.add(j)
            matched.append(value)
    return matched


@dataclass(frozen=True)
class SceneMatch:
    true: int
    found: int
    ious: list[float]  # of the matched pairs


def scene_scores(matches: Iterable[SceneMatch]) -> dict[str, float | int]:
    """Recall, precision and mean IoU over films (pooled: each scene counts once)."""
    matches = list(matches)
    true, found = sum(m.true for m in matches), sum(m.found for m in matches)
    ious = [iou for m in matches for iou in m.ious]
    return {
        "true": true, "found": found, "matched": len(ious),
        "recall": len(ious) / max(true, 1), "precision": len(ious) / max(found, 1),
        "mean_iou": float(np.mean(ious)) if ious else 0.0,
    }  # fmt: skip
