"""`moviegoer analyze`: one decoding pass gives a film's shots (checked against the sample's exact ground truth and
PySceneDetect's own CLI), its faces and characters, and MCU scores per shot; an empty result is still a typed one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moviegoer.analysis.characters import UNASSIGNED, cluster_characters
from moviegoer.analysis.tables import CHARACTERS, FACES, SAMPLES, SCHEMAS, SHOTS, read_table
from moviegoer.sample.plan import MCU_SHOT_TYPES, SampleParams
from moviegoer.sample.timeline import read_timeline
from tests.conftest import analyze, project_params, run


def cut_f1(found_ms: np.ndarray, true_ms: np.ndarray, tolerance_ms: float) -> float:
    """F1 of cut times, a cut counting as found within `tolerance_ms`."""
    hits = sum(bool(len(found_ms)) and np.min(np.abs(found_ms - cut)) <= tolerance_ms for cut in true_ms)
    right = sum(bool(len(true_ms)) and np.min(np.abs(true_ms - cut)) <= tolerance_ms for cut in found_ms)
    recall, precision = hits / max(len(true_ms), 1), right / max(len(found_ms), 1)
    return 2 * recall * precision / max(recall + precision, 1e-9)


@pytest.mark.slow
def test_sample_cuts_match_the_ground_truth(sample_film: Path, sample_analysis: Path) -> None:
    timeline = read_timeline(sample_film / "timeline.parquet")
    shots = read_table(sample_analysis, SHOTS)
    fps = project_params(SampleParams, "sample").fps
    # a credits roll scrolls in from a blank black screen: after a black shot, its start shows no change at all
    types = timeline["shot_type"].to_numpy()
    visible = ~((types[1:] == "credits") & (types[:-1] == "black"))
    true_cuts = timeline["start_ms"].to_numpy()[1:][visible]
    f1 = cut_f1(shots["start_ms"].to_numpy()[1:], true_cuts, 2 * 1000 / fps + 1)
    assert f1 >= 0.97, f1
    assert (
        shots["start_ms"].iloc[0] == 0
        and (shots["end_ms"].to_numpy()[:-1] == shots["start_ms"].to_numpy()[1:]).all()
    )
    # the default model, fitted on real films, tells the drawn MCUs from the rest
    middle = (shots["start_ms"] + shots["end_ms"]) / 2
    types = [
        timeline[(timeline["start_ms"] <= t) & (timeline["end_ms"] > t)]["shot_type"].iloc[0] for t in middle
    ]
    is_mcu = np.isin(types, list(MCU_SHOT_TYPES))
    assert shots["p_mcu"][is_mcu].mean() > 0.7 > 0.3 > shots["p_mcu"][~is_mcu].mean()
    assert (sample_analysis / "thumbs" / "shot_0001.jpg").is_file()


@pytest.mark.slow
def test_analysis_is_reproducible(sample_film: Path, sample_analysis: Path, tmp_path: Path) -> None:
    again = analyze(sample_film / "sample_01.mp4", "sample_01", tmp_path)
    for name in (SHOTS, SAMPLES, FACES, CHARACTERS):
        assert (again / name).read_bytes() == (sample_analysis / name).read_bytes(), name


@pytest.mark.slow
def test_alternating_dialogue_shots_are_assigned_to_their_two_characters(
    sample_film: Path, sample_analysis: Path
) -> None:
    """The sample film's dialogue alternates two drawn characters in MCUs, close-ups and over-the-shoulder shots;
    with the real-film clustering params each shot's main face goes to its own character, the two kept apart."""
    timeline = read_timeline(sample_film / "timeline.parquet")
    faces = read_table(sample_analysis, FACES)
    main_faces = faces[faces["face"] == 0]
    truth = []
    for t_ms, character in zip(main_faces["t_ms"], main_faces["character"], strict=True):
        shot = timeline[(timeline["start_ms"] <= t_ms) & (timeline["end_ms"] > t_ms)].iloc[0]
        if shot["is_dialogue"] and shot["shot_type"] in ("mcu", "cu", "ots"):
            truth.append((shot["characters"][0], character))
    speakers = {name for name, _ in truth}
    assert len(speakers) == 2 and len(truth) >= 6, truth
    found = {
        name: max({c for n, c in truth if n == name}, key=[c for n, c in truth if n == name].count)
        for name in speakers
    }
    assert UNASSIGNED not in found.values() and len(set(found.values())) == 2, found
    assert sum(found[name] == character for name, character in truth) / len(truth) >= 0.9, truth


