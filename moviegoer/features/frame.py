"""Hand-made features of a frame for the MCU classifier: face geometry (moviegoer.features.faces), global picture
statistics (moviegoer.features.picture) and where the frame cuts the body (moviegoer.features.body), all measured
inside the picture area (letterbox bars cut off, as the labelling guide judges framing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from rich.progress import track

from moviegoer.core.errors import MoviegoerError
from moviegoer.features.body import BODY_FEATURES, BodyAnalyser, body_extractor
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

FRAME_FEATURES = FACE_FEATURES + PICTURE_FEATURES  # the `features` design's vector, in this order
# every frame feature, in the extractors' order
ALL_FEATURES = FACE_FEATURES + PICTURE_FEATURES + BODY_FEATURES


def _needs(names: Sequence[str], given: tuple[str, ...]) -> bool:
    return not set(names).isdisjoint(given)


def frame_extractors(
    face_params: FaceParams, names: Sequence[str] = ALL_FEATURES
) -> tuple[FeatureExtractor, ...]:
    """The extractors that give any of `names`, in ALL_FEATURES order: a model pays only for the features it reads
    (the body models cost more than the faces)."""
    makers = (
        (FACE_FEATURES, lambda: face_extractor(FaceAnalyser(face_params))),
        (PICTURE_FEATURES, lambda: PICTURE),
        (BODY_FEATURES, body_extractor),
    )
    return tuple(make() for given, make in makers if _needs(names, given))


def columns(table: np.ndarray, have: Sequence[str], want: Sequence[str]) -> np.ndarray:
    """The columns `want` of a table whose columns are `have`."""
    return table[:, [list(have).index(name) for name in want]]


class FoundFaceFeatures:
    """The named frame features of pictures whose faces were found already, for callers that need the faces
    themselves too (the film analysis embeds them). The body models load only when a name asks for them."""

    def __init__(self, names: Sequence[str]) -> None:
        unknown = sorted(set(names) - set(ALL_FEATURES))
        if unknown:
            raise MoviegoerError(f"unknown frame features: {', '.join(unknown)}")
        self.names = tuple(names)
        self.body = BodyAnalyser() if _needs(names, BODY_FEATURES) else None

    def __call__(self, picture: np.ndarray, faces: list[Face]) -> np.ndarray:
        """The features of a BGR picture (letterbox cut off), in the order of `names`."""
        height, width = picture.shape[:2]
        parts, have = [face_features_of(faces, height, width)], FACE_FEATURES
        if _needs(self.names, PICTURE_FEATURES):
            parts, have = [*parts, picture_stats(picture)], have + PICTURE_FEATURES
        if self.body is not None:
            parts, have = [*parts, self.body.features(picture)], have + BODY_FEATURES
        return columns(np.concatenate(parts)[None], have, self.names)[0]


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
    """The extractors' features of one image file, concatenated in their order."""
    picture = read_picture(path)
    return np.concatenate([extractor(picture) for extractor in extractors])


def frame_features_table(
    paths: Sequence[Path | str],
    names: Sequence[str],
    face_params: FaceParams,
    description: str = "frame features",
) -> np.ndarray:
    """The features `names` of many files, one row each in that order, with a progress bar; only the extractors
    that give them run."""
    extractors = frame_extractors(face_params, names)
    have = [name for extractor in extractors for name in extractor.names]
    rows = [
        frame_features(path, extractors) for path in track(paths, description=description, transient=True)
    ]
    return columns(np.stack(rows), have, names) if rows else np.zeros((0, len(names)), np.float32)
