"""Dialogue scenes and camera setups against ground truth: a real conversation set, the sample's exact scenes, and the
shared real clips that hold none.

    .venv/bin/python benchmarks/conversations/fetch_clips.py   # once: the real conversation set into the cache
    .venv/bin/python benchmarks/scenes.py

(r) The real conversation set (benchmarks/conversations/: clips of films, TV and animation kept in public
repositories, rebuilt by fetch_clips.py into benchmarks/cache/, never committed; scenes labelled by eye by
../shared/SCENE_GUIDE.md): recall, precision and mean IoU per clip, per film group and overall; beside it, in the
same run, the rule without camera setups (face identity only, singles from a face of at least 0.2 of the picture).
Camera setups labelled by eye on some clips give setup purity and completeness.
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
import pandas as pd

import moviegoer  # noqa: F401  (quiets TensorFlow's and OpenCV's logging)
from moviegoer.analysis.analyze import analysis_params, analyze_film
from moviegoer.analysis.setups import labels_at_shots, setup_agreement
from moviegoer.analysis.tables import FACES, SAMPLES, SHOTS, THUMBS, read_table
from moviegoer.core.atomic import write_text
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.params import load_params, section_params
from moviegoer.sample.plan import SampleParams
from moviegoer.sample.render import render_sample
from moviegoer.sample.timeline import dialogue_spans, read_timeline
from moviegoer.scenes.accuracy import SceneMatch, match_scenes, scene_scores
from moviegoer.scenes.dialogue import find_dialogue_scenes
from moviegoer.scenes.page import clock
from moviegoer.scenes.stage import film_scenes
from moviegoer.scenes.subjects import NO_PARTY, SINGLE, ScenesParams, shot_subjects

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CACHE = HERE / "cache"
SHARED_VIDEOS = ROOT.parent / "shared" / "data" / "real" / "videos"
CONVERSATIONS = HERE / "conversations"
CONVERSATION_CLIPS = CACHE / "conversations" / "clips"
MIN_IOU = 0.5
PARAMS = ROOT / "params.yaml"


def analysis_key() -> str:
    """What an analysis depends on: the analysis code, the shipped model and their params sections."""
    key = hashlib.sha256()
    params = load_params(PARAMS)
    key.update(
        json.dumps([params[s] for s in ("shots", "analyze", "setups", "faces")], sort_keys=True).encode()
    )
    for folder in ("analysis", "features", "video", "model/default"):
        for source in sorted((ROOT / "moviegoer" / folder).glob("*")):
            if source.is_file():
                key.update(source.read_bytes())
    return key.hexdigest()[:12]


def analysed(video: Path, film_id: str, folder: Path) -> Path:
    """The film's analysis, made once into `folder`/<analysis key> (a change of code or params makes a new one)."""
    target = folder / analysis_key()
    if not (target / "shots.parquet").exists():
        analyze_film(video, film_id, target, *analysis_params(PARAMS))
    return target


def identity_only(analysis: Path, params: ScenesParams) -> pd.DataFrame:
    """The scenes of the rule before camera setups, as the baseline of the same run: singles only from a face of
    at least 0.2 of the picture, and a party only where a face identity (or the side rule) names the character."""
    tables = {name: read_table(analysis, name) for name in (SHOTS, SAMPLES, FACES)}
    before = ScenesParams(**{**params.__dict__, "min_face_height": params.close_face_height})
    subjects = shot_subjects(tables[SHOTS], tables[SAMPLES], tables[FACES], before)
    faceless = ~subjects["shot"].isin(tables[FACES]["shot"])
    subjects.loc[faceless & (subjects["kind"] == SINGLE), "kind"] = "nobody"
    by_setup = subjects["party"].str.startswith("s") | (subjects["kind"] != SINGLE)
    subjects.loc[by_setup, "party"] = NO_PARTY
    return find_dialogue_scenes(subjects, before)


def sample_cache() -> Path:
    """The sample films and their analyses, keyed by the sample's code and params (a change makes a new one)."""
    key = hashlib.sha256(json.dumps(load_params(PARAMS)["sample"], sort_keys=True).encode())
    for source in sorted((ROOT / "moviegoer" / "sample").glob("*.py")):
        key.update(source.read_bytes())
    folder = CACHE / f"scenes_sample_{key.hexdigest()[:12]}"
    if not (folder / "timeline.parquet").exists():
        render_sample(folder, section_params(SampleParams, "sample", PARAMS))
    return folder


