"""Analyse a film in one decoding pass: its shots (PySceneDetect's detector on our own frames), sample frames per
shot (the middle one; one every `sample_every_s` in long shots), the faces on them with their landmarks and identity
embeddings, the default model's MCU probability per sample and per shot, the camera setups the shots come from, and
the film's characters (face identity joined with what the setups and frames say of who is who)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from moviegoer.analysis.characters import UNASSIGNED, FaceContext, cluster_characters
from moviegoer.analysis.decode import DecodedFrame, FilmStream, at_most_wide, decode_film
from moviegoer.analysis.setups import SIGNATURE_LENGTH, SetupParams, thread_setups
from moviegoer.analysis.shot_faces import IdentifiedFace, SampleFrame, face_row
from moviegoer.analysis.shots import CutFinder, ShotParams
from moviegoer.analysis.tables import CHARACTERS, FACES, PORTRAITS, SAMPLES, SHOTS, THUMBS, to_arrow
from moviegoer.analysis.workers import ShotFaceSettings, ShotFaceWork
from moviegoer.core.atomic import atomic_dir
from moviegoer.core.errors import ParamsError
from moviegoer.core.params import section_params
from moviegoer.features.faces import EMBEDDING_SIZE, Face, FaceParams
from moviegoer.model.default_model import DEFAULT_MODEL, read_card
from moviegoer.model.predict import score_feature_rows
from moviegoer.model.storage import load_model
from moviegoer.video.probe import probe

MAX_CANDIDATES = 64  # frames kept per shot while its end is unknown; past it every other one is dropped
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
    face_track_iou: float  # a face overlapping one of the shot's previous sample this much is that face again
    face_workers: int  # processes finding faces while the film decodes (0: in the analysing process)

    def __post_init__(self) -> None:
        for key in ("sample_every_s", "min_face_height", "character_distance", "must_link_distance"):
            if not isinstance(getattr(self, key), int | float) or getattr(self, key) <= 0:
                raise ParamsError(key, f"must be a number > 0 (got {getattr(self, key)!r})")
        for key in ("picture_width", "thumb_width"):
            if not isinstance(getattr(self, key), int) or not 64 <= getattr(self, key) <= 1920:
                raise ParamsError(key, f"must be an integer from 64 to 1920 (got {getattr(self, key)!r})")
        if not isinstance(self.face_track_iou, int | float) or not 0 < self.face_track_iou <= 1:
            raise ParamsError("face_track_iou", f"must be a number in (0, 1] (got {self.face_track_iou!r})")
        if not isinstance(self.face_workers, int) or not 0 <= self.face_workers <= 64:
            raise ParamsError("face_workers", f"must be an integer from 0 to 64 (got {self.face_workers!r})")
        if not isinstance(self.min_character_faces, int) or self.min_character_faces < 1:
            raise ParamsError(
                "min_character_faces", f"must be an integer >= 1 (got {self.min_character_faces!r})"
            )


@dataclass
class _OpenShot:
    """The shot being decoded: where it started and the frames it may take its samples from, still undecided and
    so not yet converted to pictures (its end is not known yet)."""

    start: int
    step: int
    candidates: list[DecodedFrame] = field(default_factory=list)

    def offer(self, decoded: DecodedFrame) -> None:
        if (decoded.index - self.start) % self.step == 0 and all(
            c.index != decoded.index for c in self.candidates
        ):
            self.candidates.append(decoded)
            if len(self.candidates) > MAX_CANDIDATES:
                self.candidates = self.candidates[::2]
                self.step *= 2

    def split_at(self, cut: int, recent: deque[DecodedFrame]) -> tuple[list[DecodedFrame], _OpenShot]:
        """This shot's candidates before `cut`, and the shot starting at `cut` with the rest; the new shot gets its
        first frame from `recent` (detectors name a cut a few frames late), so it always has a picture."""
        kept = [c for c in self.candidates if c.index >= cut]
        first = next((f for f in recent if f.index == cut), None)
        if first is not None and not any(c.index == cut for c in kept):
            kept.insert(0, first)
        return [c for c in self.candidates if c.index < cut], _OpenShot(cut, self.step, kept)


@dataclass(frozen=True)
class Analysis:
    shots: pd.DataFrame
    samples: pd.DataFrame
    faces: pd.DataFrame
    characters: pd.DataFrame
    thumbnails: dict[int, np.ndarray]  # shot -> BGR
    portraits: dict[int, np.ndarray]  # character -> BGR crop of its most confident large face
    frames_decoded: int
    descriptors: int  # dlib identity descriptors computed (one per face track)


def _samples_of(shot: list[DecodedFrame], duration_s: float, every_s: float) -> list[int]:
    """Positions in `shot` (candidates in time order) nearest to evenly spaced times: the middle of the shot, or
    one per `every_s` seconds of a long one."""
    count = max(1, math.floor(duration_s / every_s))
    first, last = shot[0].index, shot[-1].index
    targets = [first + (i + 0.5) * (last - first + 1) / count for i in range(count)]
    indices = np.array([frame.index for frame in shot])
    return sorted({int(np.argmin(np.abs(indices - target))) for target in targets})


def analyze_stream(
    stream: FilmStream,
    shot_params: ShotParams,
    params: AnalyzeParams,
    setup_params: SetupParams,
    face_params: FaceParams,
    mcu_model: Callable[[], Any],
    feature_names: tuple[str, ...],
    on_progress: Callable[[int, int, int], None] | None = None,
) -> Analysis:
    """The pure core: frames in, tables out. `on_progress(frames decoded, shots found, faces found)`. Each shot's
    sample frames go to the face work (moviegoer.analysis.workers) as soon as the shot's end is known;
    `mcu_model()` gives the model that scores the samples, asked for once they are all analysed; `feature_names`
    are the frame features it reads, computed for each sample while the shot's faces are found."""
    finder = CutFinder(shot_params, stream.fps)
    open_shot = _OpenShot(0, max(1, round(stream.fps / CANDIDATES_PER_S)))
    times: list[float] = []
    shots: list[dict[str, Any]] = []
    thumbnails: dict[int, np.ndarray] = {}
    recent: deque[DecodedFrame] = deque(maxlen=RECENT_FRAMES)
    settings = ShotFaceSettings(face_params, params.min_face_height, params.face_track_iou, feature_names)
    with ShotFaceWork(settings, params.face_workers) as work:

        def close(shot: _OpenShot, candidates: list[DecodedFrame], next_start: int) -> None:
            """Hand a finished shot's sample frames to the face work; `next_start`: the next shot's first frame."""
            number = len(shots) + 1
            start_ms = times[shot.start]
            end_ms = times[next_start] if next_start < len(times) else times[-1] + 1000.0 / stream.fps
            duration_s = (end_ms - start_ms) / 1000
            chosen = _samples_of(candidates, duration_s, params.sample_every_s) if candidates else []
            frames = [candidates[position] for position in chosen]
            pictures = [frame.picture(params.picture_width) for frame in frames]
            work.submit(
                number, [SampleFrame(f.index, f.t_ms, p) for f, p in zip(frames, pictures, strict=True)]
            )
            if pictures:
                thumbnails[number] = at_most_wide(pictures[len(pictures) // 2], params.thumb_width)
            shots.append({"shot": number, "start_ms": start_ms, "end_ms": end_ms, "start_frame": shot.start,
                          "end_frame": next_start - 1})  # fmt: skip

        for decoded in stream.frames:
            times.append(decoded.t_ms)
            recent.append(decoded)
            for cut in finder.feed(decoded.index, decoded.small):
                before, following = open_shot.split_at(cut, recent)
                close(open_shot, before, cut)
                open_shot = following
            open_shot.offer(decoded)
            if on_progress and decoded.index % 24 == 0:
                on_progress(decoded.index + 1, len(shots), work.faces_found)
        for cut in finder.finish():
            before, following = open_shot.split_at(cut, recent)
            close(open_shot, before, cut)
            open_shot = following
        if times:
            close(open_shot, open_shot.candidates, len(times))
        findings = work.results()
    samples, faces, identified, signatures = [], [], [], []
    for found in findings:
        identified += [replace(face, position=len(faces) + face.position) for face in found.identified]
        samples += found.samples
        faces += found.faces
        signatures.append(found.signature)
    if on_progress:
        on_progress(len(times), len(shots), len(faces))
    sample_table = _samples_table(samples, mcu_model)
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
    characters, portraits = _characters(face_table, identified, setup_of_shot, params)
    shot_table = _shots_table(shots, sample_table, face_table)
    return Analysis(
        shot_table, sample_table, face_table, characters, thumbnails, portraits, len(times),
        sum(found.descriptors for found in findings),
    )  # fmt: skip


def _samples_table(samples: list[dict[str, Any]], mcu_model: Callable[[], Any]) -> pd.DataFrame:
    columns = ["shot", "frame_index", "t_ms", "faces", "face_height", "p_mcu"]
    if not samples:
        return pd.DataFrame(columns=columns)
    scores = score_feature_rows(mcu_model(), np.stack([s["features"] for s in samples]))
    table = pd.DataFrame([{k: v for k, v in s.items() if k != "features"} for s in samples])
    return table.assign(p_mcu=scores.astype(float))[columns]


def _faces_table(faces: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [*face_row(0, 0, 0.0, 0, _NO_FACE, 1, 1), "character"]
    return pd.DataFrame(faces, columns=columns).assign(character=UNASSIGNED)


_NO_FACE = Face((0.0, 0.0, 1.0, 1.0), 0.0, (0.0, 0.0), (0.0, 0.0), (0.0, 0.0))


def _characters(
    faces: pd.DataFrame,
    identified: list[IdentifiedFace],
    setup_of_shot: dict[int, int],
    params: AnalyzeParams,
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    columns = ["character", "faces", "shots", "first_ms"]
    seen = faces.loc[[face.position for face in identified]]
    per_frame = seen.groupby("frame_index")["frame_index"].transform("size")
    context = FaceContext(
        frames=seen["frame_index"].to_numpy(),
        setups=seen["shot"].map(setup_of_shot).to_numpy(),
        lone=(per_frame == 1).to_numpy(),
    )
    labels = cluster_characters(
        np.array([face.embedding for face in identified]).reshape(len(identified), EMBEDDING_SIZE),
        context,
        params.character_distance,
        params.must_link_distance,
        params.min_character_faces,
    )
    for face, label in zip(identified, labels, strict=True):
        faces.at[face.position, "character"] = int(label)
    rows, portraits = [], {}
    for character in sorted(set(labels.tolist()) - {UNASSIGNED}):
        members = [identified[i] for i, label in enumerate(labels) if label == character]
        mine = faces.loc[[face.position for face in members]]
        rows.append({"character": character, "faces": len(members), "shots": int(mine["shot"].nunique()),
                     "first_ms": float(mine["t_ms"].min())})  # fmt: skip
        portraits[character] = max(members, key=lambda face: face.weight).portrait
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


@dataclass(frozen=True)
class AnalysisResult:
    film_id: str
    out_dir: Path
    shots: int
    samples: int
    faces: int
    characters: int
    frames_decoded: int
    descriptors: int  # dlib identity descriptors computed (one per face track)
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
    total = max(info.frames, 1)

    def progress(frames: int, shots: int, faces: int) -> None:
        if on_progress:
            on_progress(min(frames, total), total, shots, faces)

    with ThreadPoolExecutor(1) as loader:
        # Keras takes seconds to load, and the model is needed only once every shot is analysed
        model: Future[Any] = loader.submit(load_model, DEFAULT_MODEL)
        stream = decode_film(Path(video), shot_params.detect_width)
        fitted_faces = replace(face_params, **card.face_params)
        analysis = analyze_stream(
            stream, shot_params, params, setup_params, fitted_faces, model.result, card.features, progress
        )
    with atomic_dir(Path(out_dir)) as tmp:
        for name, table in ((SHOTS, analysis.shots), (SAMPLES, analysis.samples), (FACES, analysis.faces),
                            (CHARACTERS, analysis.characters)):  # fmt: skip
            pq.write_table(to_arrow(name, table, film_id), tmp / name)
        _write_pictures(tmp / THUMBS, "shot_{:04d}.jpg", analysis.thumbnails)
        _write_pictures(tmp / PORTRAITS, "character_{:02d}.jpg", analysis.portraits)
    return AnalysisResult(
        film_id, Path(out_dir), len(analysis.shots), len(analysis.samples), len(analysis.faces),
        len(analysis.characters), analysis.frames_decoded, analysis.descriptors, round(time.perf_counter() - started, 1),
    )  # fmt: skip


def _write_pictures(folder: Path, name: str, pictures: dict[int, np.ndarray]) -> None:
    folder.mkdir()
    for number, picture in sorted(pictures.items()):
        ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if ok:
            (folder / name.format(number)).write_bytes(encoded.tobytes())
