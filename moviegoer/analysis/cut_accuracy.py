"""How the cuts a detector found compare with cuts labelled by eye: hits within a tolerance of frames, one to one.

Only hard cuts are positives. A gradual transition (dissolve, fade, wipe) has no one right frame, so a cut found
inside one (or within the tolerance of its ends) counts neither for nor against the detector."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CutScore:
    cuts: int  # hard cuts labelled
    found: int  # cuts the detector named, less those inside gradual transitions
    hits: int  # labelled cuts matched by a found one

    @property
    def recall(self) -> float:
        return self.hits / self.cuts if self.cuts else 1.0

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def f1(self) -> float:
        total = self.recall + self.precision
        return 2 * self.recall * self.precision / total if total else 0.0

    def __add__(self, other: CutScore) -> CutScore:
        return CutScore(self.cuts + other.cuts, self.found + other.found, self.hits + other.hits)


def score_cuts(
    found: Sequence[int], cuts: Sequence[int], gradual: Sequence[tuple[int, int]], tolerance: int
) -> CutScore:
    """`found` and `cuts`: first frames of new shots; `gradual`: (first, last) frame of each gradual transition.
    Pairs closest in frames are matched first, each cut and each found frame at most once."""
    pairs = sorted(
        (abs(f - c), i, j) for i, f in enumerate(found) for j, c in enumerate(cuts) if abs(f - c) <= tolerance
    )
    matched_found: set[int] = set()
    matched_cuts: set[int] = set()
    for _, i, j in pairs:
        if i not in matched_found and j not in matched_cuts:
            matched_found.add(i)
            matched_cuts.add(j)
    inside_gradual = {
        i
        for i, frame in enumerate(found)
        if i not in matched_found and any(a - tolerance <= frame <= b + tolerance for a, b in gradual)
    }
    return CutScore(len(cuts), len(found) - len(inside_gradual), len(matched_cuts))
