"""films -> frames -> labels -> validate -> split -> eda -> train -> evaluate with `dvc repro` on a small
rendered sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from moviegoer.labels import read_labels, write_labels
from moviegoer.sample import SampleParams, render_sample
from tests.conftest import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def tiny_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    render_sample(
        out, SampleParams(films=2, min_duration_s=60, max_duration_s=60, workers=1, seed=3), progress=False
    )
    return out


@pytest.fixture
def labelled_project(project: Path, tiny_sample: Path) -> Path:
    params = project / "params.yaml"
    text = params.read_text().replace("overall_mcu_share: [0.15, 0.45]", "overall_mcu_share: [0.05, 0.6]")
    for default, small in (
        ("design: k6", "design: k4"),
        ("input_size: 128", "input_size: 64"),
        ("epochs: 50", "epochs: 2"),
    ):
        text = text.replace(default, small)
    params.write_text(text)
    run(["moviegoer", "films", "add", *map(str, sorted(tiny_sample.glob("*.mp4")))], project)
    run(["dvc", "repro", "extract"], project)
    run(["moviegoer", "labels", "import", "--timeline", str(tiny_sample / "timeline.parquet")], project)
    return project


def test_repro_runs_films_to_eda(labelled_project: Path) -> None:
    project = labelled_project
    assert (project / "data/labels/labels.parquet.dvc").exists()
    labels = read_labels(project / "data/labels/labels.parquet")
    assert len(labels) == 60  # two 60 s films, a frame every 2 s
    out = run(["dvc", "repro"], project).stdout
    for stage in ("validate_labels", "split", "validate_split", "eda", "train", "evaluate"):
        assert f"Running stage '{stage}'" in out, out
    assert (project / "reports/data_docs/labels/index.html").exists()
    assert (project / "reports/data_docs/split/index.html").exists()
    for plot in ("frames_per_film.png", "mcu_share_per_film.png", "class_balance.png"):
        assert (project / "reports/eda" / plot).stat().st_size > 5000
    split = pd.read_parquet(project / "data/splits/split.parquet")
    assert len(split) == 60 and set(split["split"]) == {"train", "val", "test"}
    kept = split[split["kept"]]
    assert len(list((project / "data/splits").rglob("*.jpg"))) == len(kept)
    assert "up to date" in run(["dvc", "status"], project).stdout
    metrics = run(["dvc", "metrics", "show"], project).stdout
    assert "labels.json" in metrics and "split.json" in metrics and "metrics.json" in metrics
    assert (project / "models/mcu.keras").exists()
    assert "MCU classifier report" in (project / "reports/report.html").read_text()


def test_broken_label_table_stops_the_pipeline(labelled_project: Path) -> None:
    project = labelled_project
    path = project / "data/labels/labels.parquet"
    labels = read_labels(path)
    labels.loc[labels.index[2], "label"] = "closeup"
    write_labels(labels, path)
    result = run(["dvc", "repro"], project, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "validation failed" in output
    assert "expect_column_values_to_be_in_set on label" in output and "'closeup'" in output
    assert not (project / "data/splits").exists(), "split must not run on invalid labels"
