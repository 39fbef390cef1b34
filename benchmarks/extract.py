"""Benchmark frame extraction: moviegoer's exact and keyframe modes against the naive read-every-frame loop,
an OpenCV grab() loop and FFmpeg's fps filter, all measured in the same run (ratios, not absolute seconds,
are what to compare across these shared, noisy machines).

    .venv/bin/python benchmarks/extract.py            # 90-minute film + ../shared real clips (~10 min)
    .venv/bin/python benchmarks/extract.py --minutes 10 --skip-real

Writes benchmarks/results/extract.json and extract.md. The long film is generated once with FFmpeg (libx264,
a keyframe every 10 s) into benchmarks/cache/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import imageio_ffmpeg

import moviegoer  # noqa: F401  (quiets OpenCV's logging before cv2 loads)
from moviegoer.core.params import section_params
from moviegoer.dataset.frames import ExtractParams, extract_film
from moviegoer.dataset.manifest import read_manifest
from moviegoer.video.opencv_sampler import ExactSampler
from moviegoer.video.probe import probe

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"
PARAMS = HERE.parent / "params.yaml"
SHARED_VIDEOS = HERE.parent.parent / "shared" / "data" / "real" / "videos"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SEGMENT_S = 300  # the long film repeats one 5-minute H.264 segment: same decode cost, 18x less encoding


def make_long_film(minutes: int) -> Path:
    """A `minutes`-long 1280x536 24 fps H.264 film with a keyframe every 10 s (cached)."""
    target = CACHE / f"long_{minutes}min_1280x536_gop10s.mp4"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    segment_s = min(SEGMENT_S, minutes * 60)
    segment = CACHE / f"segment_{segment_s}s.mp4"
    if not segment.exists():
        print(f"encoding a {segment_s} s segment with libx264 ...", flush=True)
        subprocess.run(
            [FFMPEG, "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", "testsrc2=size=1280x536:rate=24,noise=alls=3:allf=t", "-t", str(segment_s),
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "240", "-keyint_min", "240",
             "-sc_threshold", "0", "-pix_fmt", "yuv420p", str(segment)],
            check=True,
        )  # fmt: skip
    repeats = max(1, round(minutes * 60 / segment_s))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write(f"file '{segment}'\n" * repeats)
    partial = target.with_suffix(".partial.mp4")
    subprocess.run(
        [FFMPEG, "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy",
         str(partial)],
        check=True,
    )  # fmt: skip
    os.unlink(listing.name)
    partial.rename(target)
    return target


# --- the contenders: each returns the kept frames' timestamps (None where the tool does not report them) ---
def naive_read_loop(path: Path, interval_ms: float) -> list[float]:
    """The original research code: read() (decode + convert) every frame, keep one per mark."""
    capture, kept, k = cv2.VideoCapture(str(path)), [], 0
    while True:
        ok, _image = capture.read()
        if not ok:
            break
        t_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
        if t_ms >= k * interval_ms:
            kept.append(t_ms)
            while k * interval_ms <= t_ms:
                k += 1
    return kept


def grab_loop(path: Path, interval_ms: float) -> list[float]:
    """grab() every frame, retrieve() only the kept ones."""
    capture, kept, k = cv2.VideoCapture(str(path)), [], 0
    while capture.grab():
        t_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
        if t_ms >= k * interval_ms:
            capture.retrieve()
            kept.append(t_ms)
            while k * interval_ms <= t_ms:
                k += 1
    return kept


def ffmpeg_fps_filter(threads: int | None) -> Callable[[Path, float], list[float] | None]:
    def run(path: Path, interval_ms: float) -> None:
        with tempfile.TemporaryDirectory() as out:
            command = [FFMPEG, "-loglevel", "error"]
            if threads:
                command += ["-threads", str(threads)]
            command += ["-i", str(path), "-vf", f"fps=1000/{interval_ms:g}"]
            if threads:
                command += ["-filter_threads", str(threads)]
            subprocess.run(command + ["-q:v", "3", f"{out}/%06d.jpg"], check=True)
        return None

    return run


def moviegoer_strategy(strategy: str) -> Callable[[Path, float], list[float]]:
    def run(path: Path, interval_ms: float) -> list[float]:
        end = probe(path).last_frame_ms
        return [s.t_ms for s in ExactSampler(path, interval_ms, end_ms=end, strategy=strategy)]

    return run


def moviegoer_extract(mode: str) -> Callable[[Path, float], list[float]]:
    """The whole `moviegoer extract` step: probe, decode, resize to 480 px, JPEG, manifest."""

    def run(path: Path, interval_ms: float) -> list[float]:
        with tempfile.TemporaryDirectory() as out:
            params = section_params(
                ExtractParams, "extract", PARAMS, interval_s=interval_ms / 1000, mode=mode
            )
            extract_film(path, "bench", Path(out) / "bench", params)
            return read_manifest(Path(out) / "bench").column("t_ms").to_pylist()

    return run


CONTENDERS: dict[str, Callable[[Path, float], list[float] | None]] = {
    "naive read() loop (original)": naive_read_loop,
    "OpenCV grab() loop": grab_loop,
    "OpenCV seek by frame index": moviegoer_strategy("seek"),
    "ffmpeg -vf fps (1 thread)": ffmpeg_fps_filter(1),
    "ffmpeg -vf fps (default threads)": ffmpeg_fps_filter(None),
    "moviegoer OpenCV fallback (measured grab/seek)": moviegoer_strategy("auto"),
    "moviegoer extract, exact (reference-skipping)": moviegoer_extract("exact"),
    "moviegoer extract, keyframe": moviegoer_extract("keyframe"),
}
BASELINE, FFMPEG_REFERENCE = "naive read() loop (original)", "ffmpeg -vf fps (1 thread)"


@dataclass
class Row:
    method: str
    seconds: float
    kept: int | None
    film_frames_per_s: float
    vs_naive: float = 0.0
    vs_ffmpeg_1t: float = 0.0
    exact: str = ""


def measure(label: str, videos: list[Path], interval_ms: float) -> list[Row]:
    total_frames = sum(probe(v).frames for v in videos)
    reference: list[list[float]] = []
    rows = []
    for method, contender in CONTENDERS.items():
        started = time.perf_counter()
        kept = [contender(video, interval_ms) for video in videos]
        seconds = time.perf_counter() - started
        if method == BASELINE:
            reference = kept  # type: ignore[assignment]
        counts = None if kept[0] is None else sum(len(k) for k in kept)  # type: ignore[arg-type]
        exact = "n/a (own frame choice)" if kept[0] is None else ("yes" if kept == reference else "no")
        if "keyframe" in method:
            exact = "no (nearest keyframe, true timestamp)"
        rows.append(Row(method, round(seconds, 2), counts, round(total_frames / seconds, 1), exact=exact))
        print(f"[{label}] {method:38s} {seconds:8.2f} s  kept={counts}  exact={exact}", flush=True)
    naive = next(r for r in rows if r.method == BASELINE).seconds
    ffmpeg = next(r for r in rows if r.method == FFMPEG_REFERENCE).seconds
    for row in rows:
        row.vs_naive = round(naive / row.seconds, 2)
        row.vs_ffmpeg_1t = round(ffmpeg / row.seconds, 2)
    return rows


def machine() -> dict[str, object]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln),
            cpu,
        )
    ffmpeg_version = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "opencv": cv2.__version__,
        "ffmpeg": ffmpeg_version,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


NOTES = (
    "The `moviegoer extract` rows do the whole step (probe, keyframe index, decode, resize to 480 px, JPEG,",
    "manifest); the loops only decode and keep frames in memory; ffmpeg writes JPEGs and picks its own frames.",
    "`exact frames`: same timestamps as the naive loop (tests/test_decode.py checks the pixels are equal too).",
    "",
)


def markdown(results: dict[str, object]) -> str:
    lines = ["# Frame extraction benchmark", "", "Generated by `benchmarks/extract.py`; every ratio is against the",
             "naive read-every-frame loop (the original research code) and single-threaded `ffmpeg -vf fps`,",
             "measured in the same run.", ""]  # fmt: skip
    for key, value in results["machine"].items():  # type: ignore[union-attr]
        lines.append(f"- {key}: {value}")
    for suite in results["suites"]:  # type: ignore[union-attr]
        lines += ["", f"## {suite['title']}", "", suite["description"], ""]
        lines.append(
            "| method | seconds | frames kept | film frames/s | x naive | x ffmpeg 1t | exact frames |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---|")
        for row in suite["rows"]:
            kept = "-" if row["kept"] is None else row["kept"]
            lines.append(
                f"| {row['method']} | {row['seconds']:.2f} | {kept} | {row['film_frames_per_s']:.0f} | "
                f"{row['vs_naive']:.2f} | {row['vs_ffmpeg_1t']:.2f} | {row['exact']} |"
            )
    lines += [
        "",
        "Targets (issue 2): exact >= 2.5x naive and >= 1.2x ffmpeg fps at 8 s; keyframe >= 20x naive.",
        "",
        *NOTES,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=90, help="length of the generated film")
    parser.add_argument("--interval", type=float, default=8.0, help="seconds between kept frames")
    parser.add_argument("--skip-real", action="store_true", help="skip the ../shared real clips")
    args = parser.parse_args()
    if not shutil.which(FFMPEG):
        sys.exit(f"ffmpeg not found at {FFMPEG}")
    suites = []
    film = make_long_film(args.minutes)
    info = probe(film)
    suites.append({
        "title": f"{args.minutes}-minute film, a frame every {args.interval:g} s",
        "description": f"`{film.name}`: {info.width}x{info.height} H.264, {info.fps:g} fps, {info.frames} frames, "
        "a keyframe every 10 s.",
        "rows": [asdict(r) for r in measure("long film", [film], args.interval * 1000)],
    })  # fmt: skip
    if not args.skip_real and SHARED_VIDEOS.is_dir():
        clips = sorted(v for v in SHARED_VIDEOS.glob("*.mp4") if v.stem != "batman")
        for interval in (2.0, args.interval):
            suites.append({
                "title": f"{len(clips)} real clips from ../shared, a frame every {interval:g} s",
                "description": "Trailers and clips, 3-144 s, 426x240 to 1280x720, H.264 and VP9 (AV1 batman.mp4 "
                "skipped: OpenCV cannot decode it). Totals over all clips.",
                "rows": [asdict(r) for r in measure(f"real {interval:g}s", clips, interval * 1000)],
            })  # fmt: skip
    results = {"machine": machine(), "suites": suites}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "extract.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "extract.md").write_text(markdown(results))
    print(f"wrote {RESULTS / 'extract.md'}")


if __name__ == "__main__":
    main()
