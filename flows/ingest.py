"""The ingest flow: pick up new films from an inbox folder, add them like `moviegoer films add`, bring their
stages (ingest.targets: extraction, analysis, dialogue scenes and timelines) up to date with the pipeline flow, and
push the data to the DVC remote when one is configured.

A film that does not decode is moved to the rejected folder with a `<name>.reason.txt` beside it; the others go
on. Serve it on a schedule (params.yaml `ingest:`), which is the simplest "run when new films arrive":

    python -m flows.ingest --serve        # then watch runs at http://127.0.0.1:4200 (`prefect server start`)
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task

from flows.pipeline import pipeline
from moviegoer.core.atomic import write_text
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.core.params import section_params
from moviegoer.core.paths import PARAMS_FILE, VIDEO_SUFFIXES
from moviegoer.dataset.films import add_films


@dataclass(frozen=True)
class IngestParams:
    inbox: str
    rejected: str
    interval_minutes: float  # how often the served flow looks into the inbox
    cron: str  # instead of the interval, e.g. "0 * * * *"
    targets: tuple[str, ...]  # pipeline stages brought up to date after adding films

    def __post_init__(self) -> None:
        if not self.interval_minutes > 0:
            raise ParamsError("interval_minutes", f"must be > 0 (got {self.interval_minutes!r})")


def new_films(inbox: Path, rejected: Path) -> list[Path]:
    if not inbox.is_dir():
        return []
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and p.parent != rejected
    )


def free_name(folder: Path, name: str) -> Path:
    """folder/name, or folder/<stem>-2<suffix>, -3, ... : the first whose file and reason note are both free, so
    an earlier rejected file of the same name is never overwritten."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidates = (name if n == 1 else f"{stem}-{n}{suffix}" for n in range(1, 10_000))
    return next(
        folder / c
        for c in candidates
        if not (folder / c).exists() and not (folder / f"{c}.reason.txt").exists()
    )


def reject(film: Path, rejected: Path, reason: str) -> Path:
    rejected.mkdir(parents=True, exist_ok=True)
    target = free_name(rejected, film.name)
    shutil.move(str(film), target)
    write_text(rejected / f"{target.name}.reason.txt", reason + "\n")
    return target


@task
def add_from_inbox(films: list[Path], root: str, rejected: Path) -> list[str]:
    """Add each film (probe, copy, dvc add, register); move the ones that fail to `rejected` with the reason."""
    logger = get_run_logger()
    added = []
    for outcome in add_films(films, root=Path(root)):
        if outcome.status == "failed":
            moved = reject(outcome.source, rejected, outcome.message)
            logger.warning("rejected %s: %s", moved, outcome.message)
            continue
        logger.info(outcome.message)
        outcome.source.unlink()  # it is in data/raw/films now, under DVC
        if outcome.status == "added" and outcome.film_id:
            added.append(outcome.film_id)
    return added


@task
def push_to_remote(root: str) -> int:
    """`dvc push` when the repo has a default remote; returns how many files went up."""
    from dvc.repo import Repo

    with Repo(root) as repo:
        if not repo.config["core"].get("remote"):
            get_run_logger().info("no default DVC remote configured: nothing pushed")
            return 0
        return int(repo.push())


@flow(name="moviegoer-ingest", log_prints=True)
def ingest(root: str = ".", params_file: str = str(PARAMS_FILE)) -> list[str]:
    """Ingest the inbox's films; returns the ids of the films added."""
    root_path = Path(root).resolve()
    params = section_params(IngestParams, "ingest", root_path / params_file)
    inbox, rejected = root_path / params.inbox, root_path / params.rejected
    films = new_films(inbox, rejected)
    if not films:
        print(f"no new films in {inbox}")
        return []
    added = add_from_inbox(films, str(root_path), rejected)
    if added:
        pipeline(root=str(root_path), targets=list(params.targets))
        push_to_remote(str(root_path))
    return added


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Ingest new films from the inbox (once, or served on a schedule)."
    )
    parser.add_argument("--root", default=".", help="the moviegoer project (a git + DVC repo)")
    parser.add_argument("--serve", action="store_true", help="serve on the schedule from params.yaml")
    args = parser.parse_args()
    if not args.serve:
        print(f"added: {ingest(root=args.root) or 'nothing'}")
        return
    try:
        params = section_params(IngestParams, "ingest", Path(args.root) / PARAMS_FILE)
    except MoviegoerError as exc:
        raise SystemExit(f"error: {exc}") from exc
    schedule = {"cron": params.cron} if params.cron else {"interval": params.interval_minutes * 60}
    ingest.serve(name="moviegoer-ingest", parameters={"root": str(Path(args.root).resolve())}, **schedule)


if __name__ == "__main__":
    main()
