"""Frame features (real YuNet faces with dlib landmarks and embeddings, picture statistics) and the linear designs
trained on them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from moviegoer.core.errors import MoviegoerError
from moviegoer.dataset.frames import ExtractParams, extract_film
from moviegoer.dataset.labels import LabelParams, empty_labels, import_labels, read_csv
from moviegoer.dataset.manifest import load_manifests
from moviegoer.dataset.split import SplitParams, assign_splits, write_splits
from moviegoer.evaluation.evaluate import EvaluateParams, evaluate_model
from moviegoer.evaluation.report import render_report
from moviegoer.evaluation.results import read_results
from moviegoer.features.faces import FACE_FEATURES, Face, FaceAnalyser, FaceParams, face_features_of
from moviegoer.features.frame import (
    ALL_FEATURES,
    FRAME_FEATURES,
    frame_extractors,
    frame_features,
    read_picture,
)
from moviegoer.features.picture import PICTURE_FEATURES, picture_rows, picture_stats
from moviegoer.model.designs import FEATURES_NORM, build_model, model_inputs
from moviegoer.model.exact_fit import fit_features_model
from moviegoer.model.fit import TrainParams
from moviegoer.model.predict import predict_folder
from moviegoer.model.train import train_model
from tests.conftest import SHARED_REAL, project_params

FACE_PARAMS = project_params(FaceParams, "faces")
EXTRACTORS = frame_extractors(FACE_PARAMS)


def feature(vector: np.ndarray, name: str) -> float:
    return float(vector[ALL_FEATURES.index(name)])


def test_face_geometry_is_measured_in_picture_fractions() -> None:
    large = Face((300, 20, 100, 120), 0.99, (330.0, 60.0), (370.0, 60.0), (360.0, 90.0))
    small = Face((50, 100, 30, 36), 0.95, (58.0, 112.0), (72.0, 112.0), (65.0, 120.0))
    values = dict(zip(FACE_FEATURES, face_features_of([large, small], 240, 480), strict=True))
    assert values["faces"] == 2
    assert values["face1_height"] == pytest.approx(0.5) and values["face1_width"] == pytest.approx(100 / 480)
    assert values["face1_cx"] == pytest.approx(350 / 480)
    assert values["face1_offcentre"] == pytest.approx(abs(350 / 480 - 0.5) * 2)
    assert values["face1_top"] == pytest.approx(20 / 240) and values["face1_eye_span"] == pytest.approx(0.4)
    assert values["face2_height"] == pytest.approx(36 / 240) and values["face2_ratio"] == pytest.approx(0.3)
    assert values["faces_area"] == pytest.approx((100 * 120 + 30 * 36) / (240 * 480))
    assert values["picture_aspect"] == pytest.approx(2.0)
    assert values["face1_roll"] == 0  # level eyes
    assert values["face1_yaw"] == pytest.approx(
        10 / 40
    )  # nose 10 px right of the eyes' midpoint, eyes 40 apart
    tilted = Face((0, 0, 100, 100), 0.9, (30.0, 40.0), (70.0, 80.0), (50.0, 60.0))
    assert tilted.roll == pytest.approx(np.pi / 4) and tilted.yaw == pytest.approx(0)
    none = dict(zip(FACE_FEATURES, face_features_of([], 240, 480), strict=True))
    assert none["faces"] == 0 and none["face1_height"] == 0 and none["face2_ratio"] == 0


def test_letterbox_bars_are_cut_and_black_frames_read_as_dark() -> None:
    frame = np.zeros((200, 480, 3), np.uint8)
    frame[30:170] = 128
    frame[60:140, 40:200] = 255  # a bright block on the left: the picture's detail
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert picture_rows(gray) == (30, 170)
    assert picture_rows(np.zeros((200, 480), np.uint8)) == (0, 200)  # all black: nothing to cut
    stats = dict(zip(PICTURE_FEATURES, picture_stats(frame[30:170]), strict=True))
    assert stats["edges_left"] > stats["edges_right"] == 0
    black = dict(zip(PICTURE_FEATURES, picture_stats(np.zeros((200, 480, 3), np.uint8)), strict=True))
    assert black["luma_mean"] == 0 and black["dark_share"] == 1 and black["edges"] == 0


def test_unreadable_image_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_text("not a jpeg")
    with pytest.raises(MoviegoerError, match="broken.jpg: not a readable image"):
        read_picture(broken)


def test_features_design_is_the_optimum_of_keras_own_loss() -> None:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(FRAME_FEATURES))).astype(np.float32) * rng.uniform(
        0.1, 5, len(FRAME_FEATURES)
    ).astype(np.float32)
    y = (x[:, 1] + 0.5 * x[:, 14] + rng.normal(size=200) > 0).astype(int)
    model = build_model(project_params(TrainParams, "train", design="features", l2=0.01))
    assert model_inputs(model) == ["features"]
    model.get_layer(FEATURES_NORM).adapt(x)
    fit_features_model(model, x, y, 0.01, None)
    output = model.get_layer("p_mcu")
    with tf.GradientTape() as tape:  # the objective Keras itself trains: mean cross-entropy + the L2 penalty
        loss = keras.losses.BinaryCrossentropy()(y[:, None].astype(np.float32), model(x)) + tf.add_n(
            model.losses
        )
    gradients = tape.gradient(loss, output.trainable_weights)
    assert max(float(tf.reduce_max(tf.abs(g))) for g in gradients) < 1e-3  # a minimum: the gradient vanishes
    assert float(loss) < 0.6  # and a real fit, not a flat start
    with pytest.raises(MoviegoerError, match="one class only"):
        fit_features_model(model, x, np.zeros(len(y), int), 0.01, None)


@pytest.fixture(scope="module")
def faces_splits(real_videos: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four real clips with clear people (130 frames at 2 s, 320 px wide, enough for face detection), split mixed."""
    root = tmp_path_factory.mktemp("faces")
    for film in ("blackjournal", "pirates", "joker_teaser", "suicide_squad"):
        extract_film(
            real_videos / f"{film}.mp4",
            film,
            root / "frames" / film,
            project_params(ExtractParams, "extract", interval_s=2, width=320),
        )
    labels, _ = import_labels(
        read_csv(SHARED_REAL / "labels.csv"),
        empty_labels(),
        load_manifests(root / "frames"),
        project_params(LabelParams, "labels"),
        "csv",
    )
    write_splits(
        assign_splits(labels, project_params(SplitParams, "split", seed=2, imbalance_removal=0.0)),
        root / "frames",
        root / "splits",
    )
    return root / "splits"


