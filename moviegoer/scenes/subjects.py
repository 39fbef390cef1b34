"""Who each shot is about. A dialogue scene is built from *singles*: shots whose main face is large (a medium
close-up, a close-up, an over-the-shoulder shot; not a medium or wide shot) with no second face of similar size. A
single's character comes from its face identity; where the face could not be identified (too turned, too dark, the
identity unclustered) the shot keeps the side of the picture its face is on, which is how shot/reverse-shot coverage
tells its two people apart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from moviegoer.analysis.characters import UNASSIGNED
from moviegoer.core.errors import ParamsError

SINGLE, GROUP, NOBODY = "single", "group", "nobody"


@dataclass(frozen=True)
class ScenesParams:
    min_face_height: (
        float  # a single's main face is at least this share of the picture height (closer than medium)
    )
    max_second_face: float  # ... and no other face is taller than this share of it (else: a group shot)
    min_alternations: int  # a scene changes between its two characters at least this often (A B A B: 3)
    max_cutaway_shots: int  # at most this many shots in a row of neither character inside a scene
    max_gap_s: float  # at most this long between two shots of the pair

    def __post_init__(self) -> None:
        for key in ("min_face_height", "max_second_face"):
            if not isinstance(getattr(self, key), int | float) or not 0 < getattr(self, key) <= 1:
                raise ParamsError(key, f"must be a number in (0, 1] (got {getattr(self, key)!r})")
        for key in ("min_alternations", "max_cutaway_shots"):
            if not isinstance(getattr(self, key), int) or getattr(self, key) < (
                1 if key == "min_alternations" else 0
            ):
                raise ParamsError(key, f"must be a whole number >= 0 (got {getattr(self, key)!r})")
        if not isinstance(self.max_gap_s, int | float) or self.max_gap_s <= 0:
            raise ParamsError("max_gap_s", f"must be a number > 0 (got {self.max_gap_s!r})")


SUBJECT_COLUMNS = ["shot", "start_ms", "end_ms", "kind", "character", "side", "identified"]


def shot_subjects(
    shots: pd.DataFrame, samples: pd.DataFrame, faces: pd.DataFrame, params: ScenesParams
) -> pd.DataFrame:
    """One row per shot, in order: its kind (single, group or nobody), the single's character (UNASSIGNED when its
    face was not identified), the side its face is on (-1 left, +1 right, 0 otherwise) and whether the character
    comes from the face (True) or was inferred from the shot sequence (False)."""
    frames_per_shot = samples.groupby("shot")["frame_index"].nunique()
    kinds: dict[int, tuple[str, int, int]] = {}
    for shot, shot_faces in faces.groupby("shot"):
        votes: list[tuple[str, int, float]] = []
        for _, frame in shot_faces.sort_values("face").groupby("frame_index"):
            main = frame.iloc[0]
            second = frame["height"].iloc[1] if len(frame) > 1 else 0.0
            if main["height"] < params.min_face_height:
                continue  # the people are small: a medium or wide shot
            centre = main["x"] + main["width"] / 2
            kind = SINGLE if second <= params.max_second_face * main["height"] else GROUP
            votes.append((kind, int(main["character"]), centre))
        if not votes:
            continue
        singles = [v for v in votes if v[0] == SINGLE]
        groups = len(votes) - len(singles)
        if len(votes) * 2 <= frames_per_shot.get(shot, len(votes)):
            continue  # most of the shot's sample frames show no large face
        if len(singles) < groups:
            kinds[int(shot)] = (GROUP, UNASSIGNED, 0)
            continue
        named = [character for _, character, _ in singles if character != UNASSIGNED]
        character = max(set(named), key=named.count) if named else UNASSIGNED
        centre = float(np.median([c for *_, c in singles]))
        kinds[int(shot)] = (SINGLE, character, -1 if centre < 0.5 else 1)
    rows = []
    for shot in shots.itertuples(index=False):
        kind, character, side = kinds.get(int(shot.shot), (NOBODY, UNASSIGNED, 0))
        rows.append(
            (int(shot.shot), shot.start_ms, shot.end_ms, kind, character, side, character != UNASSIGNED)
        )
    subjects = pd.DataFrame(rows, columns=SUBJECT_COLUMNS)
    return infer_by_side(subjects)


def infer_by_side(subjects: pd.DataFrame, reach: int = 2) -> pd.DataFrame:
    """Unidentified singles take the character, among the nearest `reach` identified singles on either side, who
    was seen on the same side of the picture; when that is not one character, the shot stays unassigned."""
    subjects = subjects.copy()
    singles = subjects.index[subjects["kind"] == SINGLE].tolist()
    known = [i for i in singles if subjects.at[i, "identified"]]
    for i in singles:
        if subjects.at[i, "identified"]:
            continue
        before = [k for k in known if k < i][-reach:]
        after = [k for k in known if k > i][:reach]
        side = subjects.at[i, "side"]
        matching = {subjects.at[k, "character"] for k in before + after if subjects.at[k, "side"] == side}
        others = {subjects.at[k, "character"] for k in before + after if subjects.at[k, "side"] != side}
        if len(matching) == 1 and not matching & others:
            subjects.at[i, "character"] = matching.pop()
    return subjects
