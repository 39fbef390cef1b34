"""Pieces shared by the CLI's command modules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from moviegoer import console
from moviegoer.errors import MoviegoerError

F = TypeVar("F", bound=Callable[..., Any])
ParamsOption = Annotated[
    Path, typer.Option("--params", help="Params file whose section fills unset options.")
]


def reports_errors(command: F) -> F:
    """Turn a MoviegoerError into a one-line message and exit code 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MoviegoerError as exc:
            console.error(str(exc))
            raise typer.Exit(1) from exc

    return wrapper  # type: ignore[return-value]
