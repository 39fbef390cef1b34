from __future__ import annotations

import re
from pathlib import Path

import cv2
import pyarrow.parquet as pq
import pytest

from moviegoer.core.errors import ParamsError, VideoError
from moviegoer.core.params import section_params
from moviegoer.dataset.frames import ExtractParams, extract_film
from moviegoer.dataset.manifest import MANIFEST_SCHEMA, read_manifest
from tests.conftest import project_params
from tests.synthetic import naive_samples


def test_extracts_frames_and_manifest(tmp_path: Path, films_dir: Path) -> None:
    progress: list[tuple[float, float]] = []
    out = tmp_path / "frames" / "alpha"
    result = extract_film(
        films_dir / "alpha.mp4",
        "alpha",
        out,
        project_params(ExtractParams, "extract", interval_s=2, width=160),
        on_progress=lambda done, total: progress.append((done, total)),
    )
    manifest = read_manifest(out)
    assert manifest.schema.equals(MANIFEST_SCHEMA)
    rows = manifest.to_pylist()
    assert result.frames == len(rows) == 10
    assert [r["target_ms"] for r in rows] == list(range(0, 20000, 2000))
    assert [r["t_ms"] for r in rows] == [t for t, _ in naive_samples(films_dir / "alpha.mp4", 2000)]
    assert {(r["width"], r["height"]) for r in rows} == {(160, 90)}
    assert rows[3]["frame"] == "alpha_t00006000.jpg"
    for row in rows:
        image = cv2.imread(str(out / row["frame"]))
        assert image.shape == (90, 160, 3)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [r["frame"] for r in rows] + [".moviegoer", "manifest.parquet"]
    )
    assert progress[-1][0] == progress[-1][1] == pytest.approx(20000, abs=1)


def test_keyframe_mode(tmp_path: Path, films_dir: Path) -> None:
    out = tmp_path / "gamma"
    extract_film(
        films_dir / "gamma.mp4",
        "gamma",
        out,
        project_params(ExtractParams, "extract", interval_s=8, width=64, mode="keyframe"),
    )
    rows = pq.read_table(out / "manifest.parquet").to_pylist()
    assert [round(r["t_ms"]) for r in rows] == [0, 10000, 15000, 25000]
    assert [r["target_ms"] for r in rows] == [0, 8000, 16000, 24000]


def test_same_params_give_identical_bytes(tmp_path: Path, films_dir: Path) -> None:
    params = project_params(ExtractParams, "extract", interval_s=3, width=100)
    first, second = tmp_path / "a", tmp_path / "b"
    extract_film(films_dir / "gamma.mp4", "gamma", first, params)
    extract_film(films_dir / "gamma.mp4", "gamma", second, params)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"interval_s": 0}, "interval_s"),
        ({"interval_s": -8}, "interval_s"),
        ({"width": 8}, "width"),
        ({"jpeg_quality": 0}, "jpeg_quality"),
        ({"mode": "fast"}, "mode"),
    ],
)
def test_bad_params_are_refused(params: dict[str, object], key: str) -> None:
    with pytest.raises(ParamsError, match=key):
        project_params(ExtractParams, "extract", **params)  # type: ignore[arg-type]


def test_params_file_is_the_only_source_and_errors_name_the_key(tmp_path: Path) -> None:
    params_file = tmp_path / "params.yaml"
    full = "extract:\n  interval_s: 4\n  width: 480\n  jpeg_quality: 90\n  mode: exact\n"
    params_file.write_text(full)
    assert section_params(ExtractParams, "extract", params_file, width=64) == ExtractParams(
        interval_s=4, width=64, jpeg_quality=90, mode="exact"
    )
    cases = {
        full.replace(
            "interval_s: 4", "interval_s: 0"
        ): "params.yaml: extract.interval_s must be a number > 0",
        full + "  intervall_s: 2\n": "params.yaml: extract.intervall_s is not a known parameter",
        full.replace("  width: 480\n", ""): "params.yaml: extract.width is missing",
        "labels:\n  tolerance_ms: 500\n": "params.yaml: extract section is missing",
        "extract: [1, 2\n": "params.yaml: is not valid YAML",
    }
    for text, message in cases.items():
        params_file.write_text(text)
        with pytest.raises(ParamsError, match=re.escape(message)):
            section_params(ExtractParams, "extract", params_file)
    params_file.write_bytes(b"\xff\xfe\x00\x01binary")
    with pytest.raises(ParamsError, match="params.yaml: is not a text file"):
        section_params(ExtractParams, "extract", params_file)
    with pytest.raises(ParamsError, match="nowhere.yaml: not found"):
        section_params(ExtractParams, "extract", tmp_path / "nowhere.yaml")
    params_file.write_text(full)
    with pytest.raises(ParamsError, match="--width must be an integer from 32 to 7680"):
        section_params(ExtractParams, "extract", params_file, width=8)


def test_failed_extraction_leaves_previous_output_untouched(tmp_path: Path, films_dir: Path) -> None:
    out = tmp_path / "frames" / "film"
    extract_film(
        films_dir / "beta.mp4", "film", out, project_params(ExtractParams, "extract", interval_s=4, width=64)
    )
    before = sorted(p.name for p in out.iterdir())
    broken = tmp_path / "broken.mp4"
    broken.write_bytes((films_dir / "alpha.mp4").read_bytes()[:5000])
    with pytest.raises(VideoError, match="broken.mp4"):
        extract_film(broken, "film", out, project_params(ExtractParams, "extract", interval_s=4, width=64))
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["film"], "no temporary folder may survive"


def test_bad_film_leaves_no_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError, match="empty file"):
        extract_film(empty, "empty", tmp_path / "frames" / "empty", project_params(ExtractParams, "extract"))
    assert not (tmp_path / "frames").exists() or not any((tmp_path / "frames").iterdir())


def test_film_with_no_frames(tmp_path: Path) -> None:
    no_frames = tmp_path / "no_frames.mp4"
    cv2.VideoWriter(str(no_frames), cv2.VideoWriter_fourcc(*"mp4v"), 24, (64, 64)).release()
    with pytest.raises(VideoError, match=r"no_frames.mp4: holds no video stream"):
        extract_film(no_frames, "no_frames", tmp_path / "out", project_params(ExtractParams, "extract"))
    assert not (tmp_path / "out").exists()


def test_header_that_lies_is_extracted_and_reported(tmp_path: Path, real_videos: Path) -> None:
    result = extract_film(
        real_videos / "friends_dvt.mp4",
        "friends_dvt",
        tmp_path / "f",
        project_params(ExtractParams, "extract", interval_s=2),
    )
    assert result.frames == 5
    assert any("header says 12.6 s but frames stop at 10.0 s" in w for w in result.warnings)


def test_variable_frame_rate_keeps_decoded_timestamps(tmp_path: Path, real_videos: Path) -> None:
    path = real_videos / "goldeneye.mp4"
    extract_film(path, "goldeneye", tmp_path / "g", project_params(ExtractParams, "extract", interval_s=2))
    rows = read_manifest(tmp_path / "g").to_pylist()
    assert [r["t_ms"] for r in rows] == [t for t, _ in naive_samples(path, 2000)]
    assert any(r["t_ms"] != r["target_ms"] for r in rows)
