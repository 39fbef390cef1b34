"""A film as people reviewed it: its corrections (moviegoer.review.corrections) replayed in the order they were
made over the current analysis and scenes.

A correction names a character by the mean of its faces' identity descriptors, and a scene by its span, because a
new analysis may number both differently: a correction goes to the character whose faces' mean lies nearest (within
`review.name_distance`) and to the scenes overlapping its span by `review.scene_iou` in time. Who each face is
after merges and splits is kept per face, so the shots, the characters and the scenes' people all follow from it.
Bounding a scene anew or setting its two people confirms it: the person looked at it and kept it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.review.corrections import Correction, ReviewParams
from moviegoer.scenes.dialogue import time_iou

NOBODY = -1  # the analysis' UNASSIGNED: a face or shot no character is known for
SPLIT_ROUNDS = 5  # two-means rounds that part a character's faces into the split-off person and the rest
SCENE_COLUMNS = ["scene", "start_ms", "end_ms", "character_a", "character_b", "setup_a", "setup_b",
                 "n_shots", "n_alternations", "confidence", "status", "origin"]  # fmt: skip
# status: found (by the detector, not reviewed), confirmed, rejected, added (by a person); origin: detector / person;
# n_shots, n_alternations, confidence: the detector's, as found (none for an added scene)


class Identities:
    """Who each identified face is, as merges and splits change it."""

    def __init__(self, faces: pd.DataFrame) -> None:
        known = faces[(faces["character"] >= 0) & faces["embedding"].notna()]
        self.shots = known["shot"].to_numpy(dtype=int)
        self.vectors = (
            np.stack(known["embedding"].to_numpy()).astype(np.float32)
            if len(known) else np.zeros((0, 128), np.float32)
        )  # fmt: skip
        self.original = known["character"].to_numpy(dtype=int)
        self.current = self.original.copy()
        self.next_number = int(self.original.max()) + 1 if len(self.original) else 1
        self._centroids: dict[int, np.ndarray] | None = None

    def centroids(self) -> dict[int, np.ndarray]:
        """Each character's mean identity descriptor."""
        if self._centroids is None:
            self._centroids = {
                int(c): self.vectors[self.current == c].mean(axis=0) for c in np.unique(self.current)
            }
        return self._centroids

    def nearest(self, centroid: list[float], within: float) -> int | None:
        """The character whose faces' mean lies nearest `centroid`, if within `within`."""
        known = self.centroids()
        if not known:
            return None
        target = np.asarray(centroid, dtype=np.float32)
        distance, character = min((float(np.linalg.norm(v - target)), c) for c, v in known.items())
        return character if distance <= within else None

    def in_shot(self, character: int, shot: int) -> np.ndarray:
        """The descriptors of `character`'s faces in `shot`."""
        return self.vectors[(self.current == character) & (self.shots == shot)]

    def merge(self, source: int, target: int) -> None:
        self.current[self.current == source] = target
        self._centroids = None

    def split(self, character: int, exemplar: list[float]) -> int | None:
        """Part `character`'s faces by two-means from the split-off person's `exemplar` and the character's own
        mean; the faces nearer the exemplar become a new character, whose number is returned (None when no face,
        or every face, would go)."""
        mine = np.flatnonzero(self.current == character)
        if len(mine) < 2:
            return None
        vectors = self.vectors[mine]
        apart = np.asarray(exemplar, dtype=np.float32)
        rest = vectors.mean(axis=0)
        going = np.zeros(len(mine), bool)
        for _ in range(SPLIT_ROUNDS):
            going = np.linalg.norm(vectors - apart, axis=1) < np.linalg.norm(vectors - rest, axis=1)
            if going.all() or not going.any():
                return None
            apart, rest = vectors[going].mean(axis=0), vectors[~going].mean(axis=0)
        number, self.next_number = self.next_number, self.next_number + 1
        self.current[mine[going]] = number
        self._centroids = None
        return number

    def face_counts(self) -> dict[int, tuple[int, int]]:
        """Each character's (faces, shots it appears in)."""
        return {
            int(c): (int((self.current == c).sum()), len(set(self.shots[self.current == c].tolist())))
            for c in np.unique(self.current)
        }

    def became(self, character: int, shots: range) -> int:
        """Whom the analysis' `character` is now: the character most of its faces (in `shots`, when it has faces
        there) belong to."""
        theirs = self.original == character
        there = theirs & np.isin(self.shots, list(shots))
        theirs = there if there.any() else theirs
        if character < 0 or not theirs.any():
            return character
        values, counts = np.unique(self.current[theirs], return_counts=True)
        return int(values[np.argmax(counts)])

    def shot_characters(self, shots: pd.DataFrame) -> dict[int, int]:
        """Each shot's main character: the analysis' own, or, in a shot whose faces a correction moved, the
        character with most faces in it now."""
        main = {int(s.shot): int(s.character) for s in shots.itertuples()}
        moved = self.current != self.original
        for shot in set(self.shots[moved].tolist()):
            values, counts = np.unique(self.current[self.shots == shot], return_counts=True)
            main[int(shot)] = int(values[np.argmax(counts)])
        return main


