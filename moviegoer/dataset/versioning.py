"""Put files under DVC's control from the library's commands (films add, labels import)."""

from __future__ import annotations

from pathlib import Path


def is_dvc_repo(root: Path = Path(".")) -> bool:
    return (Path(root) / ".dvc").is_dir()


def track_with_dvc(files: list[Path], root: Path = Path(".")) -> None:
    """`dvc add` the files (one .dvc pointer each), as source data of the pipeline."""
    from dvc.repo import Repo  # lazy: DVC takes a while to import

    with Repo(str(root)) as repo:
        repo.add([str(f) for f in files])
