"""Two-character dialogue scenes in a film's shot sequence: shot/reverse-shot coverage, where singles of two
characters alternate A, B, A, B, with short cutaways allowed inside (a two-shot of both, an insert, a reaction of a
third person). Found in one pass over the shots; nothing is tuned to a particular film."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from moviegoer.analysis.characters import UNASSIGNED
from moviegoer.scenes.subjects import GROUP, SINGLE, ScenesParams

REACTION_LOOKAHEAD = 3  # a third person seen again among the next singles is a new partner, not a reaction

SCENE_COLUMNS = [
    "scene", "start_ms", "end_ms", "first_shot", "last_shot", "character_a", "character_b", "n_shots",
    "n_alternations", "confidence",
]  # fmt: skip


@dataclass
class _Run:
    """A stretch of singles of at most two characters, with the cutaways seen since its last single."""

    singles: list[tuple[int, int]] = field(default_factory=list)  # (row, character)
    cutaways: int = 0

    @property
    def pair(self) -> list[int]:
        return list(dict.fromkeys(character for _, character in self.singles))

    @property
    def alternations(self) -> int:
        characters = [character for _, character in self.singles]
        return sum(a != b for a, b in zip(characters, characters[1:], strict=False))

    def add(self, row: int, character: int) -> None:
        self.singles.append((row, character))
        self.cutaways = 0


def find_dialogue_scenes(subjects: pd.DataFrame, params: ScenesParams) -> pd.DataFrame:
    """The dialogue scenes of a film from its `shot_subjects` (one row per shot, in order)."""
    rows = subjects.reset_index(drop=True)
    found: list[tuple[int, int, list[int]]] = []  # first row, last row, the pair
    run = _Run()

    def close() -> None:
        nonlocal run
        if run.alternations >= params.min_alternations:
            found.append((run.singles[0][0], run.singles[-1][0], run.pair))
        run = _Run()

    for i, row in rows.iterrows():
        is_single = row["kind"] == SINGLE and row["character"] != UNASSIGNED
        if run.singles and is_single:
            last = rows.loc[run.singles[-1][0]]
            if (row["start_ms"] - last["end_ms"]) / 1000 > params.max_gap_s:
                close()
        if not is_single:
            if run.singles:
                run.cutaways += 1
                if run.cutaways > params.max_cutaway_shots:
                    close()
            continue
        character = int(row["character"])
        pair = run.pair
        if len(pair) < 2 or character in pair:
            run.add(int(i), character)
            continue
        coming = _next_singles(rows, int(i), REACTION_LOOKAHEAD)
        within = params.max_cutaway_shots - run.cutaways  # shots this cutaway run may still take
        if character not in coming and coming and coming[0] in pair and _coming_within(rows, int(i), within):
            run.cutaways += 1  # a third person's reaction inside the scene: the pair goes on, without them
            continue
        previous = run.singles[-1]
        was_scene = run.alternations >= params.min_alternations
        close()
        if not was_scene:
            run.add(*previous)  # the conversation goes on with a new partner
        run.add(int(i), character)
    close()
    widened: list[tuple[int, int, list[int]]] = []
    for first, last, pair in found:
        floor = widened[-1][1] + 1 if widened else 0  # never into the scene before
        widened.append(_widen(rows, first, last, pair, floor, params))
    return _table(rows, widened)


def time_iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Intersection over union of two time spans (start, end): how well a found scene matches a true one."""
    overlap = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    return overlap / (max(a[1], b[1]) - min(a[0], b[0]))


def _next_singles(rows: pd.DataFrame, i: int, count: int) -> list[int]:
    """The characters of the next `count` identified singles after row `i`."""
    found: list[int] = []
    for j in range(i + 1, len(rows)):
        if rows.at[j, "kind"] == SINGLE and rows.at[j, "character"] != UNASSIGNED:
            found.append(int(rows.at[j, "character"]))
            if len(found) == count:
                break
    return found


def _coming_within(rows: pd.DataFrame, i: int, within: int) -> bool:
    """Whether an identified single follows row `i` within `within` shots."""
    return any(
        rows.at[j, "kind"] == SINGLE and rows.at[j, "character"] != UNASSIGNED
        for j in range(i + 1, min(len(rows), i + 1 + max(within, 0)))
    )


def _widen(
    rows: pd.DataFrame, first: int, last: int, pair: list[int], floor: int, params: ScenesParams
) -> tuple[int, int, list[int]]:
    """Take in the two-shots of the pair right before and after the singles (a master shot opening or closing the
    conversation), up to `max_cutaway_shots` on each side, not before row `floor`."""
    for _ in range(params.max_cutaway_shots):
        if first > floor and rows.at[first - 1, "kind"] == GROUP:
            first -= 1
        if last + 1 < len(rows) and rows.at[last + 1, "kind"] == GROUP:
            last += 1
    return first, last, pair


def _table(rows: pd.DataFrame, scenes: list[tuple[int, int, list[int]]]) -> pd.DataFrame:
    records = []
    for number, (first, last, pair) in enumerate(scenes, start=1):
        inside = rows.loc[first:last]
        of_pair = inside[(inside["kind"] == SINGLE) & inside["character"].isin(pair)]
        characters = of_pair["character"].tolist()
        alternations = sum(a != b for a, b in zip(characters, characters[1:], strict=False))
        # how much of the scene is shots of the pair identified by their faces (not inferred, not cutaways)
        confidence = float(of_pair["identified"].sum() / len(inside))
        records.append((
            number, float(inside["start_ms"].iloc[0]), float(inside["end_ms"].iloc[-1]),
            int(inside["shot"].iloc[0]), int(inside["shot"].iloc[-1]), int(pair[0]), int(pair[1]), len(inside),
            alternations, round(confidence, 3),
        ))  # fmt: skip
    return pd.DataFrame.from_records(records, columns=SCENE_COLUMNS)
