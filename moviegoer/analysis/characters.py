"""Who is on screen: a film's face embeddings clustered into characters, with what the editing guarantees.

Face embeddings alone split a person whose face is small, dark or turned into several characters, and can join two
people who look alike. Two facts of how films are cut hold regardless of how faces look:
- two faces in one frame are two people (a person is not in a frame twice): they never share a character;
- a camera setup (analysis.setups) that shows one face at a time keeps showing the same person: coverage returns
  to a setup to see that person again. So the lone faces of one setup are one person, unless their faces strongly
  disagree (an embedding distance that two pictures of one person do not reach): then the face wins, because a
  setup can be reused for someone else (a doorway, a seat taken by another).
A face too small to identify and a cluster of fewer faces than `min_faces` stay unassigned (-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNASSIGNED = -1
APART = (
    1e6  # the distance given to two faces of one frame: no average over a cluster brings it under a threshold
)


@dataclass(frozen=True)
class FaceContext:
    """Where each embedded face was seen: its frame (a film-wide key), its shot's camera setup, and whether it was
    the only identifiable face of its frame."""

    frames: np.ndarray  # one key per face; faces of one frame share it
    setups: np.ndarray
    lone: np.ndarray  # bool


def cluster_characters(
    embeddings: np.ndarray,
    context: FaceContext,
    max_distance: float,
    must_link_distance: float,
    min_faces: int,
) -> np.ndarray:
    """A character number per embedding (1 = the character with the most faces, ...; UNASSIGNED for faces in
    clusters smaller than `min_faces`). Average-linkage clustering of Euclidean distances cut at `max_distance`
    (dlib's usual same-person bound is 0.6), on distances that carry the two rules above: faces of one frame are
    kept apart, and the lone faces of one setup within `must_link_distance` of its most typical face are joined."""
    count = len(embeddings)
    if count == 0:
        return np.zeros(0, dtype=int)
    from sklearn.metrics.pairwise import euclidean_distances

    distances = euclidean_distances(np.asarray(embeddings, dtype=np.float64))
    linked = _setup_links(distances, context, must_link_distance)
    adjusted = np.where(linked, 0.0, distances)
    same_frame = context.frames[:, None] == context.frames[None, :]
    adjusted[same_frame] = APART
    np.fill_diagonal(adjusted, 0.0)
    if count == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from sklearn.cluster import AgglomerativeClustering  # noqa: I001  (imported when there is work)

        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=max_distance, linkage="average", metric="precomputed"
        ).fit_predict(adjusted)
    return _numbered(labels, min_faces)


def _setup_links(distances: np.ndarray, context: FaceContext, must_link_distance: float) -> np.ndarray:
    """Pairs of lone faces of one setup that are one person: both near the setup's medoid (its face most like the
    others), so that one stranger in a setup does not pull its regulars apart or join them."""
    linked = np.zeros(distances.shape, dtype=bool)
    for setup in np.unique(context.setups[context.lone]):
        members = np.flatnonzero(context.lone & (context.setups == setup))
        if len(members) < 2:
            continue
        block = distances[np.ix_(members, members)]
        medoid = int(np.argmin(block.sum(axis=1)))
        agreeing = members[block[medoid] <= must_link_distance]
        linked[np.ix_(agreeing, agreeing)] = True
    return linked


def _numbered(labels: np.ndarray, min_faces: int) -> np.ndarray:
    sizes = np.bincount(labels)
    # largest first; ties by first appearance, so the numbering never depends on the clusterer's own order
    first_seen = {label: int(np.flatnonzero(labels == label)[0]) for label in set(labels.tolist())}
    kept = sorted(
        (label for label in first_seen if sizes[label] >= min_faces), key=lambda c: (-sizes[c], first_seen[c])
    )
    number = {label: position + 1 for position, label in enumerate(kept)}
    return np.array([number.get(label, UNASSIGNED) for label in labels], dtype=int)
