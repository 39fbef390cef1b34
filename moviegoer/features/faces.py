"""Face features of a frame: where the faces are and how large they are inside the picture area.

A medium close-up is defined by how one person fills the frame, so the geometry of the detected faces (one large face,
off-centre, near the top of the picture) says much of what the MCU label means. Faces come from MTCNN, whose weights
ship inside the `mtcnn` wheel, so nothing is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from moviegoer.features.extractor import FeatureExtractor

MIN_CONFIDENCE = 0.90
MAX_FACES = 2  # geometry of the two largest faces; the rest only counts

FACE_FEATURES = (
    "faces",  # number of faces found with at least MIN_CONFIDENCE
    "face1_height",  # largest face: height / picture height
    "face1_width",  # width / picture width
    "face1_cx",  # centre x / picture width (0 left .. 1 right)
    "face1_offcentre",  # |cx - 0.5| * 2
    "face1_top",  # top of the box / picture height
    "face1_cy",  # centre y / picture height
    "face1_confidence",
    "face1_eye_span",  # distance between the eyes / face width (frontal ~0.45, profile smaller)
    "face2_height",  # second-largest face: height / picture height, 0 when there is none
    "face2_ratio",  # second face height / largest face height
    "faces_area",  # total face area / picture area
    "picture_aspect",  # picture width / height after the letterbox is cut off
)


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, width, height in picture pixels
    confidence: float
    left_eye: tuple[float, float]
    right_eye: tuple[float, float]


@lru_cache(maxsize=1)
def _detector() -> Any:
    from mtcnn import MTCNN

    return MTCNN(device="CPU:0")


def detect_faces(rgb_picture: np.ndarray) -> list[Face]:
    """Faces in an RGB picture, largest first, at least MIN_CONFIDENCE."""
    found = _detector().detect_faces(rgb_picture)
    faces = [
        Face(
            tuple(int(v) for v in hit["box"]),
            float(hit["confidence"]),
            tuple(map(float, hit["keypoints"]["left_eye"])),
            tuple(map(float, hit["keypoints"]["right_eye"])),
        )
        for hit in found
        if hit["confidence"] >= MIN_CONFIDENCE and hit["box"][2] > 0 and hit["box"][3] > 0
    ]
    return sorted(faces, key=lambda face: face.box[2] * face.box[3], reverse=True)


def face_features_of(faces: list[Face], picture_height: int, picture_width: int) -> np.ndarray:
    """The FACE_FEATURES vector for faces found in a picture of the given size."""
    values = dict.fromkeys(FACE_FEATURES, 0.0)
    values["faces"] = float(len(faces))
    values["picture_aspect"] = picture_width / picture_height
    if faces:
        x, y, w, h = faces[0].box
        eye_span = float(np.hypot(*np.subtract(faces[0].left_eye, faces[0].right_eye)))
        values |= {
            "face1_height": h / picture_height,
            "face1_width": w / picture_width,
            "face1_cx": (x + w / 2) / picture_width,
            "face1_offcentre": abs((x + w / 2) / picture_width - 0.5) * 2,
            "face1_top": y / picture_height,
            "face1_cy": (y + h / 2) / picture_height,
            "face1_confidence": faces[0].confidence,
            "face1_eye_span": eye_span / w,
            "faces_area": sum(f.box[2] * f.box[3] for f in faces) / (picture_height * picture_width),
        }
    if len(faces) >= MAX_FACES:
        values["face2_height"] = faces[1].box[3] / picture_height
        values["face2_ratio"] = faces[1].box[3] / faces[0].box[3]
    return np.array([values[name] for name in FACE_FEATURES], dtype=np.float32)


def face_features(bgr_picture: np.ndarray) -> np.ndarray:
    """FACE_FEATURES of a BGR picture (letterbox already cut off)."""
    rgb = cv2.cvtColor(bgr_picture, cv2.COLOR_BGR2RGB)
    return face_features_of(detect_faces(rgb), rgb.shape[0], rgb.shape[1])


FACES = FeatureExtractor("faces", FACE_FEATURES, face_features)
