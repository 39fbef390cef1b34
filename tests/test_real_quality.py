"""The real-film benchmark's protocol: folds never let a film (group) be seen in training and tested on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from tests.conftest import PROJECT_ROOT


def load_benchmark():
    spec = importlib.util.spec_from_file_location(
        "real_quality", PROJECT_ROOT / "benchmarks" / "real_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_folds_hold_out_whole_film_groups(real_videos: Path) -> None:
    benchmark = load_benchmark()
    real = benchmark.load_real_set()
    assert len(real.y) == 462 and real.y.sum() == 119
    assert set(real.table.loc[real.table["source"].str.startswith("joker"), "group"]) == {"joker"}
    folds = benchmark.film_folds(real, 5, 42)
    tested = np.concatenate([fold.test for fold in folds])
    assert sorted(tested.tolist()) == list(range(len(real.y)))  # every frame is tested exactly once
    for fold in folds:
        sides = [set(real.groups[rows]) for rows in (fold.fit, fold.val, fold.test)]
        assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
        assert real.y[fold.val].sum() > 0 and real.y[fold.test].sum() > 0
