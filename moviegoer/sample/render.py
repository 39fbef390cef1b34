"""The embedded sample: small, deterministic synthetic films with a ground-truth shot timeline.

A fresh clone has no films, so ``render_sample`` draws some: letterboxed 2.39:1 pictures with a per-film colour
grade and grain, cut into shots of known type (dialogue coverage of two characters in alternating MCUs,
over-the-shoulder shots, close-ups, wide shots, landscapes, title and credits ...). Planning is pure and cheap
(``plan_film``), so tests and labels can use the timeline without rendering a single frame; rendering draws each
shot's picture once and makes its frames by moving a crop window over it, adding grain and swapping mouth shapes.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.queues import Queue
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from moviegoer.sample import draw
from moviegoer.sample.draw import Character, Look, Pose
from moviegoer.sample.plan import ASPECT, NAMES, SURNAMES, FilmPlan, SampleParams, Shot, plan_sample
from moviegoer.sample.timeline import TIMELINE_NAME, timeline_table, write_timeline

# ---------------------------------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class _Geometry:
    """Frame, picture (2.39:1, letterboxed) and canvas (picture plus a margin the camera may drift into)."""

    width: int
    height: int
    pic_h: int
    bar: int  # height of the top letterbox bar
    mx: int
    my: int

    @classmethod
    def of(cls, width: int) -> _Geometry:
        height, pic_h = round(width * 9 / 16), round(width / ASPECT)
        return cls(width, height, pic_h, (height - pic_h) // 2, round(0.06 * width), round(0.06 * pic_h))

    @property
    def canvas(self) -> tuple[int, int]:
        return self.width + 2 * self.mx, self.pic_h + 2 * self.my

    def at(self, x: float, y: float) -> tuple[float, float]:
        """Canvas pixel of a point given as fractions of the picture (0..1 across, 0..1 down)."""
        return self.mx + x * self.width, self.my + y * self.pic_h


@dataclass(frozen=True)
class _Figure:
    who: Character
    pose: Pose
    speaking: bool = False


_Window = tuple[float, float, float]  # camera window: centre x, y (pixels of the picture it films) and zoom
_Worlds = dict[
    tuple[str, int, int], np.ndarray
]  # the places of the current scene: (kind, view, scene id) -> image


@dataclass
class _Take:
    """A shot ready to film: its picture(s) and how the camera window moves over them."""

    pictures: list[np.ndarray]  # several when a mouth moves: closed, half open, open
    start: _Window  # at the first frame
    end: _Window  # at the last frame
    mouth: np.ndarray | None = None  # index into pictures, per frame
    grain: bool = True

    def render(self, i: int, n: int, dst: np.ndarray) -> None:
        """Write frame i of n into dst (the picture area of the frame).

        The window snaps to whole pixels: a crop plus a resize costs a fifth of a sub-pixel warp, and a drift of
        a pixel every few frames does not show.
        """
        f = i / max(1, n - 1)
        cx, cy, zoom = (a + (b - a) * f for a, b in zip(self.start, self.end, strict=True))
        h, w = dst.shape[:2]
        src = self.pictures[0 if self.mouth is None else int(self.mouth[i])]
        cw, ch = round(w / zoom), round(h / zoom)
        x0 = min(max(0, round(cx - cw / 2)), src.shape[1] - cw)
        y0 = min(max(0, round(cy - ch / 2)), src.shape[0] - ch)
        crop = src[y0 : y0 + ch, x0 : x0 + cw]
        if (cw, ch) == (w, h):
            dst[:] = crop
        else:
            cv2.resize(crop, (w, h), dst=dst, interpolation=cv2.INTER_LINEAR)


class _Grain:
    """A small bank of precomputed luminance grain frames, added and subtracted with saturation."""

    SIZE = 12

    def __init__(self, rng: np.random.Generator, h: int, w: int, sigma: float):
        self.plus, self.minus = [], []
        for _ in range(self.SIZE):
            noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.6) * (
                sigma / 0.45
            )
            noise = np.repeat(noise[..., None], 3, axis=2)
            self.plus.append(np.clip(noise, 0, 255).astype(np.uint8))
            self.minus.append(np.clip(-noise, 0, 255).astype(np.uint8))
        self.order = rng.integers(self.SIZE, size=4096)

    def apply(self, frame_no: int, picture: np.ndarray) -> None:
        k = self.order[frame_no % self.order.size]
        cv2.add(picture, self.plus[k], dst=picture)
        cv2.subtract(picture, self.minus[k], dst=picture)


def render_film(
    plan: FilmPlan, path: Path, params: SampleParams, report: Callable[[int], None] | None = None
) -> Path:
    """Render one film to path (an .mp4), atomically; report(n) is called after each shot of n frames."""
    geo = _Geometry.of(params.width)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.mp4")  # the extension tells OpenCV the container
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), params.fps, (geo.width, geo.height))
    try:
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write mp4v video to {tmp}")
        frame = np.zeros((geo.height, geo.width, 3), np.uint8)
        picture = frame[geo.bar : geo.bar + geo.pic_h]
        grain = _Grain(
            np.random.default_rng([params.seed, plan.index, 1]), geo.pic_h, geo.width, plan.look.grain
        )
        worlds: _Worlds = {}
        frame_no = 0
        for k, shot in enumerate(plan.shots):
            n = (shot.end_ms - shot.start_ms) * plan.fps // 1000
            take = _compose(
                shot,
                plan,
                geo,
                worlds,
                np.random.default_rng([params.seed, plan.index, 2, k]),
                np.random.default_rng([params.seed, plan.index, 3, shot.setup]),
                n,
            )
            for i in range(n):
                take.render(i, n, picture)
                if take.grain:
                    grain.apply(frame_no, picture)
                writer.write(frame)
                frame_no += 1
            if report:
                report(n)
        writer.release()
        os.replace(tmp, path)
    finally:
        writer.release()
        tmp.unlink(missing_ok=True)
    return path


def _compose(
    shot: Shot,
    plan: FilmPlan,
    geo: _Geometry,
    worlds: _Worlds,
    rng: np.random.Generator,
    camera: np.random.Generator,
    n: int,
) -> _Take:
    """Draw a shot's picture(s), graded, and choose its camera move. `camera` draws what its setup fixes (the view
    of the place, where the figures stand), the same for every shot of the setup; `rng` what each take varies."""
    cw, ch = geo.canvas
    centre = (cw / 2, ch / 2, 1.0)
    if shot.shot_type == "black":
        return _Take([np.zeros((ch, cw, 3), np.uint8)], centre, centre, grain=False)
    if shot.shot_type == "title":
        card = draw.grade(draw.title_card(cw, ch, plan.title, rng), plan.look, vignette=False)
        return _Take([card], centre, (cw / 2, ch / 2, 1.04))
    if shot.shot_type == "credits":
        roll = draw.grade(draw.credits_roll(geo.width, geo.pic_h, _credit_lines(plan, rng)), plan.look, False)
        x = geo.width / 2
        return _Take([roll], (x, geo.pic_h / 2, 1.0), (x, roll.shape[0] - geo.pic_h / 2, 1.0))
    if any(key[2] != shot.scene_id for key in worlds):
        worlds.clear()  # a new scene: the old places are not seen again
    backdrop = _backdrop(shot, geo, worlds, camera)
    figures = _FRAMINGS[shot.shot_type](shot, plan, geo, camera)
    speaking = any(f.speaking for f in figures)
    raws = []
    for mouth in (0.0, 0.5, 1.0) if speaking else (0.0,):
        raw = backdrop.copy()
        for fig in figures:
            draw.draw_person(raw, fig.who, replace(fig.pose, mouth=mouth) if fig.speaking else fig.pose)
        raws.append(raw)
    start, end = _camera_move(shot.shot_type, geo, rng)
    return _Take(_graded(raws, plan.look), start, end, _lip_sync(rng, n) if speaking else None)


def _graded(raws: list[np.ndarray], look: Look) -> list[np.ndarray]:
    """Grade the first picture whole and the others (other mouth shapes) only where they differ from it."""
    first = draw.grade(raws[0], look)
    pictures = [first]
    for raw in raws[1:]:
        picture = first.copy()
        ys, xs = np.nonzero((raw != raws[0]).any(axis=2))
        if ys.size:
            box = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
            picture[box[0] : box[1], box[2] : box[3]] = draw.grade(raw, look, box=box)
        pictures.append(picture)
    return pictures


def _camera_move(shot_type: str, geo: _Geometry, rng: np.random.Generator) -> tuple[_Window, _Window]:
    """Slow pans over places; a gentle drift and push-in on people in most shots, a locked-off camera in the rest."""
    cx, cy = geo.canvas[0] / 2, geo.canvas[1] / 2
    if shot_type in ("landscape", "establishing"):
        d = rng.uniform(0.4, 0.85) * geo.mx * rng.choice([-1, 1])
        return (cx - d, cy, 1.0), (cx + d, cy, 1.0)
    if rng.random() < 0.5:
        return (cx, cy, 1.0), (cx, cy, 1.0)
    dx, dy = rng.uniform(-0.5, 0.5) * geo.mx, rng.uniform(-0.3, 0.3) * geo.my
    return (cx - dx, cy - dy, 1.0), (cx + dx, cy + dy, float(rng.uniform(1.0, 1.035)))


def _lip_sync(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mouth shape per frame (0 closed, 1 half, 2 open): syllables of 2-4 frames, with pauses."""
    seq: list[int] = []
    while len(seq) < n:
        if rng.random() < 0.15:
            seq += [0] * int(rng.integers(6, 16))
        else:
            seq += [int(rng.integers(1, 3))] * int(rng.integers(2, 5)) + [0] * int(rng.integers(1, 3))
    return np.array(seq[:n], np.uint8)


