"""The one interface every frame feature extractor has: a name, the names of its features, and a function from a
picture (BGR, letterbox already cut off) to one value per name. Frame features are the concatenation of the
extractors' outputs, in a fixed order, so a model's feature vector is declared by the list of extractors alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeatureExtractor:
    name: str
    names: tuple[str, ...]
    compute: Callable[[np.ndarray], np.ndarray]

    def __call__(self, bgr_picture: np.ndarray) -> np.ndarray:
        values = np.asarray(self.compute(bgr_picture), dtype=np.float32)
        if values.shape != (len(self.names),):
            raise ValueError(
                f"feature extractor {self.name} returned {values.shape}, not {len(self.names)} values"
            )
        return values
