"""The scene detector scored against what people reviewed: in each film with a scene correction, the true dialogue
scenes are the found ones a person confirmed (or bounded anew, or set the people of) and the ones a person added
(and did not reject afterwards), with the bounds the person gave; every scene the detector found is scored against
them (moviegoer.scenes.accuracy). A found scene nobody confirmed counts as a false one: reviewing a film means
confirming what is right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from moviegoer.core.errors import MoviegoerError
from moviegoer.review.corrections import SCENE_KINDS, ReviewParams, read_corrections
from moviegoer.review.films import ReviewFilm, film_review
from moviegoer.scenes.accuracy import SceneMatch, Span, match_scenes, scene_scores
from moviegoer.scenes.stage import SCENES, read_scenes

TRUE = ("confirmed", "added")  # the statuses of a true scene, as a person reviewed it


@dataclass(frozen=True)
class FilmScore:
    film_id: str
    match: SceneMatch


def reviewed_spans(film: ReviewFilm, params: ReviewParams) -> tuple[list[Span], list[Span]] | None:
    """(found, true) scene spans of a film whose scenes a person reviewed; None when nobody did."""
    corrections = read_corrections(film.corrections)  # read only: this stage never writes its own dependency
    if not any(correction.kind in SCENE_KINDS for correction in corrections):
        return None
    if not (film.scenes_dir / SCENES).is_file():
        raise MoviegoerError(
            f"{film.scenes_dir}: reviewed, but its scenes are missing (run `dvc repro` first)"
        )
    found = [(float(s.start_ms), float(s.end_ms)) for s in read_scenes(film.scenes_dir).itertuples()]
    scenes = film_review(film, corrections, params).state.scenes
    true = [(float(s.start_ms), float(s.end_ms)) for s in scenes.itertuples() if s.status in TRUE]
    return found, sorted(true)


def evaluate_reviewed(films: dict[str, ReviewFilm], params: ReviewParams) -> dict[str, Any]:
    """Per reviewed film and pooled: true, found, matched, recall, precision, mean IoU at `params.scene_iou`; a film
    that cannot be scored is listed under "skipped" with why, and the others are scored."""
    scores, skipped = [], []
    for film_id, film in sorted(films.items()):
        try:
            spans = reviewed_spans(film, params)
        except MoviegoerError as exc:
            skipped.append(str(exc))
            continue
        if spans is not None:
            found, true = spans
            scores.append(
                FilmScore(
                    film_id, SceneMatch(len(true), len(found), match_scenes(found, true, params.scene_iou))
                )
            )
    per_film = pd.DataFrame(
        [{"film": s.film_id, **scene_scores([s.match])} for s in scores],
        columns=["film", "true", "found", "matched", "recall", "precision", "mean_iou"],
    )
    return {
        "reviewed_films": len(scores),
        "skipped": skipped,
        **scene_scores(s.match for s in scores),
        "films": per_film.to_dict("records"),
    }
