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
TRAIN_SUMMARY = TRAIN_DIR / "train.json"
HISTORY_FILE = TRAIN_DIR / "history.csv"
EVALUATION_DIR = REPORTS_DIR / "evaluation"
REPORT_FILE = REPORTS_DIR / "report.html"
