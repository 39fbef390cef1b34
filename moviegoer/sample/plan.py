"""Plan the embedded sample's films: casts, looks and shots of known type, cut to a deterministic timeline.

Planning is pure and cheap, so tests and labels can use the timeline without rendering a single frame."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from math import gcd
from typing import NamedTuple

import numpy as np

from moviegoer.sample import draw
from moviegoer.sample.draw import Character, Look


@dataclass(frozen=True)
class SampleParams:
    films: int
    min_duration_s: float
    max_duration_s: float  # each film's duration is drawn from [min, max] with the seed
    fps: int
    width: int  # frame is width x round(width * 9 / 16); the 2.39:1 picture is letterboxed inside
    seed: int
    workers: int  # processes, one film per process


SHOT_TYPES: tuple[str, ...] = (
    "mcu",
    "ots",
    "cu",
    "ecu",
    "medium",
    "full",
    "wide",
    "establishing",
    "two_shot",
    "landscape",
    "black",
    "title",
    "credits",
)
MCU_SHOT_TYPES: frozenset[str] = frozenset({"mcu", "ots", "cu"})  # labelled "mcu" (see LABELLING_GUIDE.md)
ASPECT = 2.39
TARGET_MCU_SHARE = 0.27  # of the time between title and credits; real films run ~26 % MCU frames overall


# ---------------------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Shot:
    """One shot of the plan: the timeline columns plus what the renderer needs to draw it."""

    start_ms: int
    end_ms: int
    shot_type: str
    characters: tuple[str, ...]  # the subject(s), left to right
    scene_id: int
    is_dialogue: bool
    setting: str  # "interior", "exterior" or "card": the scene's place
    setting_seed: int
    side: int = 0  # a single subject stands left (-1) of, on (0) or right (+1) of centre
    speaker: str | None = None  # whose mouth moves
    other: str | None = None  # the back of whose head is in the foreground of an over-the-shoulder shot
    setup: int = 0  # the camera setup (1, 2, ... per film): one camera position, framing and backdrop


@dataclass(frozen=True)
class FilmPlan:
    index: int
    film_id: str
    title: str
    fps: int
    look: Look
    cast: tuple[Character, ...]
    shots: tuple[Shot, ...]

    @property
    def duration_ms(self) -> int:
        return self.shots[-1].end_ms

    @property
    def frames(self) -> int:
        return self.duration_ms * self.fps // 1000

    def character(self, name: str) -> Character:
        return next(c for c in self.cast if c.name == name)


class _Beat(NamedTuple):
    """A shot before it is placed on the time line."""

    shot_type: str
    seconds: float
    characters: tuple[str, ...] = ()
    side: int = 0
    speaker: str | None = None
    other: str | None = None


NAMES = (
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Elsa",
    "Farid",
    "Greta",
    "Hugo",
    "Iris",
    "Jonah",
    "Kemi",
    "Leo",
    "Mara",
    "Nils",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Viktor",
    "Wren",
    "Yusuf",
)
SURNAMES = (
    "Adler",
    "Brandt",
    "Castillo",
    "Dahl",
    "Eze",
    "Fontaine",
    "Grau",
    "Holm",
    "Ito",
    "Jansen",
    "Kovac",
)
TITLE_WORDS = (
    ("LONG", "QUIET", "LAST", "OTHER", "SILVER", "NORTHERN", "EMPTY", "SECOND", "DISTANT", "BURNING"),
    ("AFTERNOON", "HARBOUR", "LETTER", "WINTER", "STATION", "GARDEN", "ROOM", "SIGNAL", "SUMMER", "BRIDGE"),
)
LOOKS = (
    Look("teal_orange", 1.1, 1.12, 0.0, (0.07, 0.04, -0.03), (-0.06, 0.0, 0.06), 0, 0),
    Look("warm", 1.05, 1.0, 0.02, (-0.01, 0.01, 0.03), (-0.07, 0.0, 0.05), 0, 0),
    Look("cold", 0.85, 1.05, -0.01, (0.06, 0.02, -0.03), (0.06, 0.02, -0.05), 0, 0),
    Look("desaturated", 0.4, 1.08, -0.02, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 0, 0),
    Look("green_tint", 0.85, 1.05, -0.01, (0.0, 0.05, -0.02), (-0.03, 0.04, -0.02), 0, 0),
    Look("high_contrast", 1.15, 1.45, -0.03, (0.01, 0.0, 0.0), (0.0, 0.0, 0.01), 0, 0),
)


def plan_sample(params: SampleParams) -> list[FilmPlan]:
    return [plan_film(i, params) for i in range(params.films)]


def plan_film(film_index: int, params: SampleParams) -> FilmPlan:
    """Cast, look and shot list of one film: pure and deterministic for (params.seed, film_index)."""
    rng = np.random.default_rng([params.seed, film_index])
    step = _step_ms(params.fps)
    duration = max(
        8 * step, _quantize(rng.uniform(params.min_duration_s, params.max_duration_s) * 1000, step)
    )
    cast = _cast(film_index, params.seed, rng)
    cutter = _Cutter(step)

    def part(lo_s: float, hi_s: float, share: float) -> int:
        """A title/black/credits length: lo..hi seconds, but at most a share of a (tiny) film."""
        return min(_quantize(rng.uniform(lo_s, hi_s) * 1000, step), _quantize(duration * share, step))

    title_end = part(4, 6, 0.2)
    body_start = title_end + part(1, 2, 0.08)
    credits_start = duration - part(9, 12, 0.25)
    body_end = credits_start - part(1, 2, 0.08)
    cutter.scene("card", 0, False)
    cutter.play([_Beat("title", 99)], title_end)
    cutter.play([_Beat("black", 99)], body_start)
    short = body_end - body_start < 60_000  # a test film: straight into dialogue, so it has MCUs to label
    first = True
    while cutter.t < body_end:
        share = cutter.mcu_ms / max(1, cutter.t - body_start)
        dialogue = share < TARGET_MCU_SHARE and (short or not first)
        cutter.scene(_pick_setting(rng, dialogue), int(rng.integers(2**31)), dialogue)
        beats = _dialogue(rng, cast, opener=not short) if dialogue else _interlude(rng, cast, opening=first)
        cutter.play(beats, body_end)
        first = False
    cutter.scene("card", 0, False)
    cutter.play([_Beat("black", 99)], credits_start)
    cutter.play([_Beat("credits", 99)], duration)
    return FilmPlan(
        film_index,
        f"sample_{film_index + 1:02d}",
        _title(rng),
        params.fps,
        _look(film_index, params.seed, rng),
        cast,
        tuple(cutter.shots),
    )


def _step_ms(fps: int) -> int:
    """The shortest length that is a whole number of both frames and milliseconds, so cuts fall exactly on a frame."""
    return 1000 // gcd(fps, 1000)


def _quantize(ms: float, step: int) -> int:
    return int(round(ms / step)) * step


class _Cutter:
    """Lays shots end to end on the film's time line, each a whole number of frames long."""

    MIN_TAIL_MS = 1500  # a section's last shot absorbs any rest shorter than this

    def __init__(self, step: int):
        self.step, self.t, self.mcu_ms = step, 0, 0
        self.shots: list[Shot] = []
        self._scene = (-1, "card", 0, False)
        self._setups: dict[tuple, int] = {}

    def scene(self, setting: str, seed: int, dialogue: bool) -> None:
        self._scene = (self._scene[0] + 1, setting, seed, dialogue)

    def play(self, beats: Iterator[_Beat] | list[_Beat], until: int) -> None:
        """Place beats one after another, the last one cut short (or stretched a little) to end exactly at until."""
        scene_id, setting, seed, dialogue = self._scene
        for beat in beats:
            if self.t >= until:
                return
            length = max(self.step, _quantize(beat.seconds * 1000, self.step))
            if until - (self.t + length) < self.MIN_TAIL_MS:
                length = until - self.t
            # a dialogue's coverage comes back to its camera setups (A's MCU, B's over-the-shoulder, ...); any
            # other shot is filmed from a setup of its own
            view = (beat.shot_type, beat.characters, beat.side, beat.other)
            key = (scene_id, *view) if dialogue else (scene_id, len(self.shots))
            setup = self._setups.setdefault(key, len(self._setups) + 1)
            self.shots.append(
                Shot(
                    self.t,
                    self.t + length,
                    beat.shot_type,
                    beat.characters,
                    scene_id,
                    dialogue,
                    setting,
                    seed,
                    beat.side,
                    beat.speaker,
                    beat.other,
                    setup,
                )
            )
            if beat.shot_type in MCU_SHOT_TYPES:
                self.mcu_ms += length
            self.t += length


