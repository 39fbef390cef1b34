"""`moviegoer extract`: frames every N seconds of films, with their manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.cli.films import film_names
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FRAMES_DIR, PARAMS_FILE


@command(app)
def extract(
    videos: Annotated[list[Path], typer.Argument(help="Video files to extract frames from.")],
    film_id: Annotated[
        str | None, typer.Option(help="Film id (one video only; default: from the name).")
    ] = None,
    frames_dir: Annotated[
        Path, typer.Option(help="Each film's frames go to FRAMES_DIR/<film_id>/.")
    ] = FRAMES_DIR,
    interval_s: Annotated[float | None, typer.Option(help="Seconds between kept frames.")] = None,
    width: Annotated[int | None, typer.Option(help="Width of the saved frames (aspect kept).")] = None,
    jpeg_quality: Annotated[int | None, typer.Option(help="JPEG quality, 1-100.")] = None,
    mode: Annotated[str | None, typer.Option(help="exact (first frame >= each mark) or keyframe.")] = None,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Keep one frame every INTERVAL_S seconds of each film, as JPEGs plus a Parquet manifest.

    A film that fails is reported on one line and skipped; the others are extracted; the exit code is 1 if
    any failed."""
    from moviegoer.core.params import section_params
    from moviegoer.core.paths import inside
    from moviegoer.dataset.frames import ExtractParams, extract_film

    extract_params = section_params(
        ExtractParams,
        "extract",
        params,
        interval_s=interval_s,
        width=width,
        jpeg_quality=jpeg_quality,
        mode=mode,
    )
    names = film_names(videos, film_id)
    failures = 0
    with console.film_progress() as progress:
        for video, name in zip(videos, names, strict=True):
            task = progress.add_task(name, total=1.0)

            def advance(done_ms: float, total_ms: float, task: Any = task) -> None:
                progress.update(task, completed=done_ms / 1000, total=total_ms / 1000)

            try:
                result = extract_film(
                    video, name, inside(frames_dir, name), extract_params, on_progress=advance
                )
            except MoviegoerError as exc:
                failures += 1
                progress.remove_task(task)
                console.error(str(exc))
                continue
            for note in result.warnings:
                console.warning(note)
            progress.console.print(
                f"{name}: {result.frames} frames in {result.seconds:.1f} s ({result.decoding}) -> {result.frames_dir}",
                markup=False,
            )
    if failures:
        raise typer.Exit(1)
