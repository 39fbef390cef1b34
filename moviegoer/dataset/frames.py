"""Extract one frame every `interval_s` from a film into a folder of JPEGs plus a Parquet manifest.

The folder is built under a temporary name and renamed into place when complete, so a crash or a bad film
never leaves a partial frames folder behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_dir
from moviegoer.core.errors import ParamsError, VideoError
from moviegoer.core.paths import MANIFEST_NAME
from moviegoer.dataset.manifest import MANIFEST_SCHEMA
from moviegoer.video.choose import SAMPLING_MODES, sampler_for
from moviegoer.video.probe import VideoInfo, probe
from moviegoer.video.sampler import Sample

MIN_WIDTH = 32
MAX_WIDTH = 7680  # 8K: wider frames are no longer a sample of a film but a memory bomb
HEADER_SLACK_S = 1.0  # a header longer than the decodable film by more than this is reported


@dataclass(frozen=True)
class ExtractParams:
    interval_s: float
    width: int
    jpeg_quality: int
    mode: str

    def __post_init__(self) -> None:
        if not isinstance(self.interval_s, int | float) or not self.interval_s > 0:
            raise ParamsError("interval_s", f"must be a number > 0 (got {self.interval_s!r})")
        if not isinstance(self.width, int) or not MIN_WIDTH <= self.width <= MAX_WIDTH:
            raise ParamsError(
                "width", f"must be an integer from {MIN_WIDTH} to {MAX_WIDTH} pixels (got {self.width!r})"
            )
        if not isinstance(self.jpeg_quality, int) or not 1 <= self.jpeg_quality <= 100:
            raise ParamsError("jpeg_quality", f"must be an integer from 1 to 100 (got {self.jpeg_quality!r})")
        if self.mode not in SAMPLING_MODES:
            raise ParamsError("mode", f"must be one of {', '.join(SAMPLING_MODES)} (got {self.mode!r})")


@dataclass(frozen=True)
class ExtractResult:
    film_id: str
    frames_dir: Path
    frames: int
    seconds: float
    info: VideoInfo
    decoding: str
    warnings: list[str] = field(default_factory=list)


def frame_name(film_id: str, target_ms: int) -> str:
    return f"{film_id}_t{target_ms:08d}.jpg"


def output_size(width: int, height: int, out_width: int) -> tuple[int, int]:
    """Resize to `out_width`, keeping the aspect ratio."""
    return out_width, max(1, round(height * out_width / width))


def _encode(image: np.ndarray, size: tuple[int, int], quality: int) -> bytes:
    interpolation = cv2.INTER_AREA if size[0] < image.shape[1] else cv2.INTER_LINEAR
    resized = cv2.resize(image, size, interpolation=interpolation)
    ok, buffer = cv2.imencode(".jpg", resized, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buffer.tobytes()


def _warnings(video: Path, info: VideoInfo, mode: str) -> list[str]:
    notes = []
    if info.header_duration_s - info.duration_s > HEADER_SLACK_S:
        notes.append(
            f"{video}: header says {info.header_duration_s:.1f} s but frames stop at {info.duration_s:.1f} s; "
            "extracted what decodes"
        )
    if info.variable_frame_rate and mode == "exact":
        notes.append(f"{video}: variable frame rate; timestamps are the decoded ones")
    return notes


def extract_film(
    video: Path,
    film_id: str,
    out_dir: Path,
    params: ExtractParams,
    on_progress: Callable[[float, float], None] | None = None,
) -> ExtractResult:
    """Extract `video` into `out_dir` (replacing it only when complete). `on_progress(done_ms, total_ms)`."""
    started = time.perf_counter()
    video = Path(video)
    info = probe(video)
    total_ms = info.duration_s * 1000.0
    interval_ms = params.interval_s * 1000.0

    def progress(t_ms: float) -> None:
        if on_progress:
            on_progress(min(t_ms, total_ms), total_ms)

    sampler = sampler_for(video, interval_ms, info.last_frame_ms, params.mode, progress)
    size = output_size(info.width, info.height, params.width)
    with atomic_dir(Path(out_dir)) as tmp:
        rows = [
            _write_frame(tmp, film_id, index, sample, size, params) for index, sample in enumerate(sampler)
        ]
        if not rows:
            raise VideoError(video, f"no frame decoded at any {params.interval_s:g} s mark")
        table = pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
        pq.write_table(table, tmp / MANIFEST_NAME)
    if on_progress:
        on_progress(total_ms, total_ms)
    return ExtractResult(
        film_id=film_id,
        frames_dir=Path(out_dir),
        frames=len(rows),
        seconds=time.perf_counter() - started,
        info=info,
        decoding=f"{sampler.description}: {sampler.stats.summary()}",
        warnings=_warnings(video, info, params.mode) + sampler.stats.notes,
    )


def _write_frame(
    folder: Path, film_id: str, index: int, sample: Sample, size: tuple[int, int], params: ExtractParams
) -> dict[str, object]:
    name = frame_name(film_id, sample.target_ms)
    (folder / name).write_bytes(_encode(sample.image, size, params.jpeg_quality))
    return {
        "film_id": film_id,
        "frame": name,
        "index": index,
        "target_ms": sample.target_ms,
        "t_ms": sample.t_ms,
        "width": size[0],
        "height": size[1],
    }
