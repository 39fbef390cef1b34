"""Where every dataset of the pipeline lives, relative to the project root. Declared once, used everywhere."""

from __future__ import annotations

import re
from pathlib import Path

from moviegoer.core.errors import MoviegoerError

PARAMS_FILE = Path("params.yaml")
FILMS_REGISTRY = Path("data/films.yaml")
RAW_FILMS_DIR = Path("data/raw/films")
FRAMES_DIR = Path("data/frames")
ANALYSIS_DIR = Path("data/analysis")
SCENES_DIR = Path("data/scenes")
REVIEW_DIR = Path("data/review")  # <film>.parquet: the corrections a person made in `moviegoer review`
REVIEWED_DIR = Path("data/reviewed")  # each film's exports with the corrections applied (moviegoer reviewed)
PLAYABLE_DIR = Path("data/playable")  # copies of films a browser cannot play (the review page makes them)
SAMPLE_DIR = Path("data/sample")
MANIFEST_NAME = "manifest.parquet"

VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".mov", ".m4v", ".webm")

LABELS_FILE = Path("data/labels/labels.parquet")
SPLITS_DIR = Path("data/splits")
REPORTS_DIR = Path("reports")
DATA_DOCS_DIR = REPORTS_DIR / "data_docs"
VALIDATION_DIR = REPORTS_DIR / "validation"
EDA_DIR = REPORTS_DIR / "eda"
LABEL_IMPORT_REPORT = REPORTS_DIR / "labels_import.json"
LABELS_VALIDATION = VALIDATION_DIR / "labels.json"
SPLIT_VALIDATION = VALIDATION_DIR / "split.json"
MODEL_FILE = Path("models/mcu.keras")
TRAIN_DIR = REPORTS_DIR / "train"
FILMS_PAGE = REPORTS_DIR / "films.html"  # the index over every film's timeline
TRAIN_SUMMARY = TRAIN_DIR / "train.json"
HISTORY_FILE = TRAIN_DIR / "history.csv"
EVALUATION_DIR = REPORTS_DIR / "evaluation"
REPORT_FILE = REPORTS_DIR / "report.html"
SCENE_EVALUATION_DIR = (
    REPORTS_DIR / "scenes"
)  # the scene detector against reviewed films: metrics.json, evaluation.json

FILM_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
PROJECT_MARKERS = ("params.yaml", "dvc.yaml")


def check_film_id(film_id: object, where: str) -> str:
    """A film id is a folder name under data/frames/ and a key in dvc.yaml: lower-case letters, digits, _ only."""
    if not isinstance(film_id, str) or not FILM_ID_PATTERN.match(film_id):
        raise MoviegoerError(
            f"{where}: film id {film_id!r} must be 1-64 lower-case letters, digits and _ (starting with a letter or "
            "digit)"
        )
    return film_id


def inside(folder: Path, *parts: str) -> Path:
    """folder/parts..., refused unless it resolves inside `folder` (no `..`, no absolute part, no link out)."""
    path = Path(folder).joinpath(*parts)
    if not path.resolve().is_relative_to(Path(folder).resolve()):
        raise MoviegoerError(f"{path}: resolves outside {folder}; refused")
    return path


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (the working directory) holding params.yaml and dvc.yaml, as git and
    DVC find their repository; None outside any moviegoer project."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    return None
