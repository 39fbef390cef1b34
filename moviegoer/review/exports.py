"""A film's exports as people reviewed it (`moviegoer reviewed`): the scene detector's exports (moviegoer.scenes)
with every correction applied, so that what a scholar cites is what they checked. One folder per film, written all
or nothing: scenes, characters and shots as CSV and JSON, the OpenTimelineIO timeline and the HTML timeline page,
each saying it is reviewed: a scene's `status` (found, confirmed, rejected, added) and `origin` (detector, person),
a character's name, whom a person merged into it or split it from, and the OTIO timeline's `reviewed` flag. A
film nobody reviewed is exported the same way, its scenes all `found`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.core.atomic import atomic_dir
from moviegoer.core.errors import MoviegoerError
from moviegoer.review.corrections import ReviewParams, read_corrections
from moviegoer.review.films import FilmReview, ReviewFilm, film_review
from moviegoer.scenes.exports import timeline_of, write_otio, write_records
from moviegoer.scenes.page import clock, film_page
from moviegoer.scenes.stage import SCENES, SUMMARY, TIMELINE

CHARACTER_EXPORT = ["character", "name", "named", "faces", "shots", "merged", "split_from"]


@dataclass(frozen=True)
class ReviewedExport:
    film_id: str
    corrections: int
    scenes: pd.DataFrame
    out_dir: Path


def export_reviewed(film: ReviewFilm, out_root: Path, params: ReviewParams) -> ReviewedExport:
    """Write OUT_ROOT/<film_id>/ with `film`'s corrections applied: scenes, characters and shots as CSV and JSON,
    <film_id>.otio, timeline.html and summary.json (for the index page)."""
    if not (film.scenes_dir / SCENES).is_file():
        raise MoviegoerError(f"{film.scenes_dir}: no scenes yet (run `dvc repro` first)")
    corrections = read_corrections(film.corrections)
    review = film_review(film, corrections, params)
    scenes = review.scenes()
    characters = review.characters()
    shots = review.shots.drop(columns="signature")
    shots = shots.assign(name=[review.name(c) if c >= 0 else "" for c in shots["character"]])
    target = Path(out_root) / film.film_id
    with atomic_dir(target) as tmp:
        write_records(scenes, tmp / "scenes.csv", tmp / "scenes.json")
        write_records(characters[CHARACTER_EXPORT], tmp / "characters.csv", tmp / "characters.json")
        write_records(shots, tmp / "shots.csv", tmp / "shots.json")
        kept = scenes[scenes["status"] != "rejected"]
        write_otio(
            tmp / f"{film.film_id}.otio",
            timeline_of(film.film_id, shots, kept, film.video.as_posix(), people=_people, reviewed=True),
        )
        page = film_page(film.film_id, film.analysis_dir, shots, characters, scenes, review.name)
        (tmp / TIMELINE).write_text(page, encoding="utf-8")
        (tmp / SUMMARY).write_text(json.dumps(_summary(review, len(kept), len(corrections)), indent=1) + "\n")
    return ReviewedExport(film.film_id, len(corrections), scenes, target)


def _people(scene: Any) -> tuple[str, str]:  # noqa: ANN401 (a reviewed scenes table's row)
    return scene.a or "someone", scene.b or "someone"


def _summary(review: FilmReview, scenes: int, corrections: int) -> dict[str, Any]:
    return {
        "film_id": review.film.film_id,
        "duration": clock(float(review.shots["end_ms"].iloc[-1])),
        "shots": len(review.shots),
        "characters": len(review.state.characters()),
        "scenes": scenes,
        "corrections": corrections,
    }
