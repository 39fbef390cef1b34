"""Real Prefect flow runs (a temporary Prefect server) over a real DVC repo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from flows.pipeline import read_stages, run_pipeline, select, stage_levels
from tests.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]


def _stages(project: Path) -> dict:
    return yaml.safe_load((project / "dvc.lock").read_text())["stages"]


def test_stages_come_from_dvc_yaml(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    specs = read_stages(project)
    names = [spec.name for spec in specs]
    assert {"extract@alpha", "extract@beta", "validate_labels", "split", "train", "evaluate"} <= set(names)
    levels = [[spec.name for spec in layer] for layer in stage_levels(specs)]
    assert set(levels[0]) == {"extract@alpha", "extract@beta", "analyze@alpha", "analyze@beta"}
    position = {name: i for i, layer in enumerate(levels) for name in layer}
    assert position["validate_labels"] < position["split"] < position["validate_split"] < position["train"]
    assert position["train"] < position["evaluate"]
    assert [s.name for s in select(specs, ["extract"])] == ["extract@alpha", "extract@beta"]
    with pytest.raises(ValueError, match="no stage matches"):
        select(specs, ["nope"])
    by_name = {spec.name: spec for spec in specs}
    alpha = by_name["extract@alpha"]
    assert (
        alpha.cmd == "moviegoer films check && "
        'moviegoer extract "data/raw/films/alpha.mp4" --film-id "alpha" --frames-dir data/frames'
    )
    assert alpha.needs == () and alpha.wdir == "."
    assert set(by_name["split"].needs) == {"extract@alpha", "extract@beta", "validate_labels"}
    assert by_name["evaluate"].needs == ("eda", "split", "train")


def test_flow_writes_the_lock_dvc_repro_writes(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "vfr.mkv")], project)
    ran = run_pipeline(str(project), targets=["extract"])
    assert sorted(ran) == ["extract@alpha", "extract@vfr"]
    by_flow = _stages(project)
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout
    again = run(["dvc", "repro", "extract"], project).stdout
    assert "Running stage" not in again
    assert run_pipeline(str(project), targets=["extract"]) == []
    (project / "dvc.lock").unlink()
    shutil.rmtree(project / "data/frames")
    run(["dvc", "repro", "extract"], project)
    assert _stages(project) == by_flow


def test_a_failing_stage_fails_the_flow_with_its_message(
    project: Path, films_dir: Path, tmp_path: Path
) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "beta.mp4")], project)
    film = project / "data/raw/films/beta.mp4"
    film.unlink()
    film.write_bytes(b"")  # the registered film is now broken: its stage must fail, loudly
    with pytest.raises(
        Exception, match=r"stage extract@beta failed \(exit 1\): error: .*beta.mp4: empty file"
    ):
        run_pipeline(str(project), targets=["extract"])


def test_ingest_adds_new_films_only_and_rejects_bad_ones(project: Path, films_dir: Path) -> None:
    from flows.ingest import ingest

    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    untouched = (project / "data/frames/alpha/manifest.parquet").stat().st_mtime_ns
    inbox = project / "data/inbox"
    inbox.mkdir()
    shutil.copy(films_dir / "beta.mp4", inbox / "beta.mp4")
    (inbox / "broken.mp4").write_text("not a film")
    assert ingest(root=str(project)) == ["beta"]
    assert (project / "data/frames/beta/manifest.parquet").exists()
    assert (project / "data/frames/alpha/manifest.parquet").stat().st_mtime_ns == untouched
    rejected = inbox / "rejected"
    assert (rejected / "broken.mp4").exists()
    assert "not a video file" in (rejected / "broken.mp4.reason.txt").read_text()
    assert sorted(p.name for p in inbox.iterdir()) == ["rejected"]
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout
    # taken through to its scenes: a film with nobody in it has a timeline and no scene
    assert (project / "data/reviewed/beta/timeline.html").exists() and (
        project / "reports/films.html"
    ).exists()
    published = {
        artifact.key: artifact for artifact in _artifacts(["dialogue-scenes", "timeline-beta", "films"])
    }
    assert set(published) == {"dialogue-scenes", "timeline-beta", "films"}
    assert "data/reviewed/beta/timeline.html" in published["timeline-beta"].data
    assert ingest(root=str(project)) == []


def test_scene_accuracy_on_reviewed_films_is_published(tmp_path: Path) -> None:
    from prefect import flow

    from flows.pipeline import _publish_scenes

    evaluation = tmp_path / "reports/scenes/evaluation.json"
    evaluation.parent.mkdir(parents=True)
    scored = {"reviewed_films": 2, "true": 5, "found": 4, "matched": 3, "recall": 0.6, "precision": 0.75,
              "mean_iou": 0.8, "skipped": [], "films": []}  # fmt: skip
    evaluation.write_text(json.dumps(scored))
    flow(_publish_scenes, name="publish")(tmp_path)  # artifacts belong to a flow run
    [published] = _artifacts(["scene-accuracy"])
    assert "2 reviewed film(s)" in published.data and "Recall **60.0%** (3 of 5" in published.data


def _artifacts(keys: list[str]) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))


def test_extraction_runs_on_a_dask_cluster(project: Path, films_dir: Path) -> None:
    from distributed import LocalCluster

    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        ran = run_pipeline(
            str(project), targets=["extract"], runner="dask", dask_address=cluster.scheduler_address
        )
    assert sorted(ran) == ["extract@alpha", "extract@beta"]
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout


def _tree_hashes(root: Path, *parts: str) -> dict[str, str]:
    import hashlib

    files = [p for part in parts for p in sorted((root / part).rglob("*")) if p.is_file()]
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


def test_push_then_pull_in_a_fresh_clone_gives_identical_data(
    project: Path, films_dir: Path, tmp_path: Path
) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    run_pipeline(str(project), targets=["extract"])
    remote = tmp_path / "remote"
    run(["dvc", "remote", "add", "-d", "storage", str(remote)], project)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "films and frames"], project)
    run(["dvc", "push"], project)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project), str(clone)], tmp_path)
    assert not list((clone / "data").rglob("*.jpg")) and not list((clone / "data").rglob("*.mp4"))
    run(["dvc", "pull", "--allow-missing"], clone)  # stages after extraction never ran here
    parts = ("data/raw/films", "data/frames")
    original, pulled = _tree_hashes(project, *parts), _tree_hashes(clone, *parts)
    assert len(original) > 10 and original == pulled
    assert "up to date" in run(["dvc", "status", "extract"], clone).stdout


def test_killed_flow_completes_on_rerun_without_half_written_frames(project: Path, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.synthetic import write_h264

    long_film = write_h264(tmp_path / "long.mp4", seconds=240, size=(640, 360), gop=240)
    run(["moviegoer", "films", "add", str(long_film)], project)
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}  # the test session's server
    command = [sys.executable, "-m", "flows.pipeline", "extract", "--root", str(project)]
    log = (tmp_path / "flow.log").open("w")
    flow_run = subprocess.Popen(command, cwd=project, env=env, start_new_session=True, stdout=log, stderr=log)
    frames = project / "data/frames"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(frames.glob(".long.*.tmp/*.jpg")):
        time.sleep(0.2)
    assert any(frames.glob(".long.*.tmp/*.jpg")), (tmp_path / "flow.log").read_text()[-3000:]
    os.killpg(flow_run.pid, signal.SIGKILL)
    flow_run.wait()
    assert not (frames / "long").exists()
    assert run_pipeline(str(project), targets=["extract"]) == ["extract@long"]
    assert not list(frames.glob(".long.*")), "no half-written folder may survive"
    assert (frames / "long" / "manifest.parquet").exists()
    by_flow = _tree_hashes(project, "data/frames/long")
    shutil.rmtree(frames)
    run(
        [
            "moviegoer",
            "extract",
            "data/raw/films/long.mp4",
            "--film-id",
            "long",
            "--frames-dir",
            "data/frames",
        ],
        project,
    )
    assert _tree_hashes(project, "data/frames/long") == by_flow
