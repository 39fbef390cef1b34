"""Frames of the conversation set's clips, for labelling MCU frames by eye and for the real-film MCU benchmark.

    .venv/bin/python benchmarks/conversations/fetch_clips.py   # the clips first (into benchmarks/cache/)
    .venv/bin/python benchmarks/real_frames/extract.py          # -> benchmarks/cache/real_frames/

As ../shared/data/real/frames was made: one frame every `EVERY_MS` from t=0 (the first decoded frame whose timestamp is
at or after each mark), resized to `WIDTH` pixels wide, saved as frames/<source>/<source>_t<ms>.jpg. With --sheets,
also contact sheets (sheets/<source>.sheet_NN.png, each tile captioned with its t_ms) to label them on. The frames are not in
git (most clips are copyrighted); labels.csv beside this script is, and names each frame by source and t_ms.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import av
import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
CLIPS = HERE.parent / "cache" / "conversations" / "clips"
SOURCES = HERE.parent / "conversations" / "sources.csv"
OUT = HERE.parent / "cache" / "real_frames"
EVERY_MS, WIDTH = 2000, 480
SHEET_COLUMNS, SHEET_ROWS, TILE = 3, 4, 320


def frames_of(clip: Path) -> list[tuple[int, np.ndarray]]:
    """(mark in ms, BGR frame at WIDTH) for every mark the clip reaches, decoding every frame in order. Not
    moviegoer's seeking exact sampler (`sampler_for`): on the Tears of Steel clips, HLS segments joined into one
    MPEG-TS stream, it skips two marks of every five and returns other frames for the rest."""
    kept, mark = [], 0
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        base = float(stream.time_base)
        for index, frame in enumerate(container.decode(stream)):
            t_ms = (frame.pts - start) * base * 1000 if frame.pts is not None else index * 1000 / 25
            if t_ms + 1e-6 >= mark:
                bgr = frame.to_ndarray(format="bgr24")
                height = round(bgr.shape[0] * WIDTH / bgr.shape[1])
                kept.append((mark, cv2.resize(bgr, (WIDTH, height), interpolation=cv2.INTER_AREA)))
                while mark <= t_ms:
                    mark += EVERY_MS
    return kept


def sheets(source: str, frames: list[tuple[int, np.ndarray]]) -> list[np.ndarray]:
    cells = []
    for t_ms, bgr in frames:
        tile = cv2.resize(
            bgr, (TILE, round(bgr.shape[0] * TILE / bgr.shape[1])), interpolation=cv2.INTER_AREA
        )
        label = np.full((22, TILE, 3), 255, np.uint8)
        cv2.putText(label, f"{source} t={t_ms}", (3, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
        cells.append(cv2.copyMakeBorder(np.vstack([tile, label]), 3, 3, 3, 3,
                                        cv2.BORDER_CONSTANT, value=(255, 255, 255)))  # fmt: skip
    height = max(cell.shape[0] for cell in cells)
    cells = [
        cv2.copyMakeBorder(c, 0, height - c.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=(255,) * 3)
        for c in cells
    ]
    per = SHEET_COLUMNS * SHEET_ROWS
    pages = []
    for start in range(0, len(cells), per):
        part = cells[start : start + per]
        part += [np.full_like(cells[0], 255)] * (-len(part) % SHEET_COLUMNS)
        pages.append(
            np.vstack([np.hstack(part[r : r + SHEET_COLUMNS]) for r in range(0, len(part), SHEET_COLUMNS)])
        )
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sheets", action="store_true", help="also write contact sheets to label on")
    args = parser.parse_args(argv)
    with SOURCES.open() as handle:
        sources = [row["slug"] for row in csv.DictReader(handle)]
    missing = 0
    for source in sources:
        clip = next(CLIPS.glob(f"{source}.*"), None)
        if clip is None:
            print(f"{source}: clip absent (run benchmarks/conversations/fetch_clips.py)", file=sys.stderr)
            missing += 1
            continue
        frames = frames_of(clip)
        folder = OUT / "frames" / source
        folder.mkdir(parents=True, exist_ok=True)
        for t_ms, bgr in frames:
            cv2.imwrite(str(folder / f"{source}_t{t_ms:06d}.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if args.sheets:
            (OUT / "sheets").mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(sheets(source, frames)):
                cv2.imwrite(str(OUT / "sheets" / f"{source}.sheet_{number:02d}.png"), page)
        print(f"{source}: {len(frames)} frames")
    if missing:
        sys.exit(f"{missing} clips absent")


if __name__ == "__main__":
    main()
