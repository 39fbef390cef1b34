"""Dialogue scenes against ground truth: the sample's exact scenes, and the shared real clips that hold none.

    .venv/bin/python benchmarks/scenes.py

(a) The sample films (params.yaml `sample:`, rendered and analysed once into benchmarks/cache/, keyed by the sample
code and params): every scene of the timeline with `is_dialogue` is a true scene; a found scene matches one at
time-IoU >= 0.5. Recall, precision and the mean IoU of matched scenes.
(b) The 25 shared real clips (../shared/data/real/videos): trailers and short clips in which, by eye on their shot
contact sheets, none holds a two-character dialogue scene (at least 4 alternating A/B shots); every scene found
there is most likely false. Each is listed with its times and a strip of its shots' thumbnails under
benchmarks/cache/scenes_real/ (not committed: most of the footage is copyrighted) so a person can judge.
Writes benchmarks/results/scenes.{md,json}.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import cv2
import numpy as np

import moviegoer  # noqa: F401  (quiets TensorFlow's and OpenCV's logging)
from moviegoer.analysis.analyze import analysis_params, analyze_film
from moviegoer.analysis.tables import THUMBS
from moviegoer.core.atomic import write_text
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.params import load_params, section_params
from moviegoer.sample.plan import SampleParams
from moviegoer.sample.render import render_sample
from moviegoer.sample.timeline import dialogue_spans, read_timeline
from moviegoer.scenes.dialogue import time_iou
from moviegoer.scenes.page import clock
from moviegoer.scenes.stage import film_scenes
from moviegoer.scenes.subjects import ScenesParams

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CACHE = HERE / "cache"
SHARED_VIDEOS = ROOT.parent / "shared" / "data" / "real" / "videos"
MIN_IOU = 0.5
PARAMS = ROOT / "params.yaml"


def analysed(video: Path, film_id: str, folder: Path) -> Path:
    """The film's analysis, made once into `folder`."""
    if not (folder / "shots.parquet").exists():
        analyze_film(video, film_id, folder, *analysis_params(PARAMS))
    return folder


def sample_cache() -> Path:
    """The sample films and their analyses, keyed by the sample's code and params (a change makes a new one)."""
    key = hashlib.sha256(json.dumps(load_params(PARAMS)["sample"], sort_keys=True).encode())
    for source in sorted((ROOT / "moviegoer" / "sample").glob("*.py")):
        key.update(source.read_bytes())
    folder = CACHE / f"scenes_sample_{key.hexdigest()[:12]}"
    if not (folder / "timeline.parquet").exists():
        render_sample(folder, section_params(SampleParams, "sample", PARAMS))
    return folder


