from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from moviegoer.core.errors import MoviegoerError
from moviegoer.dataset.labels import (
    LABEL_SCHEMA,
    LabelParams,
    empty_labels,
    export_class_folders,
    export_csv,
    import_labels,
    label_stats,
    read_class_folders,
    read_csv,
    read_labels,
    write_labels,
)
from moviegoer.dataset.manifest import load_manifests
from tests.conftest import project_params

PARAMS = project_params(LabelParams, "labels", tolerance_ms=500)


def _import_real(real_frames: Path, real_labels_csv: Path):
    manifests = load_manifests(real_frames)
    return import_labels(read_csv(real_labels_csv), empty_labels(), manifests, PARAMS, "labels.csv")


def test_shared_real_labels_import_as_is(real_frames: Path, real_labels_csv: Path, tmp_path: Path) -> None:
    table, report = _import_real(real_frames, real_labels_csv)
    assert report.rows_read == 462
    rows = read_csv(real_labels_csv)
    # batman.mp4 is AV1: its frames exist only where the wheels decode AV1; its labels are unmatched otherwise
    extracted = set(load_manifests(real_frames)["film_id"])
    assert set(rows["film_id"]) - extracted <= {"batman"}
    unmatched = int((~rows["film_id"].isin(extracted)).sum())
    assert unmatched in (0, 17)
    assert report.unmatched.count == unmatched
    assert report.invalid.count == report.conflicts.count == report.duplicates.count == 0
    assert report.added == len(table) == 462 - unmatched
    assert set(table["label"]) == {"mcu", "non_mcu"}
    manifests = load_manifests(real_frames).set_index(["film_id", "frame"])
    assert table.set_index(["film_id", "frame"]).index.isin(manifests.index).all()
    joker = table[(table["film_id"] == "joker_trailer")].iloc[1]
    assert joker["frame"] == "joker_trailer_t00002000.jpg" and abs(joker["t_ms"] - 2000) < 42
    assert table["sure"].value_counts()[False] > 50  # the toss-ups keep their flag
    path = tmp_path / "labels.parquet"
    write_labels(table, path)
    assert pq.read_schema(path).equals(LABEL_SCHEMA)
    assert len(read_labels(path)) == len(table)


def test_class_folders_round_trip(real_frames: Path, real_labels_csv: Path, tmp_path: Path) -> None:
    table, _ = _import_real(real_frames, real_labels_csv)
    export_class_folders(table, real_frames, tmp_path / "classes")
    assert len(list((tmp_path / "classes" / "mcu").iterdir())) == int((table["label"] == "mcu").sum())
    again, report = import_labels(
        read_class_folders(tmp_path / "classes"),
        empty_labels(),
        load_manifests(real_frames),
        PARAMS,
        "folders",
    )
    assert report.added == len(table) and report.unmatched.count == 0
    key = ["film_id", "frame", "label"]
    assert again[key].values.tolist() == table[key].values.tolist()


def test_csv_export_reimports_unchanged(real_frames: Path, real_labels_csv: Path, tmp_path: Path) -> None:
    table, _ = _import_real(real_frames, real_labels_csv)
    export_csv(table, tmp_path / "out.csv")
    merged, report = import_labels(
        read_csv(tmp_path / "out.csv"), table, load_manifests(real_frames), PARAMS, "out.csv"
    )
    assert report.unchanged == len(table) and report.added == 0
    assert len(merged) == len(table)


def _manifests() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "film_id": ["a"] * 4,
            "frame": [f"a_t{t:08d}.jpg" for t in (0, 2000, 4000, 6000)],
            "t_ms": [0.0, 2010.0, 4000.0, 6041.7],
        }
    )


def _candidates(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"film_id": [r[0] for r in rows], "t_ms": [r[1] for r in rows], "label": [r[2] for r in rows],
         "sure": None, "note": None, "labeled_by": "test"}
    )  # fmt: skip


def test_problems_are_counted_never_silently_dropped() -> None:
    candidates = _candidates(
        [
            ("a", 0, "mcu"),
            ("a", 10, "MCU"),  # duplicate of the first (same frame, same label)
            ("a", 2000, "mcu"),
            ("a", 1990, "non_mcu"),  # conflicts with the row above: same frame
            ("a", 4000, "closeup"),  # invalid label
            ("a", 5000, "mcu"),  # 1 s from any frame: beyond the tolerance
            ("zzz", 0, "mcu"),  # unknown film
            ("a", 6000, "non-mcu"),
        ]
    )
    table, report = import_labels(candidates, empty_labels(), _manifests(), PARAMS, "test")
    assert report.rows_read == 8
    assert (
        report.invalid.count,
        report.duplicates.count,
        report.conflicts.count,
        report.unmatched.count,
    ) == (1, 1, 2, 2)
    assert report.invalid.examples == ["a @ 4000 ms: label 'closeup' is not one of mcu, non_mcu"]
    assert sorted(report.unmatched.examples) == ["a @ 5000 ms", "zzz @ 0 ms"]
    assert list(table["frame"]) == ["a_t00000000.jpg", "a_t00006000.jpg"]
    assert list(table["label"]) == ["mcu", "non_mcu"]
    assert list(table["t_ms"]) == [0.0, 6041.7]


def test_existing_labels_are_kept_unless_overwrite() -> None:
    first, _ = import_labels(
        _candidates([("a", 0, "mcu"), ("a", 4000, "mcu")]), empty_labels(), _manifests(), PARAMS, "1"
    )
    update = _candidates([("a", 0, "non_mcu"), ("a", 4000, "mcu"), ("a", 2000, "mcu")])
    kept, report = import_labels(update, first, _manifests(), PARAMS, "2")
    assert (report.added, report.unchanged, report.kept_existing.count) == (1, 1, 1)
    assert kept.set_index("frame").loc["a_t00000000.jpg", "label"] == "mcu"
    replaced, report = import_labels(update, first, _manifests(), PARAMS, "2", overwrite=True)
    assert (report.added, report.unchanged, report.overwritten) == (1, 1, 1)
    assert replaced.set_index("frame").loc["a_t00000000.jpg", "label"] == "non_mcu"
    assert len(replaced) == 3


def test_stats_per_film_and_class() -> None:
    table, _ = import_labels(
        _candidates([("a", 0, "mcu"), ("a", 2000, "non_mcu"), ("a", 4000, "non_mcu")]),
        empty_labels(), _manifests(), PARAMS, "t",
    )  # fmt: skip
    stats = label_stats(table).set_index("film_id")
    assert stats.loc["(all)", "mcu"] == 1 and stats.loc["(all)", "total"] == 3
    assert stats.loc["a", "mcu_share"] == pytest.approx(0.333)


def test_bad_csv_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("film,time,class\na,0,mcu\n")
    with pytest.raises(MoviegoerError, match=r"bad.csv: missing column\(s\) film_id, t_ms, label"):
        read_csv(bad)
