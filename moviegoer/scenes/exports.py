"""Shots and scenes where film scholars work: CSV and JSON (one record per row, the table's own columns) and
OpenTimelineIO (the film's shots as clips on one track, each dialogue scene a marker over them, its characters and
numbers in the marker's metadata), which editors and annotation tools open."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from moviegoer.scenes.dialogue import side_label

META = "moviegoer"  # the metadata namespace of the OTIO objects


def write_records(table: pd.DataFrame, csv_path: Path, json_path: Path) -> None:
    table.to_csv(csv_path, index=False)
    json_path.write_text(json.dumps(table.to_dict(orient="records"), indent=1) + "\n", encoding="utf-8")


def film_rate(shots: pd.DataFrame) -> float:
    """Frames per second, from the shot table's frame numbers and times."""
    last = shots.iloc[-1]
    return round(float(last["end_frame"]) / (float(last["end_ms"]) / 1000), 3) if last["end_ms"] > 0 else 24.0


def timeline_of(film_id: str, shots: pd.DataFrame, scenes: pd.DataFrame, video: str | None):  # noqa: ANN201
    """An otio.schema.Timeline of the film: its shots as clips of the film's media, its scenes as markers."""
    import opentimelineio as otio

    rate = film_rate(shots) if len(shots) else 24.0

    def at(frame: float) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(float(frame), rate)

    def span(first: float, end: float) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(at(first), at(end - first))

    total = span(0, float(shots["end_frame"].iloc[-1])) if len(shots) else span(0, 0)
    timeline = otio.schema.Timeline(name=film_id, global_start_time=at(0))
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
                    META: {
                        "p_mcu": float(shot.p_mcu),
                        "character": int(shot.character),
                        "setup": int(shot.setup),
                    }
                },
            )
        )
    frames_of = dict(
        zip(shots["shot"], zip(shots["start_frame"], shots["end_frame"], strict=True), strict=True)
    )
    for scene in scenes.itertuples(index=False):
        first, last = frames_of[scene.first_shot][0], frames_of[scene.last_shot][1]
        track.markers.append(
            otio.schema.Marker(
                name=f"dialogue scene {scene.scene}: characters {side_label(scene.character_a, scene.setup_a)} "
                f"and {side_label(scene.character_b, scene.setup_b)}",
                marked_range=span(first, last),
                color=otio.schema.MarkerColor.RED,
                metadata={META: {key: _plain(value) for key, value in scene._asdict().items()}},
            )
        )
    timeline.tracks.append(track)
    return timeline


def write_otio(
    path: Path, film_id: str, shots: pd.DataFrame, scenes: pd.DataFrame, video: str | None
) -> None:
    import opentimelineio as otio

    otio.adapters.write_to_file(timeline_of(film_id, shots, scenes, video), str(path))


def scenes_from_otio(path: Path) -> pd.DataFrame:
    """The scene table back from an .otio file, through OpenTimelineIO's own reader."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(path))
    records = [dict(marker.metadata[META]) for track in timeline.tracks for marker in track.markers]
    return pd.DataFrame.from_records(records)


def _plain(value: object) -> object:
    """numpy scalars as the Python numbers OTIO's metadata accepts."""
    return value.item() if hasattr(value, "item") else value