def match(found: list[tuple[float, float]], truth: list[tuple[float, float]]) -> list[float]:
    """Greedy one-to-one matching by IoU; the IoUs of the matched pairs."""
    pairs = sorted(
        ((time_iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True
    )
    used_found, used_truth, matched = set(), set(), []
    for value, i, j in pairs:
        if value >= MIN_IOU and i not in used_found and j not in used_truth:
            used_found.add(i)
            used_truth.add(j)
            matched.append(value)
    return matched


def sample_results(params: ScenesParams) -> dict:
    folder = sample_cache()
    timeline = read_timeline(folder / "timeline.parquet")
    films, totals = [], {"true": 0, "found": 0, "matched": 0, "ious": []}
    for film_id, shots in timeline.groupby("film_id"):
        truth = dialogue_spans(shots)
        analysis = analysed(folder / f"{film_id}.mp4", str(film_id), folder / "analysis" / str(film_id))
        _, _, scenes = film_scenes(analysis, params)
        found = [tuple(row) for row in scenes[["start_ms", "end_ms"]].to_numpy(float)]
        ious = match(found, truth)
        films.append({"film": str(film_id), "true": len(truth), "found": len(found), "matched": len(ious)})
        totals["true"] += len(truth)
        totals["found"] += len(found)
        totals["matched"] += len(ious)
        totals["ious"] += ious
    return {
        "films": films,
        "true_scenes": totals["true"],
        "found_scenes": totals["found"],
        "recall": totals["matched"] / max(totals["true"], 1),
        "precision": totals["matched"] / max(totals["found"], 1),
        "mean_iou": float(np.mean(totals["ious"])) if totals["ious"] else 0.0,
    }


def strip(analysis: Path, first: int, last: int, target: Path) -> None:
    pictures = [cv2.imread(str(analysis / THUMBS / f"shot_{n:04d}.jpg")) for n in range(first, last + 1)]
    pictures = [cv2.resize(p, (round(p.shape[1] * 90 / p.shape[0]), 90)) for p in pictures if p is not None]
    if pictures:
        cv2.imwrite(str(target), np.hstack(pictures))


def real_results(params: ScenesParams) -> dict:
    clips = sorted(SHARED_VIDEOS.glob("*.mp4"))
    found, seconds = [], 0.0
    out = CACHE / "scenes_real"
    out.mkdir(parents=True, exist_ok=True)
    unreadable = []
    for clip in clips:
        try:
            analysis = analysed(clip, clip.stem, CACHE / "analysis_real" / clip.stem)
        except MoviegoerError as exc:  # batman.mp4 is AV1, which this OpenCV/PyAV build cannot decode
            unreadable.append(f"{clip.name}: {str(exc).split(': ', 1)[-1].split(' (')[0]}")
            continue
        started = time.perf_counter()
        _, _, scenes = film_scenes(analysis, params)
        seconds += time.perf_counter() - started
        for s in scenes.itertuples(index=False):
            picture = out / f"{clip.stem}_scene{s.scene}.jpg"
            strip(analysis, s.first_shot, s.last_shot, picture)
            found.append({
                "clip": clip.stem, "scene": s.scene, "from": clock(s.start_ms), "to": clock(s.end_ms),
                "shots": f"{s.first_shot}-{s.last_shot}", "characters": f"{s.character_a} & {s.character_b}",
                "alternations": s.n_alternations, "confidence": s.confidence,
                "strip": str(picture.relative_to(ROOT)),
            })  # fmt: skip
    return {
        "clips": len(clips) - len(unreadable),
        "unreadable": unreadable,
        "scenes_found": found,
        "clips_with_scenes": len({f["clip"] for f in found}),
    }


def markdown(result: dict) -> str:
    sample = result["sample"]
    lines = [
        "# Dialogue scenes against ground truth",
        "",
        f"A found scene matches a true one at time-IoU >= {MIN_IOU}. Params: `scenes:` in params.yaml"
        f" ({', '.join(f'{k} {v}' for k, v in result['params'].items())}).",
        "",
        "## (a) The sample films (exact ground truth)",
        "",
        f"**Recall {sample['recall']:.0%}, precision {sample['precision']:.0%}**, mean IoU of matched scenes"
        f" {sample['mean_iou']:.2f}, over {sample['true_scenes']} true and {sample['found_scenes']} found scenes"
        " (targets: recall >= 95 %, precision >= 90 %).",
        "",
        "| film | true scenes | found | matched |",
        "|---|---:|---:|---:|",
        *(f"| {f['film']} | {f['true']} | {f['found']} | {f['matched']} |" for f in sample["films"]),
    ]
    if "real" in result:
        real = result["real"]
        lines += [
            "",
            "## (b) The shared real clips (no dialogue scene in any, by eye)",
            "",
            f"{len(real['scenes_found'])} scenes found in {real['clips_with_scenes']} of {real['clips']} readable"
            f" clips ({'; '.join(real['unreadable']) or 'all readable'});"
            " each is most likely a false positive. Thumbnail strips are written beside the cache"
            " (`benchmarks/cache/scenes_real/`, not committed: the footage is copyrighted) for a person to judge.",
            "",
        ]
        if real["scenes_found"]:
            lines += [
                "| clip | scene | from | to | shots | characters | A/B changes | confidence |",
                "|---|---:|---|---|---|---|---:|---:|",
                *(
                    f"| {s['clip']} | {s['scene']} | {s['from']} | {s['to']} | {s['shots']} | {s['characters']} |"
                    f" {s['alternations']} | {s['confidence']:.2f} |"
                    for s in real["scenes_found"]
                ),
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    params = section_params(ScenesParams, "scenes", PARAMS)
    result: dict = {"params": load_params(PARAMS)["scenes"], "sample": sample_results(params)}
    if SHARED_VIDEOS.is_dir():
        result["real"] = real_results(params)
    RESULTS.mkdir(exist_ok=True)
    write_text(RESULTS / "scenes.json", json.dumps(result, indent=2, default=str) + "\n")
    write_text(RESULTS / "scenes.md", markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
