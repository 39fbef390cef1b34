"""What the review page shows of each film: the registered video, its analysis (shots, camera setups, characters)
and its dialogue scenes with a person's corrections applied, as the JSON the page draws its timeline from, and which
of its files the page may fetch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.analysis.tables import CHARACTERS, FACES, PORTRAITS, SHOTS, THUMBS, read_table
from moviegoer.core.errors import MoviegoerError
from moviegoer.dataset.films import load_registry
from moviegoer.review.corrections import Correction, ReviewParams, centroids, reviewed
from moviegoer.scenes.page import character_name, person_name
from moviegoer.scenes.stage import SCENES, read_scenes

# what a <video> element is asked about (canPlayType) for each decoder FFmpeg names: the browser decides
BROWSER_TYPES = {
    "h264": 'video/mp4; codecs="avc1.640028"',
    "hevc": 'video/mp4; codecs="hvc1.1.6.L93.B0"',
    "vp8": 'video/webm; codecs="vp8"',
    "vp9": 'video/webm; codecs="vp9"',
    "av1": 'video/mp4; codecs="av01.0.08M.08"',
    "mpeg4": 'video/mp4; codecs="mp4v.20.9"',
    "theora": 'video/ogg; codecs="theora"',
}
CONTAINER_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm",
                   ".mkv": "video/x-matroska", ".avi": "video/x-msvideo", ".ogv": "video/ogg"}  # fmt: skip


@dataclass(frozen=True)
class ReviewFilm:
    film_id: str
    video: Path
    analysis_dir: Path
    scenes_dir: Path  # may not exist yet: the timeline then shows no scenes
    corrections: Path  # data/review/<film>.parquet: what a person corrected

    def thumb(self, shot: int) -> Path:
        return self.analysis_dir / THUMBS / f"shot_{shot:04d}.jpg"

    def portrait(self, character: int) -> Path:
        return self.analysis_dir / PORTRAITS / f"character_{character:02d}.jpg"


def review_films(
    root: Path, analysis_root: Path, scenes_root: Path, review_root: Path
) -> dict[str, ReviewFilm]:
    """The registered films of the project at `root` that have an analysis."""
    return {
        film_id: ReviewFilm(
            film_id,
            root / film.path,
            analysis_root / film_id,
            scenes_root / film_id,
            review_root / f"{film_id}.parquet",
        )  # fmt: skip
        for film_id, film in load_registry(root).items()
        if (analysis_root / film_id / SHOTS).is_file()
    }


def video_codec(video: Path) -> str:
    """FFmpeg's name of the film's video decoder (h264, vp9, av1, mpeg4, ...)."""
    import av

    try:
        with av.open(str(video)) as container:
            return container.streams.video[0].codec_context.name
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise MoviegoerError(f"{video}: no readable video stream ({exc.__class__.__name__})") from exc


def timeline(film: ReviewFilm, corrections: list[Correction], params: ReviewParams) -> dict[str, Any]:
    """Everything the review page draws for one film, times in ms, with `corrections` applied."""
    shots = read_table(film.analysis_dir, SHOTS)
    characters = read_table(film.analysis_dir, CHARACTERS)
    found = (film.scenes_dir / SCENES).is_file()
    scenes = read_scenes(film.scenes_dir) if found else pd.DataFrame(columns=["scene", "start_ms", "end_ms"])
    codec = video_codec(film.video)
    fixed = reviewed(corrections, centroids(read_table(film.analysis_dir, FACES)), scenes, params)

    def who(character: int) -> int:
        """The character a person's merges made of `character`."""
        return fixed.merged.get(character, character)

    def name(character: int) -> str:
        return fixed.names.get(who(character), character_name(who(character)))

    faces = characters.assign(character=characters["character"].map(who)).groupby("character")["faces"].sum()

    shot_rows = [
        {"shot": int(s.shot), "start_ms": float(s.start_ms), "end_ms": float(s.end_ms), "setup": int(s.setup),
         "p_mcu": round(float(s.p_mcu), 3), "character": who(int(s.character)),
         "thumb": film.thumb(int(s.shot)).is_file()}
        for s in shots.itertuples()
    ]  # fmt: skip
    character_rows = [
        {"character": int(c.character), "name": name(int(c.character)), "named": int(c.character) in fixed.names,
         "faces": int(faces[c.character]), "portrait": film.portrait(int(c.character)).is_file(),
         "merged": sorted(k for k, v in fixed.merged.items() if v == c.character)}
        for c in characters.itertuples() if int(c.character) not in fixed.merged
    ]  # fmt: skip
    scene_rows = [
        {"scene": int(s.scene), "start_ms": float(s.start_ms), "end_ms": float(s.end_ms),
         "a": person_name(int(s.character_a), int(s.setup_a), name),
         "b": person_name(int(s.character_b), int(s.setup_b), name),
         "status": fixed.status.get(int(s.scene), "found")}
        for s in scenes.itertuples()
    ] + [
        {"scene": f"added {number + 1}", **added, "a": "", "b": ""} for number, added in enumerate(fixed.added)
    ]  # fmt: skip
    return {
        "film_id": film.film_id,
        "duration_ms": float(shots["end_ms"].iloc[-1]) if len(shots) else 0.0,
        "video": {
            "codec": codec,
            "type": BROWSER_TYPES.get(codec, ""),
            "container": CONTAINER_TYPES.get(film.video.suffix.lower(), ""),
        },  # fmt: skip
        "shots": shot_rows,
        "characters": character_rows,
        "scenes": sorted(scene_rows, key=lambda scene: scene["start_ms"]),
        "scenes_found": found,
        "corrections": len(corrections),
    }
