"""Errors a user can act on. Their message is one line that names the file and the problem."""

from __future__ import annotations

from pathlib import Path


class MoviegoerError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero."""


class VideoError(MoviegoerError):
    """A video file that cannot be used: missing, empty, not a video, undecodable, truncated."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ParamsError(MoviegoerError):
    """A parameter outside its valid range, named by its key in params.yaml."""

    def __init__(self, key: str | None, problem: str, source: Path | str = "params.yaml") -> None:
        """`key` None: the problem is the file's as a whole."""
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key} {problem}" if key else f"{source}: {problem}")


class RegistryError(MoviegoerError):
    """The film registry refuses an operation (id clash, unknown film)."""
