"""The one Typer app and the one way to add a command to it: `@command(group)`, which registers the function and
turns a MoviegoerError into a one-line message and exit code 1 instead of a traceback.

Heavy libraries (OpenCV, DVC, TensorFlow, Great Expectations) are imported inside the commands that need them, so
`moviegoer --help` stays instant."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.logs import show_library_logs

F = TypeVar("F", bound=Callable[..., Any])
ParamsOption = Annotated[Path, typer.Option("--params", help="The params file (every default lives there).")]
# where the browser apps listen (`label`, `review`: one server, one set of settings)
HostOption = Annotated[
    str | None, typer.Option(help="Address to listen on (default labelling.host: this machine only).")
]
PortOption = Annotated[int | None, typer.Option(help="Port (default labelling.port).")]

app = typer.Typer(
    help="Turn films into structured data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
films_group = typer.Typer(help="Add films to the project and list them.", no_args_is_help=True)
labels_group = typer.Typer(
    help="Import, export and count hand labels (data/labels/labels.parquet).", no_args_is_help=True
)
validate_group = typer.Typer(
    help="Great Expectations checks; exit 1 when any expectation fails.", no_args_is_help=True
)
app.add_typer(films_group, name="films")
app.add_typer(labels_group, name="labels")
app.add_typer(validate_group, name="validate")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", help="Show the libraries' own log lines.")] = False,
) -> None:
    """Turn films into structured data."""
    if verbose:
        show_library_logs()


def command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register the decorated function as a command of `group` (the app or one of its groups)."""

    def register(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except MoviegoerError as exc:
                console.error(str(exc))
                raise typer.Exit(1) from exc

        group.command(name)(wrapper)
        return function

    return register
