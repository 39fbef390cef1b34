"""Every frame of a film, once, in presentation order: its index, its own timestamp, the small copy the cut detector
sees, and the full picture on request.

The small copy is made by FFmpeg's scaler straight from the decoder's YUV planes, in one step that also converts the
colours: converting every full frame to BGR and then shrinking it (what PySceneDetect does) cost more than decoding
did. Only the few frames a shot keeps as samples are ever converted at full size. Each conversion keeps one scaler
(PyAV's VideoReformatter): making a new one for every frame cost ten times the scaling itself. The scaler runs on one
thread: its own threads only contended with the decoder's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from moviegoer.core.errors import VideoError
from moviegoer.video.pyav_sampler import open_container, timestamps_in_ms

SMALL_INTERPOLATION = "AREA"  # FFmpeg's scaler: every pixel of the frame counts towards the small copy


@dataclass
class DecodedFrame:
    index: int
    t_ms: float
    small: np.ndarray  # BGR, `small_width` wide: what the cut detector sees
    frame: Any  # the decoded av.VideoFrame
    full: Any  # the av VideoReformatter that converts frames to full-size BGR

    @cached_property
    def bgr(self) -> np.ndarray:
        """The full picture as BGR (converted once, when first asked)."""
        return self.full.reformat(self.frame, format="bgr24").to_ndarray()

    def picture(self, width: int) -> np.ndarray:
        """The frame as BGR, `width` wide at most (aspect kept)."""
        return at_most_wide(self.bgr, width)


def at_most_wide(bgr: np.ndarray, width: int) -> np.ndarray:
    """`bgr` shrunk to `width` (aspect kept) when it is wider, else as it is."""
    height, full = bgr.shape[:2]
    if full <= width:
        return bgr
    return cv2.resize(bgr, (width, max(1, round(height * width / full))), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class FilmStream:
    frames: Iterator[DecodedFrame]
    fps: float  # nominal rate (for the cut detector's frame arithmetic)


def small_size(width: int, height: int, small_width: int) -> tuple[int, int]:
    """The detector's frame size: PySceneDetect's compute_downscale_factor (a float factor, aspect kept)."""
    factor = max(1.0, width / small_width)
    return max(1, round(width / factor)), max(1, round(height / factor))


def decode_film(path: Path, small_width: int) -> FilmStream:
    """Open `path` and decode it on FFmpeg's threads; frames come as the iterator is consumed."""
    container = open_container(Path(path))
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    fps = float(stream.average_rate or stream.guessed_rate or 25)
    to_ms = timestamps_in_ms(stream)
    width, height = small_size(stream.codec_context.width, stream.codec_context.height, small_width)

    def frames() -> Iterator[DecodedFrame]:
        import av
        from av.video.reformatter import VideoReformatter

        shrink, full = VideoReformatter(), VideoReformatter()
        try:
            for index, frame in enumerate(container.decode(stream)):
                t_ms = to_ms(frame.pts) if frame.pts is not None else index * 1000.0 / fps
                small = shrink.reformat(
                    frame,
                    width=width,
                    height=height,
                    format="bgr24",
                    interpolation=SMALL_INTERPOLATION,
                    threads=1,
                ).to_ndarray()
                yield DecodedFrame(index, t_ms, small, frame, full)
        except av.FFmpegError as exc:
            raise VideoError(path, f"stopped decoding ({exc.__class__.__name__})") from exc
        finally:
            container.close()

    return FilmStream(frames(), fps)
