"""The faces of each shot, found while the film is still being decoded: shots go to worker processes as they close.

Decoding and cut detection keep the analysing process busy, and dlib holds Python's lock while it works, so a thread
would gain nothing: the faces of a shot (moviegoer.analysis.shot_faces) run in `workers` separate processes, each
with its own models. With 0 workers, or inside a daemonic process (a Dask or multiprocessing worker may not start
processes of its own), they run in this process, one shot at a time, with the same results (tested).

Workers are started fresh ("spawn": the analysing process may hold TensorFlow's threads, which a fork would copy
half-way), so a script that analyses films must guard its top level with `if __name__ == "__main__":`, as any
script using multiprocessing must. Workers run at a lower priority: decoding is the longer road, and they take the
CPU time it leaves."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType

from moviegoer.analysis.shot_faces import SampleFrame, ShotFindings, find_in_shot
from moviegoer.core.errors import MoviegoerError
from moviegoer.features.faces import FaceAnalyser, FaceParams
from moviegoer.features.frame import FoundFaceFeatures

MAX_WAITING_SAMPLES = (
    600  # sample frames handed to the workers, not yet done: decoding waits beyond (~300 MB)
)
WORKER_NICENESS = 10


@dataclass(frozen=True)
class ShotFaceSettings:
    face_params: FaceParams
    min_face_height: float
    track_iou: float
    feature_names: tuple[str, ...]  # the frame features the MCU model reads (moviegoer.features.frame)


class _ShotFinder:
    """find_in_shot with its models loaded once (in each worker, or in this process)."""

    def __init__(self, settings: ShotFaceSettings) -> None:
        self.settings = settings
        self.analyser = FaceAnalyser(settings.face_params)
        self.features = FoundFaceFeatures(settings.feature_names)

    def __call__(self, shot: int, frames: list[SampleFrame]) -> ShotFindings:
        return find_in_shot(
            self.analyser, self.features, shot, frames, self.settings.min_face_height, self.settings.track_iou
        )


_worker_finder: _ShotFinder | None = None


def _start_worker(settings: ShotFaceSettings) -> None:
    global _worker_finder
    os.nice(WORKER_NICENESS)
    _worker_finder = _ShotFinder(settings)


def _find_in_worker(shot: int, frames: list[SampleFrame]) -> ShotFindings:
    assert _worker_finder is not None
    return _worker_finder(shot, frames)


class ShotFaceWork:
    """Hand it each shot's sample frames in order; `results()` gives every shot's findings, in order."""

    def __init__(self, settings: ShotFaceSettings, workers: int) -> None:
        self.settings = settings
        self.done: list[ShotFindings] = []
        self.waiting: deque[tuple[Future[ShotFindings], int]] = deque()  # each with its number of samples
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0 and not multiprocessing.current_process().daemon:
            self.pool = ProcessPoolExecutor(
                workers, multiprocessing.get_context("spawn"), _start_worker, (settings,)
            )
        else:
            self.finder = _ShotFinder(settings)

    @property
    def faces_found(self) -> int:
        return sum(len(findings.faces) for findings in self.done)

    def submit(self, shot: int, frames: list[SampleFrame]) -> None:
        if self.pool is None:
            self.done.append(self.finder(shot, frames))
            return
        self.waiting.append((self.pool.submit(_find_in_worker, shot, frames), len(frames)))
        while self.waiting and (
            self.waiting[0][0].done() or sum(count for _, count in self.waiting) > MAX_WAITING_SAMPLES
        ):
            self._collect_oldest()

    def results(self) -> list[ShotFindings]:
        while self.waiting:
            self._collect_oldest()
        return self.done

    def _collect_oldest(self) -> None:
        try:
            self.done.append(self.waiting.popleft()[0].result())
        except BrokenProcessPool as exc:
            raise MoviegoerError(f"the face worker process stopped unexpectedly ({exc})") from exc

    def __enter__(self) -> ShotFaceWork:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
