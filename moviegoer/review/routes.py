"""The review page's HTTP side: the page, each film's timeline as JSON (corrections applied), the corrections a
person makes, and the film itself, its shot thumbnails and character portraits as files. The video is served with
HTTP range requests (Starlette's FileResponse answers `Range`), so the browser seeks without downloading the film;
a film the browser cannot play gets a playable copy on request (moviegoer.review.playable).
Only registered films with an analysis are served, by film id: no path comes from the request. A correction is JSON
from the app's own page only (moviegoer.labelling.guard), checked before it is stored, and stored before it is
acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FILM_ID_PATTERN
from moviegoer.labelling.guard import BadRequest
from moviegoer.labelling.server import MAX_NAME, json_body
from moviegoer.review.corrections import KINDS, STATUSES, Correction, CorrectionStore, ReviewParams
from moviegoer.review.films import CONTAINER_TYPES, FilmReview, ReviewFilm, film_review, timeline
from moviegoer.review.playable import FORMATS, PlayableCopies

CACHED = {"Cache-Control": "max-age=3600"}


@dataclass(frozen=True)
class Reviewing:
    films: dict[str, ReviewFilm]
    params: ReviewParams
    reviewer: str  # who corrects, unless a request says otherwise
    copies: PlayableCopies  # of the films the browser cannot play


def review_routes(reviewing: Reviewing) -> Callable[[FastAPI], None]:
    """What moviegoer.labelling.server.create_app adds for the review page."""
    return lambda app: _add_review_routes(app, reviewing)


def _add_review_routes(app: FastAPI, reviewing: Reviewing) -> None:
    films = reviewing.films
    stores: dict[str, CorrectionStore] = {}
    opening = threading.Lock()  # requests run on a thread pool: one store (and one writer lock) per film

    def store_of(film: ReviewFilm) -> CorrectionStore:
        with opening:
            if film.film_id not in stores:
                stores[film.film_id] = CorrectionStore(film.corrections, film.film_id)
            return stores[film.film_id]

    def current(film: ReviewFilm) -> dict[str, Any]:
        return timeline(film, store_of(film).corrections, reviewing.params)

    def add(film: ReviewFilm, body: dict[str, Any]) -> dict[str, Any]:
        """Check `body` against the film as shown now, store it, and return the film as shown after it."""
        store = store_of(film)
        store.add(
            _correction(film_review(film, store.corrections, reviewing.params), body, reviewing.reviewer)
        )
        return current(film)

    def film_of(film_id: str) -> ReviewFilm:
        if not FILM_ID_PATTERN.match(film_id):
            raise BadRequest(400, f"{film_id!r} is not a film id")
        if film_id not in films:
            raise BadRequest(404, f"{film_id}: no analysed film of that id")
        return films[film_id]

    def picture(path: Path, what: str) -> FileResponse:
        if not path.is_file():
            raise BadRequest(404, f"{what}: no such picture")
        return FileResponse(path, media_type="image/jpeg", headers=CACHED)

    @app.get("/")
    def home() -> RedirectResponse:  # a labelling page registered before this one keeps `/`
        return RedirectResponse("/review")

    @app.get("/review", response_class=HTMLResponse)
    def page() -> str:
        return resources.files("moviegoer.review").joinpath("review.html").read_text(encoding="utf-8")

    @app.get("/api/review/films")
    def film_list() -> dict[str, Any]:
        return {"films": sorted(films)}

    @app.get("/api/review/films/{film_id}")
    async def film_timeline(film_id: str) -> dict[str, Any]:
        film = film_of(film_id)
        try:
            shown = await run_in_threadpool(current, film)
        except MoviegoerError as exc:
            raise BadRequest(422, str(exc)) from exc
        return {**shown, "copies": {codec: copy_status(film, codec) for codec in FORMATS}}

    def copy_status(film: ReviewFilm, codec: str) -> dict[str, Any] | None:
        job = reviewing.copies.status(film.film_id, film.video, codec)
        return None if job is None else asdict(job)

    def copy_codec(codec: str) -> str:
        if codec not in FORMATS:
            raise BadRequest(422, f"codec {codec!r} is not one of {', '.join(FORMATS)}")
        return codec

    @app.post("/api/review/films/{film_id}/playable")
    async def make_playable(film_id: str, request: Request) -> dict[str, Any]:
        film, body = film_of(film_id), await json_body(request)
        codec = copy_codec(body.get("codec"))
        if not film.video.is_file():
            raise BadRequest(404, f"{film_id}: its video {film.video} is missing (`dvc pull` brings it back)")
        return asdict(reviewing.copies.request(film.film_id, film.video, codec))

    @app.get("/api/review/films/{film_id}/playable/{codec}")
    def playable_status(film_id: str, codec: str) -> dict[str, Any] | None:
        return copy_status(film_of(film_id), copy_codec(codec))

    @app.get("/review/playable/{film_id}/{codec}")
    def playable(film_id: str, codec: str) -> FileResponse:
        film = film_of(film_id)
        path = reviewing.copies.path(film.film_id, film.video, copy_codec(codec))
        if path is None:
            raise BadRequest(404, f"{film_id}: no {codec} copy made yet")
        return FileResponse(path, media_type=FORMATS[codec].media_type)

    @app.post("/api/review/films/{film_id}/corrections")
    async def correct(film_id: str, request: Request) -> dict[str, Any]:
        film, body = film_of(film_id), await json_body(request)
        try:
            return await run_in_threadpool(add, film, body)
        except MoviegoerError as exc:
            raise BadRequest(422, str(exc)) from exc

    @app.get("/review/video/{film_id}")
    def video(film_id: str) -> FileResponse:
        film = film_of(film_id)
        if not film.video.is_file():
            raise BadRequest(404, f"{film_id}: its video {film.video} is missing (`dvc pull` brings it back)")
        kind = CONTAINER_TYPES.get(film.video.suffix.lower(), "application/octet-stream")
        return FileResponse(film.video, media_type=kind)

    @app.get("/review/thumbs/{film_id}/{shot}")
    def thumb(film_id: str, shot: int) -> FileResponse:
        return picture(film_of(film_id).thumb(shot), f"{film_id} shot {shot}")

    @app.get("/review/portraits/{film_id}/{character}")
    def portrait(film_id: str, character: int) -> FileResponse:
        return picture(film_of(film_id).portrait(character), f"{film_id} character {character}")


def _correction(review: FilmReview, body: dict[str, Any], reviewer: str) -> Correction:
    """A request body as a correction of the film as `review` shows it, or a 4xx naming what is wrong with it."""
    kind, by = body.get("kind"), body.get("by") or reviewer
    if kind not in KINDS:
        raise BadRequest(422, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if not isinstance(by, str) or not by.strip() or len(by) > MAX_NAME or not by.isprintable():
        raise BadRequest(422, f"by must be a printable name of at most {MAX_NAME} characters")
    at = datetime.now(UTC).isoformat(timespec="milliseconds")

    def centroid(character: Any) -> list[float]:
        known = review.state.identities.centroids()
        if not isinstance(character, int) or character not in known:
            raise BadRequest(422, f"{review.film.film_id}: no character {character!r} with identified faces")
        return [round(float(value), 6) for value in known[character]]

    if kind == "name":
        return Correction(kind, {"centroid": centroid(body.get("character"))}, {"name": _name(body)}, by, at)
    if kind == "merge":
        source, target = body.get("character"), body.get("into")
        if source == target:
            raise BadRequest(422, "a character cannot be merged into itself")
        return Correction(kind, {"centroid": centroid(source)}, {"into": centroid(target)}, by, at)
    if kind == "split":
        character, shot = body.get("character"), body.get("shot")
        subject = {"centroid": centroid(character)}
        faces = review.state.identities.in_shot(character, shot) if isinstance(shot, int) else []
        if not len(faces):
            raise BadRequest(422, f"shot {shot!r} has no identified face of character {character}")
        exemplar = [round(float(value), 6) for value in faces.mean(axis=0)]
        return Correction(kind, subject, {"exemplar": exemplar}, by, at)
    span = _span(body)
    if kind == "scene_add":
        return Correction(kind, span, {}, by, at)
    if kind == "scene_bounds":
        return Correction(
            kind, span, _span(body.get("to") if isinstance(body.get("to"), dict) else {}), by, at
        )
    if kind == "scene_people":
        if body.get("a") == body.get("b"):
            raise BadRequest(422, "a dialogue scene's two people are two characters")
        return Correction(kind, span, {"a": centroid(body.get("a")), "b": centroid(body.get("b"))}, by, at)
    status = body.get("status")
    if status not in STATUSES:
        raise BadRequest(422, f"status {status!r} is not one of {', '.join(STATUSES)}")
    return Correction(kind, span, {"status": status}, by, at)


def _span(body: dict[str, Any]) -> dict[str, float]:
    start, end = body.get("start_ms"), body.get("end_ms")
    if (
        not all(isinstance(t, int | float) and not isinstance(t, bool) for t in (start, end))
        or not 0 <= start < end
    ):
        raise BadRequest(422, "start_ms and end_ms must be times in ms with 0 <= start_ms < end_ms")
    return {"start_ms": float(start), "end_ms": float(end)}


def _name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise BadRequest(422, f"name must be a printable name of at most {MAX_NAME} characters")
    return name.strip()
