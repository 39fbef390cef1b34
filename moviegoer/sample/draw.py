"""Drawing for the synthetic sample films: people, backgrounds, title and credit cards, the film look.

Everything draws with OpenCV into BGR ``uint8`` images and depends only on its arguments (and the numpy generator
passed in), so the same inputs always give the same pixels. Sizes of people are given in head heights (crown to
chin), the unit in which shot framings are described.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

Color = tuple[int, int, int]  # BGR

HAIR_STYLES = ("short", "long", "curly", "bun", "bald")
BEARDS = ("none", "moustache", "stubble", "full")


@dataclass(frozen=True)
class FaceShape:
    """The proportions that tell one face from another, in head heights (crown to chin). A face recogniser keys on
    these far more than on colours: characters drawn with one shared face read as one person to it."""

    eye_gap: float  # between the eye centres
    eye_y: float  # eye line below the crown
    eye_size: float  # scale of the eyes
    brow: float  # brow thickness
    brow_tilt: float  # inner end raised (+) or lowered (-), degrees
    nose_y: float  # tip of the nose below the crown
    nose_width: float  # half width of the nose tip
    mouth_y: float  # mouth line below the crown
    mouth_width: float  # half width of the lips
    jaw: float  # half width of the lower face, as a share of the head's half width
    face_width: float  # head width / head height
    beard: str  # one of BEARDS
    glasses: bool


@dataclass(frozen=True)
class Character:
    """How one character looks; every attribute is picked so that a film's cast members differ clearly."""

    name: str
    skin: Color
    hair: Color
    hair_style: str
    shirt: Color
    jacket: Color | None
    trousers: Color
    iris: Color
    face: FaceShape


@dataclass(frozen=True)
class Pose:
    """Where and how a character stands in an image, in pixels of that image."""

    cx: float  # horizontal centre of the head
    top: float  # crown of the head
    head: float  # head height, crown to chin
    facing: float = 0.0  # -1 looks screen-left, +1 screen-right, 0 into the lens
    back: bool = False  # seen from behind (the foreground shoulder of an over-the-shoulder shot)
    mouth: float = 0.0  # 0 closed .. 1 wide open
    blur: float = 0.0  # extra Gaussian sigma, for people out of focus
    light: float = 1.0  # key light from screen-right (+1) or screen-left (-1)
    shade: float = 1.0  # overall brightness


@dataclass(frozen=True)
class Look:
    """A film's colour grade, applied to every picture of the film, and its grain."""

    name: str
    saturation: float
    contrast: float
    brightness: float  # offset on the 0..1 scale
    shadows: tuple[float, float, float]  # BGR offset added in proportion to darkness
    highlights: tuple[float, float, float]  # BGR offset added in proportion to lightness
    grain: float  # sigma of the film grain, in 8-bit levels
    vignette: float  # darkening of the corners, 0..1


def _mix(a: Color, b: Color, t: float) -> Color:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _scale(c: Color, f: float) -> Color:
    return tuple(int(min(255, round(x * f))) for x in c)  # type: ignore[return-value]


class _Pen:
    """Fills anti-aliased shapes given in float image coordinates onto a premultiplied BGRA layer.

    The layer may be a window into a larger image (``origin`` is its top-left corner there); OpenCV clips
    whatever falls outside, so huge heads (extreme close-ups) cost no more than small ones.
    """

    SHIFT = 4
    ONE = 1 << SHIFT

    def __init__(self, layer: np.ndarray, origin: tuple[int, int], cx: float, top: float, unit: float):
        self.layer, self.ox, self.oy = layer, origin[0], origin[1]
        self.cx, self.top, self.u = cx, top, unit

    def _pt(self, x: float, y: float) -> tuple[int, int]:
        """A point given in head units relative to the head's centre line and crown."""
        return (
            round((self.cx + x * self.u - self.ox) * self.ONE),
            round((self.top + y * self.u - self.oy) * self.ONE),
        )

    def _len(self, v: float) -> int:
        return max(1, round(v * self.u * self.ONE))

    @staticmethod
    def _bgra(color: Color) -> tuple[int, int, int, int]:
        return (*color, 255)

    def ellipse(
        self,
        x: float,
        y: float,
        ax: float,
        ay: float,
        color: Color,
        start: int = 0,
        end: int = 360,
        thickness: float = 0.0,
    ) -> None:
        width = -1 if thickness <= 0 else max(1, round(thickness * self.u))
        cv2.ellipse(
            self.layer,
            self._pt(x, y),
            (self._len(ax), self._len(ay)),
            0,
            start,
            end,
            self._bgra(color),
            width,
            cv2.LINE_AA,
            self.SHIFT,
        )

    def poly(self, points: list[tuple[float, float]], color: Color) -> None:
        pts = np.array([self._pt(x, y) for x, y in points], np.int32)
        cv2.fillPoly(self.layer, [pts], self._bgra(color), cv2.LINE_AA, self.SHIFT)

    def line(self, points: list[tuple[float, float]], color: Color, thickness: float) -> None:
        pts = np.array([self._pt(x, y) for x, y in points], np.int32)
        cv2.polylines(
            self.layer,
            [pts],
            False,
            self._bgra(color),
            max(1, round(thickness * self.u)),
            cv2.LINE_AA,
            self.SHIFT,
        )


