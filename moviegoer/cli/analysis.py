"""`moviegoer analyze`: a film's shots, faces, characters and MCU scores in one decoding pass."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.cli.films import film_names
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import ANALYSIS_DIR, PARAMS_FILE


@command(app)
def analyze(
    videos: Annotated[list[Path], typer.Argument(help="Video files to analyse.")],
    film_id: Annotated[
        str | None, typer.Option(help="Film id (one video only; default: from the name).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Each film's analysis goes to OUT/<film_id>/.")] = ANALYSIS_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Find each film's shots, the faces on a sample of each shot and who they are, and how likely each shot is a
    medium close-up. A film that fails is reported on one line and the others go on; exit 1 if any failed."""
    from moviegoer.analysis.analyze import analysis_params, analyze_film
    from moviegoer.core.paths import inside

    names = film_names(videos, film_id)
    settings = analysis_params(params)
    failures = 0
    with console.analysis_progress() as progress:
        for video, name in zip(videos, names, strict=True):
            task = progress.add_task(name, total=1, shots=0, faces=0)

            def advance(done: int, total: int, shots: int, faces: int, task: Any = task) -> None:
                progress.update(task, completed=done, total=total, shots=shots, faces=faces)

            try:
                result = analyze_film(
                    video,
                    name,
                    inside(out, name),
                    *settings,
                    on_progress=advance,
                )
            except MoviegoerError as exc:
                failures += 1
                progress.remove_task(task)
                console.error(str(exc))
                continue
            progress.console.print(
                f"{name}: {result.shots} shots, {result.faces} faces, {result.characters} characters from "
                f"{result.frames_decoded} frames in {result.seconds:.0f} s -> {result.out_dir}",
                markup=False,
            )
    if failures:
        raise typer.Exit(1)
