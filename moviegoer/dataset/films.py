"""The film registry: films are added (probed, copied under data/raw/films/, tracked by DVC, registered in
data/films.yaml), never copied by hand. dvc.yaml reads the registry to make one extraction stage per film."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from moviegoer.core.atomic import atomic_file, write_text
from moviegoer.core.errors import MoviegoerError, RegistryError, VideoError
from moviegoer.core.paths import (
    FILMS_REGISTRY,
    RAW_FILMS_DIR,
    VIDEO_SUFFIXES,
    check_film_id,
    find_project_root,
)
from moviegoer.dataset.versioning import track_with_dvc
from moviegoer.video.probe import VideoInfo, probe

REGISTRY_HEADER = (
    "# Films registered with `moviegoer films add`: dvc.yaml makes one extraction stage per entry (extract@<id>).\n"
    "# Edit through the CLI; the films themselves are tracked by DVC (data/raw/films/*.dvc).\n"
)


@dataclass(frozen=True)
class Film:
    film_id: str
    path: str  # relative to the project root
    source: str
    sha256: str
    added_at: str
    info: dict[str, Any]

    def as_entry(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "sha256": self.sha256,
            "added_at": self.added_at,
            **self.info,
        }

    @classmethod
    def from_entry(cls, film_id: str, entry: dict[str, Any]) -> Film:
        meta = {"path", "source", "sha256", "added_at"}
        return cls(
            film_id=film_id,
            path=entry["path"],
            source=entry.get("source", ""),
            sha256=entry.get("sha256", ""),
            added_at=entry.get("added_at", ""),
            info={k: v for k, v in entry.items() if k not in meta},
        )


@dataclass(frozen=True)
class AddOutcome:
    source: Path
    film_id: str | None
    status: str  # "added" | "unchanged" | "failed"
    message: str
    warnings: tuple[str, ...] = ()


HEADER_SLACK_S = 1.0  # a header promising more than this beyond what decodes is reported


def film_id_for(path: Path) -> str:
    """A stable id from the file name: accents folded, lower case, runs of other characters as one underscore; a
    name with no such character at all (e.g. all Japanese) gets `film_` and a digest of the name, so two such
    names never share an id."""
    stem = Path(path).stem
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:64].rstrip("_")
    return slug or f"film_{hashlib.sha256(stem.encode('utf-8')).hexdigest()[:10]}"


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def load_registry(root: Path = Path(".")) -> dict[str, Film]:
    registry = root / FILMS_REGISTRY
    if not registry.exists():
        return {}
    try:
        data = yaml.safe_load(registry.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{registry}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    films = data.get("films") if isinstance(data, dict) else None
    if not isinstance(films, dict):
        raise RegistryError(
            f"{registry}: holds no `films:` mapping (edit it only through `moviegoer films add`)"
        )
    return {film_id: _checked_film(registry, film_id, entry) for film_id, entry in sorted(films.items())}


def _checked_film(registry: Path, film_id: object, entry: object) -> Film:
    """A registry entry, refused unless its id and path are exactly what `films add` writes: dvc.yaml builds a
    stage, a folder name and a shell command from them."""
    film_id = check_film_id(film_id, str(registry))
    path = entry.get("path") if isinstance(entry, dict) else None
    expected = [(RAW_FILMS_DIR / f"{film_id}{suffix}").as_posix() for suffix in VIDEO_SUFFIXES]
    if path not in expected:
        raise RegistryError(
            f"{registry}: film {film_id!r} has path {path!r}; a registered film lives at "
            f"{RAW_FILMS_DIR.as_posix()}/{film_id}.<ext> (add films with `moviegoer films add`)"
        )
    return Film.from_entry(film_id, entry)


def save_registry(films: dict[str, Film], root: Path = Path(".")) -> None:
    body = {"films": {film_id: films[film_id].as_entry() for film_id in sorted(films)}}
    write_text(root / FILMS_REGISTRY, REGISTRY_HEADER + yaml.safe_dump(body, sort_keys=True))


def _check_candidate(path: Path, film_id: str, sha: str, films: dict[str, Film]) -> str | None:
    """None when `path` may be added as `film_id`; "unchanged" when it already is; raises on a clash."""
    check_film_id(film_id, str(path))
    same_content = [f for f in films.values() if f.sha256 == sha]
    if film_id in films:
        if films[film_id].sha256 == sha:
            return "unchanged"
        raise RegistryError(
            f"{path}: film id {film_id!r} is already taken by another file (give this one another name: rename "
            "the file, or `films add --id`)"
        )
    if same_content:
        raise RegistryError(f"{path}: same content as registered film {same_content[0].film_id!r}")
    return None


def _copy_into_project(source: Path, target: Path) -> None:
    with atomic_file(target) as tmp:
        shutil.copyfile(source, tmp)


def add_films(
    paths: Iterable[Path],
    root: Path = Path("."),
    film_id: str | None = None,
    on_done: Callable[[AddOutcome], None] | None = None,
) -> list[AddOutcome]:
    """Probe, copy, DVC-track and register each film. A bad film is reported and skipped; the others are
    added. Returns one outcome per path, in order."""
    paths = [Path(p) for p in paths]
    if film_id is not None and len(paths) != 1:
        raise RegistryError("--id names one film: pass exactly one path with it")
    if find_project_root(root) != Path(root).resolve():
        raise RegistryError(
            f"{Path(root).resolve()}: not a moviegoer project (no params.yaml and dvc.yaml); nothing was added"
        )
    films = load_registry(root)
    outcomes: list[AddOutcome] = []
    added: list[Path] = []
    for path in paths:
        outcome = _add_one(path, root, film_id or film_id_for(path), films, added)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    if added:
        track_with_dvc(added, root)
        save_registry(films, root)
    return outcomes


def _add_one(path: Path, root: Path, film_id: str, films: dict[str, Film], added: list[Path]) -> AddOutcome:
    try:
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise VideoError(
                path, f"unsupported file type {path.suffix!r} (expected {', '.join(VIDEO_SUFFIXES)})"
            )
        info: VideoInfo = probe(path)
        sha = sha256_of(path)
        if _check_candidate(path, film_id, sha, films) == "unchanged":
            return AddOutcome(path, film_id, "unchanged", f"{path}: already registered as {film_id}")
    except MoviegoerError as exc:
        return AddOutcome(path, None, "failed", str(exc))
    except OSError as exc:
        return AddOutcome(path, None, "failed", f"{path}: cannot read it ({exc.strerror or exc})")
    relative = RAW_FILMS_DIR / f"{film_id}{path.suffix.lower()}"
    _copy_into_project(path, root / relative)
    added.append(root / relative)
    films[film_id] = Film(
        film_id=film_id,
        path=relative.as_posix(),
        source=path.name,
        sha256=sha,
        added_at=datetime.now(UTC).isoformat(timespec="seconds"),
        info=info.as_dict(),
    )
    summary = f"{info.width}x{info.height} {info.codec} {info.fps:g} fps {info.duration_s:.1f} s"
    return AddOutcome(
        path, film_id, "added", f"{path}: added as {film_id} ({summary})", _header_warnings(path, info)
    )


def _header_warnings(path: Path, info: VideoInfo) -> tuple[str, ...]:
    """A file that decodes shorter than its header says (cut off in a download, or a lying header) is registered
    with the duration that decodes, and said so."""
    if info.header_duration_s - info.duration_s <= HEADER_SLACK_S:
        return ()
    return (
        f"{path}: its header says {info.header_duration_s:.1f} s but frames decode only to {info.duration_s:.1f} s "
        "(a truncated file?); registered with the decodable duration",
    )
