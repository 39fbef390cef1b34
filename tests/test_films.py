from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from moviegoer.dataset.films import add_films, film_id_for, load_registry
from tests.conftest import run


def test_film_ids_come_from_file_names() -> None:
    assert film_id_for(Path("/x/The Long Goodbye (1973).MKV")) == "the_long_goodbye_1973"
    assert re.fullmatch(r"film_[0-9a-f]{10}", film_id_for(Path("---.mp4")))


def test_add_probes_copies_tracks_and_registers(project: Path, films_dir: Path) -> None:
    outcomes = add_films([films_dir / "alpha.mp4", films_dir / "vfr.mkv"], root=project)
    assert [o.status for o in outcomes] == ["added", "added"]
    films = load_registry(project)
    assert sorted(films) == ["alpha", "vfr"]
    assert films["alpha"].path == "data/raw/films/alpha.mp4"
    assert films["alpha"].info["frames"] == 480
    assert films["vfr"].info["variable_frame_rate"] is True
    pointer = yaml.safe_load((project / "data/raw/films/alpha.mp4.dvc").read_text())
    assert pointer["outs"][0]["path"] == "alpha.mp4"
    assert (project / "data/raw/films/alpha.mp4").read_bytes() == (films_dir / "alpha.mp4").read_bytes()
    ignored = run(["git", "check-ignore", "data/raw/films/alpha.mp4"], project, check=False)
    assert ignored.returncode == 0, "the film itself must be ignored by git (DVC owns it)"
    assert run(["git", "check-ignore", "data/raw/films/alpha.mp4.dvc"], project, check=False).returncode == 1
    assert "up to date" in run(["dvc", "status", "data/raw/films/alpha.mp4.dvc"], project).stdout


def test_add_again_is_a_no_op_and_clashes_are_refused(project: Path, films_dir: Path, tmp_path: Path) -> None:
    add_films([films_dir / "alpha.mp4"], root=project)
    registry_before = (project / "data/films.yaml").read_text()
    [again] = add_films([films_dir / "alpha.mp4"], root=project)
    assert again.status == "unchanged"
    other = tmp_path / "elsewhere" / "alpha.mp4"
    other.parent.mkdir()
    shutil.copy(films_dir / "beta.mp4", other)
    [clash] = add_films([other], root=project)
    assert clash.status == "failed" and "already taken" in clash.message
    copy = tmp_path / "elsewhere" / "alpha_copy.mp4"
    shutil.copy(films_dir / "alpha.mp4", copy)
    [duplicate] = add_films([copy], root=project)
    assert duplicate.status == "failed" and "same content as registered film 'alpha'" in duplicate.message
    assert (project / "data/films.yaml").read_text() == registry_before


def test_cli_add_reports_bad_films_and_adds_the_rest(project: Path, films_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_text("not a film")
    result = run(["moviegoer", "films", "add", str(bad), str(films_dir / "beta.mp4")], project, check=False)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(
        f"error: {bad}: not a video file"
    )  # FFmpeg's reason follows
    assert "1 added, 0 unchanged, 1 failed" in result.stdout
    assert list(load_registry(project)) == ["beta"]
    assert not (project / "data/raw/films/broken.mp4").exists()
    listing = run(["moviegoer", "films", "list"], project).stdout
    assert "beta" in listing and "320x180" in listing
