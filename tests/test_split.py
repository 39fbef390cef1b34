from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moviegoer.core.errors import ParamsError
from moviegoer.dataset.labels import LabelParams, empty_labels, import_labels, read_csv
from moviegoer.dataset.manifest import load_manifests
from moviegoer.dataset.split import (
    SplitParams,
    assign_splits,
    non_mcu_to_remove,
    read_split_manifest,
    write_splits,
)
from tests.conftest import project_params

REAL_GROUPS = {
    "joker": ["joker_trailer", "joker_stairs", "joker_teaser"],
    "friends": ["friends_dvt", "friends_azvi"],
    "sintel": ["sintel_zwm", "sintel_trailer"],
}


@pytest.fixture(scope="module")
def real_labels(real_frames: Path, real_labels_csv: Path) -> pd.DataFrame:
    table, _ = import_labels(
        read_csv(real_labels_csv),
        empty_labels(),
        load_manifests(real_frames),
        project_params(LabelParams, "labels"),
        "csv",
    )
    return table


def _share_ok(count: int, share: float, total: int) -> bool:
    return abs(count - share * total) <= 1


def test_mixed_split_meets_shares_and_removes_only_train(real_labels: pd.DataFrame) -> None:
    params = project_params(
        SplitParams, "split", mode="mixed", test_share=0.2, val_share=0.1, seed=3, imbalance_removal=0.6
    )
    split = assign_splits(real_labels, params)
    total = len(split)
    test = split[split["split"] == "test"]
    val = split[split["split"] == "val"]
    train = split[split["split"] == "train"]
    assert _share_ok(len(test), 0.2, total)
    assert _share_ok(len(val), 0.1, total - len(test))
    overall_mcu = (split["label"] == "mcu").mean()
    assert abs((test["label"] == "mcu").mean() - overall_mcu) < 0.02  # stratified
    assert test["kept"].all() and val["kept"].all()
    non_mcu = train[train["label"] == "non_mcu"]
    assert (~non_mcu["kept"]).sum() == round(0.6 * len(non_mcu))
    assert train[train["label"] == "mcu"]["kept"].all()
    assert not split.duplicated(["film_id", "frame"]).any()


def test_splits_are_deterministic_for_a_seed(real_labels: pd.DataFrame) -> None:
    first = assign_splits(real_labels, project_params(SplitParams, "split", seed=11))
    again = assign_splits(
        real_labels.sample(frac=1, random_state=5), project_params(SplitParams, "split", seed=11)
    )
    other = assign_splits(real_labels, project_params(SplitParams, "split", seed=12))
    columns = ["film_id", "frame", "split", "kept"]
    assert first[columns].values.tolist() == again[columns].values.tolist()
    assert first[columns].values.tolist() != other[columns].values.tolist()


def test_unwatched_split_keeps_films_and_groups_on_one_side(real_labels: pd.DataFrame) -> None:
    params = project_params(
        SplitParams,
        "split",
        mode="unwatched",
        test_share=0.25,
        val_share=0.15,
        seed=1,
        film_groups=REAL_GROUPS,
    )
    split = assign_splits(real_labels, params)
    assert (split.groupby("film_id")["split"].nunique() == 1).all()
    assert (split.groupby("group")["split"].nunique() == 1).all()
    sides = split.drop_duplicates("film_id").set_index("film_id")["split"]
    for films in REAL_GROUPS.values():
        assert sides[films].nunique() == 1
    test_share = (split["split"] == "test").mean()
    assert abs(test_share - 0.25) < 0.06, test_share  # as close as whole films allow
    assert set(split["split"]) == {"train", "val", "test"}


def test_bad_split_params() -> None:
    with pytest.raises(ParamsError, match="mode"):
        project_params(SplitParams, "split", mode="random")
    with pytest.raises(ParamsError, match="test_share"):
        project_params(SplitParams, "split", test_share=1.5)
    with pytest.raises(ParamsError, match="puts film 'a' in both"):
        project_params(SplitParams, "split", film_groups={"x": ["a"], "y": ["a", "b"]})


def test_write_splits_hard_links_frames(real_labels: pd.DataFrame, real_frames: Path, tmp_path: Path) -> None:
    assigned = assign_splits(real_labels, project_params(SplitParams, "split", seed=2))
    result = write_splits(assigned, real_frames, tmp_path / "splits")
    manifest = read_split_manifest(tmp_path / "splits")
    kept = manifest[manifest["kept"]]
    assert result.links == len(kept) and result.copies == 0
    assert sum(sum(c.values()) for c in result.counts.values()) == len(kept)
    for row in kept.head(20).itertuples():
        linked = tmp_path / "splits" / row.path
        assert linked.stat().st_ino == (real_frames / row.film_id / row.frame).stat().st_ino
    assert manifest[~manifest["kept"]]["path"].isna().all()
    train_mcu = len(list((tmp_path / "splits" / "train" / "mcu").iterdir()))
    assert train_mcu == result.counts["train"]["mcu"]


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a second file system (/dev/shm)")
def test_write_splits_copies_across_file_systems(
    real_labels: pd.DataFrame, real_frames: Path, tmp_path: Path
) -> None:
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        if os.stat(other).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("/dev/shm is on the same file system here")
        frames = Path(other) / "frames"
        shutil.copytree(real_frames, frames)
        result = write_splits(
            assign_splits(real_labels, project_params(SplitParams, "split", seed=2)),
            frames,
            tmp_path / "splits",
        )
        assert result.links == 0 and result.copies > 0
        manifest = read_split_manifest(tmp_path / "splits")
        row = manifest[manifest["kept"]].iloc[0]
        assert (tmp_path / "splits" / row["path"]).read_bytes() == (
            frames / row["film_id"] / row["frame"]
        ).read_bytes()


def test_imbalance_removal_drops_only_non_mcu_rows_of_those_given() -> None:
    is_mcu = np.array([False] * 10 + [True] * 4 + [False] * 6)  # rows 14-19: not offered (another split)
    dropped = non_mcu_to_remove(np.arange(14), is_mcu, 0.6, np.random.default_rng(1))
    assert len(dropped) == 6 and len(set(dropped.tolist())) == 6  # round(0.6 * 10), no row twice
    assert set(dropped.tolist()) <= set(range(10))  # never an MCU, never a row outside those offered
    again = non_mcu_to_remove(np.arange(14), is_mcu, 0.6, np.random.default_rng(1))
    assert dropped.tolist() == again.tolist()
    assert len(non_mcu_to_remove(np.arange(14), is_mcu, 0.0, np.random.default_rng(1))) == 0
    with pytest.raises(ValueError, match="imbalance removal"):
        non_mcu_to_remove(np.arange(14), is_mcu, 1.5, np.random.default_rng(1))
