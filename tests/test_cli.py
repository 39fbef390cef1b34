from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PROJECT_ROOT, run
from tests.synthetic import write_undecodable

PARAMS = str(PROJECT_ROOT / "params.yaml")  # outside a project, commands read the params named


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_one_bad_film_does_not_stop_the_others(tmp_path: Path, films_dir: Path) -> None:
    broken = tmp_path / "notes.mp4"
    broken.write_text("not a film\n")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    frames = tmp_path / "frames"
    result = run(
        ["moviegoer", "extract", str(broken), str(films_dir / "beta.mp4"), str(empty), "--frames-dir", str(frames),
         "--interval-s", "3", "--width", "64", "--params", PARAMS],
        cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    errors = _error_lines(result.stderr)
    assert len(errors) == 2, result.stderr
    assert str(broken) in errors[0] and "not a video file" in errors[0]
    assert str(empty) in errors[1] and "empty file (0 bytes)" in errors[1]
    assert sorted(p.name for p in frames.iterdir()) == ["beta"]
    assert (frames / "beta" / "manifest.parquet").exists()


def test_bad_param_option_is_one_line(tmp_path: Path, films_dir: Path) -> None:
    result = run(
        [
            "moviegoer",
            "extract",
            str(films_dir / "beta.mp4"),
            "--frames-dir",
            str(tmp_path),
            "--width",
            "8",
            "--params",
            PARAMS,
        ],  # fmt: skip
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert _error_lines(result.stderr) == [
        "error: option: --width must be an integer from 32 to 7680 pixels (got 8)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_bad_param_file_is_one_line(tmp_path: Path, films_dir: Path) -> None:
    params = (PROJECT_ROOT / "params.yaml").read_text()
    (tmp_path / "params.yaml").write_text(re.sub(r"(?m)^  interval_s: .*$", "  interval_s: -1", params))
    result = run(["moviegoer", "extract", str(films_dir / "beta.mp4")], cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert _error_lines(result.stderr) == [
        "error: params.yaml: extract.interval_s must be a number > 0 (got -1)"
    ]


def test_undecodable_stream_exits_non_zero(tmp_path: Path) -> None:
    film = write_undecodable(tmp_path / "noise.mp4")
    result = run(
        ["moviegoer", "extract", str(film), "--frames-dir", "f", "--params", PARAMS], tmp_path, check=False
    )
    assert result.returncode == 1
    [line] = _error_lines(result.stderr)
    assert re.search(r"noise\.mp4: cannot decode any frame of its \w+ video stream", line), line
    assert not (tmp_path / "f" / "noise").exists()


def test_missing_params_file_is_one_line(tmp_path: Path, films_dir: Path) -> None:
    result = run(["moviegoer", "extract", str(films_dir / "beta.mp4")], cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert _error_lines(result.stderr) == [
        "error: params.yaml: not found (moviegoer reads every setting from params.yaml)"
    ]
    assert list(tmp_path.iterdir()) == []
