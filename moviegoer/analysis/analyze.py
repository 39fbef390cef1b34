"""Analyse a film in one decoding pass: its shots (PySceneDetect's detector on our own frames), sample frames per
shot (the middle one; one every `sample_every_s` in long shots), the faces on them with their landmarks and identity
embeddings, the default model's MCU probability per sample and per shot, the camera setups the shots come from, and
the film's characters (face identity joined with what the setups and frames say of who is who)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from moviegoer.analysis.characters import UNASSIGNED, FaceContext, cluster_characters
from moviegoer.analysis.decode import DecodedFrame, FilmStream, at_most_wide, decode_film
from moviegoer.analysis.setups import SIGNATURE_LENGTH, SetupParams, shot_signature, thread_setups
from moviegoer.analysis.shots import CutFinder, ShotParams
from moviegoer.analysis.tables import CHARACTERS, FACES, PORTRAITS, SAMPLES, SHOTS, THUMBS, to_arrow
from moviegoer.core.atomic import atomic_dir
from moviegoer.core.errors import ParamsError
from moviegoer.core.params import section_params
from moviegoer.features.faces import EMBEDDING_SIZE, Face, FaceAnalyser, FaceParams
from moviegoer.features.frame import cut_letterbox, frame_features_of
from moviegoer.model.default_model import DEFAULT_MODEL, read_card
from moviegoer.model.predict import score_feature_rows
from moviegoer.model.storage import load_model
from moviegoer.video.probe import probe

MAX_CANDIDATES = 64  # pictures kept per shot while its end is unknown; past it every other one is dropped
CANDIDATES_PER_S = 4.0
RECENT_FRAMES = 32  # detectors name a cut a few frames late: its first frame is still among these


@dataclass(frozen=True)
class AnalyzeParams:
    sample_every_s: float  # a shot longer than this gets one sample frame per this many seconds
    picture_width: int  # sample frames are kept at this width (faces, thumbnails)
    thumb_width: int  # each shot's thumbnail
    min_face_height: float  # faces shorter than this share of the picture are found, not identified
    character_distance: float  # embedding distance under which two faces are one character (dlib: 0.6)
    must_link_distance: float  # lone faces of one camera setup are one person unless further apart than this
    min_character_faces: int  # a character needs at least this many faces; fewer stay unassigned

    def __post_init__(self) -> None:
        for key in ("sample_every_s", "min_face_height", "character_distance", "must_link_distance"):
            if not isinstance(getattr(self, key), int | float) or getattr(self, key) <= 0:
                raise ParamsError(key, f"must be a number > 0 (got {getattr(self, key)!r})")
        for key in ("picture_width", "thumb_width"):
            if not isinstance(getattr(self, key), int) or not 64 <= getattr(self, key) <= 1920:
                raise ParamsError(key, f"must be an integer from 64 to 1920 (got {getattr(self, key)!r})")
        if not isinstance(self.min_character_faces, int) or self.min_character_faces < 1:
            raise ParamsError(
                "min_character_faces", f"must be an integer >= 1 (got {self.min_character_faces!r})"
            )


@dataclass
class _OpenShot:
    """The shot being decoded: where it started and the pictures kept so far (its end is not known yet)."""

    start: int
    step: int
    candidates: list[tuple[int, float, np.ndarray]] = field(default_factory=list)  # index, t_ms, BGR

    def offer(self, decoded: DecodedFrame, width: int) -> None:
        if (decoded.index - self.start) % self.step == 0 and all(
            c[0] != decoded.index for c in self.candidates
        ):
            self.candidates.append((decoded.index, decoded.t_ms, decoded.picture(width)))
            if len(self.candidates) > MAX_CANDIDATES:
                self.candidates = self.candidates[::2]
                self.step *= 2

    def split_at(
        self, cut: int, recent: deque[DecodedFrame], width: int
    ) -> tuple[list[tuple[int, float, np.ndarray]], _OpenShot]:
        """This shot's candidates before `cut`, and the shot starting at `cut` with the rest; the new shot gets its
        first frame from `recent` (detectors name a cut a few frames late), so it always has a picture."""
        kept = [c for c in self.candidates if c[0] >= cut]
        first = next((f for f in recent if f.index == cut), None)
        if first is not None and not any(c[0] == cut for c in kept):
            kept.insert(0, (cut, first.t_ms, first.picture(width)))
        return [c for c in self.candidates if c[0] < cut], _OpenShot(cut, self.step, kept)


@dataclass(frozen=True)
class Analysis:
    shots: pd.DataFrame
    samples: pd.DataFrame
    faces: pd.DataFrame
    characters: pd.DataFrame
    thumbnails: dict[int, np.ndarray]  # shot -> BGR
    portraits: dict[int, np.ndarray]  # character -> BGR crop of its most confident large face
    frames_decoded: int


def _samples_of(shot: list[tuple[int, float, np.ndarray]], duration_s: float, every_s: float) -> list[int]:
    """Positions in `shot` (candidates in time order) nearest to evenly spaced times: the middle of the shot, or
    one per `every_s` seconds of a long one."""
    count = max(1, math.floor(duration_s / every_s))
    first, last = shot[0][0], shot[-1][0]
    targets = [first + (i + 0.5) * (last - first + 1) / count for i in range(count)]
    indices = np.array([index for index, _, _ in shot])
    return sorted({int(np.argmin(np.abs(indices - target))) for target in targets})


def analyze_stream(
    stream: FilmStream,
    shot_params: ShotParams,
    params: AnalyzeParams,
    setup_params: SetupParams,
    analyser: FaceAnalyser,
    model: Any,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> Analysis:
    """The pure core: frames in, tables out. `on_progress(frames decoded, shots found, faces found)`."""
    finder = CutFinder(shot_params, stream.fps)
    step = max(1, round(stream.fps / CANDIDATES_PER_S))
    open_shot = _OpenShot(0, step)
    closed: list[tuple[int, list[tuple[int, float, np.ndarray]]]] = []  # start index, candidates
    times: list[float] = []
    faces_found = 0
    recent: deque[DecodedFrame] = deque(maxlen=RECENT_FRAMES)
    for decoded in stream.frames:
        times.append(decoded.t_ms)
        recent.append(decoded)
        for cut in finder.feed(decoded.index, decoded.small):
            before, following = open_shot.split_at(cut, recent, params.picture_width)
            closed.append((open_shot.start, before))
            open_shot = following
        open_shot.offer(decoded, params.picture_width)
        if on_progress and decoded.index % 24 == 0:
            on_progress(decoded.index + 1, len(closed), faces_found)
    for cut in finder.finish():
        before, following = open_shot.split_at(cut, recent, params.picture_width)
        closed.append((open_shot.start, before))
        open_shot = following
    if times:
        closed.append((open_shot.start, open_shot.candidates))
    frame_ms = 1000.0 / stream.fps
    shots, samples, faces, thumbnails, embedded, signatures = [], [], [], {}, [], []
    for number, (start, candidates) in enumerate(closed, start=1):
        end = closed[number][0] - 1 if number < len(closed) else len(times) - 1
        start_ms, end_ms = times[start], (times[end + 1] if end + 1 < len(times) else times[end] + frame_ms)
        shot = {
            "shot": number,
            "start_ms": start_ms,
            "end_ms": end_ms,
            "start_frame": start,
            "end_frame": end,
        }
        chosen = (
            _samples_of(candidates, (end_ms - start_ms) / 1000, params.sample_every_s) if candidates else []
        )
        pictures = []
        for position in chosen:
            index, t_ms, bgr = candidates[position]
            picture = cut_letterbox(bgr)
            pictures.append(picture)
            rgb = cv2.cvtColor(picture, cv2.COLOR_BGR2RGB)
            found = analyser.detect(rgb)
            height, width = picture.shape[:2]
            row = frame_features_of(picture, found)
            samples.append({"shot": number, "frame_index": index, "t_ms": t_ms, "faces": len(found),
                            "face_height": found[0].box[3] / height if found else 0.0, "features": row})  # fmt: skip
            for rank, face in enumerate(found):
                identified = face.box[3] / height >= params.min_face_height
                face = analyser.embed(rgb, face) if identified else face
                faces.append(_face_row(number, index, t_ms, rank, face, height, width))
                if identified:
                    embedded.append((len(faces) - 1, face.embedding, picture, face))
            faces_found += len(found)
        if chosen:
            thumbnails[number] = at_most_wide(candidates[chosen[len(chosen) // 2]][2], params.thumb_width)
        signatures.append(shot_signature(pictures) if pictures else np.zeros(SIGNATURE_LENGTH, np.float32))
        shots.append(shot)
        if on_progress:
            on_progress(len(times), len(closed), faces_found)
    sample_table = _samples_table(samples, model)
    face_table = _faces_table(faces)
    largest_face = sample_table.groupby("shot")["face_height"].max()
    setups = thread_setups(
        np.array(signatures).reshape(len(shots), SIGNATURE_LENGTH),
        np.array([s["start_ms"] for s in shots]),
        np.array([s["end_ms"] for s in shots]),
        np.array([largest_face.get(s["shot"], 0.0) for s in shots]),
        setup_params,
    )
    for shot, setup, signature in zip(shots, setups, signatures, strict=True):
        shot["setup"], shot["signature"] = int(setup), signature.tolist()
    setup_of_shot = {shot["shot"]: shot["setup"] for shot in shots}
    characters, portraits = _characters(face_table, embedded, setup_of_shot, params)
    shot_table = _shots_table(shots, sample_table, face_table)
    return Analysis(shot_table, sample_table, face_table, characters, thumbnails, portraits, len(times))


def _face_row(
    shot: int, index: int, t_ms: float, rank: int, face: Face, height: int, width: int
) -> dict[str, Any]:
    x, y, w, h = face.box
    return {
        "shot": shot, "frame_index": index, "t_ms": t_ms, "face": rank,
        "x": x / width, "y": y / height, "width": w / width, "height": h / height, "confidence": face.confidence,
        "left_eye_x": face.left_eye[0] / width, "left_eye_y": face.left_eye[1] / height,
        "right_eye_x": face.right_eye[0] / width, "right_eye_y": face.right_eye[1] / height,
        "nose_x": face.nose[0] / width, "nose_y": face.nose[1] / height,
        "embedding": None if face.embedding is None else face.embedding.astype(np.float32).tolist(),
        "character": UNASSIGNED,
    }  # fmt: skip


def _samples_table(samples: list[dict[str, Any]], model: Any) -> pd.DataFrame:
    columns = ["shot", "frame_index", "t_ms", "faces", "face_height", "p_mcu"]
    if not samples:
        return pd.DataFrame(columns=columns)
    scores = score_feature_rows(model, np.stack([s["features"] for s in samples]))
    table = pd.DataFrame([{k: v for k, v in s.items() if k != "features"} for s in samples])
    return table.assign(p_mcu=scores.astype(float))[columns]


def _faces_table(faces: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(faces, columns=list(_face_row(0, 0, 0.0, 0, _NO_FACE, 1, 1)))


_NO_FACE = Face((0.0, 0.0, 1.0, 1.0), 0.0, (0.0, 0.0), (0.0, 0.0), (0.0, 0.0))


def _characters(
    faces: pd.DataFrame,
    embedded: list[tuple[int, Any, np.ndarray, Face]],
    setup_of_shot: dict[int, int],
    params: AnalyzeParams,
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    columns = ["character", "faces", "shots", "first_ms"]
    seen = faces.loc[[row for row, _, _, _ in embedded]]
    per_frame = seen.groupby("frame_index")["frame_index"].transform("size")
    context = FaceContext(
        frames=seen["frame_index"].to_numpy(),
        setups=seen["shot"].map(setup_of_shot).to_numpy(),
        lone=(per_frame == 1).to_numpy(),
    )
    labels = cluster_characters(
        np.array([e for _, e, _, _ in embedded]).reshape(len(embedded), EMBEDDING_SIZE),
        context,
        params.character_distance,
        params.must_link_distance,
        params.min_character_faces,
    )
    for (row, _, _, _), label in zip(embedded, labels, strict=True):
        faces.at[row, "character"] = int(label)
    rows, portraits = [], {}
    for character in sorted(set(labels.tolist()) - {UNASSIGNED}):
        members = [i for i, label in enumerate(labels) if label == character]
        mine = faces.loc[[embedded[i][0] for i in members]]
        rows.append({"character": character, "faces": len(members), "shots": int(mine["shot"].nunique()),
                     "first_ms": float(mine["t_ms"].min())})  # fmt: skip
        best = max(members, key=lambda i: embedded[i][3].confidence * embedded[i][3].area)
        _, _, picture, face = embedded[best]
        portraits[character] = _crop(picture, face)
    return pd.DataFrame(rows, columns=columns), portraits


def _shots_table(shots: list[dict[str, Any]], samples: pd.DataFrame, faces: pd.DataFrame) -> pd.DataFrame:
    """Each shot with its MCU probability (the highest of its samples), the largest face's height (a shot-scale
    hint), and its main character (the one with most faces in it; -1 when none is identified)."""
    table = pd.DataFrame(
        shots, columns=["shot", "start_ms", "end_ms", "start_frame", "end_frame", "setup", "signature"]
    )
    by_shot = samples.groupby("shot").agg(p_mcu=("p_mcu", "max"), face_height=("face_height", "max"))
    table = table.merge(by_shot, left_on="shot", right_index=True, how="left")
    known = faces[faces["character"] != UNASSIGNED]
    main = (
        known.groupby("shot")["character"].agg(lambda c: int(c.value_counts().index[0])) if len(known) else {}
    )
    table["character"] = table["shot"].map(main).fillna(UNASSIGNED).astype(int)
    return table.fillna({"p_mcu": 0.0, "face_height": 0.0})


def _crop(picture: np.ndarray, face: Face, margin: float = 0.3) -> np.ndarray:
    x, y, w, h = face.box
    left, top = max(0, int(x - margin * w)), max(0, int(y - margin * h))
    right, bottom = (
        min(picture.shape[1], int(x + w * (1 + margin))),
        min(picture.shape[0], int(y + h * (1 + margin))),
    )
    return picture[top:bottom, left:right].copy()


@dataclass(frozen=True)
class AnalysisResult:
    film_id: str
    out_dir: Path
    shots: int
    samples: int
    faces: int
    characters: int
    frames_decoded: int
    seconds: float


def analysis_params(params_file: Path) -> tuple[ShotParams, AnalyzeParams, SetupParams, FaceParams]:
    """The params sections `analyze_film` takes, in its order, from a params file."""
    return (
        section_params(ShotParams, "shots", params_file),
        section_params(AnalyzeParams, "analyze", params_file),
        section_params(SetupParams, "setups", params_file),
        section_params(FaceParams, "faces", params_file),
    )


def analyze_film(
    video: Path,
    film_id: str,
    out_dir: Path,
    shot_params: ShotParams,
    params: AnalyzeParams,
    setup_params: SetupParams,
    face_params: FaceParams,
    on_progress: Callable[[int, int, int, int], None] | None = None,
) -> AnalysisResult:
    """Analyse `video` into `out_dir` (replaced only when complete): the tables of moviegoer.analysis.tables, a
    thumbnail per shot and a portrait per character. `on_progress(frames decoded, frames in all, shots, faces)`.
    MCU scores come from the default model that ships with moviegoer, with the face settings it was fitted with."""
    started = time.perf_counter()
    info = probe(Path(video))
    card = read_card()
    analyser = FaceAnalyser(replace(face_params, **card.face_params))
    model = load_model(DEFAULT_MODEL)
    stream = decode_film(Path(video), shot_params.detect_width)
    total = max(info.frames, 1)

    def progress(frames: int, shots: int, faces: int) -> None:
        if on_progress:
            on_progress(min(frames, total), total, shots, faces)

    analysis = analyze_stream(stream, shot_params, params, setup_params, analyser, model, progress)
    with atomic_dir(Path(out_dir)) as tmp:
        for name, table in ((SHOTS, analysis.shots), (SAMPLES, analysis.samples), (FACES, analysis.faces),
                            (CHARACTERS, analysis.characters)):  # fmt: skip
            pq.write_table(to_arrow(name, table, film_id), tmp / name)
        _write_pictures(tmp / THUMBS, "shot_{:04d}.jpg", analysis.thumbnails)
        _write_pictures(tmp / PORTRAITS, "character_{:02d}.jpg", analysis.portraits)
    return AnalysisResult(
        film_id, Path(out_dir), len(analysis.shots), len(analysis.samples), len(analysis.faces),
        len(analysis.characters), analysis.frames_decoded, round(time.perf_counter() - started, 1),
    )  # fmt: skip


def _write_pictures(folder: Path, name: str, pictures: dict[int, np.ndarray]) -> None:
    folder.mkdir()
    for number, picture in sorted(pictures.items()):
        ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if ok:
            (folder / name.format(number)).write_bytes(encoded.tobytes())
