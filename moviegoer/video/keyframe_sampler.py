"""The keyframe sampler: the keyframe nearest each mark, with its true timestamp. The decoder skips every other
frame: about one decoded frame per keyframe, much faster than exact sampling, frames up to half a keyframe interval
off the mark."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from moviegoer.core.errors import VideoError
from moviegoer.video.pyav_sampler import open_container, timestamps_in_ms
from moviegoer.video.sampler import MarkSampler, Sample, mark_ms

KEYFRAME_REORDER_WINDOW = 4  # decoders may hand keyframes out slightly out of order


def _keyframes_in_order(path: Path) -> Iterator[tuple[float, Any]]:
    """(timestamp ms, av.VideoFrame) of every keyframe, in timestamp order, decoding nothing else."""
    import av

    with open_container(path) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        to_ms = timestamps_in_ms(stream)
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


class KeyframeSampler(MarkSampler):
    """The keyframe nearest each mark up to `end_ms` (ties go to the earlier one); a keyframe nearest several marks
    is kept once, for the first of them. Marks after the last keyframe are served by it."""

    description = "keyframes"

    def _emit(self, t_ms: float, frame: Any, k: int) -> Sample:
        self._progress(t_ms)
        return Sample(round(mark_ms(k, self.interval_ms)), t_ms, frame.to_ndarray(format="bgr24"))

    def __iter__(self) -> Iterator[Sample]:
        previous: tuple[float, Any] | None = None
        kept_ts: float | None = None
        k = 0
        for t_ms, frame in _keyframes_in_order(self.path):
            self.stats.grabbed += 1
            while mark_ms(k, self.interval_ms) <= t_ms:
                mark = mark_ms(k, self.interval_ms)
                earlier_is_nearer = previous is not None and mark - previous[0] <= t_ms - mark
                chosen = previous if earlier_is_nearer else (t_ms, frame)
                if chosen[0] != kept_ts:
                    kept_ts = chosen[0]
                    yield self._emit(chosen[0], chosen[1], k)
                k += 1
            previous = (t_ms, frame)
        if previous is not None and previous[0] != kept_ts and mark_ms(k, self.interval_ms) <= self.end_ms:
            yield self._emit(previous[0], previous[1], k)
