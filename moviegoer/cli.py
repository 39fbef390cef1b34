"""The `moviegoer` command line: a thin layer over the library, one command per pipeline step.

Heavy libraries (OpenCV, DVC, TensorFlow, Great Expectations) are imported inside the commands that need
them, so `moviegoer --help` stays instant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from moviegoer import cli_dataset, cli_labels, cli_model, console
from moviegoer.cli_common import ParamsOption, reports_errors
from moviegoer.errors import MoviegoerError
from moviegoer.paths import FRAMES_DIR, PARAMS_FILE, SAMPLE_DIR

app = typer.Typer(
    help="Turn films into structured data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
films_app = typer.Typer(help="Add films to the project and list them.", no_args_is_help=True)
app.add_typer(films_app, name="films")


@app.command()
@reports_errors
def sample(
    out: Annotated[Path, typer.Option(help="Folder for the sample films and their timeline.")] = SAMPLE_DIR,
    films: Annotated[int | None, typer.Option(help="Number of films.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed: same seed, same bytes.")] = None,
    force: Annotated[bool, typer.Option(help="Render again even if the sample is there.")] = False,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Render the embedded sample: synthetic films with shots of known type and their ground-truth timeline."""
    from moviegoer.params import section_params
    from moviegoer.sample import SampleParams, render_sample, sample_is_complete

    sample_params = section_params(SampleParams, "sample", params, films=films, seed=seed)
    if not force and sample_is_complete(out, sample_params):
        console.out.print(f"sample already rendered in {out} (use --force to render again)")
        return
    videos = render_sample(out, sample_params, progress=True)
    console.out.print(f"rendered {len(videos)} films and timeline.parquet into {out}")


@films_app.command("add")
@reports_errors
def films_add(
    paths: Annotated[list[Path], typer.Argument(help="Video files to add.")],
    film_id: Annotated[
        str | None, typer.Option("--id", help="Film id (default: from the file name).")
    ] = None,
) -> None:
    """Probe each film by decoding it, copy it under data/raw/films/, track it with DVC and register it."""
    from moviegoer.films import add_films

    def report(outcome: Any) -> None:
        if outcome.status == "failed":
            console.error(outcome.message)
        else:
            console.out.print(outcome.message, markup=False)

    outcomes = add_films(paths, film_id=film_id, on_done=report)
    failed = sum(o.status == "failed" for o in outcomes)
    added = sum(o.status == "added" for o in outcomes)
    console.out.print(f"{added} added, {len(outcomes) - added - failed} unchanged, {failed} failed")
    if added:
        console.out.print(
            "next: `dvc repro` extracts the new films; commit data/films.yaml and the .dvc files"
        )
    if failed:
        raise typer.Exit(1)


@films_app.command("list")
@reports_errors
def films_list() -> None:
    """Show the registered films."""
    from rich.table import Table

    from moviegoer.films import load_registry

    films = load_registry()
    table = Table("film", "file", "codec", "size", "fps", "duration", "added", title=f"{len(films)} films")
    for film in films.values():
        info = film.info
        table.add_row(
            film.film_id,
            film.path,
            str(info.get("codec", "?")),
            f"{info.get('width', '?')}x{info.get('height', '?')}",
            f"{info.get('fps', 0):g}",
            f"{info.get('duration_s', 0):.1f} s",
            film.added_at,
        )
    console.out.print(table)


@app.command()
@reports_errors
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
    from moviegoer.extract import ExtractParams, extract_film
    from moviegoer.films import film_id_for
    from moviegoer.params import section_params

    extract_params = section_params(
        ExtractParams,
        "extract",
        params,
        interval_s=interval_s,
        width=width,
        jpeg_quality=jpeg_quality,
        mode=mode,
    )
    if film_id is not None and len(videos) != 1:
        raise MoviegoerError("--film-id names one film: pass exactly one video with it")
    failures = 0
    with console.film_progress() as progress:
        for video in videos:
            name = film_id or film_id_for(video)
            task = progress.add_task(name, total=1.0)

            def advance(done_ms: float, total_ms: float, task: Any = task) -> None:
                progress.update(task, completed=done_ms / 1000, total=total_ms / 1000)

            try:
                result = extract_film(video, name, frames_dir / name, extract_params, on_progress=advance)
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


app.add_typer(cli_labels.app, name="labels")
app.add_typer(cli_dataset.validate_app, name="validate")
app.command("split")(cli_dataset.split)
app.command("eda")(cli_dataset.eda)
app.command("train")(cli_model.train)
app.command("evaluate")(cli_model.evaluate)
app.command("report")(cli_model.report)
app.command("predict-frames")(cli_model.predict_frames)

if __name__ == "__main__":
    app()
