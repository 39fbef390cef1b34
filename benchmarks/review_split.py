"""How well the review's split (`s` in `moviegoer review`) parts two people a wrong merge joined, on real footage
and on the sample.

    .venv/bin/python benchmarks/review_split.py

For every cached analysis (`make bench-scenes` makes them: the real conversation clips, the shared real clips and the
sample films), each ordered pair (A, B) of its characters with at least MIN_FACES faces is merged, B into A, exactly
as the review page stores a merge; then B is split off by one of B's shots, as a reviewer would press `s` on it:
each of B's shots with a face in turn. The truth is the analysis' own partition (A's faces and B's): a split is
scored by the share of B's faces it takes back (recall) and the share of what it takes that is B's (precision).
The baseline, from the same run, takes back the faces of the chosen shot only. The clustering's own mistakes are
not known here (no face is hand-labelled), so this measures the split, not the identities. Writes
benchmarks/results/review_split.{md,json}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import moviegoer  # noqa: F401  (quiets TensorFlow's and OpenCV's logging)
from moviegoer.analysis.tables import FACES, read_table
from moviegoer.core.atomic import write_text
from moviegoer.core.params import section_params
from moviegoer.review.corrections import Correction, ReviewParams
from moviegoer.review.state import Identities, reviewed

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"
MIN_FACES = 4  # a character a reviewer would split: seen in a few shots at least
SETS = {  # the cached analyses: <set>/<clip>/<analysis key>/faces.parquet
    "real conversations": CACHE / "analysis_conversations",
    "shared real clips": CACHE / "analysis_real",
    "sample": next(iter(sorted(CACHE.glob("scenes_sample_*/analysis"))), CACHE / "none"),
}
NO_SCENES = pd.DataFrame(columns=["scene", "start_ms", "end_ms"])


@dataclass(frozen=True)
class Split:
    recall: float
    precision: float
    baseline_recall: float


def newest_faces(clip: Path) -> Path | None:
    """The clip's latest analysis' faces table."""
    tables = sorted(clip.glob(f"*/{FACES}"), key=lambda path: path.stat().st_mtime)
    return tables[-1] if tables else None


def splits(faces: pd.DataFrame, params: ReviewParams) -> list[Split]:
    """Every merge-then-split of two of the film's characters, by every shot of the merged-in one."""
    identities = Identities(faces)
    counts = identities.face_counts()
    centroids = identities.centroids()
    characters = [c for c, (n, _) in counts.items() if n >= MIN_FACES]
    results = []
    for a in characters:
        for b in characters:
            if a == b:
                continue
            merge = Correction(
                "merge", {"centroid": centroids[b].tolist()}, {"into": centroids[a].tolist()}, "", ""
            )
            joined = identities.vectors[np.isin(identities.original, [a, b])].mean(axis=0).tolist()
            theirs = identities.original == b
            for shot in sorted(set(identities.shots[theirs].tolist())):
                exemplar = identities.vectors[theirs & (identities.shots == shot)].mean(axis=0).tolist()
                split = Correction("split", {"centroid": joined}, {"exemplar": exemplar}, "", "")
                state = reviewed([merge, split], faces, NO_SCENES, params)
                taken = np.isin(state.identities.current, list(state.split))
                hits = int((taken & theirs).sum())
                results.append(
                    Split(
                        hits / int(theirs.sum()),
                        hits / int(taken.sum()) if taken.any() else 0.0,
                        int((theirs & (identities.shots == shot)).sum()) / int(theirs.sum()),
                    )
                )
    return results


def summary(found: list[Split]) -> dict[str, float | int]:
    return {
        "splits": len(found),
        "recall": round(float(np.mean([s.recall for s in found])), 3) if found else 0.0,
        "precision": round(float(np.mean([s.precision for s in found])), 3) if found else 0.0,
        "baseline_recall": round(float(np.mean([s.baseline_recall for s in found])), 3) if found else 0.0,
    }


def main() -> None:
    params = section_params(ReviewParams, "review", HERE.parent / "params.yaml")
    rows, pooled = [], {}
    for name, folder in SETS.items():
        every: list[Split] = []
        for clip in sorted(path for path in folder.glob("*") if path.is_dir()):
            table = newest_faces(clip)
            if table is None:
                continue
            found = splits(read_table(table.parent, FACES), params)
            every += found
            if found:
                rows.append({"set": name, "clip": clip.name, **summary(found)})
        pooled[name] = summary(every)
    if not rows:
        raise SystemExit(f"{CACHE}: no cached analyses to split (run `make bench-scenes` first)")
    result = {"min_faces": MIN_FACES, "pooled": pooled, "clips": rows}
    RESULTS.mkdir(exist_ok=True)
    write_text(RESULTS / "review_split.json", json.dumps(result, indent=1) + "\n")
    lines = [
        "# The review's split: two merged characters parted again by one shot",
        "",
        "`benchmarks/review_split.py`: each pair of a film's characters (at least "
        f"{MIN_FACES} faces each) merged, then split by each shot of the merged-in one. Recall: the share of its "
        "faces taken back; precision: the share of the taken faces that are its. Baseline (same run): the chosen "
        "shot's faces only (precision 1). Truth: the analysis' own partition.",
        "",
        "| set | splits | recall | precision | baseline recall |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {s['splits']} | {s['recall']:.0%} | {s['precision']:.0%} | {s['baseline_recall']:.0%} |"
            for name, s in pooled.items()
        ),
        "",
        "| set | clip | splits | recall | precision | baseline recall |",
        "|---|---|---:|---:|---:|---:|",
        *(
            f"| {r['set']} | {r['clip']} | {r['splits']} | {r['recall']:.0%} | {r['precision']:.0%} | "
            f"{r['baseline_recall']:.0%} |"
            for r in rows
        ),
    ]
    write_text(RESULTS / "review_split.md", "\n".join(lines) + "\n")
    print("\n".join(lines[4 : 6 + len(pooled)]))


if __name__ == "__main__":
    main()
