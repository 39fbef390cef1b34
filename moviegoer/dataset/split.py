"""Train / validation / test splits of the labelled frames, the two ways the research needs them.

- mixed: all films' frames shuffled, stratified by class, so the model learns from every film's look;
- unwatched: whole films (whole film groups: several clips of one film) held out, to measure the model on films
  it has never seen. Shares are met as closely as whole groups allow.

Imbalance removal drops a share of the non-MCU *training* frames only (the original work removed 60 %, which
fixed a model that predicted everything non-MCU); validation and test keep the real class balance.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_dir
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.dataset.labels import LABELS

MODES = ("mixed", "unwatched")
SPLITS = ("train", "val", "test")
SPLIT_MANIFEST = "split.parquet"
SPLIT_SCHEMA = pa.schema(
    [
        pa.field("film_id", pa.string(), nullable=False),
        pa.field("frame", pa.string(), nullable=False),
        pa.field("t_ms", pa.float64(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("group", pa.string(), nullable=False),  # film group: films of one group stay on one side
        pa.field("split", pa.string(), nullable=False),  # train | val | test
        pa.field("kept", pa.bool_(), nullable=False),  # False: removed from train by imbalance removal
        pa.field(
            "path", pa.string(), nullable=True
        ),  # <split>/<label>/<frame> inside the splits folder, if kept
    ]
)


@dataclass(frozen=True)
class SplitParams:
    mode: str
    test_share: float
    val_share: float  # of what remains for training
    seed: int
    imbalance_removal: float  # share of non-MCU training frames removed
    film_groups: dict[str, list[str]]  # group -> film ids that must stay together

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ParamsError("mode", f"must be one of {', '.join(MODES)} (got {self.mode!r})")
        for key in ("test_share", "val_share", "imbalance_removal"):
            value = getattr(self, key)
            if not isinstance(value, int | float) or not 0 <= value < 1:
                raise ParamsError(key, f"must be a number in [0, 1) (got {value!r})")
        if not isinstance(self.seed, int):
            raise ParamsError("seed", f"must be an integer (got {self.seed!r})")
        seen: dict[str, str] = {}
        for group, films in (self.film_groups or {}).items():
            for film in films:
                if film in seen:
                    raise ParamsError(
                        "film_groups", f"puts film {film!r} in both {seen[film]!r} and {group!r}"
                    )
                seen[film] = group


def film_group_of(params: SplitParams) -> dict[str, str]:
    return {film: group for group, films in (params.film_groups or {}).items() for film in films}


def _rng(params: SplitParams, purpose: str) -> np.random.Generator:
    return np.random.default_rng([params.seed, sum(purpose.encode())])


def _stratified_take(frame_ids: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.Index:
    """round(share * n) rows, split between the classes in proportion (largest remainders), drawn at random."""
    total = round(share * len(frame_ids))
    counts = frame_ids["label"].value_counts().reindex(list(LABELS), fill_value=0)
    exact = counts * total / max(len(frame_ids), 1)
    take = np.floor(exact).astype(int)
    for label in (exact - take).sort_values(ascending=False, kind="stable").index[: total - int(take.sum())]:
        take[label] += 1
    chosen = []
    for label, n in take.items():
        rows = frame_ids.index[frame_ids["label"] == label].to_numpy()
        chosen.extend(rng.choice(rows, size=int(n), replace=False).tolist())
    return pd.Index(sorted(chosen))


def _closest_group_subset(sizes: pd.Series, target: float) -> list[str]:
    """The groups whose frame counts add up closest to `target` (exact subset sum over the reachable totals;
    ties go to the first reachable way in the given order)."""
    reachable: dict[int, list[str]] = {0: []}
    for group, size in sizes.items():
        for total, members in list(reachable.items()):
            reachable.setdefault(total + int(size), [*members, str(group)])
    best = min(reachable, key=lambda total: (abs(total - target), total))
    return reachable[best]


def _group_take(frames: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.Index:
    sizes = frames.groupby("group").size()
    sizes = sizes.iloc[rng.permutation(len(sizes))]
    chosen = set(_closest_group_subset(sizes, share * len(frames)))
    return frames.index[frames["group"].isin(chosen)]


def assign_splits(labels: pd.DataFrame, params: SplitParams) -> pd.DataFrame:
    """The split manifest rows (without `path`): every labelled frame with its split and kept flag."""
    if labels.empty:
        raise MoviegoerError("no labelled frames to split")
    groups = film_group_of(params)
    frames = (
        labels[["film_id", "frame", "t_ms", "label"]]
        .sort_values(["film_id", "t_ms", "frame"])
        .reset_index(drop=True)
    )
    frames["group"] = frames["film_id"].map(lambda film: groups.get(film, film))
    take = _stratified_take if params.mode == "mixed" else _group_take
    test = take(frames, params.test_share, _rng(params, "test"))
    rest = frames.drop(index=test)
    val = take(rest, params.val_share, _rng(params, "val"))
    frames["split"] = "train"
    frames.loc[test, "split"] = "test"
    frames.loc[val, "split"] = "val"
    frames["kept"] = True
    train = frames.index[frames["split"] == "train"].to_numpy()
    removed = non_mcu_to_remove(
        train, (frames["label"] == "mcu").to_numpy(), params.imbalance_removal, _rng(params, "removal")
    )
    frames.loc[removed, "kept"] = False
    return frames


def removed_count(non_mcu: int, share: float) -> int:
    """How many of `non_mcu` training frames imbalance removal drops."""
    return round(share * non_mcu)


def non_mcu_to_remove(
    rows: np.ndarray, is_mcu: np.ndarray, share: float, rng: np.random.Generator
) -> np.ndarray:
    """Imbalance removal (the original research's): `share` of the non-MCU rows among `rows`, drawn at random.
    `is_mcu[row]` says whether a row is an MCU."""
    if not 0 <= share < 1:
        raise ValueError(f"imbalance removal share must be in [0, 1) (got {share!r})")
    rows = np.asarray(rows, dtype=int)
    non_mcu = rows[~np.asarray(is_mcu, dtype=bool)[rows]]
    return rng.choice(non_mcu, size=removed_count(len(non_mcu), share), replace=False)


def _link_or_copy(source: Path, target: Path) -> str:
    """Hard-link (no extra disk); copy where links are impossible (another file system, no permission)."""
    try:
        os.link(source, target)
        return "link"
    except OSError:
        shutil.copy2(source, target)
        return "copy"


@dataclass(frozen=True)
class SplitResult:
    out_dir: Path
    counts: dict[str, dict[str, int]]  # split -> label -> kept frames
    removed: int
    links: int
    copies: int


def write_splits(assigned: pd.DataFrame, frames_root: Path, out_dir: Path) -> SplitResult:
    """Materialise {train,val,test}/{mcu,non_mcu}/ (hard links to the frames) and split.parquet, atomically."""
    methods = {"link": 0, "copy": 0}
    assigned = assigned.copy()
    assigned["path"] = None
    with atomic_dir(Path(out_dir)) as tmp:
        for split in SPLITS:
            for label in LABELS:
                (tmp / split / label).mkdir(parents=True)
        for index, row in assigned[assigned["kept"]].iterrows():
            source = Path(frames_root) / row["film_id"] / row["frame"]
            if not source.exists():
                raise MoviegoerError(f"{source}: labelled frame is missing (run the extraction stage first)")
            relative = f"{row['split']}/{row['label']}/{row['frame']}"
            methods[_link_or_copy(source, tmp / relative)] += 1
            assigned.at[index, "path"] = relative
        table = pa.Table.from_pandas(assigned[SPLIT_SCHEMA.names], schema=SPLIT_SCHEMA, preserve_index=False)
        pq.write_table(table, tmp / SPLIT_MANIFEST)
    kept = assigned[assigned["kept"]]
    counts = {
        split: {label: int(((kept["split"] == split) & (kept["label"] == label)).sum()) for label in LABELS}
        for split in SPLITS
    }
    return SplitResult(
        Path(out_dir), counts, int((~assigned["kept"]).sum()), methods["link"], methods["copy"]
    )


def read_split_manifest(splits_dir: Path) -> pd.DataFrame:
    return pq.read_table(Path(splits_dir) / SPLIT_MANIFEST, schema=SPLIT_SCHEMA).to_pandas()
