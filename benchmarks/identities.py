"""How far apart the sample's drawn characters sit for the face recogniser, next to real people in real films.

    .venv/bin/python benchmarks/identities.py

`analyze` clusters faces into characters with one embedding distance (`analyze.character_distance`), chosen for
real films. This checks that the sample's cast separates under that same distance: each character of the sample
plans (params.yaml `sample:`) is drawn in six MCU poses (turned left or right, mouth open or shut, lit from either
side, over a drawn room), and the dlib embeddings of their faces are compared: same character, different characters
of one film, different characters anywhere. For reference, real people: the largest face of each shared real frame
(../shared/data/real/frames), compared across films of different franchises (so different people, with rare
exceptions). Writes benchmarks/results/identities.{md,json}.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import cv2
import numpy as np

import moviegoer  # noqa: F401  (quiets TensorFlow's and OpenCV's logging)
from moviegoer.analysis.analyze import AnalyzeParams
from moviegoer.analysis.characters import cluster_characters
from moviegoer.core.atomic import write_text
from moviegoer.core.params import section_params
from moviegoer.features.faces import FaceAnalyser, FaceParams
from moviegoer.features.frame import read_picture
from moviegoer.sample.draw import Pose, draw_person, interior
from moviegoer.sample.plan import SampleParams, plan_sample

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED_FRAMES = HERE.parent.parent / "shared" / "data" / "real" / "frames"
POSES = 6


def sample_embeddings(
    analyser: FaceAnalyser, params: SampleParams
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    rng = np.random.default_rng(1)
    width, height = 854, 480
    vectors, who = [], []
    for plan in plan_sample(params):
        for character in plan.cast:
            for _ in range(POSES):
                image = np.ascontiguousarray(interior(rng, 1600, height)[:, 300 : 300 + width])
                side = rng.choice([-1, 1])
                pose = Pose(
                    width * (0.5 + side * rng.uniform(0.12, 0.2)),
                    rng.uniform(0.03, 0.1) * height,
                    rng.uniform(0.36, 0.46) * height,
                    -side * rng.uniform(0.4, 0.8),
                    mouth=rng.uniform(0, 1) if rng.random() < 0.6 else 0.0,
                    light=float(rng.choice([-1.0, 1.0])),
                )
                draw_person(image, character, pose)
                rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
                faces = analyser.detect(rgb)
                if faces:
                    vectors.append(analyser.embed(rgb, faces[0]).embedding)
                    who.append((plan.index, character.name))
    return np.array(vectors), who


def real_embeddings(analyser: FaceAnalyser, min_height: float) -> tuple[np.ndarray, list[str]]:
    vectors, films = [], []
    for path in sorted(SHARED_FRAMES.glob("*/*.jpg")):
        rgb = cv2.cvtColor(read_picture(path), cv2.COLOR_BGR2RGB)
        faces = analyser.detect(rgb)
        if faces and faces[0].box[3] >= min_height * rgb.shape[0]:
            vectors.append(analyser.embed(rgb, faces[0]).embedding)
            films.append(path.parent.name)
    return np.array(vectors), films


def summary(distances: list[float], bound: float) -> dict[str, float]:
    values = np.asarray(distances)
    return {
        "pairs": len(values),
        "mean": round(float(values.mean()), 3),
        "p5": round(float(np.percentile(values, 5)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
        "under_bound": round(float(np.mean(values < bound)), 3),
    }


def main() -> None:
    face_params = section_params(FaceParams, "faces")
    analyze = section_params(AnalyzeParams, "analyze")
    bound = analyze.character_distance
    analyser = FaceAnalyser(face_params)
    vectors, who = sample_embeddings(analyser, section_params(SampleParams, "sample"))
    distance = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    same, within_film, anywhere = [], [], []
    for i, j in itertools.combinations(range(len(who)), 2):
        if who[i] == who[j]:
            same.append(distance[i, j])
        else:
            anywhere.append(distance[i, j])
            if who[i][0] == who[j][0]:
                within_film.append(distance[i, j])
    films = sorted({film for film, _ in who})
    separated = 0
    for film in films:
        rows = [i for i, w in enumerate(who) if w[0] == film]
        labels = cluster_characters(vectors[rows], bound, analyze.min_character_faces)
        truth = [who[i][1] for i in rows]
        pure = all(len({labels[k] for k in range(len(rows)) if truth[k] == name}) == 1 for name in set(truth))
        distinct = len(set(labels.tolist()) - {-1}) == len(set(truth))
        separated += pure and distinct
    result = {
        "bound": bound,
        "sample": {
            "characters": len(set(who)),
            "faces": len(who),
            "same_character": summary(same, bound),
            "different_same_film": summary(within_film, bound),
            "different_anywhere": summary(anywhere, bound),
            "films_whose_cast_separates": [separated, len(films)],
        },
    }
    if SHARED_FRAMES.is_dir():
        real, real_films = real_embeddings(analyser, analyze.min_face_height)
        franchise = [film.split("_")[0] for film in real_films]
        real_distance = np.linalg.norm(real[:, None] - real[None], axis=2)
        different = [
            real_distance[i, j]
            for i, j in itertools.combinations(range(len(real)), 2)
            if franchise[i] != franchise[j]
        ]
        result["real"] = {"faces": len(real), "different_films": summary(different, bound)}
    RESULTS.mkdir(exist_ok=True)
    write_text(RESULTS / "identities.json", json.dumps(result, indent=2) + "\n")
    write_text(RESULTS / "identities.md", markdown(result))
    print((RESULTS / "identities.md").read_text())


def markdown(result: dict) -> str:
    sample, bound = result["sample"], result["bound"]
    rows = [
        ("sample: same character", sample["same_character"]),
        ("sample: different characters of one film", sample["different_same_film"]),
        ("sample: different characters, any film", sample["different_anywhere"]),
    ]
    if "real" in result:
        rows.append(("real films: people of different films", result["real"]["different_films"]))
    lines = [
        "# Identities: the sample's drawn cast against real people, for the face recogniser",
        "",
        f"dlib 128-D embedding distances; `analyze.character_distance` = {bound} (faces closer than this on average"
        " form one character).",
        "",
        f"| pairs of faces | pairs | mean | 5th pct | 95th pct | share under {bound} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        lines.append(
            f"| {name} | {s['pairs']} | {s['mean']:.3f} | {s['p5']:.3f} | {s['p95']:.3f} | {s['under_bound']:.0%} |"
        )
    done, films = sample["films_whose_cast_separates"]
    lines += [
        "",
        f"Clustered with the pipeline's own params, {done} of {films} sample films give exactly one character per"
        f" drawn character ({sample['characters']} characters, {sample['faces']} faces).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
