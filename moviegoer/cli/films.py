"""`moviegoer films add|list`: the film registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from moviegoer.cli.app import command, films_group
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import find_project_root


def film_names(videos: list[Path], film_id: str | None) -> list[str]:
    """Each video's film id, checked before any work: --film-id for a single video, else from its file name."""
    from moviegoer.core.paths import check_film_id
    from moviegoer.dataset.films import film_id_for

    if film_id is None:
        return [film_id_for(video) for video in videos]
    if len(videos) != 1:
        raise MoviegoerError("--film-id names one film: pass exactly one video with it")
    return [check_film_id(film_id, "--film-id")]


def project_root() -> Path:
    root = find_project_root()
    if root is None:
        raise MoviegoerError(
            f"{Path.cwd()}: not inside a moviegoer project (no params.yaml and dvc.yaml here or above); nothing done"
        )
    return root


@command(films_group, "add")
def films_add(
    paths: Annotated[list[Path], typer.Argument(help="Video files to add.")],
    film_id: Annotated[
        str | None, typer.Option("--id", help="Film id (default: from the file name).")
    ] = None,
) -> None:
    """Probe each film by decoding it, copy it under data/raw/films/ of the project (found as git and DVC find
    theirs: here or in a folder above), track it with DVC and register it."""
    from moviegoer.dataset.films import add_films

    def report(outcome: Any) -> None:
        if outcome.status == "failed":
            console.error(outcome.message)
        else:
            console.out.print(outcome.message, markup=False)
        for note in outcome.warnings:
            console.warning(note)

    outcomes = add_films(paths, root=project_root(), film_id=film_id, on_done=report)
    failed = sum(o.status == "failed" for o in outcomes)
    added = sum(o.status == "added" for o in outcomes)
    console.out.print(f"{added} added, {len(outcomes) - added - failed} unchanged, {failed} failed")
    if added:
        console.out.print(
            "next: `dvc repro --keep-going` extracts the new films; commit data/films.yaml and the .dvc files"
        )
    if failed:
        raise typer.Exit(1)


@command(films_group, "list")
def films_list() -> None:
    """Show the registered films."""
    from rich.table import Table

    from moviegoer.dataset.films import load_registry

    films = load_registry(project_root())
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


@command(films_group, "check")
def films_check() -> None:
    """Check the registry as `dvc repro` is about to use it: every film id and path exactly as `films add` writes
    them. The extraction stages run this first, so a hand-edited registry never reaches a shell."""
    from moviegoer.dataset.films import load_registry

    films = load_registry(project_root())
    console.out.print(f"{len(films)} registered films, all well-formed")