def _credit_lines(plan: FilmPlan, rng: np.random.Generator) -> list[str]:
    crew = [f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}" for _ in range(3)]
    cast = [f"{c.name}  ....  {rng.choice(NAMES)} {rng.choice(SURNAMES)}" for c in plan.cast]
    return [
        plan.title,
        "",
        f"Directed by {crew[0]}",
        f"Written by {crew[1]}",
        "",
        "CAST",
        *cast,
        "",
        f"Music by {crew[2]}",
        "",
        "made with moviegoer",
    ]


# Background: share of the place's width in view (long lenses see less of it) and blur (shallow focus), as a share
# of the picture height.
_LENSES = {
    "ecu": (0.4, 0.03),
    "cu": (0.45, 0.022),
    "mcu": (0.55, 0.014),
    "ots": (0.55, 0.014),
    "medium": (0.65, 0.006),
    "two_shot": (0.7, 0.005),
    "full": (0.8, 0.0),
    "wide": (1.0, 0.0),
    "establishing": (1.0, 0.0),
    "landscape": (1.0, 0.0),
}
_PLACES = {
    "interior": draw.interior,
    "exterior": draw.exterior,
    "landscape": draw.landscape,
    "city": draw.city,
}
WORLD_SCALE = 1.6  # a place is drawn this much larger than the canvas, so close shots show a part of it


