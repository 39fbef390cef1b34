"""The embedded sample: deterministic, decodable, letterboxed films whose timeline is a sound ground truth."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from moviegoer.sample.plan import MCU_SHOT_TYPES, SHOT_TYPES, SampleParams, plan_film, plan_sample
from moviegoer.sample.render import render_sample
from moviegoer.sample.timeline import TIMELINE_SCHEMA, shot_at, timeline_table
from tests.conftest import project_params

TINY = project_params(SampleParams, "sample", films=1, min_duration_s=6, max_duration_s=6, workers=1)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    assert render_sample(out, TINY, progress=False) == [out / "sample_01.mp4"]
    return out


@pytest.fixture(scope="module")
def default_timeline() -> pd.DataFrame:
    return timeline_table(plan_sample(project_params(SampleParams, "sample"))).to_pandas()


def _read_frames(path: Path) -> tuple[list[np.ndarray], float, tuple[int, int]]:
    cap = cv2.VideoCapture(str(path))
    fps, size = (
        cap.get(cv2.CAP_PROP_FPS),
        (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))),
    )
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps, size


def test_render_is_byte_identical_for_a_seed(tiny: Path, tmp_path: Path) -> None:
    render_sample(tmp_path, TINY, progress=False)
    for name in ("sample_01.mp4", "timeline.parquet"):
        assert (tmp_path / name).read_bytes() == (tiny / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sample_01.mp4",
        "timeline.parquet",
    ]  # no temp files


@pytest.mark.slow  # spawns two worker processes
def test_worker_pool_renders_the_same_bytes(tmp_path: Path) -> None:
    params = project_params(SampleParams, "sample", films=2, min_duration_s=3, max_duration_s=4, workers=1)
    alone, pooled = tmp_path / "alone", tmp_path / "pooled"
    render_sample(alone, params, progress=False)
    paths = render_sample(pooled, replace(params, workers=2), progress=False)
    assert [p.name for p in paths] == ["sample_01.mp4", "sample_02.mp4"]
    for name in ("sample_01.mp4", "sample_02.mp4", "timeline.parquet"):
        assert (alone / name).read_bytes() == (pooled / name).read_bytes(), name


def test_video_decodes_with_the_planned_fps_size_and_length(tiny: Path) -> None:
    frames, fps, size = _read_frames(tiny / "sample_01.mp4")
    assert fps == pytest.approx(24.0)
    assert size == (854, 480)
    assert len(frames) == plan_film(0, TINY).frames == 6 * 24


def test_picture_is_letterboxed_in_black_bars(tiny: Path) -> None:
    frames, _, _ = _read_frames(tiny / "sample_01.mp4")
    timeline = pd.read_parquet(tiny / "timeline.parquet")
    pic_h = round(854 / 2.39)
    bar = (480 - pic_h) // 2
    cards = {"black", "title", "credits"}  # dark by design
    lit = [
        i
        for i, _ in enumerate(frames)
        if shot_at(timeline, "sample_01", i * 1000 / 24).shot_type not in cards
    ]
    assert lit
    for i in lit[:: max(1, len(lit) // 10)]:
        frame = frames[i].astype(np.int16)
        assert frame[: bar - 8].max() < 24 and frame[bar + pic_h + 8 :].max() < 24, (
            i
        )  # codec ringing at the edge
        assert frame[:bar].mean() < 2 and frame[bar + pic_h :].mean() < 2, i
        assert frame[bar + 4 : bar + pic_h - 4].mean() > 10, i


def test_timeline_has_the_schema_and_covers_each_film(tiny: Path, default_timeline: pd.DataFrame) -> None:
    assert pq.read_schema(tiny / "timeline.parquet").remove_metadata() == TIMELINE_SCHEMA
    plans = {p.film_id: p for p in plan_sample(project_params(SampleParams, "sample"))}
    assert sorted(default_timeline["film_id"].unique()) == [f"sample_{i:02d}" for i in range(1, 7)]
    for film_id, rows in default_timeline.groupby("film_id"):
        rows = rows.sort_values("start_ms")
        assert rows["start_ms"].iloc[0] == 0
        assert (rows["start_ms"].to_numpy()[1:] == rows["end_ms"].to_numpy()[:-1]).all()
        assert (rows["end_ms"] > rows["start_ms"]).all()
        assert 180_000 <= rows["end_ms"].iloc[-1] == plans[film_id].duration_ms <= 300_000
        assert rows["shot_type"].iloc[0] == "title" and rows["shot_type"].iloc[-1] == "credits"
        assert rows["scene_id"].is_monotonic_increasing
        assert set(rows["shot_type"]) <= set(SHOT_TYPES)


def test_cuts_fall_on_frame_boundaries(default_timeline: pd.DataFrame) -> None:
    assert ((default_timeline["start_ms"] * 24) % 1000 == 0).all()


def test_shot_lengths_are_like_real_editing(default_timeline: pd.DataFrame) -> None:
    seconds = (default_timeline["end_ms"] - default_timeline["start_ms"]) / 1000
    people = default_timeline["shot_type"].isin(MCU_SHOT_TYPES | {"medium", "full", "wide", "two_shot"})
    assert seconds[people].between(1.5, 12).all()
    assert 3 <= seconds.median() <= 7


def test_default_sample_has_every_shot_type(default_timeline: pd.DataFrame) -> None:
    assert set(default_timeline["shot_type"]) == set(SHOT_TYPES)


def test_mcu_share_at_8_s_sampling_is_like_real_films(default_timeline: pd.DataFrame) -> None:
    fps, labels = 24, []
    for plan in plan_sample(project_params(SampleParams, "sample")):
        for k in range(math.ceil(plan.duration_ms / 8000)):
            frame = math.ceil(k * 8 * fps)  # the first frame with t >= k * 8 s
            if frame < plan.frames:
                labels.append(
                    shot_at(default_timeline, plan.film_id, frame * 1000 / fps).shot_type in MCU_SHOT_TYPES
                )
    assert 0.20 <= np.mean(labels) <= 0.35


def test_dialogue_coverage_alternates_between_two_characters(default_timeline: pd.DataFrame) -> None:
    dialogue = default_timeline[default_timeline["is_dialogue"]]
    assert dialogue["scene_id"].nunique() >= 6
    for _, scene in dialogue.groupby(["film_id", "scene_id"]):
        coverage = scene[scene["shot_type"].isin(MCU_SHOT_TYPES)]
        speakers = [tuple(c) for c in coverage["characters"]]
        assert all(len(s) == 1 for s in speakers)
        assert len(set(speakers)) <= 2
        assert all(a != b for a, b in zip(speakers, speakers[1:], strict=False)), speakers


def test_casts_differ_within_a_film_and_names_are_unique() -> None:
    plans = plan_sample(project_params(SampleParams, "sample"))
    names = [c.name for p in plans for c in p.cast]
    assert len(names) == len(set(names))
    for plan in plans:
        assert 2 <= len(plan.cast) <= 4
        for attribute in ("skin", "hair", "hair_style", "shirt"):
            assert len({getattr(c, attribute) for c in plan.cast}) == len(plan.cast), attribute
    assert len({p.look.name for p in plans}) == 6


def test_plan_is_deterministic_and_seed_dependent() -> None:
    assert plan_film(3, project_params(SampleParams, "sample")) == plan_film(
        3, project_params(SampleParams, "sample")
    )
    assert (
        plan_film(3, project_params(SampleParams, "sample")).shots
        != plan_film(3, project_params(SampleParams, "sample", seed=8)).shots
    )


def test_shot_at_finds_the_covering_shot(default_timeline: pd.DataFrame) -> None:
    first = default_timeline.iloc[0]
    assert shot_at(default_timeline, "sample_01", 0)["shot_type"] == "title"
    assert shot_at(default_timeline, "sample_01", first["end_ms"])["start_ms"] == first["end_ms"]
    with pytest.raises(KeyError):
        shot_at(default_timeline, "sample_01", 10_000_000)
