"""Who each shot is about. A dialogue scene is built from *singles*: shots that show mainly one person. What makes a
single is the shot's scale and its people: its main face is at least a medium shot's (`min_face_height`, about a
tenth of the picture: a person from the waist up) and no second face is of a similar size (else it is a two-shot, a
cutaway). A *close* single (a medium close-up, a close-up, an over-the-shoulder shot: a face of `close_face_height`
or more) is coverage by itself; a *medium* single is a reverse shot only when it is cut directly against another
single (a waist-up shot between two cutaways is a person crossing a room, not one side of a conversation).

Each single then gets a *party*, the one person it shows, from the strongest evidence there is:
1. its face's identity (the analysis' character);
2. else its camera setup's: coverage returns to a setup to show the same person again, so a shot whose face was
   too small, dark or turned to identify takes the person its setup's other singles show; and a shot in which no
   face was found at all (the back of a head in an over-the-shoulder shot, a profile) is a single of its setup
   when that setup's other shots are singles;
3. else the side of the picture its face is on, as the identified singles around it show (shot/reverse-shot puts
   its two people on opposite sides);
4. else the setup itself: an unidentified person who is seen from one camera position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from moviegoer.analysis.characters import UNASSIGNED
from moviegoer.core.errors import ParamsError

SINGLE, GROUP, NOBODY = "single", "group", "nobody"
NO_PARTY = ""


@dataclass(frozen=True)
class ScenesParams:
    min_face_height: (
        float  # a single's main face is at least this share of the picture height (waist up or closer)
    )
    close_face_height: float  # a close single's (MCU, close-up, over-the-shoulder) is at least this share
    max_second_face: float  # ... and no other face is taller than this share of it (else: a group shot)
    min_alternations: int  # a scene changes between its two characters at least this often (A B A B: 3)
    max_cutaway_shots: int  # at most this many shots in a row of neither character inside a scene
    max_gap_s: float  # at most this long between two shots of the pair

    def __post_init__(self) -> None:
        for key in ("min_face_height", "close_face_height", "max_second_face"):
            if not isinstance(getattr(self, key), int | float) or not 0 < getattr(self, key) <= 1:
                raise ParamsError(key, f"must be a number in (0, 1] (got {getattr(self, key)!r})")
        for key in ("min_alternations", "max_cutaway_shots"):
            if not isinstance(getattr(self, key), int) or getattr(self, key) < (
                1 if key == "min_alternations" else 0
            ):
                raise ParamsError(key, f"must be a whole number >= 0 (got {getattr(self, key)!r})")
        if not isinstance(self.max_gap_s, int | float) or self.max_gap_s <= 0:
            raise ParamsError("max_gap_s", f"must be a number > 0 (got {self.max_gap_s!r})")


SUBJECT_COLUMNS = [
    "shot", "start_ms", "end_ms", "setup", "kind", "close", "character", "side", "identified", "party",
]  # fmt: skip


def shot_subjects(
    shots: pd.DataFrame, samples: pd.DataFrame, faces: pd.DataFrame, params: ScenesParams
) -> pd.DataFrame:
    """One row per shot, in order: its setup, kind (single, group or nobody), whether a single is close, the
    single's character (UNASSIGNED when no face identity or setup gives one), the side its face is on (-1 left, +1
    right, 0 otherwise), whether the character comes from the shot's own face (True) or from the film's structure
    (False), and its party: the person the shot is about, as "c<character>" or "s<setup>" (NO_PARTY for shots that
    are not singles, and for medium singles not cut directly against another single)."""
    frames_per_shot = samples.groupby("shot")["frame_index"].nunique()
    kinds: dict[int, tuple[str, int, int, bool]] = {}
    for shot, shot_faces in faces.groupby("shot"):
        votes: list[tuple[str, int, float, float]] = []
        for _, frame in shot_faces.sort_values("face").groupby("frame_index"):
            main = frame.iloc[0]
            second = frame["height"].iloc[1] if len(frame) > 1 else 0.0
            if main["height"] < params.min_face_height:
                continue  # the people are small: a wide shot
            centre = main["x"] + main["width"] / 2
            kind = SINGLE if second <= params.max_second_face * main["height"] else GROUP
            votes.append((kind, int(main["character"]), centre, main["height"]))
        if not votes:
            continue
        singles = [v for v in votes if v[0] == SINGLE]
        groups = len(votes) - len(singles)
        if len(votes) * 2 <= frames_per_shot.get(shot, len(votes)):
            continue  # most of the shot's sample frames show no large face
        if len(singles) < groups:
            kinds[int(shot)] = (GROUP, UNASSIGNED, 0, False)
            continue
        named = [character for _, character, _, _ in singles if character != UNASSIGNED]
        character = max(set(named), key=named.count) if named else UNASSIGNED
        centre = float(np.median([c for _, _, c, _ in singles]))
        close = float(np.median([h for *_, h in singles])) >= params.close_face_height
        kinds[int(shot)] = (SINGLE, character, -1 if centre < 0.5 else 1, close)
    faceless = set(shots["shot"]) - set(faces["shot"])
    rows = []
    for shot in shots.itertuples(index=False):
        kind, character, side, close = kinds.get(int(shot.shot), (NOBODY, UNASSIGNED, 0, False))
        rows.append((int(shot.shot), shot.start_ms, shot.end_ms, int(shot.setup), kind, close, character, side,
                     character != UNASSIGNED, NO_PARTY))  # fmt: skip
    subjects = pd.DataFrame(rows, columns=SUBJECT_COLUMNS)
    subjects = infer_by_setup(subjects, faceless)
    subjects = infer_by_side(subjects)
    return assign_parties(subjects)


def infer_by_setup(subjects: pd.DataFrame, faceless: set[int]) -> pd.DataFrame:
    """Singles without an identified face take the person their setup's identified singles show (the most
    frequent, when there is one); shots in which no face was found become singles of a setup whose other shots
    are all singles, since a camera setup that frames one person keeps framing that person."""
    subjects = subjects.copy()
    singles = subjects[subjects["kind"] == SINGLE]
    others = subjects[subjects["kind"] != SINGLE]
    framing_one = set(singles["setup"]) - set(others.loc[~others["shot"].isin(faceless), "setup"])
    for i in subjects.index[(subjects["kind"] == NOBODY) & subjects["shot"].isin(faceless)]:
        if subjects.at[i, "setup"] in framing_one:
            subjects.at[i, "kind"] = SINGLE
            subjects.at[i, "close"] = bool(
                singles.loc[singles["setup"] == subjects.at[i, "setup"], "close"].any()
            )
    known = singles[singles["identified"]]
    person = {
        setup: int(characters.value_counts().index[0])
        for setup, characters in known.groupby("setup")["character"]
        if characters.value_counts().iloc[0] > characters.value_counts().iloc[1:].sum()
    }
    unknown = (subjects["kind"] == SINGLE) & (subjects["character"] == UNASSIGNED)
    subjects.loc[unknown, "character"] = (
        subjects.loc[unknown, "setup"].map(person).fillna(UNASSIGNED).astype(int)
    )
    return subjects


def infer_by_side(subjects: pd.DataFrame, reach: int = 2) -> pd.DataFrame:
    """Unidentified singles take the character, among the nearest `reach` identified close singles on either side,
    who was seen on the same side of the picture; when that is not one character, the shot stays unassigned. Only
    close singles witness a side: shot/reverse-shot coverage keeps its two people on opposite sides, a wider
    framing of someone passing by does not."""
    subjects = subjects.copy()
    singles = subjects.index[subjects["kind"] == SINGLE].tolist()
    known = [i for i in singles if subjects.at[i, "identified"] and subjects.at[i, "close"]]
    for i in singles:
        if subjects.at[i, "character"] != UNASSIGNED or subjects.at[i, "side"] == 0:
            continue
        before = [k for k in known if k < i][-reach:]
        after = [k for k in known if k > i][:reach]
        side = subjects.at[i, "side"]
        matching = {subjects.at[k, "character"] for k in before + after if subjects.at[k, "side"] == side}
        others = {subjects.at[k, "character"] for k in before + after if subjects.at[k, "side"] != side}
        if len(matching) == 1 and not matching & others:
            subjects.at[i, "character"] = matching.pop()
    return subjects


def assign_parties(subjects: pd.DataFrame) -> pd.DataFrame:
    """Each single's party: its character, or its setup when nothing says who the person is; none for a medium
    single with no single right before or after it."""
    subjects = subjects.copy()
    is_single = subjects["kind"] == SINGLE
    beside_single = is_single.shift(1, fill_value=False) | is_single.shift(-1, fill_value=False)
    singles = is_single & (subjects["close"] | beside_single)
    named = singles & (subjects["character"] != UNASSIGNED)
    subjects.loc[named, "party"] = "c" + subjects.loc[named, "character"].astype(str)
    subjects.loc[singles & ~named, "party"] = "s" + subjects.loc[singles & ~named, "setup"].astype(str)
    return subjects
