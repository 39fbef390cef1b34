from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

import moviegoer  # noqa: F401  (first: it quiets OpenCV's logging before cv2 loads)
from moviegoer.dataset.films import save_registry
from tests.synthetic import write_h264, write_mp4v

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_REAL = PROJECT_ROOT.parent / "shared" / "data" / "real"
ARTIFACTS = PROJECT_ROOT / ".test-artifacts"  # screenshots and measurements a test run keeps
T = TypeVar("T")

# The DVC stages call the `moviegoer` console script: make the one beside this interpreter win.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def real_videos() -> Path:
    folder = SHARED_REAL / "videos"
    if not folder.is_dir():
        pytest.skip("../shared/data/real is absent: real-footage tests skipped")
    return folder


@pytest.fixture(scope="session")
def films_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few small, real video files shared by the tests (never modified by them)."""
    folder = tmp_path_factory.mktemp("films")
    write_mp4v(folder / "alpha.mp4", seconds=20)
    write_mp4v(folder / "beta.mp4", seconds=12, fps=25)
    write_h264(folder / "gamma.mp4", seconds=30, gop=120)
    write_h264(folder / "vfr.mkv", seconds=20, gop=48, drop_every=4)
    return folder


def run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh moviegoer project: a real git + DVC repo with the project's dvc.yaml, params.yaml and the stage code
    its deps name, an empty film registry, small extraction params, and the current directory set to it. Nothing
    is taken from the checkout's data/: after `make demo` it holds the sample's films, frames and labels."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    save_registry({}, root)  # an empty registry of its own: the checkout's may list films the demo registered
    (root / "data/review").mkdir()  # as committed: the corrections' folder, empty until a film is reviewed
    shutil.copy(PROJECT_ROOT / "data/review/.gitignore", root / "data/review/.gitignore")
    shutil.copytree(
        PROJECT_ROOT / "moviegoer", root / "moviegoer", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / ".gitignore", root / ".gitignore")
    params = re.sub(r"(?m)^  interval_s: \d+", "  interval_s: 2", (root / "params.yaml").read_text())
    assert "interval_s: 2" in params
    (root / "params.yaml").write_text(params.replace("width: 480", "width: 160"))
    run(["git", "init", "-q"], root)
    run(["git", "config", "user.email", "test@example.com"], root)
    run(["git", "config", "user.name", "test"], root)
    run(["dvc", "init", "-q"], root)
    run(["dvc", "config", "core.analytics", "false"], root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="session")
def real_frames(real_videos: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Frames of every shared real clip at 2 s (as the shared labels were made), small for speed."""
    from moviegoer.core.errors import VideoError
    from moviegoer.dataset.frames import ExtractParams, extract_film

    root = tmp_path_factory.mktemp("real_frames")
    for video in sorted(real_videos.glob("*.mp4")):
        try:
            extract_film(
                video,
                video.stem,
                root / video.stem,
                project_params(ExtractParams, "extract", interval_s=2, width=96),
            )
        except VideoError:
            continue  # batman.mp4 is AV1: where the wheels cannot decode it, its labels stay unmatched
    return root


@pytest.fixture(scope="session")
def real_labels_csv(real_videos: Path) -> Path:
    return SHARED_REAL / "labels.csv"


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server (SQLite) for the whole session: it takes a while to start."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def artifact(name: str) -> Path:
    """Where a test keeps `name` for a person to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def browser_programs(*names: str) -> list[str]:
    """The paths of Debian's browser programs (chromium, chromedriver). Without them a test is skipped here and
    fails in CI, where .ci/run installs them."""
    found = [shutil.which(name) for name in names]
    missing = [name for name, path in zip(names, found, strict=True) if path is None]
    if missing:
        message = f"{', '.join(missing)} missing: .ci/run installs Debian's chromium and chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [path for path in found if path is not None]


def project_params(cls: type[T], section: str, **overrides: Any) -> T:
    """A params dataclass from the project's own params.yaml (the one place defaults live), with `overrides`."""
    from moviegoer.core.params import load_params

    return cls(**{**load_params(PROJECT_ROOT / "params.yaml")[section], **overrides})


def analyze(video: Path, film_id: str, out: Path, **analyze_changes: Any) -> Path:
    """`moviegoer analyze` of one film with the project's params (the `analyze` section changed as asked), into
    OUT/<film_id>."""
    from moviegoer.analysis.analyze import analysis_params, analyze_film

    shot, analyze_params, setup, face = analysis_params(PROJECT_ROOT / "params.yaml")
    analyze_film(video, film_id, out / film_id, shot, replace(analyze_params, **analyze_changes), setup, face)
    return out / film_id


@pytest.fixture(scope="session")
def sample_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 60-second sample film (a title, a two-character dialogue scene, credits) with its exact timeline."""
    from moviegoer.sample.plan import SampleParams
    from moviegoer.sample.render import render_sample

    out = tmp_path_factory.mktemp("sample")
    params = project_params(
        SampleParams, "sample", films=1, min_duration_s=60, max_duration_s=60, workers=1, seed=5
    )
    render_sample(out, params, progress=False)
    return out


@pytest.fixture(scope="session")
def sample_analysis(sample_film: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analyze(sample_film / "sample_01.mp4", "sample_01", tmp_path_factory.mktemp("analysis"))
