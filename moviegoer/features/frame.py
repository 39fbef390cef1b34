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
from moviegoer.features.faces import FACES
from moviegoer.features.picture import PICTURE, picture_rows

EXTRACTORS = (FACES, PICTURE)  # the frame feature vector: their outputs, in this order
FRAME_FEATURES = tuple(name for extractor in EXTRACTORS for name in extractor.names)


def read_picture(path: Path | str) -> np.ndarray:
    """An image file as a BGR array, letterbox bars cut off."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise MoviegoerError(f"{path}: not a readable image")
    top, bottom = picture_rows(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    return bgr[top:bottom]


def frame_features(path: Path | str) -> np.ndarray:
    """The FRAME_FEATURES vector of one image file."""
    picture = read_picture(path)
    return np.concatenate([extractor(picture) for extractor in EXTRACTORS])


def frame_features_table(paths: Sequence[Path | str], description: str = "frame features") -> np.ndarray:
    """FRAME_FEATURES of many files, one row each, with a progress bar (face detection takes ~0.3 s a frame)."""
    rows = [frame_features(path) for path in track(paths, description=description, transient=True)]
    return np.stack(rows) if rows else np.zeros((0, len(FRAME_FEATURES)), np.float32)
