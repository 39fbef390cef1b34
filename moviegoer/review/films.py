"""What the review page shows of each film: the registered video, its analysis (shots, camera setups, characters)
and its dialogue scenes with a person's corrections applied, as the JSON the page draws its timeline from, and which
of its files the page may fetch."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.analysis.tables import FACES, PORTRAITS, SHOTS, THUMBS, read_table
from moviegoer.core.errors import MoviegoerError
from moviegoer.dataset.films import load_registry
from moviegoer.review.corrections import Correction, ReviewParams
from moviegoer.review.state import NOBODY, Reviewed, reviewed
from moviegoer.scenes.exports import records
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
    """FFmpeg's name of the film's video decoder (h264, vp9, av1, mpeg4, ...), opened once per version of the file
    (the page asks on every correction)."""
    try:
        stat = video.stat()
    except OSError as exc:
        raise MoviegoerError(f"{video}: no readable video stream ({exc.__class__.__name__})") from exc
    return _codec_of(video, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _codec_of(video: Path, size: int, modified_ns: int) -> str:
    import av

    try:
        with av.open(str(video)) as container:
            return container.streams.video[0].codec_context.codec.canonical_name  # av1, not libdav1d
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise MoviegoerError(f"{video}: no readable video stream ({exc.__class__.__name__})") from exc


@dataclass(frozen=True)
class FilmReview:
    """A film's analysis and scenes with a person's corrections applied."""

    film: ReviewFilm
    shots: pd.DataFrame  # the analysis' shots, `character` as reviewed
    scenes_found: bool  # whether the scene detector has run on the film
    state: Reviewed

    def name(self, character: int) -> str:
        return self.state.names.get(character, character_name(character))

    def characters(self) -> pd.DataFrame:
        """One row per character after the corrections: its name, its faces and shots, whom a person merged into
        it, whom it was split from (-1: nobody), and the shot that shows it best when it has no portrait."""
        counts = self.state.identities.face_counts()
        rows = []
        for character in self.state.characters():
            own = self.shots[self.shots["character"] == character]
            rows.append({
                "character": character, "name": self.name(character), "named": character in self.state.names,
                "faces": counts[character][0], "shots": counts[character][1],
                "merged": sorted(k for k, v in self.state.merged.items() if v == character),
                "split_from": self.state.split.get(character, NOBODY),
                "portrait": character not in self.state.split and self.film.portrait(character).is_file(),
                "picture_shot": int(own["shot"].iloc[0]) if len(own) else NOBODY,
            })  # fmt: skip
        return pd.DataFrame(rows, columns=CHARACTER_COLUMNS)

    def scenes(self) -> pd.DataFrame:
        """The scenes as reviewed, each person named (`a`, `b`)."""
        scenes = self.state.scenes

        def named(character: int, setup: int) -> str:  # an added scene's: nobody until a person sets them
            return person_name(character, setup, self.name) if max(character, setup) >= 0 else ""

        return scenes.assign(
            a=[named(int(s.character_a), int(s.setup_a)) for s in scenes.itertuples()],
            b=[named(int(s.character_b), int(s.setup_b)) for s in scenes.itertuples()],
        )


CHARACTER_COLUMNS = ["character", "name", "named", "faces", "shots", "merged", "split_from", "portrait",
                     "picture_shot"]  # fmt: skip


def film_review(film: ReviewFilm, corrections: list[Correction], params: ReviewParams) -> FilmReview:
    """`film`'s analysis and scenes (none while the detector has not run) with `corrections` applied."""
    shots = read_table(film.analysis_dir, SHOTS)
    found = (film.scenes_dir / SCENES).is_file()
    scenes = read_scenes(film.scenes_dir) if found else pd.DataFrame(columns=["scene", "start_ms", "end_ms"])
    state = reviewed(corrections, read_table(film.analysis_dir, FACES), scenes, params)
    main = state.identities.shot_characters(shots)
    return FilmReview(film, shots.assign(character=shots["shot"].map(main)), found, state)


def timeline(film: ReviewFilm, corrections: list[Correction], params: ReviewParams) -> dict[str, Any]:
    """Everything the review page draws for one film, times in ms, with `corrections` applied."""
    review, codec = film_review(film, corrections, params), video_codec(film.video)
    shot_rows = [
        {"shot": int(s.shot), "start_ms": float(s.start_ms), "end_ms": float(s.end_ms), "setup": int(s.setup),
         "p_mcu": round(float(s.p_mcu), 3), "character": int(s.character),
         "thumb": film.thumb(int(s.shot)).is_file()}
        for s in review.shots.itertuples()
    ]  # fmt: skip
    return {
        "film_id": film.film_id,
        "duration_ms": float(review.shots["end_ms"].iloc[-1]) if len(review.shots) else 0.0,
        "video": {
            "codec": codec,
            "type": BROWSER_TYPES.get(codec, ""),
            "container": CONTAINER_TYPES.get(film.video.suffix.lower(), ""),
        },  # fmt: skip
        "shots": shot_rows,
        "characters": review.characters().to_dict("records"),
        "scenes": records(review.scenes()),
        "scenes_found": review.scenes_found,
        "corrections": len(corrections),
    }