@dataclass(frozen=True)
class Reviewed:
    identities: Identities
    names: dict[int, str]  # character -> the name a person gave
    # character -> the character a person merged it into (one person, split by the analysis)
    merged: dict[int, int]
    split: dict[int, int]  # character a person split off -> the character it was split from
    scenes: pd.DataFrame  # SCENE_COLUMNS, in time order: the found scenes as reviewed and the added ones

    def characters(self) -> list[int]:
        """The characters after the corrections, by number."""
        return sorted(self.identities.centroids())


def reviewed(
    corrections: list[Correction], faces: pd.DataFrame, scenes: pd.DataFrame, params: ReviewParams
) -> Reviewed:
    """The corrections applied to the current analysis (its faces table) and scenes, later ones over earlier ones;
    a correction whose character or scene is no longer found waits, unapplied."""
    identities = Identities(faces)
    names: dict[int, str] = {}
    merged: dict[int, int] = {}
    split: dict[int, int] = {}
    rows = _found_rows(scenes, identities)

    def who(centroid: list[float]) -> int | None:
        return identities.nearest(centroid, params.name_distance)

    def matching(subject: dict[str, Any]) -> list[dict[str, Any]]:
        span = (float(subject["start_ms"]), float(subject["end_ms"]))
        return [row for row in rows if time_iou(span, (row["start_ms"], row["end_ms"])) >= params.scene_iou]

    def kept(row: dict[str, Any]) -> None:
        if row["origin"] == "detector":
            row["status"] = "confirmed"

    for correction in corrections:
        kind, subject, value = correction.kind, correction.subject, correction.value
        if kind == "name":
            character = who(subject["centroid"])
            if character is not None:
                names[character] = value["name"]
        elif kind == "merge":
            source, target = who(subject["centroid"]), who(value["into"])
            if source is not None and target is not None and source != target:
                if source in names and target not in names:
                    names[target] = names[source]  # the only name the person gave them
                names.pop(source, None)
                merged[source] = target
                identities.merge(source, target)
        elif kind == "split":
            character = who(subject["centroid"])
            number = identities.split(character, value["exemplar"]) if character is not None else None
            if number is not None:
                split[number] = character
        elif kind == "scene_add":
            rows.append({"scene": 0, "start_ms": float(subject["start_ms"]), "end_ms": float(subject["end_ms"]),
                         "character_a": NOBODY, "character_b": NOBODY, "setup_a": NOBODY, "setup_b": NOBODY,
                         "n_shots": None, "n_alternations": None, "confidence": None,
                         "status": "added", "origin": "person"})  # fmt: skip
        elif kind == "scene_status":
            for row in matching(subject):
                confirmed = value["status"] == "confirmed"
                row["status"] = (
                    ("confirmed" if row["origin"] == "detector" else "added") if confirmed else "rejected"
                )
        elif kind == "scene_bounds":
            for row in matching(subject):
                row["start_ms"], row["end_ms"] = float(value["start_ms"]), float(value["end_ms"])
                kept(row)
        elif kind == "scene_people":
            people = [who(value[side]) for side in ("a", "b")]
            if None not in people:
                for row in matching(subject):
                    row["character_a"], row["character_b"] = people
                    kept(row)
    for row in rows:
        for side in ("character_a", "character_b"):
            while row[side] in merged:  # set before a later merge: follows it
                row[side] = merged[row[side]]
    return Reviewed(identities, names, merged, split, _numbered(rows))


def _found_rows(scenes: pd.DataFrame, identities: Identities) -> list[dict[str, Any]]:
    """The detector's scenes as rows to correct."""
    rows = []
    for s in scenes.itertuples():
        shots = range(int(s.first_shot), int(s.last_shot) + 1)
        rows.append({
            "scene": int(s.scene), "start_ms": float(s.start_ms), "end_ms": float(s.end_ms),
            "character_a": identities.became(int(s.character_a), shots),
            "character_b": identities.became(int(s.character_b), shots),
            "setup_a": int(s.setup_a), "setup_b": int(s.setup_b), "n_shots": int(s.n_shots),
            "n_alternations": int(s.n_alternations), "confidence": float(s.confidence),
            "status": "found", "origin": "detector",
        })  # fmt: skip
    return rows


def _numbered(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The scenes in time order; the added ones numbered after the found ones, in the order they were added."""
    after = max((row["scene"] for row in rows if row["origin"] == "detector"), default=0)
    for number, row in enumerate((row for row in rows if row["origin"] == "person"), start=after + 1):
        row["scene"] = number
    table = pd.DataFrame(rows, columns=SCENE_COLUMNS).astype({"n_shots": "Int64", "n_alternations": "Int64"})
    return table.sort_values(["start_ms", "scene"], kind="stable").reset_index(drop=True)