def _backdrop(shot: Shot, geo: _Geometry, worlds: _Worlds, rng: np.random.Generator) -> np.ndarray:
    """The shot's view of the scene's place; reverse angles (side -1/+1) look at different walls."""
    kind = {"landscape": "landscape", "establishing": "city"}.get(shot.shot_type, shot.setting)
    view = shot.side if shot.shot_type in ("mcu", "ots", "cu", "ecu") else 0
    key = (kind, view, shot.scene_id)
    cw, ch = geo.canvas
    if key not in worlds:
        place_rng = np.random.default_rng([shot.setting_seed, view + 1, list(_PLACES).index(kind)])
        worlds[key] = _PLACES[kind](place_rng, round(cw * WORLD_SCALE), round(ch * WORLD_SCALE))
    world = worlds[key]
    share, blur = _LENSES[shot.shot_type]
    ww, wh = world.shape[1], world.shape[0]
    rw, rh = ww * share, wh * share
    x0 = (ww - rw) / 2 + rng.uniform(-0.5, 0.5) * (ww - rw)
    if shot.shot_type == "full":  # the feet must stand on the floor: keep the bottom of the place in view
        y0 = wh - rh
    else:  # eye level
        y0 = min(wh - rh, max(0.0, wh * rng.uniform(0.38, 0.45) - rh / 2))
    view_img = cv2.resize(
        world[int(y0) : int(y0 + rh), int(x0) : int(x0 + rw)], (cw, ch), interpolation=cv2.INTER_AREA
    )
    if blur > 0:  # blur at quarter size: the same look for a fraction of the cost
        small = cv2.resize(view_img, (cw // 4, ch // 4), interpolation=cv2.INTER_AREA)
        small = cv2.GaussianBlur(small, (0, 0), blur * geo.pic_h / 4)
        view_img = cv2.resize(small, (cw, ch), interpolation=cv2.INTER_LINEAR)
    return view_img


# ---------------------------------------------------------------------------------------------------- framings
# Each framing places its figures by head height (crown to chin, as a share of the picture height) and crown
# position; a body is about 7 heads tall. These proportions are what makes a shot an MCU or not.


def _light(shot: Shot) -> float:
    return 1.0 if shot.setting_seed % 2 else -1.0


def _single(
    shot: Shot, plan: FilmPlan, geo: _Geometry, head: float, top: float, off: float, facing: float, **pose
) -> _Figure:
    who = shot.characters[0]
    x, y = geo.at(0.5 + shot.side * off, top)
    return _Figure(
        plan.character(who),
        Pose(x, y, head * geo.pic_h, -shot.side * facing, light=_light(shot), **pose),
        shot.speaker == who,
    )


def _mcu(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """Head and upper chest, the crown near the top of the picture, left or right of centre."""
    u = rng.uniform
    return [_single(shot, plan, geo, u(0.4, 0.46), u(0.03, 0.08), u(0.12, 0.2), u(0.4, 0.7))]


def _ots(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """An MCU past the blurred back of the other character's head and shoulder."""
    u = rng.uniform
    subject = _single(shot, plan, geo, u(0.36, 0.42), u(0.06, 0.1), u(0.14, 0.2), u(0.5, 0.8))
    x, y = geo.at(0.5 - shot.side * u(0.36, 0.44), u(0.12, 0.3))
    back = Pose(
        x, y, u(0.85, 1.0) * geo.pic_h, back=True, blur=0.02 * geo.pic_h, shade=0.55, light=_light(shot)
    )
    return [subject, _Figure(plan.character(shot.other or ""), back)]


def _cu(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """The face fills most of the height; the crown is cut, the shoulders show at the bottom."""
    u = rng.uniform
    return [_single(shot, plan, geo, u(0.7, 0.8), u(-0.07, -0.01), u(0.06, 0.12), u(0.3, 0.6))]


def _ecu(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """Only the eyes or only the mouth."""
    head = rng.uniform(2.2, 2.8)
    top = 0.5 - (0.5 if rng.random() < 0.6 else 0.83) * head
    return [_single(shot, plan, geo, head, top, rng.uniform(-0.05, 0.05), 0.15)]


def _medium(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """Waist up, with clear headroom."""
    u = rng.uniform
    return [_single(shot, plan, geo, u(0.19, 0.23), u(0.17, 0.26), u(0.1, 0.2), u(0.3, 0.6))]


def _full(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """The whole body, head to feet."""
    u = rng.uniform
    return [_single(shot, plan, geo, u(0.09, 0.105), u(0.07, 0.13), u(0.1, 0.25), u(0.2, 0.6))]


def _two_shot(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """Two people side by side at similar size, turned towards each other."""
    u = rng.uniform
    head, top, gap = u(0.23, 0.28) * geo.pic_h, u(0.1, 0.16), u(0.17, 0.22)
    figures = []
    for s, name in zip((-1, 1), shot.characters, strict=True):
        x, y = geo.at(0.5 + s * (gap + u(-0.02, 0.02)), top + u(-0.02, 0.02))
        pose = Pose(x, y, head * u(0.95, 1.05), -s * u(0.3, 0.5), light=_light(shot))
        figures.append(_Figure(plan.character(name), pose, shot.speaker == name))
    return figures


def _wide(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """Small figures standing in the place."""
    return _crowd([plan.character(n) for n in shot.characters], geo, rng, (0.045, 0.06), _light(shot))


def _establishing(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    """The place from afar, with a few tiny passers-by."""
    extras = [draw.random_character(rng, "extra") for _ in range(int(rng.integers(0, 5)))]
    return _crowd(extras, geo, rng, (0.02, 0.03), _light(shot))


def _crowd(
    people: list[Character],
    geo: _Geometry,
    rng: np.random.Generator,
    heads: tuple[float, float],
    light: float,
) -> list[_Figure]:
    figures = []
    for who in people:
        head = rng.uniform(*heads)
        x, y = geo.at(rng.uniform(0.15, 0.85), rng.uniform(0.8, 0.9) - 7.05 * head)
        figures.append(_Figure(who, Pose(x, y, head * geo.pic_h, rng.uniform(-1, 1), light=light)))
    return sorted(figures, key=lambda f: f.pose.head)  # the nearer (larger) in front


def _nobody(shot: Shot, plan: FilmPlan, geo: _Geometry, rng: np.random.Generator) -> list[_Figure]:
    return []


_FRAMINGS: dict[str, Callable[[Shot, FilmPlan, _Geometry, np.random.Generator], list[_Figure]]] = {
    "mcu": _mcu,
    "ots": _ots,
    "cu": _cu,
    "ecu": _ecu,
    "medium": _medium,
    "full": _full,
    "two_shot": _two_shot,
    "wide": _wide,
    "establishing": _establishing,
    "landscape": _nobody,
}


# ---------------------------------------------------------------------------------------------------- the sample


def render_sample(out_dir: Path, params: SampleParams, progress: bool = True) -> list[Path]:
    """Write out_dir/<film_id>.mp4 for each film and out_dir/timeline.parquet; return the video paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_sample(params)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("frames"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, disable=not progress) as bar:
        tasks = {p.film_id: bar.add_task(f"rendering {p.film_id}", total=p.frames) for p in plans}
        jobs = [(p, out_dir / f"{p.film_id}.mp4") for p in plans]
        jobs.sort(
            key=lambda job: -job[0].frames
        )  # longest first, so no worker is left alone with a long film
        if params.workers <= 1 or len(plans) <= 1:
            paths = [
                render_film(p, path, params, lambda n, f=p.film_id: bar.advance(tasks[f], n))
                for p, path in jobs
            ]
        else:
            paths = _render_in_pool(jobs, params, lambda f, n: bar.advance(tasks[f], n))
        for p in plans:
            bar.update(tasks[p.film_id], completed=p.frames)
    write_timeline(timeline_table(plans), out_dir / TIMELINE_NAME)
    return sorted(paths)


def sample_is_complete(out_dir: Path, params: SampleParams) -> bool:
    """True when `out_dir` holds every film of this params' sample and its timeline (written last), so
    `moviegoer sample` can skip rendering; a changed param changes the planned timeline and forces a render."""
    plans = plan_sample(params)
    timeline = Path(out_dir) / TIMELINE_NAME
    if not timeline.exists() or not all((Path(out_dir) / f"{p.film_id}.mp4").exists() for p in plans):
        return False
    return pq.read_table(timeline).equals(timeline_table(plans))


_progress_queue: Queue | None = None  # in pool workers: where render progress goes


def _init_worker(progress_queue: Queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    cv2.setNumThreads(1)  # one film per core already; more threads only fight over the cores


def _render_task(plan: FilmPlan, path: Path, params: SampleParams) -> Path:
    sink = _progress_queue
    assert sink is not None, "only called in a pool set up by _render_in_pool"
    return render_film(plan, path, params, lambda n: sink.put((plan.film_id, n)))


def _render_in_pool(
    jobs: list[tuple[FilmPlan, Path]], params: SampleParams, advance: Callable[[str, int], None]
) -> list[Path]:
    """One film per task in ``workers`` processes; spawned, not forked, as the parent may hold TensorFlow."""
    ctx = mp.get_context("spawn")
    progress_queue = ctx.Queue()
    with ctx.Pool(min(params.workers, len(jobs)), _init_worker, (progress_queue,)) as pool:
        results = [pool.apply_async(_render_task, (plan, path, params)) for plan, path in jobs]
        while not all(r.ready() for r in results):
            with contextlib.suppress(queue.Empty):
                advance(*progress_queue.get(timeout=0.2))
        return [r.get() for r in results]
