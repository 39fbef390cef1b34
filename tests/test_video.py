from __future__ import annotations

from pathlib import Path

import pytest

from moviegoer.core.errors import VideoError
from moviegoer.video.probe import probe
from tests.synthetic import write_undecodable


def test_probe_reads_what_decodes(films_dir: Path) -> None:
    info = probe(films_dir / "alpha.mp4")
    assert (info.width, info.height, info.fps) == (320, 180, 24.0)
    assert info.frames == 480
    assert info.duration_s == pytest.approx(20.0, abs=0.05)
    assert info.last_frame_ms == pytest.approx(20000 - 1000 / 24, abs=1)
    assert not info.variable_frame_rate
    full = probe(films_dir / "alpha.mp4", full_scan=True)
    assert (full.frames, full.duration_s) == (info.frames, info.duration_s)


def test_probe_flags_variable_frame_rate(films_dir: Path) -> None:
    assert probe(films_dir / "vfr.mkv").variable_frame_rate
    assert not probe(films_dir / "gamma.mp4").variable_frame_rate


def _broken_files(folder: Path, films_dir: Path) -> dict[str, Path]:
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    text = folder / "notes.mp4"
    text.write_text("this is not a film\n" * 50)
    good = (films_dir / "alpha.mp4").read_bytes()
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(good[: len(good) // 2])
    return {
        "empty file (0 bytes)": empty,
        "not a video file": text,
        "truncated": truncated,
        "no such file": folder / "missing.mp4",
        "is a folder": folder,
    }


def test_broken_inputs_give_one_line_errors_naming_the_file(tmp_path: Path, films_dir: Path) -> None:
    for problem, path in _broken_files(tmp_path, films_dir).items():
        with pytest.raises(VideoError) as caught:
            probe(path)
        message = str(caught.value)
        assert message.startswith(str(path)), message
        assert problem in message
        assert "\n" not in message


def test_undecodable_stream_is_named(tmp_path: Path) -> None:
    film = write_undecodable(tmp_path / "noise.mp4")
    with pytest.raises(VideoError, match=r"noise\.mp4: cannot decode any frame of its \w+ video stream"):
        probe(film)


def test_header_that_lies_about_duration(real_videos: Path) -> None:
    info = probe(real_videos / "friends_dvt.mp4")
    assert info.header_duration_s == pytest.approx(12.6, abs=0.1)
    assert info.duration_s == pytest.approx(10.0, abs=0.05)
    assert info.frames == 300


def test_real_variable_frame_rate(real_videos: Path) -> None:
    assert probe(real_videos / "goldeneye.mp4").variable_frame_rate
