"""Terminal output shared by the CLI commands: one-line errors on stderr and per-film progress bars."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _report(tag: str, message: str) -> None:
    """One line on stderr; markup in the message itself (e.g. file names with brackets) is not parsed."""
    err.print(tag, end=" ", markup=True)
    err.print(message.replace("\n", " "), markup=False, emoji=False)


def error(message: str) -> None:
    _report("[bold red]error:[/]", message)


def warning(message: str) -> None:
    _report("[yellow]warning:[/]", message)


def film_progress() -> Progress:
    """One bar per film, in seconds of film processed."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed:>7.0f}/{task.total:.0f} s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def analysis_progress() -> Progress:
    """One bar per film, in frames decoded, with the shots and faces found so far."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed:>7.0f}/{task.total:.0f} frames"),
        TextColumn("{task.fields[shots]} shots, {task.fields[faces]} faces"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    )
