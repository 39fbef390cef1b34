"""What one shot's sample frames show: the faces with their landmarks, one identity descriptor per face track, the
frame features the MCU model scores (only those it reads: the body models cost more than the faces), and the shot's
signature for camera setups.

This is the costly half of the analysis (YuNet, dlib, MediaPipe's body models), and it needs nothing but the shot's pictures, so it can run in
a worker process while the film is still being decoded (moviegoer.analysis.workers). A face track is one person seen
in several samples of a shot: a box overlapping the previous sample's box by `track_iou` or more, at about the same
size. A camera that has not cut shows the same person where it showed them, so the track is embedded once, from its
largest, surest face (dlib's descriptor costs ~70 ms a face)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from moviegoer.analysis.setups import SIGNATURE_LENGTH, shot_signature
from moviegoer.features.faces import Face, FaceAnalyser
from moviegoer.features.frame import FoundFaceFeatures, cut_letterbox

MAX_TRACK_SCALE = 1.25  # boxes of one track differ in height by at most this factor
PORTRAIT_MARGIN = 0.3  # a portrait shows this share of the face's size around it


@dataclass(frozen=True)
class SampleFrame:
    index: int  # frame index in the film
    t_ms: float
    picture: np.ndarray  # BGR, letterbox not yet cut


@dataclass(frozen=True)
class IdentifiedFace:
    """A face large enough to be identified: its position among the shot's faces, its descriptor, and a crop of it
    (the character's portrait, if it is the character's best face)."""

    position: int
    embedding: np.ndarray
    weight: float  # confidence * area: the best face of a character is its portrait
    portrait: np.ndarray


@dataclass(frozen=True)
class ShotFindings:
    samples: list[dict[str, Any]]  # shot, frame_index, t_ms, faces, face_height, features
    faces: list[dict[str, Any]]  # one row per face (moviegoer.analysis.tables FACES without the character)
    identified: list[IdentifiedFace]
    signature: np.ndarray  # moviegoer.analysis.setups.shot_signature (zeros without pictures)
    descriptors: int  # dlib descriptors computed (one per face track)


def find_in_shot(
    analyser: FaceAnalyser,
    features: FoundFaceFeatures,
    shot: int,
    frames: list[SampleFrame],
    min_face_height: float,
    track_iou: float,
) -> ShotFindings:
    samples, faces, pictures, seen = [], [], [], []  # seen: (position, sample number, face, rgb) to identify
    for number, frame in enumerate(frames):
        picture = cut_letterbox(frame.picture)
        pictures.append(picture)
        rgb = cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)
        found = analyser.detect(rgb)
        height, width = picture.shape[:2]
        samples.append({"shot": shot, "frame_index": frame.index, "t_ms": frame.t_ms, "faces": len(found),
                        "face_height": found[0].box[3] / height if found else 0.0,
                        "features": features(picture, found)})  # fmt: skip
        for rank, face in enumerate(found):
            faces.append(face_row(shot, frame.index, frame.t_ms, rank, face, height, width))
            if face.box[3] / height >= min_face_height:
                seen.append((len(faces) - 1, number, face, rgb))
    tracks = face_tracks([(number, face.box) for _, number, face, _ in seen], track_iou)
    identified: list[IdentifiedFace | None] = [None] * len(seen)
    for track in tracks:
        best = max(track, key=lambda i: seen[i][2].confidence * seen[i][2].area)
        embedding = analyser.embed(seen[best][3], seen[best][2]).embedding
        for member in track:
            position, number, face, _ = seen[member]
            faces[position]["embedding"] = embedding.astype(np.float32).tolist()
            identified[member] = IdentifiedFace(
                position, embedding, face.confidence * face.area, crop(pictures[number], face)
            )
    return ShotFindings(
        samples, faces, [face for face in identified if face is not None],
        shot_signature(pictures) if pictures else np.zeros(SIGNATURE_LENGTH, np.float32), len(tracks),
    )  # fmt: skip


def face_tracks(
    boxes: list[tuple[int, tuple[float, float, float, float]]], min_iou: float
) -> list[list[int]]:
    """Positions in `boxes` ((sample number, box) in sample order) grouped into tracks: a box joins the track of the
    box it overlaps most (one to one) in the last earlier sample that has any, when that overlap is at least `min_iou`
    and the heights differ by at most MAX_TRACK_SCALE."""
    track_of: dict[int, int] = {}
    tracks: list[list[int]] = []
    by_sample: dict[int, list[int]] = {}
    for position, (number, _) in enumerate(boxes):
        by_sample.setdefault(number, []).append(position)
    previous: list[int] = []
    for number in sorted(by_sample):
        current = by_sample[number]
        pairs = sorted(
            ((box_iou(boxes[a][1], boxes[b][1]), a, b) for a in previous for b in current
             if _similar_height(boxes[a][1], boxes[b][1])),
            reverse=True,
        )  # fmt: skip
        continued: set[int] = set()
        for overlap, before, now in pairs:
            if overlap < min_iou:
                break
            if before not in continued and now not in track_of:
                continued.add(before)
                track_of[now] = track_of[before]
                tracks[track_of[now]].append(now)
        for now in current:
            if now not in track_of:
                track_of[now] = len(tracks)
                tracks.append([now])
        previous = current
    return tracks


def _similar_height(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return max(a[3], b[3]) <= MAX_TRACK_SCALE * max(min(a[3], b[3]), 1e-6)


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x, y, width, height) boxes."""
    width = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / max(a[2] * a[3] + b[2] * b[3] - inter, 1e-9)


def face_row(
    shot: int, index: int, t_ms: float, rank: int, face: Face, height: int, width: int
) -> dict[str, Any]:
    x, y, w, h = face.box
    return {
        "shot": shot, "frame_index": index, "t_ms": t_ms, "face": rank,
        "x": x / width, "y": y / height, "width": w / width, "height": h / height, "confidence": face.confidence,
        "left_eye_x": face.left_eye[0] / width, "left_eye_y": face.left_eye[1] / height,
        "right_eye_x": face.right_eye[0] / width, "right_eye_y": face.right_eye[1] / height,
        "nose_x": face.nose[0] / width, "nose_y": face.nose[1] / height,
        "embedding": None,
    }  # fmt: skip


def crop(picture: np.ndarray, face: Face, margin: float = PORTRAIT_MARGIN) -> np.ndarray:
    x, y, w, h = face.box
    left, top = max(0, int(x - margin * w)), max(0, int(y - margin * h))
    right, bottom = (
        min(picture.shape[1], int(x + w * (1 + margin))),
        min(picture.shape[0], int(y + h * (1 + margin))),
    )
    return picture[top:bottom, left:right].copy()