def _pick_setting(rng: np.random.Generator, dialogue: bool) -> str:
    return "interior" if rng.random() < (0.65 if dialogue else 0.25) else "exterior"


def _dialogue(rng: np.random.Generator, cast: tuple[Character, ...], opener: bool = True) -> Iterator[_Beat]:
    """Two characters talk: an opening master, then MCU-type coverage alternating A/B with a few inserts.

    A stands left of centre looking right, B right of centre looking left, as in real shot/reverse-shot coverage.
    """
    a, b = (cast[i].name for i in rng.choice(len(cast), 2, replace=False))
    pair = (a, b)
    master = str(rng.choice(["establishing", "wide", "two_shot"], p=[0.35, 0.35, 0.3]))
    if opener:
        yield _Beat(
            master,
            rng.uniform(3, 6),
            () if master == "establishing" else pair,
            speaker=a if master == "two_shot" else None,
        )
    turns, first = int(rng.integers(3, 9)), int(rng.integers(2))
    for k in range(turns):
        who, other = pair[(first + k) % 2], pair[(first + k + 1) % 2]
        side = -1 if who == a else 1
        kind = str(rng.choice(["mcu", "ots", "cu"], p=[0.6, 0.25, 0.15]))
        seconds = {"mcu": rng.uniform(2.5, 7), "ots": rng.uniform(2.5, 6), "cu": rng.uniform(2, 5)}[kind]
        speaker = who if rng.random() < 0.85 else None
        yield _Beat(kind, seconds, (who,), side, speaker, other if kind == "ots" else None)
        if k < turns - 1 and rng.random() < 0.25:
            insert = str(rng.choice(["two_shot", "ecu", "medium"], p=[0.45, 0.3, 0.25]))
            if insert == "two_shot":
                yield _Beat(insert, rng.uniform(3, 6), pair, speaker=pair[int(rng.integers(2))])
            else:
                yield _Beat(
                    insert, rng.uniform(2, 3) if insert == "ecu" else rng.uniform(3, 5), (who,), side, who
                )
    if rng.random() < 0.3:
        yield _Beat(str(rng.choice(["wide", "two_shot"])), rng.uniform(3, 6), pair)


