"""A playable copy of a film the browser cannot play (MPEG-4 part 2, as the sample films; AV1 in some builds):
picture and sound re-encoded as H.264 and AAC in MP4, or VP9 and Opus in WebM, whichever the page says its
browser plays, `review.copy_height` lines high. The review page asks for one; it is made in the background with
its progress shown, written all or nothing into data/playable/ (ignored by git, tracked by nothing: it is made
again from the film), and named by what it was made from, so a changed film gets a new copy."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError


@dataclass(frozen=True)
class CopyFormat:
    container: str  # FFmpeg's muxer, and the file's suffix
    video: str  # encoder
    audio: str
    options: dict[str, str]  # the video encoder's: fast, for review (not for keeping)
    media_type: str


FORMATS = {
    "h264": CopyFormat("mp4", "libx264", "aac", {"preset": "veryfast", "crf": "26"}, "video/mp4"),
    "vp9": CopyFormat(
        "webm",
        "libvpx-vp9",
        "libopus",
        {"deadline": "realtime", "cpu-used": "8", "crf": "36", "b": "0"},
        "video/webm",
    ),
}
OPUS_RATE = 48000  # the only rates Opus takes are divisors of it; 48 kHz keeps every source's sound


def copy_path(folder: Path, film_id: str, video: Path, codec: str, height: int) -> Path:
    """Where the copy of `video` in `codec` goes: named by the film, and by the file's size and time and the copy's
    settings, so that a changed film or setting makes a new one."""
    stat = video.stat()
    key = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{codec}:{height}".encode()).hexdigest()[:12]
    return folder / f"{film_id}.{key}.{FORMATS[codec].container}"


def make_copy(
    video: Path, target: Path, codec: str, height: int, on_progress: Callable[[float], None]
) -> None:
    """Re-encode `video` into `target` (`on_progress(share done)` as it goes); a film that cannot be read is a
    one-line MoviegoerError, and no copy."""
    import av

    form = FORMATS[codec]
    try:
        with (
            av.open(str(video)) as source,
            atomic_file(target) as tmp,
            av.open(str(tmp), "w", format=form.container) as out,
        ):
            _transcode(source, out, form, height, on_progress)
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise MoviegoerError(f"{video}: no playable copy made ({exc.__class__.__name__}: {exc})") from exc


def _transcode(source, out, form: CopyFormat, height: int, on_progress: Callable[[float], None]) -> None:  # noqa: ANN001
    picture = source.streams.video[0]
    picture.thread_type = "AUTO"
    sound = source.streams.audio[0] if source.streams.audio else None
    rows = min(height, picture.codec_context.height) // 2 * 2
    columns = round(picture.codec_context.width * rows / picture.codec_context.height / 2) * 2
    video_out = out.add_stream(form.video, rate=picture.average_rate or Fraction(24))
    video_out.width, video_out.height, video_out.pix_fmt = columns, rows, "yuv420p"
    video_out.options = form.options
    audio_out = None
    if sound is not None:
        audio_out = out.add_stream(form.audio, rate=OPUS_RATE if form.audio == "libopus" else sound.rate)
    length = float(source.duration) / 1_000_000 if source.duration else 0.0  # av.time_base: microseconds
    reported = 0.0
    for packet in source.demux(*[s for s in (picture, sound) if s is not None]):
        for frame in packet.decode():
            if packet.stream is picture:
                small = frame.reformat(width=columns, height=rows, format="yuv420p")
                small.pts, small.time_base = frame.pts, frame.time_base
                out.mux(video_out.encode(small))
                done = min(1.0, float(frame.time or 0) / length) if length else 0.0
                if done - reported >= 0.01:
                    reported = done
                    on_progress(done)
            elif audio_out is not None:
                frame.pts = None  # the encoder counts the samples; its resampler changes rate and format
                out.mux(audio_out.encode(frame))
    out.mux(video_out.encode(None))
    if audio_out is not None:
        out.mux(audio_out.encode(None))
    on_progress(1.0)


@dataclass
class CopyJob:
    state: str  # making, ready, failed
    done: float = 0.0
    error: str = ""


class PlayableCopies:
    """The copies the page asked for, made one film at a time in the background."""

    def __init__(self, folder: Path, height: int) -> None:
        self.folder, self.height = folder, height
        self.jobs: dict[Path, CopyJob] = {}
        self.lock = threading.Lock()

    def status(self, film_id: str, video: Path, codec: str) -> CopyJob | None:
        """The copy's job, a ready one for a copy made before, or None when none was asked for."""
        target = copy_path(self.folder, film_id, video, codec, self.height)
        with self.lock:
            if target in self.jobs:
                return self.jobs[target]
        return CopyJob("ready", 1.0) if target.is_file() else None

    def path(self, film_id: str, video: Path, codec: str) -> Path | None:
        """The ready copy's file."""
        job = self.status(film_id, video, codec)
        return (
            copy_path(self.folder, film_id, video, codec, self.height)
            if job and job.state == "ready"
            else None
        )

    def request(self, film_id: str, video: Path, codec: str) -> CopyJob:
        """Start making the copy unless it is made or being made; its job."""
        target = copy_path(self.folder, film_id, video, codec, self.height)
        with self.lock:
            job = self.jobs.get(target)
            if job is not None and job.state != "failed":
                return job
            if target.is_file():
                return CopyJob("ready", 1.0)
            job = self.jobs[target] = CopyJob("making")
        threading.Thread(target=self._make, args=(video, target, codec, job), daemon=True).start()
        return job

    def _make(self, video: Path, target: Path, codec: str, job: CopyJob) -> None:
        def progress(done: float) -> None:
            job.done = round(done, 3)

        try:
            make_copy(video, target, codec, self.height, progress)
            job.state = "ready"
        except MoviegoerError as exc:
            job.state, job.error = "failed", str(exc)
