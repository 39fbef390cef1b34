from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from moviegoer.video.keyframe_sampler import KeyframeSampler
from moviegoer.video.opencv_sampler import STRATEGIES, ExactSampler
from moviegoer.video.pyav_sampler import ReferenceSkippingSampler, keyframe_index
from moviegoer.video.sampler import next_mark_index
from tests.synthetic import all_timestamps, naive_samples, naive_samples_multi

SAMPLERS = (*STRATEGIES, "reference-skipping")


def _sampler(path: Path, interval_ms: float, strategy: str) -> ExactSampler | ReferenceSkippingSampler:
    if strategy == "reference-skipping":
        keyframes = keyframe_index(path)
        assert keyframes, f"{path.name}: no keyframe index"
        return ReferenceSkippingSampler(path, interval_ms, keyframes)
    return ExactSampler(path, interval_ms, strategy=strategy)


def _assert_same_as(
    expected: list[tuple[float, np.ndarray]], path: Path, interval_ms: float, strategy: str
) -> ExactSampler | ReferenceSkippingSampler:
    sampler = _sampler(path, interval_ms, strategy)
    got = list(sampler)
    assert [s.t_ms for s in got] == [t for t, _ in expected], f"{path.name} {interval_ms} {strategy}"
    for sample, (_, image) in zip(got, expected, strict=True):
        assert np.array_equal(sample.image, image), (
            f"{path.name}: pixels differ at {sample.t_ms} ms ({strategy})"
        )
    assert [s.target_ms for s in got][:1] == [0]
    return sampler


def test_next_mark_index() -> None:
    assert next_mark_index(0.0, 8000) == 1
    assert next_mark_index(7999.9, 8000) == 1
    assert next_mark_index(8000.0, 8000) == 2
    assert next_mark_index(17000.0, 8000) == 3


@pytest.mark.parametrize("strategy", SAMPLERS)
@pytest.mark.parametrize("name", ["alpha.mp4", "beta.mp4", "gamma.mp4", "vfr.mkv"])
@pytest.mark.parametrize("interval_ms", [1000, 2500, 8000])
def test_exact_mode_keeps_what_the_read_every_frame_loop_keeps(
    films_dir: Path, name: str, interval_ms: float, strategy: str
) -> None:
    path = films_dir / name
    sampler = _assert_same_as(naive_samples(path, interval_ms), path, interval_ms, strategy)
    if strategy == "grab":
        assert sampler.stats.seeks == 0
    if strategy == "seek" and interval_ms >= 2500:
        assert sampler.stats.seeks > 0


def test_seeking_decodes_fewer_frames_than_grabbing(films_dir: Path) -> None:
    grab = ExactSampler(films_dir / "gamma.mp4", 8000, strategy="grab")
    seek = ExactSampler(films_dir / "gamma.mp4", 8000, strategy="seek")
    skipping = _sampler(films_dir / "gamma.mp4", 8000, "reference-skipping")
    list(grab), list(seek), list(skipping)
    assert (
        seek.stats.grabbed < grab.stats.grabbed / 2
    )  # frames grabbed after seeks, not those FFmpeg decodes inside
    assert skipping.stats.grabbed < grab.stats.grabbed / 3  # every frame the decoder produced


@pytest.mark.slow
def test_exact_mode_on_real_clips(real_videos: Path) -> None:
    for video in sorted(real_videos.glob("*.mp4")):
        if video.stem == "batman":  # AV1: whether it decodes depends on the wheels' FFmpeg build
            continue
        for interval_ms, expected in naive_samples_multi(video, [2000, 8000]).items():
            _assert_same_as(expected, video, interval_ms, "auto")
            _assert_same_as(expected, video, interval_ms, "reference-skipping")


def _keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        return sorted(
            (p.pts - start) * float(stream.time_base) * 1000
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        )


def test_keyframe_mode_keeps_the_keyframe_nearest_each_mark(films_dir: Path) -> None:
    path = films_dir / "gamma.mp4"  # keyframes every 120 frames = 5 s, film 30 s
    samples = list(KeyframeSampler(path, 8000, end_ms=all_timestamps(path)[-1]))
    assert [round(s.t_ms) for s in samples] == [0, 10000, 15000, 25000]
    assert [s.target_ms for s in samples] == [0, 8000, 16000, 24000]
    for sample in samples:
        assert sample.image.shape == (180, 320, 3)


def test_keyframe_mode_on_real_clips_gives_true_keyframes(real_videos: Path) -> None:
    for name in ("joker_trailer", "goldeneye", "friends_dvt", "pirates"):
        path = real_videos / f"{name}.mp4"
        stamps = all_timestamps(path)
        keyframes = _keyframe_times(path)
        samples = list(KeyframeSampler(path, 8000, end_ms=stamps[-1]))
        assert samples, name
        for sample in samples:
            assert min(abs(sample.t_ms - t) for t in stamps) < 1e-6, f"{name}: {sample.t_ms} is not a frame"
            assert min(abs(sample.t_ms - t) for t in keyframes) < 1e-6, (
                f"{name}: {sample.t_ms} is no keyframe"
            )
        assert len({s.t_ms for s in samples}) == len(samples)