def spans(scenes: pd.DataFrame) -> list[tuple[float, float]]:
    return [tuple(row) for row in scenes[["start_ms", "end_ms"]].to_numpy(float)]


def scores(rows: list[dict]) -> dict:
    return scene_scores(SceneMatch(row["true"], row["found"], row["ious"]) for row in rows)


def match(found: list[tuple[float, float]], truth: list[tuple[float, float]]) -> list[float]:
    return match_scenes(found, truth, MIN_IOU)


def conversation_results(params: ScenesParams) -> dict:
    """The real conversation set, clip by clip, with the identity-only baseline and setup agreement."""
    sources = pd.read_csv(CONVERSATIONS / "sources.csv")
    labels = pd.read_csv(CONVERSATIONS / "scenes.csv")
    setups = pd.read_csv(CONVERSATIONS / "setups.csv") if (CONVERSATIONS / "setups.csv").exists() else None
    clips, missing, setup_rows = [], [], []
    for source in sources.itertuples(index=False):
        video = next(iter(sorted(CONVERSATION_CLIPS.glob(f"{source.slug}.*"))), None)
        if video is None:
            missing.append(source.slug)
            continue
        analysis = analysed(video, source.slug, CACHE / "analysis_conversations" / source.slug)
        truth = [
            (row.start_s * 1000, row.end_s * 1000)
            for row in labels[labels["slug"] == source.slug].itertuples()
        ]
        _, tables, scenes = film_scenes(analysis, params)
        row = {"clip": source.slug, "group": source.group, "kind": source.kind, "true": len(truth)}
        for name, found in (("setups", spans(scenes)), ("baseline", spans(identity_only(analysis, params)))):
            ious = match(found, truth)
            row[name] = {"true": len(truth), "found": len(found), "ious": ious}
        clips.append(row)
        if setups is not None and source.slug in set(setups["slug"]):
            mine = setups[setups["slug"] == source.slug].sort_values("start_s")
            shots = tables[SHOTS]
            true_setups = labels_at_shots(
                shots, mine["start_s"].to_numpy() * 1000, mine["setup"].astype(str).tolist()
            )
            purity, completeness = setup_agreement(shots["setup"].tolist(), true_setups)
            setup_rows.append({"clip": source.slug, "shots": len(shots), "purity": purity,
                               "completeness": completeness})  # fmt: skip
    groups = {}
    for group in sorted({c["group"] for c in clips}):
        mine = [c for c in clips if c["group"] == group]
        groups[group] = {name: scores([c[name] for c in mine]) for name in ("setups", "baseline")}
    return {
        "clips": clips,
        "missing": missing,
        "groups": groups,
        "overall": {name: scores([c[name] for c in clips]) for name in ("setups", "baseline")},
        "setups": setup_rows,
    }


def sample_setups(folder: Path, timeline: pd.DataFrame) -> dict:
    """Setup purity and completeness of the sample films against their exact setups."""
    found, true = [], []
    for film_id, shots in timeline.groupby("film_id"):
        analysis = analysed(folder / f"{film_id}.mp4", str(film_id), folder / "analysis" / str(film_id))
        table = read_table(analysis, SHOTS)
        found += [f"{film_id}/{s}" for s in table["setup"]]
        true += [
            f"{film_id}/{s}"
            for s in labels_at_shots(table, shots["start_ms"].to_numpy(), shots["setup"].tolist())
        ]
    purity, completeness = setup_agreement(found, true)
    return {"shots": len(found), "purity": purity, "completeness": completeness}