def test_a_film_without_people_has_shots_and_no_characters(films_dir: Path, tmp_path: Path) -> None:
    folder = analyze(films_dir / "beta.mp4", "beta", tmp_path)
    assert len(read_table(folder, SHOTS)) >= 1
    for name in (FACES, CHARACTERS):
        table = read_table(folder, name)
        assert table.empty and list(table.columns) == SCHEMAS[name].names  # empty, and still typed


def test_characters_are_clusters_of_identities() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=128), rng.normal(size=128)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    faces = np.stack([a + rng.normal(scale=0.01, size=128) for _ in range(3)] + [b, b + 0.01, a * -1])
    labels = cluster_characters(faces, max_distance=0.5, min_faces=2)
    assert labels.tolist() == [1, 1, 1, 2, 2, UNASSIGNED]  # most faces first; a lone face stays unassigned
    assert cluster_characters(np.zeros((0, 128)), 0.5, 2).tolist() == []


def test_real_interview_two_people_found_and_kept_apart(real_videos: Path, tmp_path: Path) -> None:
    folder = analyze(real_videos / "blackjournal.mp4", "blackjournal", tmp_path)
    shots = read_table(folder, SHOTS)
    assert len(shots) == 3  # as PySceneDetect's own detect-adaptive finds them
    close, two_shot = shots.iloc[0], shots.iloc[1]
    assert close["p_mcu"] > 0.9 and two_shot["p_mcu"] < 0.5  # a chest-up single, then the two side by side
    faces = read_table(folder, FACES)
    in_two_shot = faces[(faces["shot"] == 2) & (faces["character"] != UNASSIGNED)]
    per_frame = in_two_shot.groupby("frame_index")["character"].nunique()
    assert (per_frame == 2).mean() > 0.7  # the two people get two identities, frame after frame
    assert in_two_shot["character"].nunique() == 2


def test_pyscenedetect_cli_agrees_on_a_real_clip(real_videos: Path, tmp_path: Path) -> None:
    folder = analyze(real_videos / "pirates.mp4", "pirates", tmp_path)
    ours = read_table(folder, SHOTS)["start_frame"].to_numpy()[1:]
    subprocess.run(
        [str(Path(sys.executable).with_name("scenedetect")), "-i", str(real_videos / "pirates.mp4"), "-o",
         str(tmp_path), "-q", "detect-adaptive", "list-scenes", "-s"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    csv = next(tmp_path.glob("*.csv")).read_text().splitlines()
    theirs = np.array([int(line.split(",")[1]) - 1 for line in csv[2:]])[
        1:
    ]  # their frame numbers count from 1
    assert cut_f1(ours, theirs, 2) >= 0.95, (ours, theirs)


def test_cli_analyzes_films_and_one_bad_film_does_not_stop_the_others(
    project: Path, films_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a film")
    result = run(["moviegoer", "analyze", str(bad), str(films_dir / "beta.mp4"), "--out", str(tmp_path / "a")],
                 project, check=False)  # fmt: skip
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")][0].startswith(
        f"error: {bad}"
    )
    assert (
        "beta: " in result.stderr and (tmp_path / "a" / "beta" / SHOTS).is_file()
    )  # beside its progress bar
    assert not (tmp_path / "a" / "bad").exists()
