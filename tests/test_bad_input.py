"""Bad input, as a new user makes it: each case gets one line naming the file and the problem, a non-zero exit, and
nothing changes outside what moviegoer owns (every file around the project is hashed before and after)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from moviegoer.dataset.films import film_id_for, load_registry
from moviegoer.dataset.labels import read_labels
from tests.conftest import run

SKIPPED_PARTS = {".git", "tmp", "cache", "__pycache__"}  # git's and DVC's own bookkeeping


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` (DVC's and git's bookkeeping aside) with the hash of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(root).parts)
    }


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def fails_with_one_line(command: list[str], cwd: Path, *meaning: str) -> str:
    """Run a command that must fail: exit 1, exactly one error line, naming each of `meaning` (regexes)."""
    result = run(command, cwd, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    [line] = errors(result)
    for pattern in meaning:
        assert re.search(pattern, line), line
    return line


@pytest.fixture
def labelled(project: Path, films_dir: Path) -> Path:
    """The project with two films extracted (2 s marks) and a few labels."""
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    csv = project.parent / "labels.csv"
    csv.write_text("film_id,t_ms,label\nalpha,0,mcu\nalpha,2000,non_mcu\nbeta,0,non_mcu\nbeta,4000,mcu\n")
    run(["moviegoer", "labels", "import", "--csv", str(csv), "--no-dvc"], project)
    return project


# --- data loss and writes outside the project -----------------------------------------------------------------
@pytest.mark.parametrize("command", [["labels", "export", "--folders"], ["split", "--out"]])
def test_a_folder_moviegoer_did_not_write_is_never_replaced(labelled: Path, command: list[str]) -> None:
    target = labelled.parent / "thesis"
    (target / "sub").mkdir(parents=True)
    (target / "thesis.txt").write_text("precious\n")
    before = tree(labelled.parent)
    fails_with_one_line(
        ["moviegoer", *command, str(target)], labelled, re.escape(str(target)), "did not write"
    )
    assert tree(labelled.parent) == before
    fresh = labelled.parent / "fresh"
    run(["moviegoer", *command, str(fresh)], labelled)
    run(["moviegoer", *command, str(fresh)], labelled)  # its own folder: replaced whole, as promised
    assert (fresh / ".moviegoer").is_file()


def test_film_id_cannot_escape_the_frames_folder(project: Path, films_dir: Path) -> None:
    before = tree(project.parent)
    fails_with_one_line(
        ["moviegoer", "extract", str(films_dir / "beta.mp4"), "--film-id", "../../../victim",
         "--frames-dir", "data/frames"],
        project,
        "--film-id",
        re.escape("'../../../victim'"),
    )  # fmt: skip
    assert tree(project.parent) == before


def test_a_hand_edited_registry_is_refused_before_any_shell_runs(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "beta.mp4")], project)
    registry = project / "data/films.yaml"
    data = yaml.safe_load(registry.read_text())
    entry = data["films"]["beta"]
    for films in (
        {"beta": {**entry, "path": 'data/raw/films/beta.mp4";touch PWNED;"'}},
        {"../../victim": {**entry, "path": "data/raw/films/beta.mp4"}},
    ):
        registry.write_text(yaml.safe_dump({"films": films}))
        fails_with_one_line(["moviegoer", "films", "list"], project, re.escape(str(Path("data/films.yaml"))))
        result = run(["dvc", "repro", "extract"], project, check=False)
        assert result.returncode != 0
        assert not (project / "PWNED").exists() and not (project.parent / "PWNED").exists()
        assert not (project.parent.parent / "victim").exists()


def test_labels_naming_frames_outside_their_film_are_refused(labelled: Path) -> None:
    table = read_labels(labelled / "data/labels/labels.parquet")
    table.loc[0, "film_id"] = "../../outside"
    table.to_parquet(labelled / "data/labels/labels.parquet", index=False)
    fails_with_one_line(
        ["moviegoer", "labels", "export", "--folders", str(labelled.parent / "out")],
        labelled,
        "labels.parquet",
        "bad film ids",
    )
    assert not (labelled.parent / "out").exists()


# --- one bad thing must not stop or destroy the rest ----------------------------------------------------------
def test_dvc_repro_keep_going_extracts_the_good_films_and_names_the_bad(
    project: Path, films_dir: Path
) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4"), str(films_dir / "beta.mp4")], project)
    broken = project / "data/raw/films/alpha.mp4"
    broken.unlink()
    broken.write_bytes(b"")
    result = run(["dvc", "repro", "--keep-going", "extract"], project, check=False)
    assert result.returncode != 0
    assert (project / "data/frames/beta/manifest.parquet").exists()
    output = result.stdout + result.stderr
    assert "alpha.mp4: empty file" in output and "extract@alpha" in output


def test_a_failed_re_extraction_keeps_the_last_good_frames(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "beta.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    frames = tree(project / "data/frames/beta")
    params = project / "params.yaml"
    params.write_text(re.sub(r"(?m)^  interval_s: .*$", "  interval_s: 0", params.read_text()))
    result = run(["dvc", "repro", "extract@beta"], project, check=False)
    assert (
        result.returncode != 0 and "extract.interval_s must be a number > 0" in result.stdout + result.stderr
    )
    assert tree(project / "data/frames/beta") == frames


def test_predict_frames_skips_unreadable_images_and_names_them(
    project: Path, films_dir: Path, tmp_path: Path
) -> None:
    from moviegoer.core.params import section_params
    from moviegoer.model.designs import build_model
    from moviegoer.model.fit import TrainParams
    from moviegoer.model.storage import save_model

    small = section_params(TrainParams, "train", project / "params.yaml", design="k4", input_size=32, filters=2,
                           last_filters=2, dense_units=2)  # fmt: skip
    model = save_model(build_model(small), tmp_path / "m.keras")
    run(["moviegoer", "extract", str(films_dir / "beta.mp4"), "--frames-dir", str(tmp_path / "f")], project)
    folder = tmp_path / "f" / "beta"
    good = sorted(folder.glob("*.jpg"))
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "fake.jpg").write_text("not a picture")
    (folder / "cut.jpg").write_bytes(good[0].read_bytes()[:300])
    out = tmp_path / "p.csv"
    result = run(["moviegoer", "predict-frames", str(model), str(folder), "--out", str(out)], project)
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert sorted(Path(line.split(": ")[1]).name for line in warned) == ["cut.jpg", "empty.jpg", "fake.jpg"]
    assert f"{len(good)} frames" in result.stdout and "3 skipped" in result.stdout
    assert len(pd.read_csv(out)) == len(good)
    strict = tmp_path / "strict.csv"
    fails_with_one_line(
        ["moviegoer", "predict-frames", str(model), str(folder), "--out", str(strict), "--strict"],
        project,
        "cut.jpg",
        "not a readable image",
    )
    assert not strict.exists()


# --- wrong place, wrong file -----------------------------------------------------------------------------------
def test_films_add_finds_the_project_from_a_subfolder(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "beta.mp4")], project / "data")
    assert list(load_registry(project)) == ["beta"]
    assert not (project / "data/data").exists()


def test_films_add_outside_a_project_changes_nothing(tmp_path: Path, films_dir: Path) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    before = tree(tmp_path)
    fails_with_one_line(
        ["moviegoer", "films", "add", str(films_dir / "beta.mp4")], outside, "not inside a moviegoer project"
    )
    assert tree(tmp_path) == before


def test_a_truncated_film_is_registered_with_the_duration_that_decodes(
    project: Path, films_dir: Path, tmp_path: Path
) -> None:
    import imageio_ffmpeg

    whole = (
        tmp_path / "whole.mp4"
    )  # 30 s, its index at the front as downloads have it, so a cut file still opens
    run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(films_dir / "gamma.mp4"), "-c", "copy",
         "-movflags", "+faststart", str(whole)], tmp_path)  # fmt: skip
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    result = run(["moviegoer", "films", "add", str(cut)], project)
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "cut.mp4" in warning and "header says 30.0 s" in warning
    film = load_registry(project)["cut"]
    assert film.info["duration_s"] < 20 and film.info["header_duration_s"] == pytest.approx(30, abs=0.1)


# --- one line, not a traceback ---------------------------------------------------------------------------------
def test_bad_label_sources_are_one_line(labelled: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 not really")
    a_csv = tmp_path / "timeline.csv"
    a_csv.write_text("film_id,start_ms\nalpha,0\n")
    before = tree(labelled.parent)
    cases = [
        (["labels", "import", "--csv", str(empty)], ["empty.csv", "empty CSV"]),
        (["labels", "stats", "--labels", str(corrupt)], ["corrupt.parquet", "not a label table"]),
        (["labels", "stats", "--labels", str(tmp_path)], [re.escape(str(tmp_path)), "folder"]),
        (["labels", "import", "--timeline", str(a_csv)], ["timeline.csv", "not a sample timeline"]),
    ]
    for command, meaning in cases:
        fails_with_one_line(["moviegoer", *command], labelled, *meaning)
    assert tree(labelled.parent) == before


def test_bad_model_params_and_names_are_one_line(project: Path, films_dir: Path, tmp_path: Path) -> None:
    not_a_model = tmp_path / "model.keras"
    not_a_model.write_text("hello")
    fails_with_one_line(
        ["moviegoer", "predict-frames", str(not_a_model), str(tmp_path)],
        project,
        "model.keras",
        "not a Keras model",
    )
    long_name = tmp_path / ("x" * 300 + ".mp4")
    fails_with_one_line(["moviegoer", "films", "add", str(long_name)], project, "cannot read it")
    fails_with_one_line(
        [
            "moviegoer",
            "extract",
            str(films_dir / "beta.mp4"),
            "--width",
            "100000",
            "--frames-dir",
            str(tmp_path),
        ],
        project,
        "--width must be an integer from 32 to 7680",
    )
    fails_with_one_line(["moviegoer", "predict-frames", str(not_a_model), str(tmp_path), "--threshold", "7"],
                        project, "--threshold must be a number in \\[0, 1\\]")  # fmt: skip
    (project / "params.yaml").write_bytes(b"\x00\xff\xfe binary")
    fails_with_one_line(
        ["moviegoer", "sample", "--out", str(tmp_path / "s")], project, "params.yaml", "not a text file"
    )


def test_bad_timestamps_are_named_with_what_was_written(labelled: Path, tmp_path: Path) -> None:
    csv = tmp_path / "more.csv"
    csv.write_text("film_id,t_ms,label,sure,note\nalpha,abc,mcu,,\nalpha,-300,mcu,,\nalpha,0,mcu,no,OTS\n")
    result = run(["moviegoer", "labels", "import", "--csv", str(csv), "--no-dvc"], labelled)
    assert "alpha @ abc ms: t_ms is not a number" in result.stdout
    assert "alpha @ -300 ms: t_ms is negative" in result.stdout
    table = read_labels(labelled / "data/labels/labels.parquet")
    kept = table.set_index("frame").loc["alpha_t00000000.jpg"]
    assert pd.isna(kept["sure"]) and pd.isna(kept["note"])  # the table's own values kept without --overwrite
    assert (
        "differs from the existing label" in result.stdout
        and "import says mcu (sure False, note 'OTS')" in result.stdout
    )
    run(["moviegoer", "labels", "import", "--csv", str(csv), "--overwrite", "--no-dvc"], labelled)
    row = read_labels(labelled / "data/labels/labels.parquet").set_index("frame").loc["alpha_t00000000.jpg"]
    assert not pd.isna(row["sure"]) and not row["sure"]  # a correction of sure/note alone is applied
    assert row["note"] == "OTS" and row["label"] == "mcu"


# --- smaller, still wrong ---------------------------------------------------------------------------------------
def test_film_ids_of_names_without_latin_letters_differ() -> None:
    assert film_id_for(Path("映画.mp4")) != film_id_for(Path("アニメ.mp4"))
    assert film_id_for(Path("Amélie.mp4")) == "amelie"
    assert re.fullmatch(r"film_[0-9a-f]{10}", film_id_for(Path("映画.mp4")))


def test_ingest_never_overwrites_an_earlier_rejected_file(project: Path) -> None:
    from flows.ingest import reject

    rejected = project / "data/inbox/rejected"
    inbox = project / "data/inbox"
    inbox.mkdir(parents=True)
    for attempt in (1, 2):
        (inbox / "broken.mp4").write_text(f"attempt {attempt}")
        reject(inbox / "broken.mp4", rejected, f"reason {attempt}")
    assert (rejected / "broken.mp4").read_text() == "attempt 1"
    assert (rejected / "broken-2.mp4").read_text() == "attempt 2"
    assert (rejected / "broken-2.mp4.reason.txt").read_text() == "reason 2\n"
