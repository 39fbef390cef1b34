"""Open and probe video files with OpenCV, and turn every way they can be broken into a one-line VideoError.

OpenCV's FFmpeg backend reports each frame's own presentation timestamp (`CAP_PROP_POS_MSEC` after a grab);
all timestamps in moviegoer are those decoded values, never `index / fps`, so variable frame rate files and
headers that lie about their length are handled truthfully.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import cv2

from moviegoer.core.errors import VideoError

TAIL_SCAN_S = 3.0  # how far before the header's end the probe seeks to find the true last frame
VFR_TOLERANCE = 0.25  # a frame interval this much off 1/fps marks the file as variable frame rate


def fourcc_name(cap: cv2.VideoCapture) -> str:
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    text = code.to_bytes(4, "little").decode("ascii", errors="replace").strip("\x00 ").lower()
    return text if text.isprintable() and text else f"0x{code:08x}"


def open_video(path: Path) -> cv2.VideoCapture:
    """Open `path` for decoding, or raise a VideoError saying why it cannot be used."""
    path = Path(path)
    try:
        if not path.exists():
            raise VideoError(path, "no such file")
        if path.is_dir():
            raise VideoError(path, "is a folder, not a video file")
        if path.stat().st_size == 0:
            raise VideoError(path, "empty file (0 bytes)")
    except OSError as exc:  # a name too long for the file system, no permission, ...
        raise VideoError(path, f"cannot read it ({exc.strerror or exc})") from exc
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise VideoError(path, _why_unopenable(path))
    return cap


def _why_unopenable(path: Path) -> str:
    """Ask FFmpeg itself (through PyAV) why OpenCV could not open a file, for a precise message."""
    import av  # lazy: only needed to explain a failure

    try:
        with av.open(str(path)) as container:
            kinds = sorted({stream.type for stream in container.streams})
            if "video" not in kinds:
                return f"holds no video stream (streams found: {', '.join(kinds) or 'none'})"
            return "has a video stream that OpenCV cannot open"
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        return f"not a video file, or truncated ({reason})"


def grab_timestamp_ms(cap: cv2.VideoCapture) -> float:
    """Timestamp of the frame grabbed last, in ms from the start of the stream."""
    return float(cap.get(cv2.CAP_PROP_POS_MSEC))


@dataclass(frozen=True)
class VideoInfo:
    """What a film really is, as far as decoding shows (header values are kept beside for comparison)."""

    codec: str
    width: int
    height: int
    fps: float  # nominal rate from the header
    header_frames: int
    header_duration_s: float
    duration_s: float  # timestamp of the last decodable frame plus one frame
    last_frame_ms: float  # timestamp of the last decodable frame
    frames: int  # frames decoded when scanned in full, else the last frame's index + 1
    variable_frame_rate: bool
    size_bytes: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _require_first_frame(cap: cv2.VideoCapture, path: Path, codec: str) -> None:
    if cap.grab() and cap.retrieve()[0]:
        return
    raise VideoError(
        path,
        f"cannot decode any frame of its {codec} video stream (OpenCV's FFmpeg has no working decoder "
        "for it, or the file holds no frames); transcode it, e.g. `ffmpeg -i IN -c:v libx264 OUT.mp4`",
    )


def _leading_timestamps(cap: cv2.VideoCapture, count: int) -> list[float]:
    stamps = [grab_timestamp_ms(cap)]
    while len(stamps) < count and cap.grab():
        stamps.append(grab_timestamp_ms(cap))
    return stamps


def _is_variable_rate(stamps: list[float], fps: float) -> bool:
    if len(stamps) < 3 or fps <= 0:
        return False
    nominal = 1000.0 / fps
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return any(abs(gap - nominal) > VFR_TOLERANCE * nominal for gap in gaps)


def _scan_to_end(cap: cv2.VideoCapture) -> tuple[float, int]:
    """Grab until the stream ends; return the last timestamp and how many frames were grabbed."""
    last, grabbed = grab_timestamp_ms(cap), 0
    while cap.grab():
        last = grab_timestamp_ms(cap)
        grabbed += 1
    return last, grabbed


def probe(path: Path, full_scan: bool = False) -> VideoInfo:
    """Probe a video by decoding it: the first frame must decode, and the true end is found by decoding the
    tail (or the whole file when `full_scan` is set, or when the header's length turns out to be wrong)."""
    path = Path(path)
    cap = open_video(path)
    try:
        codec = fourcc_name(cap)
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or 0.0
        header_frames = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
        header_duration_s = header_frames / fps if fps > 0 else 0.0
        width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        _require_first_frame(cap, path, codec)
        leading = _leading_timestamps(cap, count=max(int(fps * 2), 3))
        variable = _is_variable_rate(leading, fps)
        last_ms, frames = _find_end(cap, path, fps, header_frames, len(leading), full_scan)
    finally:
        cap.release()
    step_ms = 1000.0 / fps if fps > 0 else 0.0
    return VideoInfo(
        codec=codec,
        width=width,
        height=height,
        fps=round(fps, 6),
        header_frames=header_frames,
        header_duration_s=round(header_duration_s, 3),
        duration_s=round((last_ms + step_ms) / 1000.0, 3),
        last_frame_ms=last_ms,
        frames=frames,
        variable_frame_rate=variable,
        size_bytes=path.stat().st_size,
    )


def _find_end(
    cap: cv2.VideoCapture, path: Path, fps: float, header_frames: int, grabbed: int, full_scan: bool
) -> tuple[float, int]:
    """Last decodable timestamp and frame count: a cheap tail scan when the header can be trusted."""
    tail_start = header_frames - int(TAIL_SCAN_S * fps)
    if not full_scan and tail_start > grabbed:
        cap.set(cv2.CAP_PROP_POS_FRAMES, tail_start)
        if cap.grab():
            last_ms, more = _scan_to_end(cap)
            return last_ms, int(cap.get(cv2.CAP_PROP_POS_FRAMES)) or tail_start + more + 1
        # The header promises frames that do not decode: fall back to counting them all from the start.
        cap.release()
        cap.open(str(path), cv2.CAP_FFMPEG)
        if not cap.grab():
            raise VideoError(path, "stopped decoding while probing")
        grabbed = 1
    last_ms, more = _scan_to_end(cap)
    return last_ms, grabbed + more
