"""The MCU model shipped inside the package: a fresh clone classifies frames with it, its card matches the settings
it was built with, and `make real-model` rebuilds it byte for byte from ../shared and the conversation set's frames."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from moviegoer.core.errors import MoviegoerError
from moviegoer.dataset.frames import ExtractParams, extract_film
from moviegoer.features.body import BODY_FEATURES
from moviegoer.features.faces import FACE_FEATURES, FaceParams
from moviegoer.model.default_model import DEFAULT_CARD, DEFAULT_MODEL, read_card
from moviegoer.model.designs import feature_names
from moviegoer.model.storage import load_model
from moviegoer.sample.plan import SampleParams
from moviegoer.sample.render import render_sample
from moviegoer.sample.timeline import read_timeline, shots_at
from tests.conftest import PROJECT_ROOT, project_params, run


def test_the_card_describes_the_shipped_model() -> None:
    card = read_card()
    model = load_model(DEFAULT_MODEL)
    assert card.content["design"] == "body" and feature_names(model) == FACE_FEATURES + BODY_FEATURES
    assert card.features == feature_names(
        model
    )  # what the analysis computes for each sample is what it reads
    assert 0 < card.threshold < 1
    # it was fitted with the face analyser settings params.yaml declares: a change to either must rebuild it
    assert FaceParams(**card.face_params) == project_params(FaceParams, "faces")
    assert (DEFAULT_MODEL.parent / "MODEL.md").is_file()


def test_a_card_that_names_unknown_features_is_refused(tmp_path: Path) -> None:
    content = json.loads(DEFAULT_CARD.read_text())
    card = tmp_path / "mcu.json"
    card.write_text(json.dumps({**content, "features": [*content["features"], "tail_length"]}))
    with pytest.raises(
        MoviegoerError, match=r"mcu.json: names features this moviegoer does not compute: tail_length"
    ):
        read_card(card)
    card.write_text("{}")
    with pytest.raises(MoviegoerError, match=r"mcu.json: not a model card"):
        read_card(card)


@pytest.mark.slow
def test_predict_frames_without_a_model_uses_the_default(tmp_path: Path) -> None:
    """No ../shared needed: the embedded sample's drawn people, scored against its ground truth."""
    sample = tmp_path / "sample"
    render_sample(sample, project_params(SampleParams, "sample", films=1, min_duration_s=40, max_duration_s=40,
                                         workers=1, seed=3), progress=False)  # fmt: skip
    frames = tmp_path / "frames"
    extract_film(sample / "sample_01.mp4", "sample_01", frames,
                 project_params(ExtractParams, "extract", interval_s=1, width=480))  # fmt: skip
    out = tmp_path / "p.csv"
    result = run(["moviegoer", "predict-frames", str(frames), "--out", str(out)], PROJECT_ROOT)
    assert "moviegoer's default (body)" in result.stdout
    table = pd.read_csv(out)
    manifest = pd.read_parquet(frames / "manifest.parquet")
    assert len(table) == len(manifest) and table["p_mcu"].between(0, 1).all()
    shots = shots_at(read_timeline(sample / "timeline.parquet"), "sample_01", manifest["t_ms"].to_numpy())
    by_frame = dict(zip(table["path"].map(lambda p: Path(p).name), table["p_mcu"], strict=True))
    scores = manifest["frame"].map(by_frame)
    is_mcu = shots["shot_type"].isin(["mcu", "ots", "cu"]).to_numpy()
    assert 0 < is_mcu.sum() < len(is_mcu)
    assert roc_auc_score(is_mcu, scores) > 0.8  # a model fitted on real films, on drawn ones it never saw


@pytest.mark.slow
def test_make_real_model_rebuilds_it_byte_for_byte(real_videos: Path, tmp_path: Path) -> None:
    labels = pd.read_csv(PROJECT_ROOT / "benchmarks/real_frames/labels.csv")
    frames = PROJECT_ROOT / "benchmarks/cache/real_frames/frames"
    if not all(
        (frames / source / file).is_file()
        for source, file in zip(labels["source"], labels["file"], strict=True)
    ):
        pytest.skip(
            "the conversation set's frames are absent (`make bench-quality` fetches and extracts them)"
        )
    run([sys.executable, "benchmarks/real_quality.py", "--final", "--out", str(tmp_path)], PROJECT_ROOT)
    assert (tmp_path / "mcu.keras").read_bytes() == DEFAULT_MODEL.read_bytes()
    assert (tmp_path / "mcu.json").read_bytes() == DEFAULT_CARD.read_bytes()