# ---------------------------------------------------------------------------------------------------- people


def draw_person(image: np.ndarray, who: Character, pose: Pose) -> None:
    """Draw ``who`` into ``image`` (in place): body, neck, head with face and hair, shaded and softly edged."""
    u = pose.head
    h, w = image.shape[:2]
    x0, x1 = max(0, int(pose.cx - 1.7 * u)), min(w, int(pose.cx + 1.7 * u) + 2)
    y0, y1 = max(0, int(pose.top - 0.5 * u)), min(h, int(pose.top + 7.3 * u) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    layer = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    pen = _Pen(layer, (x0, y0), pose.cx, pose.top, u)
    _draw_body(pen, who, pose)
    if pose.back:
        _draw_back_of_head(pen, who)
    else:
        _draw_head(pen, who, pose)
    _shade(layer, (x0, y0), who, pose)
    sigma = max(0.6, 0.004 * u) + pose.blur
    layer = cv2.GaussianBlur(layer, (0, 0), sigma)
    region = image[y0:y1, x0:x1]
    alpha = layer[..., 3:4].astype(np.float32) * (1 / 255)
    region[:] = np.clip(region * (1 - alpha) + layer[..., :3], 0, 255).astype(np.uint8)


def _draw_body(pen: _Pen, who: Character, pose: Pose) -> None:
    """Legs, arms, torso and neck, facing the camera; a turned body is drawn a little narrower."""
    t = 1 - 0.15 * abs(pose.facing)
    cloth = who.jacket or who.shirt
    shoes = (30, 30, 35)
    if who.hair_style == "long":  # the hair hanging down the back, seen beside the neck
        fw = who.face.face_width
        pen.poly([(-0.6 * fw, 0.6), (0.6 * fw, 0.6), (0.72 * fw, 1.5), (-0.72 * fw, 1.5)], who.hair)
    pen.poly([(-0.8 * t, 3.2), (0.8 * t, 3.2), (0.78 * t, 3.75), (-0.78 * t, 3.75)], who.trousers)
    for s in (-1, 1):
        pen.poly([(s * 0.78 * t, 3.6), (s * 0.08, 3.6), (s * 0.18, 6.9), (s * 0.62, 6.9)], who.trousers)
        pen.ellipse(s * 0.42, 6.95, 0.28, 0.12, shoes)
        pen.poly(
            [
                (s * 0.95 * t, 1.45),
                (s * 1.22 * t, 2.3),
                (s * 1.12 * t, 3.5),
                (s * 0.86 * t, 3.5),
                (s * 0.9 * t, 2.3),
                (s * 0.7 * t, 1.6),
            ],
            _scale(cloth, 0.85),
        )
        pen.ellipse(s * 0.99 * t, 3.62, 0.13, 0.17, who.skin)
    pen.poly(
        [
            (-0.3, 1.2),
            (-0.9 * t, 1.36),
            (-1.08 * t, 1.6),
            (-1.02 * t, 2.2),
            (-0.85 * t, 3.3),
            (0.85 * t, 3.3),
            (1.02 * t, 2.2),
            (1.08 * t, 1.6),
            (0.9 * t, 1.36),
            (0.3, 1.2),
        ],
        cloth,
    )
    for s in (-1, 1):
        pen.ellipse(s * 0.84 * t, 1.57, 0.26, 0.22, cloth)
    neck = _scale(who.skin, 0.92)
    pen.poly([(-0.17, 0.72), (0.17, 0.72), (0.19, 1.3), (-0.19, 1.3)], neck)
    if pose.back:
        return
    if who.jacket is None:
        pen.ellipse(0, 1.24, 0.26, 0.13, neck, 0, 180)
    else:
        pen.poly([(-0.3, 1.22), (0.3, 1.22), (0.0, 2.15)], who.shirt)
        pen.poly([(-0.19, 1.26), (0.19, 1.26), (0.0, 1.62)], neck)
        dark = _scale(who.jacket, 0.6)
        for s in (-1, 1):
            pen.line([(s * 0.3, 1.22), (s * 0.05, 2.15)], dark, 0.03)


def _draw_hair_back(pen: _Pen, who: Character, fw: float) -> None:
    """Hair volume behind the head, drawn before the face so it shows only around it."""
    style, hair = who.hair_style, who.hair
    if style == "long":
        pen.ellipse(0, 0.55, 0.6 * fw, 0.6, hair)
    elif style == "curly":
        pen.ellipse(0, 0.42, 0.66 * fw, 0.52, hair)
        for k in range(9):
            a = np.pi * (1.05 + 0.9 * k / 8)
            pen.ellipse(0.66 * fw * np.cos(a), 0.42 + 0.52 * np.sin(a), 0.13, 0.13, hair)
    elif style == "bun":
        pen.ellipse(0, -0.06, 0.19, 0.16, hair)
        pen.ellipse(0, 0.45, 0.53 * fw, 0.49, hair)
    elif style == "short":
        pen.ellipse(0, 0.45, 0.53 * fw, 0.49, hair)


def _draw_hair_front(pen: _Pen, who: Character, fw: float, shift: float) -> None:
    """The hairline: a dome over the forehead with temples, leaving the brows and eyes free."""
    hair = who.hair
    if who.hair_style == "bald":
        for s in (-1, 1):
            pen.ellipse(s * 0.49 * fw, 0.42, 0.035, 0.08, _mix(hair, who.skin, 0.6))
        return
    depth = {"long": 0.3, "curly": 0.26, "bun": 0.27, "short": 0.25}[who.hair_style]
    pen.ellipse(shift * 0.3, depth, 0.53 * fw, depth + 0.03, hair, 180, 360)
    for s in (-1, 1):
        pen.ellipse(s * 0.45 * fw, depth + 0.06, 0.1 * fw, 0.14, hair)
    if who.hair_style == "long":
        for s in (-1, 1):
            pen.poly(
                [
                    (s * 0.53 * fw, 0.22),
                    (s * 0.42 * fw, 0.3),
                    (s * 0.5 * fw, 0.75),
                    (s * 0.6 * fw, 1.4),
                    (s * 0.76 * fw, 1.4),
                    (s * 0.66 * fw, 0.6),
                ],
                hair,
            )


def _draw_head(pen: _Pen, who: Character, pose: Pose) -> None:
    """A face seen from the front or three-quarters: features shift towards where the character looks."""
    shape, f = who.face, pose.facing
    fw, shift = shape.face_width, 0.09 * f
    skin = who.skin
    _draw_hair_back(pen, who, fw)
    for s in (-1, 1):
        if s * f < 0.35:  # the ear on the side the face turns to hides behind the cheek
            pen.ellipse(s * 0.49 * fw - 0.03 * f, 0.53, 0.075, 0.13, _scale(skin, 0.88))
            pen.ellipse(s * 0.5 * fw - 0.03 * f, 0.53, 0.035, 0.07, _scale(skin, 0.7))
    pen.ellipse(0, 0.46, 0.5 * fw, 0.46, skin)
    pen.ellipse(0.03 * f, 0.62, shape.jaw * 0.5 * fw, 0.38, skin)
    if pose.head < 10:  # too small for features to show
        _draw_hair_front(pen, who, fw, shift)
        return
    _draw_beard(pen, who, shift)
    socket = _scale(skin, 0.78)
    brow = _mix(who.hair, (20, 20, 25), 0.5) if who.hair_style != "bald" else _scale(skin, 0.5)
    ey, size = shape.eye_y, shape.eye_size
    for s in (-1, 1):
        narrow = 1 - 0.3 * max(0.0, s * f)  # the far eye looks narrower
        ex = shift + s * shape.eye_gap / 2 * fw / 0.72 * narrow
        pen.ellipse(ex, ey, 0.11 * narrow * size, 0.06 * size, socket)
        pen.ellipse(ex, ey + 0.005, 0.082 * narrow * size, 0.036 * size, (228, 232, 238))
        pen.ellipse(ex + 0.02 * f, ey + 0.005, 0.036 * narrow * size, 0.035 * size, who.iris)
        pen.ellipse(ex + 0.02 * f, ey + 0.005, 0.017 * narrow * size, 0.017 * size, (15, 15, 20))
        pen.ellipse(ex + 0.02 * f + 0.012, ey - 0.005, 0.007, 0.007, (250, 250, 250))
        pen.ellipse(ex, ey + 0.005, 0.085 * narrow * size, 0.04 * size, (40, 40, 50), 190, 350, 0.018)
        tilt = round(-s * shape.brow_tilt)  # a raised inner end turns the two brows opposite ways
        pen.ellipse(
            ex, ey - 0.035 * size - 0.01, 0.1 * narrow * size, 0.04, brow, 195 + tilt, 345 + tilt, shape.brow
        )
        if shape.glasses:
            pen.ellipse(ex, ey + 0.005, 0.13 * narrow * size, 0.085 * size, (25, 25, 30), 0, 360, 0.018)
    if shape.glasses:
        pen.line([(shift - 0.06, ey), (shift + 0.06, ey)], (25, 25, 30), 0.016)
    ny, nw = shape.nose_y, shape.nose_width
    nose_x = shift * 1.3
    pen.line([(nose_x - 0.045, ey + 0.03), (nose_x - 0.06, ny + 0.005)], _scale(skin, 0.72), 0.025)
    pen.ellipse(nose_x, ny, nw, 0.045, _scale(skin, 0.93))
    pen.ellipse(nose_x + 0.01 * f, ny - 0.005, nw / 2, 0.022, _mix(skin, (255, 255, 255), 0.15))
    for s in (-1, 1):
        pen.ellipse(nose_x + s * nw / 2, ny + 0.027, 0.018, 0.011, _scale(skin, 0.45))
    _draw_mouth(pen, skin, shift, pose.mouth, shape)
    _draw_hair_front(pen, who, fw, shift)


def _draw_beard(pen: _Pen, who: Character, shift: float) -> None:
    """Facial hair in the character's hair colour, under the nose and mouth that are drawn over it."""
    shape = who.face
    jaw = shape.jaw * 0.5 * shape.face_width
    hair = _mix(who.hair, (20, 20, 25), 0.2)
    if shape.beard == "full":
        pen.ellipse(0.3 * shift, 0.75, jaw, 0.26, hair, 0, 180)
        for s in (-1, 1):
            side = s * shape.face_width
            pen.poly([(0.47 * side, 0.55), (0.5 * side, 0.62), (s * jaw, 0.78), (0.35 * side, 0.78)], hair)
    elif shape.beard == "stubble":
        pen.ellipse(0.3 * shift, 0.78, 0.9 * jaw, 0.2, _mix(who.skin, hair, 0.45), 0, 180)
    if shape.beard in ("moustache", "full"):
        pen.ellipse(shift, shape.mouth_y - 0.045, shape.mouth_width * 1.1, 0.03, hair)


def _draw_mouth(pen: _Pen, skin: Color, shift: float, opening: float, shape: FaceShape) -> None:
    lips = _mix(skin, (70, 60, 160), 0.4)
    x, y, half = shift, shape.mouth_y, shape.mouth_width
    if opening <= 0:
        pen.ellipse(x, y - 0.01, half, 0.02, lips)
        pen.ellipse(x, y + 0.012, half * 0.86, 0.025, _mix(lips, skin, 0.25))
        pen.line([(x - half * 0.95, y), (x, y + 0.004), (x + half * 0.95, y)], _scale(lips, 0.45), 0.012)
        return
    gap = 0.015 + 0.05 * opening
    pen.ellipse(x, y + gap / 2, half, gap / 2 + 0.022, lips)
    pen.ellipse(x, y + gap / 2, half * 0.81, gap / 2, (45, 35, 70))
    pen.ellipse(x, y + 0.004, half * 0.62, 0.012, (200, 206, 215), 0, 180)


def _draw_back_of_head(pen: _Pen, who: Character) -> None:
    """The back of a head: hair (or scalp) and ears, no face."""
    fw = who.face.face_width
    for s in (-1, 1):
        pen.ellipse(s * 0.49 * fw, 0.53, 0.075, 0.13, _scale(who.skin, 0.85))
    bald = who.hair_style == "bald"
    pen.ellipse(0, 0.48, 0.5 * fw, 0.48, who.skin if bald else who.hair)
    if who.hair_style == "long":
        pen.poly([(-0.55 * fw, 0.5), (0.55 * fw, 0.5), (0.65 * fw, 1.5), (-0.65 * fw, 1.5)], who.hair)
    elif who.hair_style == "bun":
        pen.ellipse(0, 0.0, 0.19, 0.16, who.hair)


def _shade(layer: np.ndarray, origin: tuple[int, int], who: Character, pose: Pose) -> None:
    """Give the flat shapes volume: a side key light, a rounded head, a chin shadow, a darker lower body."""
    u, fw = pose.head, who.face.face_width
    h, w = layer.shape[:2]
    xs = ((np.arange(w, dtype=np.float32) + origin[0] - pose.cx) / u)[None, :]
    ys = ((np.arange(h, dtype=np.float32) + origin[1] - pose.top) / u)[:, None]
    side = 1 + 0.14 * pose.light * np.clip(xs, -1.2, 1.2)
    hx = (xs - 0.12 * pose.light - 0.05 * pose.facing) / (0.62 * fw)
    head = np.clip(1.06 - 0.45 * hx**2 - 0.35 * ((ys - 0.45) / 0.62) ** 2, 0.55, 1.1)
    neck = 0.72 + 0.2 * np.clip((ys - 1.0) / 0.3, 0, 1)
    body = 1.04 - 0.08 * np.clip(ys - 1.4, 0, 3) - 0.3 * np.clip(np.abs(xs) - 0.65, 0, 0.6)
    factor = np.where(ys < 0.98, head, np.where((ys < 1.3) & (np.abs(xs) < 0.25), neck, body))
    factor = (factor * side * pose.shade).astype(np.float32)
    layer[..., :3] = np.clip(layer[..., :3] * factor[..., None], 0, 255).astype(np.uint8)


def random_character(rng: np.random.Generator, name: str) -> Character:
    """An anonymous passer-by for establishing shots."""
    return Character(
        name=name,
        skin=SKIN_TONES[rng.integers(len(SKIN_TONES))],
        hair=HAIR_COLORS[rng.integers(len(HAIR_COLORS))],
        hair_style=HAIR_STYLES[rng.integers(len(HAIR_STYLES))],
        shirt=SHIRT_COLORS[rng.integers(len(SHIRT_COLORS))],
        jacket=None,
        trousers=TROUSER_COLORS[rng.integers(len(TROUSER_COLORS))],
        iris=IRIS_COLORS[0],
        face=face_shapes(rng, 1)[0],
    )


# Each proportion of a face has four clearly different levels, so a cast of up to four never shares one.
FACE_LEVELS: dict[str, tuple[float, ...]] = {
    "eye_gap": (0.32, 0.37, 0.42, 0.47),
    "eye_y": (0.44, 0.48, 0.52, 0.56),
    "eye_size": (0.75, 0.95, 1.15, 1.35),
    "brow": (0.02, 0.034, 0.048, 0.062),
    "brow_tilt": (-14.0, -5.0, 5.0, 14.0),
    "nose_y": (0.62, 0.67, 0.72, 0.77),
    "nose_width": (0.05, 0.065, 0.08, 0.095),
    "nose_to_mouth": (0.09, 0.115, 0.14, 0.165),
    "mouth_width": (0.075, 0.1, 0.125, 0.15),
    "jaw": (0.7, 0.78, 0.86, 0.94),
    "face_width": (0.64, 0.7, 0.76, 0.82),
}


def face_shapes(rng: np.random.Generator, count: int) -> list[FaceShape]:
    """`count` (at most four) faces that differ in every proportion and in their facial hair. The levels are spread
    as far apart as the count allows (two characters take the two extremes of every proportion), and about half
    wear glasses: a face recogniser weighs glasses and beards most, and drawn faces otherwise sit closer together
    for it than real ones do."""
    spread = np.linspace(0, 3, count).round().astype(int) if count > 1 else np.array([rng.integers(4)])
    picks = {name: rng.permutation(spread) for name in FACE_LEVELS}
    beards = rng.permutation(len(BEARDS))[:count]
    glasses = rng.permutation(np.arange(count) % 2 == 1)
    shapes = []
    for j in range(count):
        level = {name: FACE_LEVELS[name][picks[name][j]] for name in FACE_LEVELS}
        nose_to_mouth = level.pop("nose_to_mouth")
        shapes.append(
            FaceShape(
                **level,
                mouth_y=level["nose_y"] + nose_to_mouth,
                beard=BEARDS[beards[j]],
                glasses=bool(glasses[j]),
            )
        )
    return shapes


SKIN_TONES: tuple[Color, ...] = (
    (168, 194, 234),
    (140, 174, 222),
    (118, 160, 212),
    (96, 138, 188),
    (74, 110, 160),
    (58, 84, 128),
    (50, 70, 108),
)
HAIR_COLORS: tuple[Color, ...] = (
    (22, 22, 26),
    (30, 48, 78),
    (55, 95, 150),
    (110, 175, 220),
    (165, 165, 170),
    (35, 60, 150),
    (40, 70, 110),
)
SHIRT_COLORS: tuple[Color, ...] = (
    (45, 45, 175),
    (160, 95, 40),
    (60, 135, 55),
    (45, 175, 210),
    (130, 55, 115),
    (222, 222, 222),
    (30, 120, 220),
    (140, 130, 35),
)
JACKET_COLORS: tuple[Color, ...] = ((40, 40, 45), (40, 62, 95), (85, 45, 30), (105, 105, 108))
TROUSER_COLORS: tuple[Color, ...] = ((45, 40, 38), (90, 60, 40), (60, 75, 90), (35, 35, 35), (120, 115, 110))
IRIS_COLORS: tuple[Color, ...] = ((30, 60, 100), (170, 120, 60), (80, 130, 70), (30, 35, 50))


# ---------------------------------------------------------------------------------------------------- places


def _texture(rng: np.random.Generator, h: int, w: int, cell: int, amp: float) -> np.ndarray:
    """Smooth random variation (float32, h x w), for plaster, grass, clouds: noise upsampled from a coarse grid."""
    small = rng.normal(0, 1, (max(2, h // cell), max(2, w // cell))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) * amp


def _gradient(h: int, w: int, top: Color, bottom: Color) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    col = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    return np.repeat(col, w, axis=1)


def _finish(img: np.ndarray, rng: np.random.Generator, amp: float) -> np.ndarray:
    """Add fine texture and convert to uint8."""
    h, w = img.shape[:2]
    img = img + _texture(rng, h, w, 5, amp)[..., None] + _texture(rng, h, w, 48, amp * 0.7)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _rect(
    img: np.ndarray, x0: float, y0: float, x1: float, y1: float, color: Color, thickness: int = -1
) -> None:
    cv2.rectangle(img, (int(x0), int(y0)), (int(x1), int(y1)), color, thickness, cv2.LINE_AA)


WALLS: tuple[Color, ...] = (
    (150, 178, 198),
    (140, 165, 150),
    (170, 150, 120),
    (95, 120, 168),
    (140, 140, 140),
    (70, 92, 64),
    (80, 150, 190),
    (120, 110, 150),
)
SKIES: tuple[tuple[Color, Color], ...] = (
    ((200, 140, 80), (235, 215, 190)),  # clear day
    ((175, 170, 165), (215, 212, 210)),  # overcast
    ((120, 80, 90), (120, 170, 240)),  # dusk
    ((225, 170, 110), (240, 230, 215)),  # pale morning
)


def interior(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A room: textured wall, wooden floor, and a few of window, shelves, pictures, door and lamp."""
    wall = WALLS[rng.integers(len(WALLS))]
    floor_y = h * rng.uniform(0.74, 0.82)
    img = _gradient(h, w, _scale(wall, 0.8), wall)
    img[int(floor_y) :] = _gradient(h - int(floor_y), w, (55, 85, 120), (70, 105, 145))
    img = _finish(img, rng, 5)
    for x in np.arange(rng.uniform(0, 60), w, rng.uniform(70, 120)):
        cv2.line(img, (int(x), int(floor_y)), (int(x + (x - w / 2) * 0.6), h), (45, 70, 100), 2, cv2.LINE_AA)
    _rect(img, 0, floor_y - h * 0.025, w, floor_y, _scale(wall, 0.6))
    slots = rng.permutation(5)
    items = rng.choice(
        ["window", "shelf", "picture", "door", "lamp", "window", "shelf"], size=4, replace=False
    )
    for slot, item in zip(slots, items, strict=False):
        x = w * (0.1 + 0.2 * slot) + rng.uniform(-0.03, 0.03) * w
        _FURNITURE[item](img, rng, x, floor_y, h)
    return img


def _window(img: np.ndarray, rng: np.random.Generator, x: float, floor_y: float, h: int) -> None:
    ww, y0, y1 = h * rng.uniform(0.22, 0.32), h * rng.uniform(0.12, 0.2), floor_y * rng.uniform(0.62, 0.72)
    top, bottom = SKIES[rng.integers(len(SKIES))]
    sky = _gradient(int(y1 - y0), int(ww), top, bottom).astype(np.uint8)
    img[int(y0) : int(y0) + sky.shape[0], int(x - ww / 2) : int(x - ww / 2) + sky.shape[1]] = sky
    frame = (215, 220, 222)
    _rect(img, x - ww / 2, y0, x + ww / 2, y1, frame, max(3, int(h * 0.012)))
    cv2.line(img, (int(x), int(y0)), (int(x), int(y1)), frame, max(2, int(h * 0.008)), cv2.LINE_AA)
    cv2.line(
        img,
        (int(x - ww / 2), int((y0 + y1) / 2)),
        (int(x + ww / 2), int((y0 + y1) / 2)),
        frame,
        max(2, int(h * 0.008)),
        cv2.LINE_AA,
    )
    curtain = SHIRT_COLORS[rng.integers(len(SHIRT_COLORS))]
    for s in (-1, 1):
        _rect(img, x + s * ww * 0.5, y0 - h * 0.03, x + s * ww * 0.72, y1 + h * 0.06, _scale(curtain, 0.7))


def _shelf(img: np.ndarray, rng: np.random.Generator, x: float, floor_y: float, h: int) -> None:
    sw, y0 = h * rng.uniform(0.3, 0.45), floor_y - h * rng.uniform(0.5, 0.65)
    wood = (40, 65, 95)
    _rect(img, x - sw / 2, y0, x + sw / 2, floor_y, _scale(wood, 0.7))
    rows = 4
    for r in range(rows):
        by = y0 + (floor_y - y0) * (r + 1) / rows
        bx = x - sw / 2 + h * 0.01
        while bx < x + sw / 2 - h * 0.03:
            bw, bh = h * rng.uniform(0.012, 0.03), (floor_y - y0) / rows * rng.uniform(0.55, 0.85)
            color = _scale(SHIRT_COLORS[rng.integers(len(SHIRT_COLORS))], rng.uniform(0.5, 0.9))
            _rect(img, bx, by - bh, bx + bw, by - h * 0.012, color)
            bx += bw + h * 0.003
        _rect(img, x - sw / 2, by - h * 0.012, x + sw / 2, by, wood)


def _picture(img: np.ndarray, rng: np.random.Generator, x: float, floor_y: float, h: int) -> None:
    pw, ph, y0 = h * rng.uniform(0.15, 0.25), h * rng.uniform(0.12, 0.2), floor_y * rng.uniform(0.25, 0.4)
    _rect(img, x - pw / 2, y0, x + pw / 2, y0 + ph, (30, 45, 60))
    inner = _gradient(int(ph * 0.8), int(pw * 0.84), SKIES[rng.integers(len(SKIES))][0], (60, 110, 70))
    img[
        int(y0 + ph * 0.1) : int(y0 + ph * 0.1) + inner.shape[0],
        int(x - pw * 0.42) : int(x - pw * 0.42) + inner.shape[1],
    ] = inner.astype(np.uint8)


def _door(img: np.ndarray, rng: np.random.Generator, x: float, floor_y: float, h: int) -> None:
    dw, y0 = h * 0.26, floor_y - h * 0.6
    color = _scale((60, 90, 120), rng.uniform(0.7, 1.3))
    _rect(img, x - dw / 2, y0, x + dw / 2, floor_y, color)
    _rect(img, x - dw / 2, y0, x + dw / 2, floor_y, _scale(color, 0.6), max(2, int(h * 0.008)))
    for py in (0.08, 0.55):
        _rect(
            img,
            x - dw * 0.35,
            y0 + (floor_y - y0) * py,
            x + dw * 0.35,
            y0 + (floor_y - y0) * (py + 0.35),
            _scale(color, 0.8),
            max(1, int(h * 0.005)),
        )
    cv2.circle(
        img,
        (int(x + dw * 0.38), int(floor_y - h * 0.3)),
        max(2, int(h * 0.01)),
        (90, 170, 200),
        -1,
        cv2.LINE_AA,
    )


def _lamp(img: np.ndarray, rng: np.random.Generator, x: float, floor_y: float, h: int) -> None:
    top = floor_y - h * rng.uniform(0.45, 0.55)
    glow = np.zeros(img.shape[:2], np.float32)
    cv2.circle(glow, (int(x), int(top + h * 0.04)), int(h * 0.12), 1.0, -1)
    glow = cv2.GaussianBlur(glow, (0, 0), h * 0.08)
    img[:] = np.clip(img + glow[..., None] * np.array([60, 110, 140], np.float32), 0, 255).astype(np.uint8)
    cv2.line(
        img, (int(x), int(top)), (int(x), int(floor_y)), (30, 30, 35), max(2, int(h * 0.008)), cv2.LINE_AA
    )
    shade = np.array(
        [
            [x - h * 0.06, top],
            [x + h * 0.06, top],
            [x + h * 0.09, top + h * 0.09],
            [x - h * 0.09, top + h * 0.09],
        ],
        np.int32,
    )
    cv2.fillPoly(img, [shade], (150, 215, 240), cv2.LINE_AA)


_FURNITURE = {"window": _window, "shelf": _shelf, "picture": _picture, "door": _door, "lamp": _lamp}


def _sky(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Sky gradient with soft clouds (float32)."""
    top, bottom = SKIES[rng.integers(len(SKIES))]
    img = _gradient(h, w, top, bottom)
    clouds = (
        np.clip(_texture(rng, h, w, 90, 1.0) - 0.5, 0, 1) * np.linspace(1, 0.2, h, dtype=np.float32)[:, None]
    )
    return img + clouds[..., None] * 45


def _tree(img: np.ndarray, rng: np.random.Generator, x: float, ground: float, size: float) -> None:
    cv2.line(
        img,
        (int(x), int(ground)),
        (int(x), int(ground - size * 0.5)),
        (30, 45, 60),
        max(2, int(size * 0.06)),
        cv2.LINE_AA,
    )
    green = (40 + rng.integers(30), 90 + rng.integers(50), 50 + rng.integers(30))
    for _ in range(7):
        cx, cy = x + rng.normal(0, size * 0.18), ground - size * rng.uniform(0.55, 0.95)
        cv2.circle(
            img,
            (int(cx), int(cy)),
            int(size * rng.uniform(0.15, 0.25)),
            _scale(green, rng.uniform(0.7, 1.2)),
            -1,
            cv2.LINE_AA,
        )


def exterior(rng: np.random.Generator, w: int, h: int, scale: float = 1.0) -> np.ndarray:
    """A street: sky, a row of buildings with windows, trees, pavement; scale < 1 sees it from further away."""
    ground = h * rng.uniform(0.68, 0.76) if scale == 1 else h * rng.uniform(0.78, 0.84)
    img = _sky(rng, w, h)
    img[int(ground) :] = _gradient(h - int(ground), w, (120, 122, 125), (95, 98, 100))
    img = _finish(img, rng, 4)
    x = rng.uniform(-0.1, 0) * w
    while x < w:
        bw, bh = w * rng.uniform(0.1, 0.2) * scale, h * rng.uniform(0.3, 0.6) * scale
        color = _scale(WALLS[rng.integers(len(WALLS))], rng.uniform(0.6, 1.0))
        _rect(img, x, ground - bh, x + bw, ground, color)
        lit = (120, 200, 230)
        for wy in np.arange(ground - bh + h * 0.04 * scale, ground - h * 0.06 * scale, h * 0.07 * scale):
            for wx in np.arange(x + bw * 0.1, x + bw * 0.85, bw * 0.2):
                _rect(
                    img,
                    wx,
                    wy,
                    wx + bw * 0.1,
                    wy + h * 0.035 * scale,
                    lit if rng.random() < 0.2 else (60, 55, 50),
                )
        _rect(img, x, ground - bh - h * 0.015 * scale, x + bw, ground - bh, _scale(color, 0.6))
        x += bw + w * rng.uniform(0, 0.03) * scale
    for x in rng.uniform(0, w, size=rng.integers(2, 5)):
        _tree(img, rng, x, ground + h * 0.02 * scale, h * rng.uniform(0.3, 0.45) * scale)
    road = int(ground + (h - ground) * 0.45)
    cv2.line(img, (0, road), (w, road), (200, 200, 200), max(2, int(h * 0.006 * scale)))
    return img


def landscape(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Open country: sky, mountain ridges fading into haze, a meadow, a few trees, sometimes a lake."""
    horizon = h * rng.uniform(0.5, 0.62)
    img = _sky(rng, w, h)
    haze = img[int(horizon)].mean(axis=0)
    xs = np.arange(0, w + 24, 24, dtype=np.float32)
    for layer in range(3):
        base = horizon - h * (0.18 - 0.05 * layer)
        ridge = (
            base
            + np.cumsum(rng.normal(0, h * 0.008, xs.size))
            - h * 0.05 * np.sin(xs / w * rng.uniform(2, 6))
        )
        color = np.array((70, 95, 75), np.float32) * (0.6 + 0.1 * layer) * (1 - 0.25 * (2 - layer)) + haze * (
            0.25 * (2 - layer)
        )
        pts = np.concatenate([np.stack([xs, ridge], 1), [[w, h], [0, h]]]).astype(np.int32)
        cv2.fillPoly(img, [pts], color.tolist(), cv2.LINE_AA)
    meadow = _gradient(h - int(horizon), w, (70, 140, 110), (40, 100, 70))
    img[int(horizon) :] = meadow
    if rng.random() < 0.5:
        y0, y1 = int(horizon + h * 0.05), int(horizon + h * 0.15)
        img[y0:y1] = img[y0 - 2 * (y1 - y0) : y0 - (y1 - y0)][::-1] * 0.8 + np.array((40, 25, 10), np.float32)
    img = _finish(img, rng, 6)
    for x in rng.uniform(0, w, size=rng.integers(1, 5)):
        _tree(img, rng, x, horizon + h * rng.uniform(0.05, 0.3), h * rng.uniform(0.15, 0.35))
    return img


def city(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """An establishing view: the street seen from further away, buildings smaller, more of the sky."""
    return exterior(rng, w, h, scale=0.6)


# ---------------------------------------------------------------------------------------------------- cards


def _text_block(
    img: np.ndarray, lines: list[tuple[str, float]], y: float, color: Color = (235, 235, 235)
) -> float:
    """Centred lines of (text, scale); returns the y below the block."""
    h, w = img.shape[:2]
    font = cv2.FONT_HERSHEY_TRIPLEX
    for text, scale in lines:
        size = scale * h / 300 if h < 2000 else scale
        thick = max(1, round(size * 1.6))
        (tw, th), _ = cv2.getTextSize(text, font, size, thick)
        y += th * 1.9
        cv2.putText(img, text, (int((w - tw) / 2), int(y)), font, size, color, thick, cv2.LINE_AA)
    return y


def title_card(w: int, h: int, title: str, rng: np.random.Generator) -> np.ndarray:
    """The film's title, centred on a dark, slightly mottled ground."""
    img = _finish(_gradient(h, w, (14, 14, 16), (4, 4, 5)), rng, 1.5)
    _text_block(img, [(title, 1.1)], h * 0.36)
    _text_block(img, [("a moviegoer sample film", 0.45)], h * 0.58, (170, 170, 170))
    return img


def credits_roll(w: int, h: int, lines: list[str]) -> np.ndarray:
    """White credits on black, one blank screen above and below, to be scrolled through from top to bottom."""
    line_h = h * 0.12
    img = np.zeros((int(2 * h + line_h * len(lines)), w, 3), np.uint8)
    font, size = cv2.FONT_HERSHEY_DUPLEX, h / 420
    for i, text in enumerate(lines):
        (tw, _), _ = cv2.getTextSize(text, font, size, 1)
        y = h + line_h * (i + 0.7)
        cv2.putText(img, text, (int((w - tw) / 2), int(y)), font, size, (230, 230, 230), 1, cv2.LINE_AA)
    return img


# ---------------------------------------------------------------------------------------------------- look


def grade(
    img: np.ndarray, look: Look, vignette: bool = True, box: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """Apply the film's colour grade: saturation, contrast, brightness, split toning and a vignette.

    With box = (y0, y1, x0, x1) only that part of img is graded and returned, exactly as it would come out of
    grading the whole image (for pictures that differ from an already graded one in a small area).
    """
    h, w = img.shape[:2]
    y0, y1, x0, x1 = box or (0, h, 0, w)
    x = img[y0:y1, x0:x1].astype(np.float32) * (1 / 255)
    lum = x @ np.array([0.114, 0.587, 0.299], np.float32)
    x = lum[..., None] + look.saturation * (x - lum[..., None])
    x = (x - 0.5) * look.contrast + 0.5 + look.brightness
    x += (1 - lum[..., None]) * np.array(look.shadows, np.float32) + lum[..., None] * np.array(
        look.highlights, np.float32
    )
    if vignette and look.vignette > 0:
        x *= _vignette(h, w, look.vignette)[y0:y1, x0:x1, None]
    return np.clip(x * 255, 0, 255).astype(np.uint8)


@lru_cache(maxsize=8)
def _vignette(h: int, w: int, strength: float) -> np.ndarray:
    ys = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    return 1 - strength * np.clip((xs**2 + ys**2) / 2, 0, 1) ** 1.5
