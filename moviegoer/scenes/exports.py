"""Shots and scenes where film scholars work: CSV and JSON (one record per row, the table's own columns) and
OpenTimelineIO (the film's shots as clips on one track, each dialogue scene a marker over them, its characters and
numbers in the marker's metadata), which editors and annotation tools open."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.scenes.page import person_name

META = "moviegoer"  # the metadata namespace of the OTIO objects
SHOT_METADATA = ("p_mcu", "character", "name", "setup")  # a shot's clip carries these (a name once reviewed)


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as JSON-ready records: a missing value as null (JSON has no NaN)."""
    return table.astype(object).where(table.notna(), None).to_dict(orient="records")


def write_records(table: pd.DataFrame, csv_path: Path, json_path: Path) -> None:
    table.to_csv(csv_path, index=False)
    json_path.write_text(json.dumps(records(table), indent=1) + "\n", encoding="utf-8")


def film_rate(shots: pd.DataFrame) -> float:
    """Frames per second, from the shot table's frame numbers and times."""
    last = shots.iloc[-1]
    return round(float(last["end_frame"]) / (float(last["end_ms"]) / 1000), 3) if last["end_ms"] > 0 else 24.0


def side_names(scene: Any) -> tuple[str, str]:  # noqa: ANN401 (a scenes table's row)
    """A found scene's two people: "character 3", or "the person of setup 5" when no face identified them."""
    return person_name(scene.character_a, scene.setup_a), person_name(scene.character_b, scene.setup_b)


def timeline_of(  # noqa: ANN201
    film_id: str, shots: pd.DataFrame, scenes: pd.DataFrame, video: str | None,
    people: Callable[[Any], tuple[str, str]] = side_names, reviewed: bool = False,
):  # fmt: skip
    """An otio.schema.Timeline of the film: its shots as clips of the film's media, its scenes as markers named by
    their `people`; `reviewed` marks a timeline with a person's corrections (moviegoer.review) in its metadata."""
    import opentimelineio as otio

    rate = film_rate(shots) if len(shots) else 24.0

    def at(frame: float) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(float(frame), rate)

    def span(first: float, end: float) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(at(first), at(end - first))

    total = span(0, float(shots["end_frame"].iloc[-1])) if len(shots) else span(0, 0)
    timeline = otio.schema.Timeline(
        name=film_id, global_start_time=at(0), metadata={META: {"reviewed": reviewed}}
    )
    track = otio.schema.Track(name="shots", kind=otio.schema.TrackKind.Video)
    for shot in shots.itertuples(index=False):
        reference = (
            otio.schema.ExternalReference(target_url=video, available_range=total)
            if video
            else otio.schema.MissingReference(name=film_id, available_range=total)
        )
        track.append(
            otio.schema.Clip(
                name=f"shot {shot.shot}",
                media_reference=reference,
                source_range=span(shot.start_frame, shot.end_frame),
                metadata={
                    META: {key: _plain(getattr(shot, key)) for key in SHOT_METADATA if hasattr(shot, key)}
                },
            )
        )
    for scene in scenes.itertuples(index=False):
        first, second = people(scene)
        track.markers.append(
            otio.schema.Marker(
                name=f"dialogue scene {scene.scene}: {first} and {second}",
                marked_range=span(round(scene.start_ms / 1000 * rate), round(scene.end_ms / 1000 * rate)),
                color=otio.schema.MarkerColor.RED,
                metadata={META: _metadata(scene._asdict())},
            )
        )
    timeline.tracks.append(track)
    return timeline


def write_otio(path: Path, timeline: Any) -> None:  # noqa: ANN401 (an otio.schema.Timeline)
    import opentimelineio as otio

    otio.adapters.write_to_file(timeline, str(path))


def scenes_from_otio(path: Path) -> pd.DataFrame:
    """The scene table back from an .otio file, through OpenTimelineIO's own reader."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(path))
    records = [dict(marker.metadata[META]) for track in timeline.tracks for marker in track.markers]
    return pd.DataFrame.from_records(records)


def _plain(value: object) -> object:
    """numpy scalars as the Python numbers OTIO's metadata accepts."""
    return value.item() if hasattr(value, "item") else value


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    """A row as OTIO metadata, leaving out what is missing (OTIO has no null): an added scene's detector numbers."""
    return {
        key: _plain(value)
        for key, value in row.items()
        if not (pd.api.types.is_scalar(value) and pd.isna(value))
    }
