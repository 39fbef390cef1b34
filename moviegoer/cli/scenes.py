"""`moviegoer scenes`: each film's two-character dialogue scenes, its HTML timeline and exports; `moviegoer
timelines`: the index page over them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FILMS_PAGE, PARAMS_FILE, REVIEWED_DIR, SCENES_DIR


@command(app)
def scenes(
    analyses: Annotated[list[Path], typer.Argument(help="Analysis folders (`moviegoer analyze` output).")],
    video: Annotated[
        Path | None,
        typer.Option(help="The film's video (one analysis only), referenced by the .otio export."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Each film's scenes go to OUT/<film_id>/.")] = SCENES_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Find each film's two-character dialogue scenes (alternating singles of two characters) and write them with
    a timeline page (timeline.html) and exports (CSV, JSON, OpenTimelineIO). A film that fails is reported on one
    line and the others go on; exit 1 if any failed."""
    from moviegoer.core.params import section_params
    from moviegoer.scenes.dialogue import side_label
    from moviegoer.scenes.page import clock
    from moviegoer.scenes.stage import TIMELINE, scenes_film
    from moviegoer.scenes.subjects import ScenesParams

    if video is not None and len(analyses) != 1:
        raise MoviegoerError("--video names one film's video: pass exactly one analysis folder with it")
    scene_params = section_params(ScenesParams, "scenes", params)
    failures = 0
    for folder in analyses:
        try:
            result = scenes_film(folder, out, scene_params, video)
        except MoviegoerError as exc:
            failures += 1
            console.error(str(exc))
            continue
        console.out.print(
            f"{result.film_id}: {len(result.scenes)} dialogue scenes -> {result.out_dir / TIMELINE}",
            markup=False,
        )
        for s in result.scenes.itertuples(index=False):
            console.out.print(
                f"  scene {s.scene}: {clock(s.start_ms)} - {clock(s.end_ms)}, characters "
                f"{side_label(s.character_a, s.setup_a)} and {side_label(s.character_b, s.setup_b)}, "
                f"{s.n_shots} shots, {s.n_alternations} alternations",
                markup=False,
            )
    if failures:
        raise typer.Exit(1)


@command(app)
def timelines(
    folder: Annotated[
        Path,
        typer.Argument(help="The films' folders: `moviegoer reviewed --out` or `moviegoer scenes --out`."),
    ] = REVIEWED_DIR,
    out: Annotated[Path, typer.Option(help="The index page to write.")] = FILMS_PAGE,
) -> None:
    """Write an index page linking every film's timeline under FOLDER (by default the reviewed ones)."""
    from moviegoer.scenes.stage import write_index

    count = write_index(folder, out)
    console.out.print(f"{count} films -> {out}", markup=False)


@command(app, "scenes-list")
def scenes_list(
    folder: Annotated[
        Path, typer.Argument(help="The scenes folder (`moviegoer scenes --out`).")
    ] = SCENES_DIR,
) -> None:
    """Print every film's dialogue scenes as a table, with the path of each timeline page."""
    from rich.table import Table

    from moviegoer.scenes.dialogue import side_label
    from moviegoer.scenes.page import clock
    from moviegoer.scenes.stage import TIMELINE, read_scenes

    films = sorted(path.parent for path in Path(folder).glob("*/scenes.parquet"))
    if not films:
        raise MoviegoerError(f"{folder}: no scenes yet (run `moviegoer scenes` or `dvc repro`)")
    table = Table(
        "film", "scene", "from", "to", "characters", "shots", "A/B", "conf.", title="Dialogue scenes"
    )
    for film in films:
        scenes = read_scenes(film)
        for s in scenes.itertuples(index=False):
            table.add_row(
                s.film_id, str(s.scene), clock(s.start_ms), clock(s.end_ms),
                f"{side_label(s.character_a, s.setup_a)} & {side_label(s.character_b, s.setup_b)}", str(s.n_shots),
                str(s.n_alternations), f"{s.confidence:.2f}",
            )  # fmt: skip
        if scenes.empty:
            table.add_row(film.name, "-", "", "", "no dialogue scene", "", "", "")
    console.out.print(table)
    for film in films:
        console.out.print(f"{film.name}: {(film / TIMELINE).resolve()}", markup=False, highlight=False)
