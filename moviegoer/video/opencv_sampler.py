"""The OpenCV sampler: one frame per mark k * interval, decoded through OpenCV's FFmpeg backend.

Exact mode keeps, for each mark, the first frame whose timestamp is >= the mark: exactly the frame a loop that
reads every frame would keep. The OpenCV sampler gets there by grabbing forward (decode without colour
conversion) or by seeking (FFmpeg jumps to the keyframe before the mark and decodes from there), whichever its
own measurements of this film say is cheaper. It is the fallback for files whose packets carry no timestamps;
`pyav_sampler` holds the faster sampler used otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import cv2

from moviegoer.video.probe import grab_timestamp_ms, open_video
from moviegoer.video.sampler import MarkSampler, ProgressCallback, Sample, mark_ms, next_mark_index

SEEK_MARGIN_FRAMES = 2  # seek this many frames before the mark, then grab forward to the exact frame
MIN_FRAMES_TO_SEEK = 8  # closer marks are always reached by grabbing
STRATEGIES = ("auto", "grab", "seek")  # decoders may hand keyframes out slightly out of order


class ExactSampler(MarkSampler):
    """The first frame at or after each mark, decoded with the cheaper of grabbing and seeking."""

    description = "OpenCV grab/seek"

    def __init__(
        self,
        path: Path,
        interval_ms: float,
        end_ms: float = math.inf,
        on_progress: ProgressCallback | None = None,
        strategy: str = "auto",
    ) -> None:
        """`end_ms`: timestamp of the film's last decodable frame (from the probe); no mark after it is
        sought, so a header that promises more frames than decode costs no failed seek.
        `strategy`: "auto" measures and picks per mark; "grab" never seeks; "seek" seeks whenever the next
        mark is more than a few frames ahead (both for benchmarks and tests)."""
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}")
        super().__init__(path, interval_ms, end_ms, on_progress)
        self.strategy = strategy
        self._cap = open_video(self.path)
        self._fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 25.0
        self._last_ts: float | None = None
        self._seeking_allowed = True

    def __iter__(self) -> Iterator[Sample]:
        try:
            k = 0
            while mark_ms(k, self.interval_ms) <= self.end_ms and self._advance_to(
                mark_ms(k, self.interval_ms)
            ):
                ok, image = self._cap.retrieve()
                if not ok:
                    break
                assert self._last_ts is not None
                yield Sample(round(mark_ms(k, self.interval_ms)), self._last_ts, image)
                self._progress(self._last_ts)
                k = next_mark_index(self._last_ts, self.interval_ms)
        finally:
            self._cap.release()

    # -- positioning ---------------------------------------------------------------------------------
    def _advance_to(self, target: float) -> bool:
        """Leave the capture on the first frame with timestamp >= target; False at the end of the film."""
        if self._should_seek(target) and not self._seek_before(target):
            return False
        started = time.perf_counter()
        grabbed = 0
        try:
            while self._cap.grab():
                grabbed += 1
                self._last_ts = grab_timestamp_ms(self._cap)
                if self._last_ts >= target:
                    return True
            return False
        finally:
            self.stats.grabbed += grabbed
            self.stats.grab_s += time.perf_counter() - started

    def _frames_ahead(self, target: float) -> float:
        last = self._last_ts if self._last_ts is not None else -1000.0 / self._fps
        return (target - last) * self._fps / 1000.0

    def _should_seek(self, target: float) -> bool:
        frames_ahead = self._frames_ahead(target)
        if not self._seeking_allowed or self._last_ts is None or frames_ahead < MIN_FRAMES_TO_SEEK:
            return False
        if self.strategy != "auto":
            return self.strategy == "seek"
        if self.stats.grabbed == 0:
            return False
        grab_cost = self.stats.grab_s / self.stats.grabbed
        if self.stats.seeks == 0:
            return True  # measure a seek once; from then on the running averages decide
        seek_cost = self.stats.seek_s / self.stats.seeks
        return frames_ahead * grab_cost > seek_cost

    def _seek_before(self, target: float) -> bool:
        """Seek so that the frame grabbed last is before `target` (never past the first frame >= target).

        A seek that lands on or after the target is retried further back: the frame before it might also be
        at or after the target. A seek that decodes nothing turns seeking off for this film, and reading goes
        on sequentially from the last good frame."""
        last_good = self._last_ts
        resume_index = int(self._cap.get(cv2.CAP_PROP_POS_FRAMES))
        index = int(target * self._fps / 1000.0) - SEEK_MARGIN_FRAMES
        step = max(int(self._fps), 1)
        while index > 0:
            if self._seek_to_index(index) and self._last_ts is not None and self._last_ts < target:
                return True
            if self._last_ts is None:
                break
            index -= step
            step *= 2
        self.stats.seek_failures += 1
        self.stats.notes.append(f"seeking near {target / 1000:.1f} s failed; read sequentially from there on")
        self._seeking_allowed = False
        return self._resume_after(last_good, resume_index)

    def _seek_to_index(self, index: int) -> bool:
        started = time.perf_counter()
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        landed = self._cap.grab()
        self.stats.seeks += 1
        self.stats.seek_s += time.perf_counter() - started
        self._last_ts = grab_timestamp_ms(self._cap) if landed else None
        return landed

    def _resume_after(self, last_good: float | None, resume_index: int) -> bool:
        """Put the capture back on the last good frame: seek a little before it and grab up to it, or, if
        even that fails, reopen the file and grab from the start."""
        if last_good is None:
            return True
        back = max(resume_index - int(self._fps), 0)
        if not (
            back > 0
            and self._seek_to_index(back)
            and self._last_ts is not None
            and self._last_ts <= last_good
        ):
            self._cap.release()
            self._cap = open_video(self.path)
            if not self._cap.grab():
                return False
            self._last_ts = grab_timestamp_ms(self._cap)
        while self._last_ts < last_good:
            if not self._cap.grab():
                return False
            self.stats.grabbed += 1
            self._last_ts = grab_timestamp_ms(self._cap)
        return True
