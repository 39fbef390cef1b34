"""Two-character dialogue scenes in a film's shot sequence: shot/reverse-shot coverage, where singles of two
parties (two people, each known by face identity or by the camera setup that shows them) alternate A, B, A, B, with
short cutaways allowed inside (a two-shot of both, an insert, a reaction of a third person). Found in one pass over
the shots; nothing is tuned to a particular film."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from moviegoer.analysis.characters import UNASSIGNED
from moviegoer.scenes.subjects import GROUP, NO_PARTY, SINGLE, ScenesParams

REACTION_LOOKAHEAD = 3  # a third person seen again among the next singles is a new partner, not a reaction

SCENE_COLUMNS = [
    "scene", "start_ms", "end_ms", "first_shot", "last_shot", "character_a", "character_b", "setup_a", "setup_b",
    "n_shots", "n_alternations", "confidence",
]  # fmt: skip


@dataclass
class _Run:
    """A stretch of singles of at most two parties, with the cutaways seen since its last single."""

    singles: list[tuple[int, str]] = field(default_factory=list)  # (row, party)
    cutaways: int = 0

    @property
    def pair(self) -> list[str]:
        return list(dict.fromkeys(party for _, party in self.singles))

    @property
    def alternations(self) -> int:
        parties = [party for _, party in self.singles]
        return sum(a != b for a, b in zip(parties, parties[1:], strict=False))

    def add(self, row: int, party: str) -> None:
        self.singles.append((row, party))
        self.cutaways = 0


def find_dialogue_scenes(subjects: pd.DataFrame, params: ScenesParams) -> pd.DataFrame:
    """The dialogue scenes of a film from its `shot_subjects` (one row per shot, in order)."""
    rows = subjects.reset_index(drop=True)
    found: list[tuple[int, int, list[str]]] = []  # first row, last row, the pair
    run = _Run()

    def close() -> None:
        nonlocal run
        if run.alternations >= params.min_alternations:
            found.append((run.singles[0][0], run.singles[-1][0], run.pair))
        run = _Run()

    for i, row in rows.iterrows():
        is_single = row["kind"] == SINGLE and row["party"] != NO_PARTY
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
        party = str(row["party"])
        pair = run.pair
        if len(pair) < 2 or party in pair:
            run.add(int(i), party)
            continue
        coming = _next_singles(rows, int(i), REACTION_LOOKAHEAD)
        within = params.max_cutaway_shots - run.cutaways  # shots this cutaway run may still take
        if party not in coming and coming and coming[0] in pair and _coming_within(rows, int(i), within):
            run.cutaways += 1  # a third person's reaction inside the scene: the pair goes on, without them
            continue
        previous = run.singles[-1]
        was_scene = run.alternations >= params.min_alternations
        close()
        if not was_scene:
            run.add(*previous)  # the conversation goes on with a new partner
        run.add(int(i), party)
    close()
    widened: list[tuple[int, int, list[str]]] = []
    for first, last, pair in found:
        floor = widened[-1][1] + 1 if widened else 0  # never into the scene before
        widened.append(_widen(rows, first, last, pair, floor, params))
    return _table(rows, widened)


def side_label(character: int, setup: int) -> str:
    """A scene's side in a line of text: its character's number, or the camera setup showing a person no face
    identified ("setup 5")."""
    return str(character) if character != UNASSIGNED else f"setup {setup}"


def time_iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Intersection over union of two time spans (start, end): how well a found scene matches a true one."""
    overlap = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    return overlap / (max(a[1], b[1]) - min(a[0], b[0]))


def _next_singles(rows: pd.DataFrame, i: int, count: int) -> list[str]:
    """The parties of the next `count` singles after row `i`."""
    found: list[str] = []
    for j in range(i + 1, len(rows)):
        if rows.at[j, "kind"] == SINGLE and rows.at[j, "party"] != NO_PARTY:
            found.append(str(rows.at[j, "party"]))
            if len(found) == count:
                break
    return found


def _coming_within(rows: pd.DataFrame, i: int, within: int) -> bool:
    """Whether a single of some party follows row `i` within `within` shots."""
    return any(
        rows.at[j, "kind"] == SINGLE and rows.at[j, "party"] != NO_PARTY
        for j in range(i + 1, min(len(rows), i + 1 + max(within, 0)))
    )


def _widen(
    rows: pd.DataFrame, first: int, last: int, pair: list[str], floor: int, params: ScenesParams
) -> tuple[int, int, list[str]]:
    """Take in the two-shots of the pair right before and after the singles (a master shot opening or closing the
    conversation), up to `max_cutaway_shots` on each side, not before row `floor`."""
    for _ in range(params.max_cutaway_shots):
        if first > floor and rows.at[first - 1, "kind"] == GROUP:
            first -= 1
        if last + 1 < len(rows) and rows.at[last + 1, "kind"] == GROUP:
            last += 1
    return first, last, pair


def _table(rows: pd.DataFrame, scenes: list[tuple[int, int, list[str]]]) -> pd.DataFrame:
    records = []
    for number, (first, last, pair) in enumerate(scenes, start=1):
        inside = rows.loc[first:last]
        of_pair = inside[(inside["kind"] == SINGLE) & inside["party"].isin(pair)]
        parties = of_pair["party"].tolist()
        alternations = sum(a != b for a, b in zip(parties, parties[1:], strict=False))
        # how much of the scene is shots of the pair identified by their faces (not inferred, not cutaways)
        confidence = float(of_pair["identified"].sum() / len(inside))
        characters = [int(party[1:]) if party.startswith("c") else UNASSIGNED for party in pair]
        setups = [
            int(of_pair.loc[of_pair["party"] == party, "setup"].value_counts().index[0]) for party in pair
        ]
        records.append((
            number, float(inside["start_ms"].iloc[0]), float(inside["end_ms"].iloc[-1]),
            int(inside["shot"].iloc[0]), int(inside["shot"].iloc[-1]), *characters, *setups, len(inside),
            alternations, round(confidence, 3),
        ))  # fmt: skip
    return pd.DataFrame.from_records(records, columns=SCENE_COLUMNS)
