"""Body features (MediaPipe's person segmentation and pose, run in LiteRT) on real frames, the model files' checks,
and the film analysis's features equal to the frame files' ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from moviegoer.core.errors import MoviegoerError
from moviegoer.features.body import BODY_FEATURES, BodyAnalyser
from moviegoer.features.body_models import POSE, SEGMENTATION, body_model
from moviegoer.features.faces import FACE_FEATURES, FaceAnalyser, FaceParams
from moviegoer.features.frame import (
    ALL_FEATURES,
    FoundFaceFeatures,
    frame_extractors,
    frame_features,
    frame_features_table,
    read_picture,
)
from tests.conftest import SHARED_REAL, project_params

FACE_PARAMS = project_params(FaceParams, "faces")
FRAMES = SHARED_REAL / "frames"


def body_of(frame: str) -> dict[str, float]:
    values = BodyAnalyser().features(read_picture(FRAMES / frame))
    return dict(zip(BODY_FEATURES, values.tolist(), strict=True))


def test_the_body_shows_where_the_frame_cuts_it(real_videos: Path) -> None:
    interview = body_of("blackjournal/blackjournal_t000000.jpg")  # chest-up, labelled MCU
    two_shot = body_of("blackjournal/blackjournal_t020000.jpg")  # both seated people, arms and laps in view
    black = body_of("forrest_gump/forrest_gump_t000000.jpg")
    assert interview["shoulders_visible"] > 0.9 and interview["elbows_visible"] < 0.5
    assert two_shot["elbows_visible"] > 0.9 and two_shot["wrists_visible"] > 0.9
    assert two_shot["person_span_middle"] > 0.8 > 0.5 > interview["person_span_middle"]  # two people across
    assert interview["person_top"] == 0 and interview["person_share"] > 0.2  # the head reaches the top
    assert black["person_share"] == 0 and black["person_top"] == 1 and black["pose_presence"] < 0.1


def test_a_missing_or_altered_body_model_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        MoviegoerError, match=r"pose_landmark_full.tflite: body model missing; run `make install`"
    ):
        body_model(POSE, tmp_path)
    shutil.copy(body_model(SEGMENTATION), tmp_path)
    assert body_model(SEGMENTATION, tmp_path) == tmp_path / SEGMENTATION.name  # an intact copy is used
    altered = tmp_path / POSE.name
    content = bytearray(body_model(POSE).read_bytes())
    content[len(content) // 2] ^= 0xFF
    altered.write_bytes(bytes(content))
    with pytest.raises(MoviegoerError, match=r"pose_landmark_full.tflite: body model altered"):
        body_model(POSE, tmp_path)


def test_a_model_computes_only_the_features_it_reads() -> None:
    assert [extractor.name for extractor in frame_extractors(FACE_PARAMS, FACE_FEATURES)] == ["faces"]
    assert [e.name for e in frame_extractors(FACE_PARAMS, FACE_FEATURES + BODY_FEATURES)] == ["faces", "body"]
    assert FoundFaceFeatures(FACE_FEATURES).body is None  # the analysis loads no body model for `faces`
    with pytest.raises(MoviegoerError, match="unknown frame features: elbow_grease"):
        FoundFaceFeatures(("faces", "elbow_grease"))


def test_the_analysis_and_the_frame_files_give_the_same_features(real_videos: Path) -> None:
    paths = [FRAMES / "blackjournal/blackjournal_t000000.jpg", FRAMES / "pirates/pirates_t020000.jpg"]
    wanted = (
        "person_share",
        "face1_height",
        "luma_mean",
        "knees_visible",
    )  # any order, from three extractors
    table = frame_features_table(paths, wanted, FACE_PARAMS)
    everything = np.stack([frame_features(path, frame_extractors(FACE_PARAMS)) for path in paths])
    analysis = FoundFaceFeatures(wanted)
    faces = FaceAnalyser(FACE_PARAMS)
    for row, path in enumerate(paths):
        picture = read_picture(path)
        found = analysis(picture, faces.detect(cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)))
        assert found == pytest.approx(table[row], abs=1e-6)
        assert table[row] == pytest.approx([everything[row][ALL_FEATURES.index(name)] for name in wanted])
    assert table[0][1] > 0.25  # the interviewee's face: the columns are where `wanted` puts them