def sample_results(params: ScenesParams) -> dict:
    folder = sample_cache()
    timeline = read_timeline(folder / "timeline.parquet")
    films = []
    for film_id, shots in timeline.groupby("film_id"):
        truth = dialogue_spans(shots)
        analysis = analysed(folder / f"{film_id}.mp4", str(film_id), folder / "analysis" / str(film_id))
        found = spans(film_scenes(analysis, params)[2])
        films.append(
            {"film": str(film_id), "true": len(truth), "found": len(found), "ious": match(found, truth)}
        )
    total = scores(films)
    return {
        "films": [{**film, "matched": len(film["ious"])} for film in films],
        "true_scenes": total["true"],
        "found_scenes": total["found"],
        "recall": total["recall"],
        "precision": total["precision"],
        "mean_iou": total["mean_iou"],
        "setups": sample_setups(folder, timeline),
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


def percent(value: float) -> str:
    return f"{value:.0%}"


def score_cells(s: dict) -> str:
    return f"{s['true']} | {s['found']} | {s['matched']} | {percent(s['recall'])} | {percent(s['precision'])} | {s['mean_iou']:.2f}"


def conversation_markdown(real: dict) -> list[str]:
    new, old = real["overall"]["setups"], real["overall"]["baseline"]
    positives = sum(1 for c in real["clips"] if c["true"])
    lines = [
        "## (r) Real conversations (benchmarks/conversations/)",
        "",
        f"{len(real['clips'])} clips ({positives} with a labelled scene, {len(real['clips']) - positives} without),"
        f" {new['true']} labelled two-character dialogue scenes. **Camera setups + faces: recall"
        f" {percent(new['recall'])}, precision {percent(new['precision'])}**, mean IoU {new['mean_iou']:.2f};"
        f" face identity only (the rule before setups, same run, same analyses): recall {percent(old['recall'])},"
        f" precision {percent(old['precision'])}. Targets: recall >= 90 %, precision >= 90 %."
        + (
            f" Not in the cache (run fetch_clips.py): {', '.join(real['missing'])}."
            if real["missing"]
            else ""
        ),
        "",
        "| rule | true | found | matched | recall | precision | mean IoU |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| setups + faces | {score_cells(new)} |",
        f"| face identity only | {score_cells(old)} |",
        "",
        "Per film group (clips of one film or show together; nothing is fitted to them, the groups show where the"
        " rule holds and where it does not):",
        "",
        "| group | true | found | matched | recall | precision | mean IoU | baseline recall | baseline precision |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {g} | {score_cells(s['setups'])} | {percent(s['baseline']['recall'])} |"
            f" {percent(s['baseline']['precision'])} |"
            for g, s in real["groups"].items()
        ),
        "",
        "Per clip:",
        "",
        "| clip | kind | true | found (setups) | matched | found (identity only) | matched |",
        "|---|---|---:|---:|---:|---:|---:|",
        *(
            f"| {c['clip']} | {c['kind']} | {c['true']} | {c['setups']['found']} | {len(c['setups']['ious'])} |"
            f" {c['baseline']['found']} | {len(c['baseline']['ious'])} |"
            for c in real["clips"]
        ),
    ]
    if real["setups"]:
        shots = sum(r["shots"] for r in real["setups"])
        lines += [
            "",
            f"Camera setups against setups labelled by eye ({len(real['setups'])} clips, {shots} shots; purity:"
            " no found setup mixes two camera positions; completeness: no position is split):",
            "",
            "| clip | shots | purity | completeness |",
            "|---|---:|---:|---:|",
            *(
                f"| {r['clip']} | {r['shots']} | {percent(r['purity'])} | {percent(r['completeness'])} |"
                for r in real["setups"]
            ),
        ]
    return lines + [""]


def markdown(result: dict) -> str:
    sample = result["sample"]
    lines = [
        "# Dialogue scenes against ground truth",
        "",
        f"A found scene matches a true one at time-IoU >= {MIN_IOU}. Params: `scenes:` in params.yaml"
        f" ({', '.join(f'{k} {v}' for k, v in result['params'].items())}); `setups:`"
        f" ({', '.join(f'{k} {v}' for k, v in result['setup_params'].items())}).",
        "",
        *(conversation_markdown(result["conversations"]) if "conversations" in result else []),
        "## (a) The sample films (exact ground truth)",
        "",
        f"**Recall {sample['recall']:.0%}, precision {sample['precision']:.0%}**, mean IoU of matched scenes"
        f" {sample['mean_iou']:.2f}, over {sample['true_scenes']} true and {sample['found_scenes']} found scenes"
        " (targets: recall >= 95 %, precision >= 90 %).",
        "",
        "| film | true scenes | found | matched |",
        "|---|---:|---:|---:|",
        *(f"| {f['film']} | {f['true']} | {f['found']} | {f['matched']} |" for f in sample["films"]),
        "",
        f"Camera setups against the sample's exact setups ({sample['setups']['shots']} shots): purity"
        f" {percent(sample['setups']['purity'])}, completeness {percent(sample['setups']['completeness'])}.",
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
    everything = load_params(PARAMS)
    result: dict = {"params": everything["scenes"], "setup_params": everything["setups"]}
    if (CONVERSATIONS / "sources.csv").exists():
        result["conversations"] = conversation_results(params)
    result["sample"] = sample_results(params)
    if SHARED_VIDEOS.is_dir():
        result["real"] = real_results(params)
    RESULTS.mkdir(exist_ok=True)
    write_text(RESULTS / "scenes.json", json.dumps(result, indent=2, default=str) + "\n")
    write_text(RESULTS / "scenes.md", markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
