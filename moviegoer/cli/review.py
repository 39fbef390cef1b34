"""`moviegoer review`: a film plays in the browser above its timeline of shots, setups, characters and scenes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import ANALYSIS_DIR, PARAMS_FILE, SCENES_DIR


@command(app)
def review(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default labelling.host: this machine only).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default labelling.port).")] = None,
    analysis_dir: Annotated[Path, typer.Option(help="The films' analyses.")] = ANALYSIS_DIR,
    scenes_dir: Annotated[Path, typer.Option(help="The films' dialogue scenes.")] = SCENES_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Review the analysed films in the browser: the film plays (H.264, VP8/9, AV1 where the browser has them;
    shot thumbnails stand in otherwise) and the timeline below follows it; a click on a shot, setup, character or
    scene plays from there. Keys: Space play/pause, arrows previous/next shot and scene. Ctrl+C stops it."""
    from moviegoer.core.params import section_params
    from moviegoer.labelling.server import AppParams, check_free, create_app, serve
    from moviegoer.review.films import review_films
    from moviegoer.review.routes import review_routes

    settings = section_params(AppParams, "labelling", params, host=host, port=port)
    check_free(settings.host, settings.port)
    films = review_films(Path("."), analysis_dir, scenes_dir)
    if not films:
        raise MoviegoerError(f"{analysis_dir}: no analysed registered film to review (run `dvc repro` first)")
    serve(
        create_app(settings, [review_routes(films)]), settings, "watch the films",
        f"Reviewing {len(films)} film(s): http://{settings.host}:{settings.port}/review  (Ctrl+C to stop)",
    )  # fmt: skip
