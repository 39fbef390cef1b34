"""The frames to label: every extracted frame (the manifests), the default model's MCU probability for each as the
suggestion, and the listing the page asks for (a film, unlabelled only, disagreements with the model; in timeline,
random or most-uncertain-first order)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from moviegoer.labelling.store import LabelStore, state_of

ORDERS = ("uncertain", "timeline", "random")


@dataclass
class FrameIndex:
    frames: pd.DataFrame  # film_id, frame, t_ms, path, p_mcu (NaN without suggestions), in timeline order
    threshold: float  # the default model's operating point: p_mcu >= threshold suggests "mcu"

    def __post_init__(self) -> None:
        keys = zip(self.frames["film_id"], self.frames["frame"], strict=True)
        self._paths = dict(zip(keys, self.frames["path"], strict=True))

    def path_of(self, film_id: str, frame: str) -> Path | None:
        """The file of a frame the manifests list; None for anything else (so no name reaches the file system)."""
        path = self._paths.get((film_id, frame))
        return None if path is None else Path(path)

    def suggestion(self, p: float) -> str | None:
        return None if np.isnan(p) else ("mcu" if p >= self.threshold else "non_mcu")

    def listing(
        self,
        store: LabelStore,
        film: str | None,
        unlabelled: bool,
        disagreements: bool,
        order: str,
        seed: int,
    ) -> list[dict]:
        frames = self.frames if not film else self.frames[self.frames["film_id"] == film]
        merged = frames.merge(store.table.drop(columns=["t_ms", "note"]), on=["film_id", "frame"], how="left")
        rows = []
        for f in merged.itertuples(index=False):
            state = None if pd.isna(f.label) else state_of(pd.Series(f._asdict()))
            suggested = self.suggestion(f.p_mcu)
            if unlabelled and state is not None:
                continue
            if disagreements and (state is None or suggested is None or state["label"] == suggested):
                continue
            rows.append({
                "film_id": f.film_id, "frame": f.frame, "t_ms": f.t_ms,
                "p_mcu": None if np.isnan(f.p_mcu) else round(float(f.p_mcu), 3), "suggested": suggested,
                "state": state,
            })  # fmt: skip
        if order == "random":
            rows = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
        elif order == "uncertain":
            rows.sort(key=lambda r: abs(r["p_mcu"] - self.threshold) if r["p_mcu"] is not None else np.inf)
        return rows

    def progress(self, store: LabelStore) -> list[dict]:
        """Labelled / total frames per film."""
        known = set(zip(store.table["film_id"], store.table["frame"], strict=True))
        out = []
        for film_id, frames in self.frames.groupby("film_id", sort=True):
            done = sum((film_id, frame) in known for frame in frames["frame"])
            out.append({"film_id": film_id, "labelled": done, "total": len(frames)})
        return out


def frame_index(
    manifests: pd.DataFrame, frames_root: Path, with_suggestions: bool, batch_size: int
) -> FrameIndex:
    """Every frame of the manifests with its file and, when asked, the default model's probability."""
    from moviegoer.model.default_model import read_card

    frames = manifests.sort_values(["film_id", "t_ms"], kind="stable").reset_index(drop=True)
    paths = [
        str(Path(frames_root) / film / frame)
        for film, frame in zip(frames["film_id"], frames["frame"], strict=True)
    ]
    card = read_card()
    p_mcu = np.full(len(frames), np.nan)
    if with_suggestions and paths:
        from moviegoer.features.faces import FaceParams
        from moviegoer.model.default_model import DEFAULT_MODEL
        from moviegoer.model.predict import predict_scores
        from moviegoer.model.storage import load_model

        p_mcu = predict_scores(load_model(DEFAULT_MODEL), paths, batch_size, FaceParams(**card.face_params))
    table = frames[["film_id", "frame", "t_ms"]].assign(path=paths, p_mcu=p_mcu)
    return FrameIndex(table, card.threshold)
