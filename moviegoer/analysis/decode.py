"""Every frame of a film, once, in presentation order: its index, its own timestamp, the full picture, and the small
copy the cut detector sees, shrunk exactly as PySceneDetect shrinks it (OpenCV, linear) so that our cuts are its."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from moviegoer.core.errors import VideoError
from moviegoer.video.pyav_sampler import open_container, timestamps_in_ms


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    t_ms: float
    bgr: np.ndarray  # the full picture
    small: np.ndarray  # BGR, `small_width` wide: what the cut detector sees

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


def decode_film(path: Path, small_width: int) -> FilmStream:
    """Open `path` and decode it on FFmpeg's threads; frames come as the iterator is consumed."""
    container = open_container(Path(path))
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    fps = float(stream.average_rate or stream.guessed_rate or 25)
    to_ms = timestamps_in_ms(stream)
    factor = max(1.0, stream.codec_context.width / small_width)  # PySceneDetect's compute_downscale_factor
    small_size = (
        max(1, round(stream.codec_context.width / factor)),
        max(1, round(stream.codec_context.height / factor)),
    )

    def frames() -> Iterator[DecodedFrame]:
        import av

        try:
            for index, frame in enumerate(container.decode(stream)):
                t_ms = to_ms(frame.pts) if frame.pts is not None else index * 1000.0 / fps
                bgr = frame.to_ndarray(format="bgr24")
                small = bgr if factor == 1.0 else cv2.resize(bgr, small_size, interpolation=cv2.INTER_LINEAR)
                yield DecodedFrame(index, t_ms, bgr, small)
        except av.FFmpegError as exc:
            raise VideoError(path, f"stopped decoding ({exc.__class__.__name__})") from exc
        finally:
            container.close()

    return FilmStream(frames(), fps)