def _interlude(rng: np.random.Generator, cast: tuple[Character, ...], opening: bool) -> Iterator[_Beat]:
    """A stretch without dialogue: places, people arriving, looks; the film's first one sets the scene."""
    if opening:
        yield _Beat("landscape", rng.uniform(4, 8))
        yield _Beat("establishing", rng.uniform(3, 6))
    kinds = ["landscape", "establishing", "wide", "full", "medium", "two_shot", "ecu", "black"]
    weights = [0.2, 0.13, 0.2, 0.15, 0.12, 0.1, 0.06, 0.04]
    names = [c.name for c in cast]
    for _ in range(int(rng.integers(2, 5))):
        kind = str(rng.choice(kinds, p=weights))
        if kind in ("landscape", "establishing"):
            yield _Beat(kind, rng.uniform(4, 9))
        elif kind == "black":
            yield _Beat(kind, rng.uniform(1, 2))
        elif kind in ("wide", "two_shot"):
            count = 2 if kind == "two_shot" else int(rng.integers(1, min(3, len(names)) + 1))
            yield _Beat(kind, rng.uniform(3, 8), tuple(rng.choice(names, count, replace=False).tolist()))
        else:
            who = str(rng.choice(names))
            yield _Beat(
                kind,
                rng.uniform(2, 3) if kind == "ecu" else rng.uniform(3, 7),
                (who,),
                int(rng.integers(-1, 2)),
            )


def _cast(film_index: int, seed: int, rng: np.random.Generator) -> tuple[Character, ...]:
    """2-4 characters who differ in every attribute; names are unique across the whole sample."""
    size = 2 if film_index == 0 else int(rng.integers(2, 5))
    order = np.random.default_rng(seed).permutation(len(NAMES))
    picks = {
        k: rng.permutation(len(v))[:size]
        for k, v in {
            "hair": draw.HAIR_COLORS,
            "style": draw.HAIR_STYLES,
            "shirt": draw.SHIRT_COLORS,
            "jacket": draw.JACKET_COLORS,
            "trousers": draw.TROUSER_COLORS,
            "iris": draw.IRIS_COLORS,
        }.items()
    }
    faces = draw.face_shapes(rng, size)
    # skin tones as far apart as the cast allows: a face recogniser weighs them
    picks["skin"] = rng.permutation(np.linspace(0, len(draw.SKIN_TONES) - 1, size).round().astype(int))
    cast = []
    for j in range(size):
        slot = 4 * film_index + j
        name = NAMES[order[slot % len(NAMES)]] + ("" if slot < len(NAMES) else f" {slot // len(NAMES) + 1}")
        cast.append(
            Character(
                name=name,
                skin=draw.SKIN_TONES[picks["skin"][j]],
                hair=draw.HAIR_COLORS[picks["hair"][j]],
                hair_style=draw.HAIR_STYLES[picks["style"][j]],
                shirt=draw.SHIRT_COLORS[picks["shirt"][j]],
                jacket=draw.JACKET_COLORS[picks["jacket"][j]] if rng.random() < 0.5 else None,
                trousers=draw.TROUSER_COLORS[picks["trousers"][j]],
                iris=draw.IRIS_COLORS[picks["iris"][j]],
                face=faces[j],
            )
        )
    return tuple(cast)


def _look(film_index: int, seed: int, rng: np.random.Generator) -> Look:
    """Every film of a sample gets a different grade (while there are grades left), grain and brightness."""
    order = np.random.default_rng([seed, 1]).permutation(len(LOOKS))
    base = LOOKS[order[film_index % len(LOOKS)]]
    return replace(
        base,
        brightness=base.brightness + float(rng.uniform(-0.04, 0.03)),
        grain=float(rng.uniform(1.2, 2.8)),
        vignette=float(rng.uniform(0.15, 0.4)),
    )


def _title(rng: np.random.Generator) -> str:
    return f"THE {rng.choice(TITLE_WORDS[0])} {rng.choice(TITLE_WORDS[1])}"
