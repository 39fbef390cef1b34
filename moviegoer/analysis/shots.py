"""Shot boundaries with PySceneDetect's detectors used as a library, fed the frames our own decoding pass makes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moviegoer.core.errors import ParamsError

DETECTORS = ("adaptive", "content")


@dataclass(frozen=True)
class ShotParams:
    detector: str  # adaptive (PySceneDetect's detect-adaptive) | content (detect-content)
    threshold: float  # adaptive: the score's ratio to its neighbours; content: the score itself
    min_content_val: float  # adaptive only: a cut needs at least this much change too
    min_shot_s: float  # no shot shorter than this
    detect_width: int  # frames are shrunk to this width for detection (PySceneDetect's own default: 256)

    def __post_init__(self) -> None:
        if self.detector not in DETECTORS:
            raise ParamsError("detector", f"must be one of {', '.join(DETECTORS)} (got {self.detector!r})")
        for key in ("threshold", "min_content_val", "min_shot_s"):
            if not isinstance(getattr(self, key), int | float) or getattr(self, key) < 0:
                raise ParamsError(key, f"must be a number >= 0 (got {getattr(self, key)!r})")
        if not isinstance(self.detect_width, int) or not 32 <= self.detect_width <= 1920:
            raise ParamsError(
                "detect_width", f"must be an integer from 32 to 1920 (got {self.detect_width!r})"
            )


class CutFinder:
    """Feed frames in order; each call says at which earlier frame indices cuts were found (detectors decide a few
    frames late)."""

    def __init__(self, params: ShotParams, fps: float) -> None:
        from scenedetect.detectors import AdaptiveDetector, ContentDetector

        self.fps = fps
        min_frames = max(1, round(params.min_shot_s * fps))
        if params.detector == "adaptive":
            self.detector = AdaptiveDetector(
                adaptive_threshold=params.threshold,
                min_content_val=params.min_content_val,
                min_scene_len=min_frames,
            )
        else:
            self.detector = ContentDetector(threshold=params.threshold, min_scene_len=min_frames)
        self.last_index = 0

    def _timecode(self, index: int):  # noqa: ANN202  (scenedetect's FrameTimecode)
        from scenedetect import FrameTimecode

        return FrameTimecode(index, fps=self.fps)

    def feed(self, index: int, small_bgr: np.ndarray) -> list[int]:
        self.last_index = index
        return [cut.frame_num for cut in self.detector.process_frame(self._timecode(index), small_bgr)]

    def finish(self) -> list[int]:
        return [cut.frame_num for cut in self.detector.post_process(self._timecode(self.last_index))]
