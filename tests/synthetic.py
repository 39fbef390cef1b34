"""Small real video files for tests: every frame shows its own index, so a decoded frame can be identified."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np


def frame_image(index: int, size: tuple[int, int] = (320, 180)) -> np.ndarray:
    width, height = size
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :] = ((index * 7) % 256, (index * 13) % 256, (index * 29) % 256)
    cv2.putText(image, str(index), (10, height - 20), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (255, 255, 255), 4)
    return image


def write_mp4v(path: Path, seconds: float, fps: float = 24.0, size: tuple[int, int] = (320, 180)) -> Path:
    """An MPEG-4 Part 2 file written by OpenCV itself."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for index in range(round(seconds * fps)):
        writer.write(frame_image(index, size))
    writer.release()
    return path


def write_undecodable(path: Path) -> Path:
    """An MP4 whose container is sound but whose video payload is noise: no decoder finds a picture in it, whatever
    codecs a wheel of FFmpeg carries (random bytes from 1 to 255 hold no MPEG start code)."""
    data = bytearray(write_mp4v(path, seconds=2).read_bytes())
    noise = np.random.default_rng(0)
    start = 0
    while start < len(data):
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if kind == b"mdat":
            data[start + 8 : start + size] = noise.integers(1, 256, size - 8, dtype=np.uint8).tobytes()
        start += size
    path.write_bytes(data)
    return path


def write_h264(
    path: Path,
    seconds: float,
    fps: float = 24.0,
    size: tuple[int, int] = (320, 180),
    gop: int = 48,
    drop_every: int = 0,
) -> Path:
    """An H.264 file with a keyframe every `gop` frames (B-frames on), encoded by FFmpeg's libx264.

    `drop_every=n` drops every n-th frame and keeps the others' timestamps: a variable frame rate file."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-s",
        f"{size[0]}x{size[1]}",
        "-r",
        str(fps),
        "-i",
        "-",
    ]
    if drop_every:
        command += ["-vf", f"select='not(eq(mod(n\\,{drop_every})\\,{drop_every - 1}))'", "-fps_mode", "vfr"]
    command += [
        "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-bf", "2", "-pix_fmt", "yuv420p", str(path),
    ]  # fmt: skip
    frames = b"".join(frame_image(i, size).tobytes() for i in range(round(seconds * fps)))
    subprocess.run(command, input=frames, check=True)
    return path


def naive_samples(path: Path, interval_ms: float) -> list[tuple[float, np.ndarray]]:
    """The original research loop: read every frame, keep the first one at or after each mark."""
    return naive_samples_multi(path, [interval_ms])[interval_ms]


def naive_samples_multi(path: Path, intervals_ms: list[float]) -> dict[float, list[tuple[float, np.ndarray]]]:
    """`naive_samples` for several intervals in one pass over the file (grab every frame, retrieve the kept
    ones: the same frames `read()` would return, at half the cost)."""
    capture = cv2.VideoCapture(str(path))
    kept: dict[float, list[tuple[float, np.ndarray]]] = {interval: [] for interval in intervals_ms}
    marks = dict.fromkeys(intervals_ms, 0)
    while capture.grab():
        t_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
        due = [interval for interval in intervals_ms if t_ms >= marks[interval] * interval]
        if not due:
            continue
        ok, image = capture.retrieve()
        if not ok:
            break
        for interval in due:
            kept[interval].append((t_ms, image))
            while marks[interval] * interval <= t_ms:
                marks[interval] += 1
    capture.release()
    return kept


def all_timestamps(path: Path) -> list[float]:
    capture = cv2.VideoCapture(str(path))
    stamps = []
    while capture.grab():
        stamps.append(capture.get(cv2.CAP_PROP_POS_MSEC))
    capture.release()
    return stamps
