"""Hand-made features of a frame for the MCU classifier: face geometry (moviegoer.features.faces) and global picture
statistics (moviegoer.features.picture), both measured inside the picture area (letterbox bars cut off, as the labelling
guide judges framing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from rich.progress import track

from moviegoer.core.errors import MoviegoerError
from moviegoer.features.extractor import FeatureExtractor
from moviegoer.features.faces import (
    FACE_FEATURES,
    Face,
    FaceAnalyser,
    FaceParams,
    face_extractor,
    face_features_of,
)
from moviegoer.features.picture import PICTURE, PICTURE_FEATURES, picture_rows, picture_stats

FRAME_FEATURES = FACE_FEATURES + PICTURE_FEATURES  # the frame feature vector, in this order


def frame_features_of(picture: np.ndarray, faces: list[Face]) -> np.ndarray:
    """FRAME_FEATURES of a BGR picture (letterbox cut off) whose faces were found already: for callers that need
    the faces themselves too (the film analysis embeds them)."""
    height, width = picture.shape[:2]
    return np.concatenate([face_features_of(faces, height, width), picture_stats(picture)])


def frame_extractors(face_params: FaceParams) -> tuple[FeatureExtractor, ...]:
    """The extractors whose outputs, concatenated, are FRAME_FEATURES."""
    return (face_extractor(FaceAnalyser(face_params)), PICTURE)


def cut_letterbox(bgr: np.ndarray) -> np.ndarray:
    """The picture inside the letterbox bars (all of it when there are none)."""
    top, bottom = picture_rows(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    return bgr[top:bottom]


def read_picture(path: Path | str) -> np.ndarray:
    """An image file as a BGR array, letterbox bars cut off."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise MoviegoerError(f"{path}: not a readable image")
    return cut_letterbox(bgr)


def frame_features(path: Path | str, extractors: Sequence[FeatureExtractor]) -> np.ndarray:
    """The FRAME_FEATURES vector of one image file."""
    picture = read_picture(path)
    return np.concatenate([extractor(picture) for extractor in extractors])


def frame_features_table(
    paths: Sequence[Path | str], extractors: Sequence[FeatureExtractor], description: str = "frame features"
) -> np.ndarray:
    """FRAME_FEATURES of many files, one row each, with a progress bar."""
    rows = [
        frame_features(path, extractors) for path in track(paths, description=description, transient=True)
    ]
    return np.stack(rows) if rows else np.zeros((0, len(FRAME_FEATURES)), np.float32)
