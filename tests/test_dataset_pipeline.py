"""films -> frames -> labels -> validate -> split -> eda -> train -> evaluate with `dvc repro` on a small
rendered sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from moviegoer.dataset.labels import read_labels, write_labels
from moviegoer.evaluation.results import read_results
from moviegoer.sample.plan import SampleParams
from moviegoer.sample.render import render_sample
from tests.conftest import project_params, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def tiny_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    render_sample(
        out,
        project_params(
            SampleParams, "sample", films=2, min_duration_s=60, max_duration_s=60, workers=1, seed=3
        ),
        progress=False,
    )
    return out


@pytest.fixture
def labelled_project(project: Path, tiny_sample: Path) -> Path:
    params = project / "params.yaml"
    text = params.read_text().replace("overall_mcu_share: [0.15, 0.45]", "overall_mcu_share: [0.05, 0.6]")
    for default, small in (
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
    split = pd.read_parquet(project / "data/splits/split.parquet")
    assert len(split) == 60 and set(split["split"]) == {"train", "val", "test"}
    kept = split[split["kept"]]
    assert len(list((project / "data/splits").rglob("*.jpg"))) == len(kept)
    # the EDA tables say what the labels and the split say
    per_film = pd.read_csv(project / "reports/eda/frames_per_film.csv").set_index("film_id")
    counted = labels.groupby("film_id")["label"].value_counts().unstack(fill_value=0)
    assert per_film["mcu"].to_dict() == counted["mcu"].to_dict()
    assert per_film["non_mcu"].to_dict() == counted["non_mcu"].to_dict()
    balance = pd.read_csv(project / "reports/eda/class_balance.csv").set_index("set")
    train = split[split["split"] == "train"]
    assert balance.loc["train (before removal)", "non_mcu"] == (train["label"] == "non_mcu").sum()
    assert (
        balance.loc["train (after removal)", "non_mcu"]
        == (kept["split"].eq("train") & kept["label"].eq("non_mcu")).sum()
    )
    assert balance.loc["test", "mcu"] == (split["split"].eq("test") & split["label"].eq("mcu")).sum()
    assert {png.name for png in (project / "reports/eda").glob("*.png")} == {
        "frames_per_film.png", "mcu_share_per_film.png", "class_balance.png"}  # fmt: skip
    assert "up to date" in run(["dvc", "status"], project).stdout
    metrics = run(["dvc", "metrics", "show"], project).stdout
    lines = metrics.splitlines()
    assert max(map(len, lines)) <= 160, metrics  # headline numbers only: it fits a terminal
    assert any("metrics/model.json" in line for line in lines) and "labels.json" not in metrics
    result = read_results(project / "reports/evaluation")
    model_line = next(line for line in lines if "metrics/model.json" in line)
    assert f"{result.model['recall']:.5g}"[:4] in model_line
    assert (project / "models/mcu.keras").exists()
    report = (project / "reports/report.html").read_text()
    assert f"finds <b>{result.model['recall']:.0%}</b> of the MCUs" in report


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
    result = read_results(project / "reports/evaluation")
    assert table is not None and f"{result.model['recall']}" in str(table.data)
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
