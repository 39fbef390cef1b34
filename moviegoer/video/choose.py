"""Pick the sampler for a film and a sampling mode."""

from __future__ import annotations

from pathlib import Path

from moviegoer.video.keyframe_sampler import KeyframeSampler
from moviegoer.video.opencv_sampler import ExactSampler
from moviegoer.video.pyav_sampler import ReferenceSkippingSampler, keyframe_index
from moviegoer.video.sampler import ProgressCallback, Sampler

SAMPLING_MODES = ("exact", "keyframe")


def sampler_for(
    video: Path, interval_ms: float, end_ms: float, mode: str, on_progress: ProgressCallback | None = None
) -> Sampler:
    """keyframe mode: the keyframe sampler. exact mode: the reference-skipping PyAV sampler when the packets carry
    timestamps (measured fastest, benchmarks/results/extract.md), else OpenCV's grab/seek sampler."""
    if mode not in SAMPLING_MODES:
        raise ValueError(f"mode must be one of {SAMPLING_MODES}")
    if mode == "keyframe":
        return KeyframeSampler(video, interval_ms, end_ms, on_progress)
    keyframes = keyframe_index(video)
    if keyframes:
        return ReferenceSkippingSampler(video, interval_ms, keyframes, end_ms=end_ms, on_progress=on_progress)
    return ExactSampler(video, interval_ms, end_ms=end_ms, on_progress=on_progress)
