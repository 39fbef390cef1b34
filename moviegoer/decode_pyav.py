"""The fast samplers, on FFmpeg's own API through PyAV.

Exact mode (`ReferenceSkippingSampler`): for each mark, the first frame whose timestamp is >= the mark, the frame
a read-every-frame loop keeps. A first pass reads the packet index (no decoding) to find the keyframes. Then, per
mark, the decoder starts from the last keyframe at or before it (seeking only when that is ahead of where the
decoder already is) and, until a packet at or after the mark arrives, decodes only the frames that other frames
refer to: the others cannot change any later picture, and no frame before the mark is kept. Every packet at or
after the mark is decoded, so the first frame at or after it is found exactly. Measured on H.264 with a keyframe
every 10 s and a mark every 8 s, this decodes about a third of the frames (benchmarks/results/extract.md).

Keyframe mode (`keyframe_samples`): the keyframe nearest each mark, with its true timestamp. The decoder skips
every other frame: about one decoded frame per keyframe.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from moviegoer.decode import DecodeStats, ProgressCallback, Sample, mark_ms, next_mark_index
from moviegoer.errors import VideoError

KEYFRAME_REORDER_WINDOW = 4  # decoders may hand keyframes out slightly out of order


def _open(path: Path) -> Any:
    import av  # lazy: heavy, and only the samplers need it

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise VideoError(path, f"not a readable video ({exc.__class__.__name__})") from exc
    if not container.streams.video:
        container.close()
        raise VideoError(path, "holds no video stream")
    return container


def _to_ms(stream: Any) -> Any:
    """pts -> ms from the stream's start, computed as OpenCV computes CAP_PROP_POS_MSEC."""
    start = stream.start_time or 0
    base = float(stream.time_base)
    return lambda pts: (pts - start) * base * 1000.0


def keyframe_index(path: Path) -> list[float] | None:
    """Timestamps (ms) of every keyframe, read from the packets without decoding; None when the packets carry
    no timestamps (then only the OpenCV sampler can be trusted)."""
    with _open(path) as container:
        stream = container.streams.video[0]
        to_ms = _to_ms(stream)
        keyframes = []
        for packet in container.demux(stream):
            if packet.size and packet.pts is None:
                return None
            if packet.is_keyframe and packet.pts is not None:
                keyframes.append(to_ms(packet.pts))
    return sorted(keyframes) or None


class ReferenceSkippingSampler:
    """Exact-mode sampler: decode from the keyframe before each mark, skipping frames nothing refers to."""

    def __init__(
        self,
        path: Path,
        interval_ms: float,
        keyframes: list[float],
        end_ms: float = math.inf,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if interval_ms <= 0:
            raise ValueError("interval_ms must be > 0")
        self.path = Path(path)
        self.interval_ms = interval_ms
        self.keyframes = keyframes
        self.end_ms = end_ms
        self.on_progress = on_progress
        self.stats = DecodeStats()
        self._mark = 0.0

    def __iter__(self) -> Iterator[Sample]:
        with _open(self.path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            to_ms = _to_ms(stream)
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
                if self.on_progress:
                    self.on_progress(t_ms)
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


def _keyframes_in_order(path: Path) -> Iterator[tuple[float, Any]]:
    """(timestamp ms, av.VideoFrame) of every keyframe, in timestamp order, decoding nothing else."""
    import av

    with _open(path) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        to_ms = _to_ms(stream)
        pending: list[tuple[float, int, object]] = []
        try:
            for order, frame in enumerate(container.decode(stream)):
                if frame.pts is None:
                    continue
                heapq.heappush(pending, (to_ms(frame.pts), order, frame))
                if len(pending) > KEYFRAME_REORDER_WINDOW:
                    t_ms, _, oldest = heapq.heappop(pending)
                    yield t_ms, oldest
        except av.FFmpegError as exc:
            raise VideoError(path, f"cannot decode its video stream: {exc}") from exc
        while pending:
            t_ms, _, oldest = heapq.heappop(pending)
            yield t_ms, oldest


def keyframe_samples(
    path: Path, interval_ms: float, end_ms: float, on_progress: ProgressCallback | None = None
) -> Iterator[Sample]:
    """The keyframe nearest each mark up to `end_ms` (ties go to the earlier one); a keyframe nearest several
    marks is kept once, for the first of them. Marks after the last keyframe are served by it."""
    previous: tuple[float, Any] | None = None
    kept_ts: float | None = None
    k = 0

    def emit(t_ms: float, frame: Any, k: int) -> Sample:
        if on_progress:
            on_progress(t_ms)
        return Sample(round(mark_ms(k, interval_ms)), t_ms, frame.to_ndarray(format="bgr24"))

    for t_ms, frame in _keyframes_in_order(path):
        while mark_ms(k, interval_ms) <= t_ms:
            mark = mark_ms(k, interval_ms)
            earlier_is_nearer = previous is not None and mark - previous[0] <= t_ms - mark
            chosen = previous if earlier_is_nearer else (t_ms, frame)
            if chosen[0] != kept_ts:
                kept_ts = chosen[0]
                yield emit(chosen[0], chosen[1], k)
            k += 1
        previous = (t_ms, frame)
    if previous is not None and previous[0] != kept_ts and mark_ms(k, interval_ms) <= end_ms:
        yield emit(previous[0], previous[1], k)
