"""Who is on screen: a film's face embeddings clustered into characters. A face too small to identify (a crowd, a
back of a head) and a cluster of fewer faces than `min_faces` stay unassigned (-1) rather than forced into one."""

from __future__ import annotations

import numpy as np

UNASSIGNED = -1


def cluster_characters(embeddings: np.ndarray, max_distance: float, min_faces: int) -> np.ndarray:
    """A character number per embedding (1 = the character with the most faces, ...; UNASSIGNED for faces in
    clusters smaller than `min_faces`). Average-linkage clustering on Euclidean distance, cut at `max_distance`
    (dlib's usual same-person bound is 0.6)."""
    count = len(embeddings)
    if count == 0:
        return np.zeros(0, dtype=int)
    if count == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from sklearn.cluster import AgglomerativeClustering

        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=max_distance, linkage="average", metric="euclidean"
        ).fit_predict(np.asarray(embeddings, dtype=np.float64))
    sizes = np.bincount(labels)
    # largest first; ties by first appearance, so the numbering never depends on the clusterer's own order
    first_seen = {label: int(np.flatnonzero(labels == label)[0]) for label in set(labels.tolist())}
    kept = sorted(
        (label for label in first_seen if sizes[label] >= min_faces), key=lambda c: (-sizes[c], first_seen[c])
    )
    number = {label: position + 1 for position, label in enumerate(kept)}
    return np.array([number.get(label, UNASSIGNED) for label in labels], dtype=int)
