"""The review page's HTTP side: the page, each film's timeline as JSON, and the film itself, its shot thumbnails and
character portraits as files. The video is served with HTTP range requests (Starlette's FileResponse answers
`Range`), so the browser seeks without downloading the film. Only registered films with an analysis are served, by
film id: no path comes from the request."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FILM_ID_PATTERN
from moviegoer.labelling.guard import BadRequest
from moviegoer.review.films import CONTAINER_TYPES, ReviewFilm, timeline

CACHED = {"Cache-Control": "max-age=3600"}


def review_routes(films: dict[str, ReviewFilm]) -> Callable[[FastAPI], None]:
    """What moviegoer.labelling.server.create_app adds for the review page of `films`."""
    return lambda app: _add_review_routes(app, films)


def _add_review_routes(app: FastAPI, films: dict[str, ReviewFilm]) -> None:
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
        try:
            return await run_in_threadpool(timeline, film_of(film_id))
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
