"""`dvc repro` on a real DVC repo: one extraction stage per registered film, incremental, reproducible."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import run

pytestmark = pytest.mark.slow


def _lock(project: Path) -> dict:
    return yaml.safe_load((project / "dvc.lock").read_text())


def test_repro_extracts_every_film_then_only_new_ones(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    first = run(["dvc", "repro", "extract"], project).stdout
    assert "Running stage 'extract@alpha'" in first and "Running stage 'extract@beta'" in first
    assert set(_lock(project)["stages"]) == {"extract@alpha", "extract@beta"}
    assert len(list((project / "data/frames/alpha").glob("*.jpg"))) == 10  # 20 s at 2 s
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout
    untouched = (project / "data/frames/alpha/manifest.parquet").stat().st_mtime_ns

    run(["moviegoer", "films", "add", str(films_dir / "gamma.mp4")], project)
    status = run(["dvc", "status", "extract"], project).stdout
    assert "extract@gamma" in status and "extract@alpha" not in status and "extract@beta" not in status
    second = run(["dvc", "repro", "extract"], project).stdout
    assert "Running stage 'extract@gamma'" in second
    assert "Running stage 'extract@alpha'" not in second and "Running stage 'extract@beta'" not in second
    assert (project / "data/frames/alpha/manifest.parquet").stat().st_mtime_ns == untouched
    assert set(_lock(project)["stages"]) == {"extract@alpha", "extract@beta", "extract@gamma"}
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout


def test_repro_rebuilds_bit_for_bit(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "vfr.mkv")], project)
    run(["dvc", "repro", "extract"], project)
    lock_before = (project / "dvc.lock").read_text()
    shutil.rmtree(project / "data/frames/vfr")
    rerun = run(["dvc", "repro", "--force", "--no-run-cache", "extract"], project).stdout
    assert "Running stage 'extract@vfr'" in rerun
    assert (project / "dvc.lock").read_text() == lock_before
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout


def test_changing_an_extract_param_reruns_extraction(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "beta.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("interval_s: 2", "interval_s: 3"))
    assert "extract@beta" in run(["dvc", "status", "extract"], project).stdout
    run(["dvc", "repro", "extract"], project)
    assert len(list((project / "data/frames/beta").glob("*.jpg"))) == 4  # 12 s at 3 s: 0, 3, 6, 9
