"""The app's HTTP side (FastAPI): the labelling page, the frame listing, the frames themselves and label writes,
and the pages other parts add on the same server (moviegoer.review.routes). Every bad request (unknown frame, a
label that is not one, a frame name that tries to leave its folder, an oversized body, a write from another web
page or addressed to another host) gets a 4xx with a one-line reason and changes nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.core.paths import FILM_ID_PATTERN
from moviegoer.dataset.labels import LABELS
from moviegoer.labelling.frames import ORDERS, FrameIndex
from moviegoer.labelling.guard import BadRequest, SameOriginGuard, served_names
from moviegoer.labelling.store import LabelStore, LabelWrite

MAX_BODY = 4096  # bytes: a label write or a review correction is a few hundred
MAX_NAME = 64  # characters of labeled_by, a reviewer's or a character's name


@dataclass(frozen=True)
class AppParams:
    host: str  # the address to listen on: 127.0.0.1 keeps the app on this machine
    port: int

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise ParamsError("host", f"must be an address such as 127.0.0.1 (got {self.host!r})")
        if not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ParamsError("port", f"must be a port number from 1 to 65535 (got {self.port!r})")


@dataclass(frozen=True)
class Session:
    labeled_by: str  # who labels, unless a request says otherwise
    labels_file: str
    commit_hint: str


@dataclass(frozen=True)
class Labelling:
    store: LabelStore
    index: FrameIndex
    session: Session


def create_app(served: AppParams, routes: Sequence[Callable[[FastAPI], None]]) -> FastAPI:
    """The app as served at `served`, with the pages `routes` add (label_routes, the review page's): it answers
    only requests addressed to it, and takes writes only from its own pages (see `guard`)."""
    app = FastAPI(title="moviegoer", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SameOriginGuard, names=served_names(served.host), port=served.port)

    @app.exception_handler(BadRequest)
    async def bad_request(_: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def no_route(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": f"{request.url.path}: {exc.detail}"}, status_code=exc.status_code)

    for add in routes:
        add(app)
    return app


def label_routes(labelling: Labelling) -> Callable[[FastAPI], None]:
    return lambda app: _add_label_routes(app, labelling)


def _add_label_routes(app: FastAPI, labelling: Labelling) -> None:
    store, index, session = labelling.store, labelling.index, labelling.session

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return resources.files("moviegoer.labelling").joinpath("page.html").read_text(encoding="utf-8")

    @app.get("/api/session")
    def session_info() -> dict[str, Any]:
        return {
            "labeled_by": session.labeled_by,
            "threshold": index.threshold,
            "films": sorted(index.frames["film_id"].unique().tolist()),
            "orders": list(ORDERS),
            "labels_file": session.labels_file,
            "commit_hint": session.commit_hint,
            "suggestions": bool(index.frames["p_mcu"].notna().any()),
        }

    @app.get("/api/frames")
    def frames(
        film: str = "",
        unlabelled: bool = False,
        disagreements: bool = False,
        order: str = "uncertain",
        seed: int = 0,
    ) -> dict[str, Any]:
        if order not in ORDERS:
            raise BadRequest(400, f"order {order!r} is not one of {', '.join(ORDERS)}")
        return {"frames": index.listing(store, film or None, unlabelled, disagreements, order, seed)}

    @app.get("/api/progress")
    def progress() -> dict[str, Any]:
        films = index.progress(store)
        return {
            "films": films,
            "labelled": sum(f["labelled"] for f in films),
            "total": sum(f["total"] for f in films),
        }

    @app.get("/frames/{film_id}/{frame}")
    def picture(film_id: str, frame: str) -> FileResponse:
        path = index.path_of(*_frame_key(film_id, frame))
        if path is None or not path.is_file():
            raise BadRequest(404, f"{film_id}/{frame}: no such frame")
        return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/labels")
    async def write_label(request: Request) -> dict[str, Any]:
        body = await json_body(request)
        write, seen = _label_write(body, session.labeled_by)
        if index.path_of(write.film_id, write.frame) is None:
            raise BadRequest(404, f"{write.film_id}/{write.frame}: no such frame")
        try:
            state, conflict = await run_in_threadpool(store.write, write, seen)
        except MoviegoerError as exc:
            raise BadRequest(422, str(exc)) from exc
        return {"state": state, "conflict": conflict}


def _frame_key(film_id: str, frame: str) -> tuple[str, str]:
    if not FILM_ID_PATTERN.match(film_id):
        raise BadRequest(400, f"{film_id!r} is not a film id")
    if "/" in frame or "\\" in frame or frame.startswith(".") or "\x00" in frame:
        raise BadRequest(400, f"{frame!r} is not a frame name (a file name inside its film's folder)")
    return film_id, frame


async def json_body(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object of at most MAX_BODY bytes, or a 4xx saying why not."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, f"request body over {MAX_BODY} bytes")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise BadRequest(413, f"request body over {MAX_BODY} bytes")
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise BadRequest(400, "the body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return body


def _label_write(body: dict[str, Any], default_by: str) -> tuple[LabelWrite, dict | None]:
    film_id, frame = body.get("film_id"), body.get("frame")
    if not isinstance(film_id, str) or not isinstance(frame, str):
        raise BadRequest(400, "film_id and frame must be strings")
    _frame_key(film_id, frame)
    label = body.get("label")
    if label is not None and label not in LABELS:
        raise BadRequest(422, f"label {label!r} is not one of {', '.join(LABELS)} (or null to clear)")
    sure = body.get("sure")
    if sure is not None and not isinstance(sure, bool):
        raise BadRequest(422, "sure must be true, false or null")
    by = body.get("labeled_by") or default_by
    if not isinstance(by, str) or not by.strip() or len(by) > MAX_NAME or not by.isprintable():
        raise BadRequest(422, f"labeled_by must be a printable name of at most {MAX_NAME} characters")
    seen = body.get("seen")
    if seen is not None and not isinstance(seen, dict):
        raise BadRequest(400, "seen must be the frame's label state as last received, or null")
    return LabelWrite(film_id, frame, label, sure, by.strip()), seen


def check_free(host: str, port: int) -> None:
    """One line instead of uvicorn's log when the address cannot be served."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise MoviegoerError(
            f"{host}:{port}: cannot serve there ({exc.strerror}); choose another --port"
        ) from exc


def serve(app: FastAPI, served: AppParams, exposes: str, banner: str) -> None:
    """Run `app` until Ctrl+C: a one-line warning first when it listens beyond this machine (anyone who can reach
    the address then `exposes`), and `banner` instead of uvicorn's log."""
    import uvicorn

    from moviegoer.core import console
    from moviegoer.labelling.guard import is_loopback

    if not is_loopback(served.host):
        console.warning(f"listening on {served.host}: anyone who can reach this address can {exposes}")
    console.out.print(banner, markup=False)
    uvicorn.run(app, host=served.host, port=served.port, log_level="warning", access_log=False)
