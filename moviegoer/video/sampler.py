"""What every sampler shares: a sampler keeps one frame per mark k * interval of a film and yields them in order.

Three implementations have this one shape (`Sampler`): the PyAV reference-skipping sampler (exact, fastest), the
OpenCV grab/seek sampler (exact, for files whose packets carry no timestamps) and the keyframe sampler (the keyframe
nearest each mark, only keyframes decoded). `moviegoer.video.choose.sampler_for` picks one for a film."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class Sample:
    """One kept frame: the mark it stands for, its own decoded timestamp, and its BGR pixels."""

    target_ms: int
    t_ms: float
    image: np.ndarray


@dataclass
class DecodeStats:
    """What the decoder did, for logs and benchmarks."""

    grabbed: int = 0
    seeks: int = 0
    grab_s: float = 0.0
    seek_s: float = 0.0
    seek_failures: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.seeks} seeks, {self.grabbed} frames decoded"


def mark_ms(k: int, interval_ms: float) -> float:
    return k * interval_ms


def next_mark_index(t_ms: float, interval_ms: float) -> int:
    """Smallest k whose mark lies strictly after t_ms: the next mark still waiting for a frame."""
    k = max(int(t_ms // interval_ms), 0)
    while mark_ms(k, interval_ms) <= t_ms:
        k += 1
    return k


class MarkSampler:
    """What the three samplers keep alike: the film, the marks (every `interval_ms` up to `end_ms`), where progress
    goes, and the decoding statistics."""

    description = ""

    def __init__(
        self,
        path: Path,
        interval_ms: float,
        end_ms: float = math.inf,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if interval_ms <= 0:
            raise ValueError("interval_ms must be > 0")
        self.path = Path(path)
        self.interval_ms = interval_ms
        self.end_ms = end_ms
        self.on_progress = on_progress
        self.stats = DecodeStats()

    def _progress(self, t_ms: float) -> None:
        if self.on_progress:
            self.on_progress(t_ms)


class Sampler(Protocol):
    """Iterating yields the kept frames in time order; `stats` says what decoding cost, `description` how it ran."""

    stats: DecodeStats
    description: str

    def __iter__(self) -> Iterator[Sample]: ...
