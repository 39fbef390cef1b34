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


@pytest.mark.usefixtures("prefect_server")
def test_prefect_flow_runs_the_whole_pipeline_and_leaves_dvc_clean(labelled_project: Path) -> None:
    from prefect.artifacts import Artifact

    from flows.pipeline import run_pipeline

    project = labelled_project
    ran = run_pipeline(str(project))
    assert {"validate_labels", "split", "validate_split", "eda", "train", "evaluate"} <= set(ran)
    assert "up to date" in run(["dvc", "status"], project).stdout
    assert "Running stage" not in run(["dvc", "repro"], project).stdout
    assert (project / "reports/report.html").exists()
    table = Artifact.get("mcu-metrics")
    assert table is not None and "recall" in str(table.data)
    assert run_pipeline(str(project)) == []


def _hashes(root: Path, parts: tuple[str, ...]) -> dict[str, str]:
    import hashlib

    files = [
        p
        for part in parts
        for p in sorted((root / part).rglob("*"))
        if p.is_file() and p.name != ".gitignore"
    ]
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


def test_datasets_pulled_on_another_clone_are_byte_identical(labelled_project: Path, tmp_path: Path) -> None:
    project = labelled_project
    run(["dvc", "repro", "split"], project)
    run(["dvc", "remote", "add", "-d", "storage", str(tmp_path / "remote")], project)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "sample films, frames, labels, splits"], project)
    run(["dvc", "push"], project)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project), str(clone)], tmp_path)
    run(["dvc", "pull", "--allow-missing"], clone)  # train/evaluate never ran: their outputs are not expected
    parts = ("data/raw/films", "data/frames", "data/labels", "data/splits")
    original, pulled = _hashes(project, parts), _hashes(clone, parts)
    assert any(name.startswith("data/splits/train/mcu/") for name in original)
    assert "data/labels/labels.parquet" in original
    assert original == pulled
