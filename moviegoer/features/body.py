"""Where the frame cuts the body: the features that say "shoulders in, hips out" (what makes a medium close-up) even
when no face is found (the back of a head in an over-the-shoulder shot, a profile, a dark frame).

Two of MediaPipe's models (moviegoer.features.body_models) run in LiteRT on the whole picture:
- the selfie segmentation (landscape, 256x144) says which pixels are a person: how much of the frame a person fills,
  how high the person reaches, how wide the person is band by band from top to bottom, and where the frame cuts the
  person off at the bottom (an MCU cuts at the chest: a wide band of shoulders along the bottom edge);
- the full pose landmark model (256x256; the picture is padded to a square) gives BlazePose's body points and their
  visibility: an MCU shows the nose and shoulders, not the hips and knees.
The pose model is made for a crop around one detected person, and on a close face it places the body badly; its
visibilities still tell a frame that shows a body from one that shows a head. Measured, not assumed, on 1061 labelled
real frames of 39 film groups, out of fold (benchmarks/results/real_quality.md): the `body` design has a
false-positive rate of 50 % at 95 % recall where `faces` has 63 %. An exploration on the same folds put about two
thirds of the gain on the segmentation and the rest on the pose; cropping the pose model's square around the person
or zooming out did worse than padding the whole picture. About 20 ms a frame on one core."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from moviegoer.core.logs import native_stderr_silenced
from moviegoer.features.body_models import POSE, SEGMENTATION, body_model
from moviegoer.features.extractor import FeatureExtractor

POSE_SIZE = 256
SEGMENTATION_SIZE = (256, 144)  # width, height
PERSON = 0.5  # segmentation probability from which a pixel is a person
BOTTOM_ROWS = 8  # of the mask's 144: the band where the frame cuts the body
BANDS = 6  # horizontal bands of the person profile, top to bottom
# BlazePose's point numbers: (left, right) pairs, or one point
BODY_POINTS = {"nose": (0, 0), "shoulders": (11, 12), "elbows": (13, 14), "wrists": (15, 16), "hips": (23, 24),
               "knees": (25, 26)}  # fmt: skip
POINT_VALUES = 5  # x, y, z, visibility (logit), presence (logit) per point, in the model's input pixels

BODY_FEATURES = (
    "person_share",  # share of the picture the segmentation calls a person
    "person_top",  # first row with a person / picture height (1 when none)
    "person_bottom_width",  # share of the bottom band that is a person: an MCU cuts the body at the chest
    *(f"person_band{band + 1}" for band in range(BANDS)),  # share of each horizontal band, top to bottom
    "person_span_top",  # first to last person column / picture width, in the top third (heads)
    "person_span_middle",  # ... in the middle third
    "person_span_bottom",  # ... in the bottom band (shoulders and chest in an MCU)
    "pose_presence",  # the pose model's belief that a body is there (0-1)
    # each part's visibility inside the picture (the better side of a pair, 0-1)
    *(f"{part}_visible" for part in BODY_POINTS),
    "shoulder_width",  # distance between the shoulders / picture width
    "shoulder_y",  # the shoulders' mean height / picture height
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


class BodyAnalyser:
    """The BODY_FEATURES of pictures. Each instance holds its own interpreters (one thread each), loaded on first
    use: make one per process."""

    @cached_property
    def _pose(self) -> Any:
        return _interpreter(body_model(POSE))

    @cached_property
    def _segmentation(self) -> Any:
        return _interpreter(body_model(SEGMENTATION))

    def features(self, bgr_picture: np.ndarray) -> np.ndarray:
        """BODY_FEATURES of a BGR picture (letterbox cut off)."""
        rgb = cv2.cvtColor(bgr_picture, cv2.COLOR_BGR2RGB)
        return np.concatenate([_person_layout(self.person_mask(rgb)), self._body_points(rgb)]).astype(
            np.float32
        )

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        """Which pixels of a 256x144 copy of the picture are a person."""
        small = cv2.resize(rgb, SEGMENTATION_SIZE, interpolation=cv2.INTER_AREA)
        return _run(self._segmentation, small.astype(np.float32)[None] / 255.0)[0][0, :, :, 0] >= PERSON

    def _body_points(self, rgb: np.ndarray) -> np.ndarray:
        """Pose features of the whole picture, padded to a square."""
        height, width = rgb.shape[:2]
        side = max(height, width)
        top, left = (side - height) // 2, (side - width) // 2
        square = cv2.copyMakeBorder(
            rgb, top, side - height - top, left, side - width - left, cv2.BORDER_CONSTANT
        )
        square = cv2.resize(square, (POSE_SIZE, POSE_SIZE), interpolation=cv2.INTER_AREA)
        points, presence = _run(self._pose, square.astype(np.float32)[None] / 255.0)[:2]
        points = points.reshape(-1, POINT_VALUES)
        scale = side / POSE_SIZE
        x = (points[:, 0] * scale - left) / width
        y = (points[:, 1] * scale - top) / height
        inside = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
        visible = _sigmoid(points[:, 3]) * inside
        parts = [max(visible[a], visible[b]) for a, b in BODY_POINTS.values()]
        shoulders = list(BODY_POINTS["shoulders"])
        return np.array([
            float(np.ravel(presence)[0]), *parts, abs(x[shoulders[0]] - x[shoulders[1]]), y[shoulders].mean(),
        ])  # fmt: skip


def _person_layout(mask: np.ndarray) -> np.ndarray:
    """The segmentation features of BODY_FEATURES, from the person mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    top = rows[0] / mask.shape[0] if rows.size else 1.0
    height = mask.shape[0]
    bands = [mask[band * height // BANDS : (band + 1) * height // BANDS].mean() for band in range(BANDS)]
    spans = [
        _span(mask[: height // 3]),
        _span(mask[height // 3 : 2 * height // 3]),
        _span(mask[-BOTTOM_ROWS:]),
    ]
    return np.array([mask.mean(), top, mask[-BOTTOM_ROWS:].mean(), *bands, *spans])


def _span(rows: np.ndarray) -> float:
    """First to last column holding a person / width (0 when none)."""
    columns = np.flatnonzero(rows.any(axis=0))
    return (columns[-1] - columns[0] + 1) / rows.shape[1] if columns.size else 0.0


def _interpreter(path: Path) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    with native_stderr_silenced():  # LiteRT announces its CPU delegate on stderr
        interpreter = Interpreter(model_path=str(path), num_threads=1)
        interpreter.allocate_tensors()
    return interpreter


def _run(interpreter: Any, batch: np.ndarray) -> list[np.ndarray]:
    """The model's outputs, in the order it declares them."""
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], batch)
    interpreter.invoke()
    return [interpreter.get_tensor(output["index"]) for output in interpreter.get_output_details()]


def body_extractor(analyser: BodyAnalyser | None = None) -> FeatureExtractor:
    return FeatureExtractor("body", BODY_FEATURES, (analyser or BodyAnalyser()).features)
