"""Where every dataset of the pipeline lives, relative to the project root. Declared once, used everywhere."""

from __future__ import annotations

from pathlib import Path

PARAMS_FILE = Path("params.yaml")
FILMS_REGISTRY = Path("data/films.yaml")
RAW_FILMS_DIR = Path("data/raw/films")
FRAMES_DIR = Path("data/frames")
SAMPLE_DIR = Path("data/sample")
MANIFEST_NAME = "manifest.parquet"

VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".mov", ".m4v", ".webm")


def frames_dir(film_id: str, root: Path = Path(".")) -> Path:
    """Folder holding one film's extracted frames and its manifest."""
    return root / FRAMES_DIR / film_id


def manifest_path(film_id: str, root: Path = Path(".")) -> Path:
    return frames_dir(film_id, root) / MANIFEST_NAME
