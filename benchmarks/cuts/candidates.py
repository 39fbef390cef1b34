"""Every place in a clip where a cut could be, as picture strips to judge by eye: the labelling aid for cuts.csv.

    .venv/bin/python benchmarks/cuts/candidates.py SOURCE [SOURCE ...]   # slugs of ../shared/data/real/videos
    -> benchmarks/cache/cuts/<source>/candidates.csv and strips_NN.png

A candidate is a frame whose colour change from the frame before (PySceneDetect's content value: mean absolute HSV
difference at 256 pixels wide) stands out: at least `MIN_CHANGE` and at least `MIN_RATIO` times the median change of
the frames around it, or where PySceneDetect's content or adaptive detector (default settings) puts a cut. The
thresholds are far below any detector's, so a cut none of the tools finds is still shown. Each strip row shows frames
i-2, i-1 | i, i+1 (the candidate is the first frame after the bar), captioned with the row number, frame index and
time. `overview_NN.png` shows one frame a second (time under each) to find a cut between candidates by a change of
picture from one tile to the next. Frames are numbered as PyAV decodes them (presentation order, from 0), as `moviegoer analyze` numbers them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import av
import cv2
import numpy as np

from moviegoer.video.pyav_sampler import timestamps_in_ms

HERE = Path(__file__).resolve().parent
VIDEOS = HERE.parents[1].parent / "shared" / "data" / "real" / "videos"
OUT = HERE.parent / "cache" / "cuts"
MIN_CHANGE, MIN_RATIO, AROUND = 5.0, 2.5, 6
TILE, ROWS = 180, 8
OVERVIEW_TILE, OVERVIEW_COLUMNS, OVERVIEW_ROWS = 140, 8, 8


def decoded(path: Path) -> tuple[list[np.ndarray], list[float]]:
    """Every frame at TILE wide (for the strips) and its time in ms."""
    frames, times = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        to_ms = timestamps_in_ms(stream)  # from the stream's start, as moviegoer analyze times its shots
        for index, frame in enumerate(container.decode(stream)):
            bgr = frame.to_ndarray(format="bgr24")
            frames.append(bgr)
            times.append(to_ms(frame.pts) if frame.pts is not None else index * 1000 / 24)
    return frames, times


def content_values(frames: list[np.ndarray]) -> np.ndarray:
    values = [0.0]
    previous = None
    for bgr in frames:
        small = cv2.resize(bgr, (256, max(1, round(bgr.shape[0] * 256 / bgr.shape[1]))))
        hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV).astype(np.int16)
        if previous is not None:
            values.append(float(np.abs(hsv - previous).mean()))
        previous = hsv
    return np.array(values)


def detector_cuts(path: Path) -> set[int]:
    from scenedetect import AdaptiveDetector, ContentDetector, SceneManager, open_video

    found: set[int] = set()
    for detector in (ContentDetector(), AdaptiveDetector()):
        video = open_video(str(path), backend="pyav")
        manager = SceneManager()
        manager.add_detector(detector)
        manager.detect_scenes(video, show_progress=False)
        found |= {start.frame_num for start, _ in manager.get_scene_list()[1:]}
    return found


def candidates(values: np.ndarray, detected: set[int]) -> list[tuple[int, str]]:
    chosen = []
    for i in range(1, len(values)):
        around = np.concatenate([values[max(1, i - AROUND) : i], values[i + 1 : i + 1 + AROUND]])
        median = float(np.median(around)) if len(around) else 0.0
        reasons = []
        if values[i] >= MIN_CHANGE and values[i] >= MIN_RATIO * max(median, 0.5):
            reasons.append("change")
        if i in detected:
            reasons.append("detector")
        if reasons:
            chosen.append((i, "+".join(reasons)))
    return chosen


def tile(frames: list[np.ndarray], index: int) -> np.ndarray:
    if not 0 <= index < len(frames):
        return np.zeros((round(TILE * 9 / 16), TILE, 3), np.uint8)
    bgr = frames[index]
    return cv2.resize(
        bgr, (TILE, max(1, round(bgr.shape[0] * TILE / bgr.shape[1]))), interpolation=cv2.INTER_AREA
    )


def strip(frames: list[np.ndarray], index: int, caption: str) -> np.ndarray:
    tiles = [tile(frames, i) for i in (index - 2, index - 1, index, index + 1)]
    height = max(t.shape[0] for t in tiles)
    tiles = [cv2.copyMakeBorder(t, 0, height - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in tiles]
    bar = np.zeros((height, 8, 3), np.uint8)
    bar[:, :, 2] = 255
    gap = np.full((height, 3, 3), 255, np.uint8)
    row = np.hstack([tiles[0], gap, tiles[1], bar, tiles[2], gap, tiles[3]])
    label = np.full((24, row.shape[1], 3), 255, np.uint8)
    cv2.putText(label, caption, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1)
    return np.vstack([label, row, np.full((6, row.shape[1], 3), 255, np.uint8)])


def overview(frames: list[np.ndarray], times: list[float], fps: float) -> list[np.ndarray]:
    """Sheets of one frame per second, each captioned with its frame index and time."""
    cells = []
    for index in range(0, len(frames), max(1, round(fps))):
        bgr = frames[index]
        picture = cv2.resize(
            bgr, (OVERVIEW_TILE, round(OVERVIEW_TILE * 9 / 16)), interpolation=cv2.INTER_AREA
        )
        label = np.full((18, OVERVIEW_TILE, 3), 255, np.uint8)
        cv2.putText(
            label,
            f"{index}  {times[index] / 1000:.1f}s",
            (2, 13),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.42,
            (0,) * 3,
            1,
        )
        cells.append(
            cv2.copyMakeBorder(np.vstack([picture, label]), 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=(255,) * 3)
        )
    per = OVERVIEW_COLUMNS * OVERVIEW_ROWS
    sheets = []
    for start in range(0, len(cells), per):
        part = cells[start : start + per]
        part += [np.full_like(cells[0], 255)] * (-len(part) % OVERVIEW_COLUMNS)
        rows = [np.hstack(part[r : r + OVERVIEW_COLUMNS]) for r in range(0, len(part), OVERVIEW_COLUMNS)]
        sheets.append(np.vstack(rows))
    return sheets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args(argv)
    for source in args.sources:
        path = VIDEOS / f"{source}.mp4"
        if not path.is_file():
            sys.exit(f"{path}: no such clip")
        frames, times = decoded(path)
        values = content_values(frames)
        chosen = candidates(values, detector_cuts(path))
        folder = OUT / source
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "candidates.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "frame", "t_ms", "change", "why"])
            for row, (index, why) in enumerate(chosen):
                writer.writerow([row, index, round(times[index], 1), round(values[index], 1), why])
        rows = [
            strip(
                frames,
                index,
                f"#{row}  frame {index}  t={times[index] / 1000:.2f}s  change {values[index]:.0f}",
            )
            for row, (index, _) in enumerate(chosen)
        ]
        for sheet, start in enumerate(range(0, len(rows), ROWS)):
            part = rows[start : start + ROWS]
            width = max(r.shape[1] for r in part)
            part = [cv2.copyMakeBorder(r, 0, 0, 0, width - r.shape[1], cv2.BORDER_CONSTANT, value=(255,) * 3)
                    for r in part]  # fmt: skip
            cv2.imwrite(str(folder / f"strips_{sheet:02d}.png"), np.vstack(part))
        with av.open(str(path)) as container:
            fps = float(container.streams.video[0].average_rate or 24)
        for number, sheet in enumerate(overview(frames, times, fps)):
            cv2.imwrite(str(folder / f"overview_{number:02d}.png"), sheet)
        print(f"{source}: {len(frames)} frames, {len(chosen)} candidates, {-(-len(rows) // ROWS)} sheets")


if __name__ == "__main__":
    main()
