"""The fast exact sampler, on FFmpeg's own API through PyAV.

Exact mode (`ReferenceSkippingSampler`): for each mark, the first frame whose timestamp is >= the mark, the frame
a read-every-frame loop keeps. A first pass reads the packet index (no decoding) to find the keyframes. Then, per
mark, the decoder starts from the last keyframe at or before it (seeking only when that is ahead of where the
decoder already is) and, until a packet at or after the mark arrives, decodes only the frames that other frames
refer to: the others cannot change any later picture, and no frame before the mark is kept. Every packet at or
after the mark is decoded, so the first frame at or after it is found exactly. Measured on H.264 with a keyframe
every 10 s and a mark every 8 s, this decodes about a third of the frames (benchmarks/results/extract.md).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from moviegoer.core.errors import VideoError
from moviegoer.video.sampler import MarkSampler, ProgressCallback, Sample, mark_ms, next_mark_index


def open_container(path: Path) -> Any:
    import av  # lazy: heavy, and only the samplers need it

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise VideoError(path, f"not a readable video ({exc.__class__.__name__})") from exc
    if not container.streams.video:
        container.close()
        raise VideoError(path, "holds no video stream")
    return container


def timestamps_in_ms(stream: Any) -> Any:
    """pts -> ms from the stream's start, computed as OpenCV computes CAP_PROP_POS_MSEC."""
    start = stream.start_time or 0
    base = float(stream.time_base)
    return lambda pts: (pts - start) * base * 1000.0


def keyframe_index(path: Path) -> list[float] | None:
    """Timestamps (ms) of every keyframe, read from the packets without decoding; None when the packets carry
    no timestamps (then only the OpenCV sampler can be trusted)."""
    with open_container(path) as container:
        stream = container.streams.video[0]
        to_ms = timestamps_in_ms(stream)
        keyframes = []
        for packet in container.demux(stream):
            if packet.size and packet.pts is None:
                return None
            if packet.is_keyframe and packet.pts is not None:
                keyframes.append(to_ms(packet.pts))
    return sorted(keyframes) or None


class ReferenceSkippingSampler(MarkSampler):
    """Exact-mode sampler: decode from the keyframe before each mark, skipping frames nothing refers to."""

    description = "reference-skipping decoder"

    def __init__(
        self,
        path: Path,
        interval_ms: float,
        keyframes: list[float],
        end_ms: float = math.inf,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        super().__init__(path, interval_ms, end_ms, on_progress)
        self.keyframes = keyframes
        self._mark = 0.0

    def __iter__(self) -> Iterator[Sample]:
        with open_container(self.path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            to_ms = timestamps_in_ms(stream)
            frames: Iterator[tuple[float, Any]] | None = None
            decoder_keyframe = -math.inf  # the keyframe the decoder last started from
            k = 0
            while mark_ms(k, self.interval_ms) <= self.end_ms:
                self._mark = mark_ms(k, self.interval_ms)
                start = self.keyframes[max(bisect.bisect_right(self.keyframes, self._mark) - 1, 0)]
                if frames is None or start > decoder_keyframe:
                    offset = round(start / 1000.0 / float(stream.time_base)) + (stream.start_time or 0)
                    container.seek(offset, stream=stream, backward=True, any_frame=False)
                    self.stats.seeks += 1
                    frames = self._decoded(container, stream, to_ms)
                    decoder_keyframe = start
                found = next(((t, f) for t, f in frames if t >= self._mark), None)
                if found is None:
                    break
                t_ms, frame = found
                yield Sample(round(self._mark), t_ms, frame.to_ndarray(format="bgr24"))
                self._progress(t_ms)
                k = next_mark_index(t_ms, self.interval_ms)
                decoder_keyframe = self.keyframes[max(bisect.bisect_right(self.keyframes, t_ms) - 1, 0)]

    def _decoded(self, container: Any, stream: Any, to_ms: Any) -> Iterator[tuple[float, Any]]:
        """Frames in presentation order from the current position; non-reference frames are skipped while every
        packet so far lies before the current mark."""
        context = stream.codec_context
        for packet in container.demux(stream):
            before_mark = packet.pts is not None and to_ms(packet.pts) < self._mark
            context.skip_frame = "NONREF" if before_mark else "DEFAULT"
            for frame in packet.decode():
                self.stats.grabbed += 1
                if frame.pts is not None:
                    yield to_ms(frame.pts), frame
