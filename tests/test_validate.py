"""Real Great Expectations runs on real label tables: every failure mode is caught and named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from moviegoer.dataset.labels import LabelParams, empty_labels, import_labels, read_csv
from moviegoer.dataset.manifest import load_manifests
from moviegoer.dataset.split import SplitParams, assign_splits
from moviegoer.dataset.validate import ValidateParams, label_suites, run_suites, split_suites
from tests.conftest import project_params

REAL = project_params(ValidateParams, "validate", overall_mcu_share=(0.15, 0.45), film_mcu_share=(0.0, 1.0))


@pytest.fixture(scope="module")
def real(real_frames: Path, real_labels_csv: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    manifests = load_manifests(real_frames)
    table, _ = import_labels(
        read_csv(real_labels_csv), empty_labels(), manifests, project_params(LabelParams, "labels"), "csv"
    )
    return table, manifests


def _failed(labels: pd.DataFrame, manifests: pd.DataFrame, tmp_path: Path, params: ValidateParams = REAL):
    report = run_suites(label_suites(labels, manifests, params), tmp_path / "docs")
    return report, {(f.expectation, f.column) for f in report.failures}


def test_clean_real_labels_pass_and_docs_are_written(real, tmp_path: Path) -> None:
    labels, manifests = real
    report, failed = _failed(labels, manifests, tmp_path)
    assert report.success, report.failure_block()
    assert set(report.suites) == {"labels", "films_have_labels", "class_balance", "film_class_balance"}
    index = tmp_path / "docs" / "index.html"
    assert index.exists() and "labels" in index.read_text()
    assert list((tmp_path / "docs" / "validations").rglob("*.html"))


def test_each_broken_table_fails_on_the_right_expectation(real, tmp_path: Path) -> None:
    labels, manifests = real
    cases = {
        "unknown label": (labels.assign(label=labels["label"].where(labels.index != 3, "closeup")),
                          ("expect_column_values_to_be_in_set", "label")),
        "duplicate": (pd.concat([labels, labels.iloc[[5]]], ignore_index=True),
                      ("expect_compound_columns_to_be_unique", "['film_id', 'frame']")),
        "label without frame": (labels.assign(frame=labels["frame"].where(labels.index != 7, "ghost_t00000001.jpg")),
                                ("expect_column_values_to_be_in_set", "has_frame")),
        "wrong dtype": (labels.assign(t_ms=labels["t_ms"].astype(str)),
                        ("expect_column_values_to_be_of_type", "t_ms")),
        "empty table": (labels.iloc[0:0], ("expect_table_row_count_to_be_between", "(table)")),
    }  # fmt: skip
    for name, (broken, expected) in cases.items():
        report, failed = _failed(broken, manifests, tmp_path / name.replace(" ", "_"))
        assert not report.success, name
        assert expected in failed, f"{name}: {failed}"
    report, _ = _failed(cases["unknown label"][0], manifests, tmp_path / "block")
    block = report.failure_block()
    assert "[labels] expect_column_values_to_be_in_set on label" in block and "'closeup'" in block


def test_film_without_labels_and_class_balance(real, tmp_path: Path) -> None:
    labels, manifests = real
    unlabelled = labels[labels["film_id"] != "pirates"]
    _, failed = _failed(unlabelled, manifests, tmp_path / "a")
    assert ("expect_column_values_to_be_between", "labels") in failed
    strict = project_params(
        ValidateParams, "validate", overall_mcu_share=(0.5, 0.9), film_mcu_share=(0.1, 0.9)
    )
    report, failed = _failed(labels, manifests, tmp_path / "b", strict)
    assert ("expect_column_mean_to_be_between", "is_mcu") in failed
    assert ("expect_column_values_to_be_between", "mcu_share") in failed
    assert "observed value=0.2" in report.failure_block()


def test_split_checks(real, tmp_path: Path) -> None:
    labels, _ = real
    params = project_params(
        SplitParams,
        "split",
        mode="unwatched",
        seed=4,
        film_groups={"joker": ["joker_trailer", "joker_stairs"]},
    )
    split = assign_splits(labels, params)
    report = run_suites(split_suites(split, params, REAL), tmp_path / "ok")
    assert report.success, report.failure_block()
    leaky = split.copy()
    first_train = leaky.index[leaky["split"] == "train"][0]
    film = leaky.at[first_train, "film_id"]
    leaky.loc[leaky.index[(leaky["film_id"] == film) & leaky["kept"]][-1], "split"] = "test"
    leaky.loc[leaky.index[(leaky["split"] == "train") & ~leaky["kept"]][:10], "kept"] = True
    report = run_suites(split_suites(leaky, params, REAL), tmp_path / "bad")
    failed = {f.suite for f in report.failures}
    assert failed == {"films_on_one_side", "train_balance_after_removal"}, report.failure_block()
