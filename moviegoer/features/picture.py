"""Cheap global statistics of a picture that separate many non-MCU frames from MCUs without any learning: black and
dark frames, title cards and credits (sparse sharp edges on black), busy wide shots (edges everywhere), and where in
the picture the detail sits (an MCU's subject fills one side, top to bottom)."""

from __future__ import annotations

import cv2
import numpy as np

from moviegoer.features.extractor import FeatureExtractor

EDGE_SIZE = (160, 90)  # edges are counted on a small copy: framing, not texture
DARK_LUMA = 30
LETTERBOX_LUMA = 24  # a row darker than this on average counts as letterbox bar

PICTURE_FEATURES = (
    "luma_mean",
    "luma_std",
    "dark_share",  # share of pixels darker than DARK_LUMA
    "edges",  # share of edge pixels in the whole picture
    "edges_left",  # ... in the left, middle and right thirds
    "edges_middle",
    "edges_right",
    "edges_top",  # ... in the top and bottom halves
    "edges_bottom",
    "saturation_mean",
    "luma_roughness",  # mean horizontal luma step on a 32x18 thumbnail
)


def picture_rows(gray: np.ndarray) -> tuple[int, int]:
    """First and one-past-last row of the picture inside letterbox bars (the whole frame when there are none)."""
    bright = np.flatnonzero(gray.mean(axis=1) > LETTERBOX_LUMA)
    if bright.size == 0 or bright[-1] - bright[0] < gray.shape[0] // 4:
        return 0, gray.shape[0]
    return int(bright[0]), int(bright[-1]) + 1


def picture_stats(bgr_picture: np.ndarray) -> np.ndarray:
    """The PICTURE_FEATURES vector of a BGR picture (letterbox already cut off)."""
    gray = cv2.cvtColor(bgr_picture, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.resize(gray, EDGE_SIZE, interpolation=cv2.INTER_AREA), 50, 150) > 0
    height, width = edges.shape
    saturation = cv2.cvtColor(bgr_picture, cv2.COLOR_BGR2HSV)[..., 1]
    thumbnail = cv2.resize(gray, (32, 18), interpolation=cv2.INTER_AREA).astype(np.float32)
    values = [
        gray.mean() / 255,
        gray.std() / 255,
        (gray < DARK_LUMA).mean(),
        edges.mean(),
        edges[:, : width // 3].mean(),
        edges[:, width // 3 : 2 * width // 3].mean(),
        edges[:, 2 * width // 3 :].mean(),
        edges[: height // 2].mean(),
        edges[height // 2 :].mean(),
        saturation.mean() / 255,
        np.abs(np.diff(thumbnail, axis=1)).mean() / 255,
    ]
    return np.array(values, dtype=np.float32)


PICTURE = FeatureExtractor("picture", PICTURE_FEATURES, picture_stats)
