"""Camera setups ("shot threads"): which shots of a stretch of film come from one camera position.

Shot/reverse-shot editing cuts back and forth between a few fixed setups, and a setup's shots share framing,
background, light and colour even when the face in them is too small, dark or turned to identify. Each shot gets a
signature of its sample frames: a coarse colour histogram (what is in the picture) and a tiny grey thumbnail,
normalised for exposure (where it is). A shot *returns* to the setup of a recent shot when it looks clearly more like
that shot than like its own neighbours across a cut. The test is relative on purpose: both sides of a conversation
shot on one set, or in black and white, can look alike by any absolute measure, but a cut always changes the camera,
so the neighbours measure, at that moment of that film, what "another setup" looks like. A fixed camera and lens
also show a person at one size: two shots whose largest faces differ in height by more than `max_face_scale` are
two setups however alike their colours (a wide master and the close-up cut into it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pandas as pd

from moviegoer.core.errors import ParamsError

HUE_BINS, SATURATION_BINS, VALUE_BINS = 8, 4, 4
LAYOUT_SIZE = (16, 9)  # width, height of the grey thumbnail
HISTOGRAM_LENGTH = HUE_BINS * SATURATION_BINS * VALUE_BINS
SIGNATURE_LENGTH = HISTOGRAM_LENGTH + LAYOUT_SIZE[0] * LAYOUT_SIZE[1]
WORKING_WIDTH = 96  # pictures are shrunk to this width first: a signature needs no detail


@dataclass(frozen=True)
class SetupParams:
    lookback_shots: int  # a shot may return to the setup of one of this many shots before it
    max_gap_s: float  # ... that ended at most this long before it started
    max_distance: float  # ... when it is at most this far from it (0 = the same picture, 1 = nothing alike)
    neighbour_ratio: float  # ... and closer than this share of its distance to the shots beside it
    colour_weight: float  # the colour histogram's share of the distance (the rest: the grey layout)
    max_face_scale: (
        float  # shots whose largest faces differ in height by more than this factor are two setups
    )

    def __post_init__(self) -> None:
        if not isinstance(self.lookback_shots, int) or self.lookback_shots < 2:
            raise ParamsError("lookback_shots", f"must be a whole number >= 2 (got {self.lookback_shots!r})")
        if not isinstance(self.max_gap_s, int | float) or self.max_gap_s <= 0:
            raise ParamsError("max_gap_s", f"must be a number > 0 (got {self.max_gap_s!r})")
        if not isinstance(self.max_face_scale, int | float) or self.max_face_scale < 1:
            raise ParamsError("max_face_scale", f"must be a number >= 1 (got {self.max_face_scale!r})")
        for key in ("max_distance", "neighbour_ratio", "colour_weight"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ParamsError(key, f"must be a number from 0 to 1 (got {value!r})")


def picture_signature(bgr: np.ndarray) -> np.ndarray:
    """One picture's signature: its HSV histogram (summing to 1), then its grey thumbnail with zero mean and unit
    norm (so a change of exposure does not move it)."""
    height, width = bgr.shape[:2]
    small = cv2.resize(
        bgr, (WORKING_WIDTH, max(1, round(height * WORKING_WIDTH / width))), interpolation=cv2.INTER_AREA
    )
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    histogram = cv2.calcHist(
        [hsv], [0, 1, 2], None, [HUE_BINS, SATURATION_BINS, VALUE_BINS], [0, 180, 0, 256, 0, 256]
    ).ravel()
    histogram /= max(float(histogram.sum()), 1.0)
    grey = cv2.resize(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), LAYOUT_SIZE, interpolation=cv2.INTER_AREA)
    layout = grey.astype(np.float32).ravel()
    layout -= layout.mean()
    layout /= max(float(np.linalg.norm(layout)), 1e-6)
    return np.concatenate([histogram, layout]).astype(np.float32)


def shot_signature(pictures: list[np.ndarray]) -> np.ndarray:
    """A shot's signature: the mean of its sample pictures' (a moving camera is summed over what it shows)."""
    return np.mean([picture_signature(p) for p in pictures], axis=0).astype(np.float32)


def signature_distance(a: np.ndarray, b: np.ndarray, colour_weight: float) -> float:
    """0 for the same picture, up to 1: the histograms' Hellinger distance and the layouts' (1 - correlation) / 2."""
    colour = float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(a[:HISTOGRAM_LENGTH] * b[:HISTOGRAM_LENGTH])))))
    layout_a, layout_b = a[HISTOGRAM_LENGTH:], b[HISTOGRAM_LENGTH:]
    layout = (1.0 - float(np.dot(layout_a, layout_b))) / 2.0
    return colour_weight * colour + (1.0 - colour_weight) * layout


def thread_setups(
    signatures: np.ndarray,
    start_ms: np.ndarray,
    end_ms: np.ndarray,
    face_heights: np.ndarray,
    params: SetupParams,
) -> np.ndarray:
    """A setup number per shot (1, 2, ... in order of first appearance). Shot i takes the setup of the earlier shot
    j (2 to `lookback_shots` back, within `max_gap_s`, its largest face of a like size when both show one) it is
    nearest to, when that distance is under `max_distance` and under `neighbour_ratio` times its distance to the
    shots right before and after it. The shot right before is never a candidate: a cut between two shots of one
    setup is a jump cut or a missed transition, not coverage. `face_heights`: each shot's largest face as a share
    of the picture height, 0 where none was found."""
    count = len(signatures)
    setups = np.zeros(count, dtype=np.int32)

    def distance(i: int, j: int) -> float:
        return signature_distance(signatures[i], signatures[j], params.colour_weight)

    next_setup = 1
    for i in range(count):
        beside = [distance(i, k) for k in (i - 1, i + 1) if 0 <= k < count]
        candidates = [
            (distance(i, j), j)
            for j in range(max(0, i - params.lookback_shots), i - 1)
            if (start_ms[i] - end_ms[j]) / 1000 <= params.max_gap_s
            and _like_sized(face_heights[i], face_heights[j], params.max_face_scale)
        ]
        best = min(candidates, default=None)
        if (
            best is not None
            and best[0] <= params.max_distance
            and (not beside or best[0] <= params.neighbour_ratio * min(beside))
        ):
            setups[i] = setups[best[1]]
        else:
            setups[i] = next_setup
            next_setup += 1
    return setups


def _like_sized(a: float, b: float, max_scale: float) -> bool:
    """Whether two shots may show a person from one camera: faces of like height, or no face in one of them (the
    back of a head in an over-the-shoulder shot)."""
    return a <= 0 or b <= 0 or max(a, b) <= max_scale * min(a, b)


def labels_at_shots(shots: pd.DataFrame, starts_ms: np.ndarray, labels: Sequence[object]) -> list[object]:
    """For each shot (start_ms, end_ms), the label of the true shot covering its middle, true shots being given by
    their sorted starts and running to the next one: found shots and labelled shots need not share their cuts."""
    middles = (shots["start_ms"] + shots["end_ms"]).to_numpy() / 2
    return [labels[i] for i in np.searchsorted(np.asarray(starts_ms), middles, "right") - 1]


def setup_agreement(found: Sequence[object], true: Sequence[object]) -> tuple[float, float]:
    """Purity and completeness of found setups against true ones, shot by shot: purity is the share of shots in
    the true setup most common in their found setup (1.0: no found setup mixes two camera positions); completeness
    the share of shots in the found setup most common in their true setup (1.0: no camera position is split)."""
    table = pd.crosstab(pd.Series(list(found), name="found"), pd.Series(list(true), name="true"))
    total = max(int(table.to_numpy().sum()), 1)
    return float(table.max(axis=1).sum() / total), float(table.max(axis=0).sum() / total)