def test_yunet_finds_the_interviewee_and_dlib_her_eyes(real_videos: Path) -> None:
    picture = cv2.cvtColor(
        read_picture(SHARED_REAL / "frames/blackjournal/blackjournal_t000000.jpg"), cv2.COLOR_BGR2RGB
    )
    [face] = FaceAnalyser(FACE_PARAMS).detect(picture)
    x, y, w, h = face.box
    assert (x, y, w, h) == pytest.approx(
        (189, 92, 77, 100), abs=6
    ) and face.confidence > 0.85  # letterbox cut
    for eye in (face.left_eye, face.right_eye, face.nose):
        assert x < eye[0] < x + w and y < eye[1] < y + h
    assert face.left_eye[0] < face.right_eye[0] and face.nose[1] > max(face.left_eye[1], face.right_eye[1])
    interview = frame_features(SHARED_REAL / "frames/blackjournal/blackjournal_t000000.jpg", EXTRACTORS)
    assert feature(interview, "faces") == 1 and 0.25 < feature(interview, "face1_height") < 0.6  # chest-up
    black = frame_features(SHARED_REAL / "frames/forrest_gump/forrest_gump_t000000.jpg", EXTRACTORS)
    assert feature(black, "faces") == 0 and feature(black, "dark_share") > 0.99


def test_same_person_is_closer_than_different_people(real_videos: Path) -> None:
    analyser = FaceAnalyser(FACE_PARAMS)

    def embedding(frame: str) -> np.ndarray:
        rgb = cv2.cvtColor(cv2.imread(str(SHARED_REAL / "frames" / frame)), cv2.COLOR_BGR2RGB)
        return analyser.embed(rgb, analyser.detect(rgb)[0]).embedding

    interviewee = [embedding(f"blackjournal/blackjournal_t{ms:06d}.jpg") for ms in (2000, 10000)]
    others = [embedding("pirates/pirates_t020000.jpg"), embedding("pjo_trailer/pjo_trailer_t010000.jpg")]
    assert interviewee[0].shape == (128,)
    same = float(np.linalg.norm(interviewee[0] - interviewee[1]))
    different = [float(np.linalg.norm(a - b)) for a in interviewee for b in others]
    assert same < 0.6 < min(different)  # dlib's usual same-person bound separates them


@pytest.mark.slow
@pytest.mark.parametrize("design", ["faces", "features", "body"])
def test_linear_designs_train_evaluate_and_predict(faces_splits: Path, tmp_path: Path, design: str) -> None:
    params = project_params(TrainParams, "train", design=design, l2=0.002, class_weight="balanced", seed=3)
    model = tmp_path / "mcu.keras"
    result = train_model(
        faces_splits, model, tmp_path / "history.csv", tmp_path / "train.json", params, FACE_PARAMS
    )
    history = pd.read_csv(tmp_path / "history.csv")
    assert result.epochs_run == 1 and {"loss", "val_loss", "val_auc"} <= set(history.columns)
    evaluation = evaluate_model(
        model,
        faces_splits,
        tmp_path / "history.csv",
        tmp_path / "eval",
        project_params(EvaluateParams, "evaluate"),
        FACE_PARAMS,
    )
    result = read_results(tmp_path / "eval")
    predictions = evaluation.predictions
    assert result.design == design
    assert result.model["roc_auc"] > 0.75 > result.rows["dummy_stratified"]["roc_auc"]
    figures = {p.name for p in (tmp_path / "eval" / "figures").iterdir()}
    assert "roc_pr.png" in figures and not any(name.startswith("activations") for name in figures)  # no convs
    page = render_report(
        tmp_path / "eval", tmp_path / "no_eda", tmp_path / "no_docs", tmp_path / "r.html", {}
    )
    activations = page.read_text().split(">Activation maps</h2>")[1].split("<h2")[0]
    assert "not available for this run" in activations
    test_frames = predictions["path"].head(5).tolist()
    folder = tmp_path / "loose"
    folder.mkdir()
    for relative in test_frames:
        (folder / Path(relative).name).write_bytes((faces_splits / relative).read_bytes())
    table = predict_folder(model, folder, 0.5, 64, FACE_PARAMS).table
    by_name = dict(zip(table["path"].map(lambda p: Path(p).name), table["p_mcu"], strict=True))
    expected = dict(
        zip(
            predictions["path"].head(5).map(lambda p: Path(p).name), predictions["p_mcu"].head(5), strict=True
        )
    )
    assert by_name == pytest.approx(expected, abs=1e-5)  # the same frame gets the same score anywhere
