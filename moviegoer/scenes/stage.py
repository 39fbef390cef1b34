"""`moviegoer scenes` for one film: read its analysis, find its dialogue scenes, write them with the timeline page
and the exports into one folder, all or nothing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.analysis.tables import CHARACTERS, FACES, SAMPLES, SHOTS, read_table, read_typed, typed_arrow
from moviegoer.core.atomic import atomic_dir, write_text
from moviegoer.core.errors import MoviegoerError
from moviegoer.scenes.dialogue import find_dialogue_scenes
from moviegoer.scenes.exports import timeline_of, write_otio, write_records
from moviegoer.scenes.page import GENERATOR, clock, film_page, index_page
from moviegoer.scenes.subjects import ScenesParams, shot_subjects

SCENES = "scenes.parquet"
TIMELINE = "timeline.html"
SUMMARY = "summary.json"
SCENES_SCHEMA = pa.schema([
    pa.field("film_id", pa.string(), nullable=False), pa.field("scene", pa.int32()),
    pa.field("start_ms", pa.float64()), pa.field("end_ms", pa.float64()),
    pa.field("first_shot", pa.int32()), pa.field("last_shot", pa.int32()),
    pa.field("character_a", pa.int32()), pa.field("character_b", pa.int32()),  # -1: known by setup only
    pa.field("setup_a", pa.int32()), pa.field("setup_b", pa.int32()),  # the camera setup showing each most
    pa.field("n_shots", pa.int32()), pa.field("n_alternations", pa.int32()), pa.field("confidence", pa.float64()),
])  # fmt: skip


@dataclass(frozen=True)
class ScenesResult:
    film_id: str
    scenes: pd.DataFrame
    out_dir: Path


def read_scenes(folder: Path) -> pd.DataFrame:
    return read_typed(Path(folder) / SCENES, SCENES_SCHEMA, "a scenes table (run `moviegoer scenes` first)")


def film_scenes(
    analysis_dir: Path, params: ScenesParams
) -> tuple[str, dict[str, pd.DataFrame], pd.DataFrame]:
    """The film id, its analysis tables and its scenes table (with film_id)."""
    tables = {name: read_table(analysis_dir, name) for name in (SHOTS, SAMPLES, FACES, CHARACTERS)}
    shots = tables[SHOTS]
    if shots.empty:
        raise MoviegoerError(f"{analysis_dir / SHOTS}: no shots (an analysis always has one; run it again)")
    film_id = str(shots["film_id"].iloc[0])
    subjects = shot_subjects(shots, tables[SAMPLES], tables[FACES], params)
    scenes = find_dialogue_scenes(subjects, params)
    scenes.insert(0, "film_id", film_id)
    return film_id, tables, scenes


def scenes_film(
    analysis_dir: Path, out_root: Path, params: ScenesParams, video: Path | None = None
) -> ScenesResult:
    """Write OUT_ROOT/<film_id>/: scenes.parquet, scenes and shots as CSV and JSON, <film_id>.otio, timeline.html
    and summary.json (for the index page)."""
    analysis_dir = Path(analysis_dir)
    film_id, tables, scenes = film_scenes(analysis_dir, params)
    shots, characters = tables[SHOTS], tables[CHARACTERS]
    target = Path(out_root) / film_id
    with atomic_dir(target) as tmp:
        pq.write_table(typed_arrow(scenes, SCENES_SCHEMA), tmp / SCENES)
        write_records(scenes, tmp / "scenes.csv", tmp / "scenes.json")
        # each shot with its setup; its signature (272 numbers the setups were found from) stays in the analysis
        write_records(shots.drop(columns="signature"), tmp / "shots.csv", tmp / "shots.json")
        write_otio(
            tmp / f"{film_id}.otio", timeline_of(film_id, shots, scenes, str(video) if video else None)
        )
        (tmp / TIMELINE).write_text(
            film_page(film_id, analysis_dir, shots, characters, scenes), encoding="utf-8"
        )
        summary = {
            "film_id": film_id,
            "duration": clock(float(shots["end_ms"].iloc[-1])),
            "shots": len(shots),
            "characters": len(characters),
            "scenes": len(scenes),
        }
        (tmp / SUMMARY).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return ScenesResult(film_id, scenes, target)


def write_index(scenes_root: Path, out_file: Path) -> int:
    """The index page over every film under `scenes_root`, linking each timeline relative to `out_file`."""
    out_file = Path(out_file)
    if out_file.exists() and (
        out_file.is_dir() or GENERATOR not in out_file.read_text(errors="replace")[:2000]
    ):
        raise MoviegoerError(
            f"{out_file}: exists and is not a moviegoer page; not replaced (choose another --out)"
        )
    films = []
    for summary_path in sorted(Path(scenes_root).glob(f"*/{SUMMARY}")):
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        href = os.path.relpath(summary_path.parent / TIMELINE, Path(out_file).parent)
        films.append({**summary, "href": Path(href).as_posix()})
    write_text(out_file, index_page(films))
    return len(films)
