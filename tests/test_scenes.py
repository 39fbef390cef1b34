"""Dialogue scenes: alternating singles of two characters, with cutaways, found in a film's analysis; none where
there is no conversation; the timeline page in a real browser; the exports read back by their own readers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from moviegoer.analysis.tables import CHARACTERS, FACES, SAMPLES, SCHEMAS, SHOTS, to_arrow
from moviegoer.sample.timeline import dialogue_spans, read_timeline
from moviegoer.scenes.dialogue import find_dialogue_scenes, time_iou
from moviegoer.scenes.exports import scenes_from_otio
from moviegoer.scenes.stage import TIMELINE, read_scenes, scenes_film
from moviegoer.scenes.subjects import ScenesParams, shot_subjects
from tests.conftest import PROJECT_ROOT, artifact, browser_programs, project_params, run

PARAMS = project_params(ScenesParams, "scenes")
SHOT_S = 4.0

# A shot of a made-up film: (kind, character) with kind one of
#   "single"   a medium close-up of the character (the character's usual side: odd numbers left, even right)
#   "unknown"  a medium close-up on that character's side whose face was not identified
#   "medium"   a medium shot of the character (waist up: a smaller face than an MCU's), identified
#   "faceless" a shot of the character's setup in which no face was found (the back of a head, a profile)
#   "obscured" a medium close-up on the character's side, face not identified, from a setup seen only this once
#   "wide"     the character small in a wide shot
#   "two"      a two-shot (two faces of a size)
#   "insert"   nobody
# Shots of one character's singles ("single", "unknown", "faceless") come from that character's own camera setup
# (numbered as the character); a medium shot from a second setup of theirs; every other shot from a setup of its own.
Script = list[tuple[str, int]]
FACE_HEIGHTS = {"single": 0.35, "unknown": 0.35, "medium": 0.15}


def film_tables(script: Script) -> dict[str, pd.DataFrame]:
    """Analysis tables (the real schemas) of a film whose shots are `script`, one sample frame per shot."""
    shots, samples, faces = [], [], []
    for number, (kind, character) in enumerate(script, start=1):
        start, end = (number - 1) * SHOT_S * 1000, number * SHOT_S * 1000
        frame = (number - 1) * 96 + 48
        own_setup = kind in ("single", "unknown", "faceless")
        setup = character if own_setup else 100 + character if kind == "medium" else 1000 + number
        shots.append((number, start, end, (number - 1) * 96, number * 96, 0.5, 0.0, -1, setup, []))
        boxes: list[tuple[float, float, int]] = []  # x, height, character
        side_x = 0.25 if character % 2 else 0.6
        if kind in ("single", "medium"):
            boxes = [(side_x, FACE_HEIGHTS[kind], character)]
        elif kind in ("unknown", "obscured"):
            boxes = [(side_x, 0.35, -1)]
        elif kind == "wide":
            boxes = [(side_x, 0.06, character)]
        elif kind == "two":
            boxes = [(0.2, 0.22, -1), (0.6, 0.21, -1)]
        samples.append(
            (number, frame, (start + end) / 2, len(boxes), max((h for _, h, _ in boxes), default=0), 0.2)
        )
        for rank, (x, height, who) in enumerate(boxes):
            faces.append((
                number, frame, (start + end) / 2, rank, x, 0.1, height * 0.56, height, 0.9,
                x + 0.1, 0.2, x + 0.2, 0.2, x + 0.15, 0.27, None, who,
            ))  # fmt: skip
    columns = {name: [f.name for f in SCHEMAS[name]][1:] for name in SCHEMAS}
    characters = sorted({c for _, c in script if c > 0})
    return {
        SHOTS: pd.DataFrame(shots, columns=columns[SHOTS]),
        SAMPLES: pd.DataFrame(samples, columns=columns[SAMPLES]),
        FACES: pd.DataFrame(faces, columns=columns[FACES]),
        CHARACTERS: pd.DataFrame([(c, 3, 3, 0.0) for c in characters], columns=columns[CHARACTERS]),
    }


def scenes_of(script: Script, params: ScenesParams = PARAMS) -> pd.DataFrame:
    tables = film_tables(script)
    return find_dialogue_scenes(shot_subjects(tables[SHOTS], tables[SAMPLES], tables[FACES], params), params)


def write_analysis(folder: Path, script: Script, film_id: str = "made_up") -> Path:
    folder.mkdir(parents=True)
    for name, table in film_tables(script).items():
        pq.write_table(to_arrow(name, table, film_id), folder / name)
    return folder


A, B, C = ("single", 1), ("single", 2), ("single", 3)
TWO, INSERT = ("two", 0), ("insert", 0)


def test_alternating_singles_with_cutaways_are_one_scene() -> None:
    script = [
        INSERT,
        ("wide", 1),
        TWO,
        A,
        B,
        A,
        TWO,
        B,
        INSERT,
        A,
        C,
        B,
        A,
        INSERT,
        INSERT,
        INSERT,
        ("wide", 2),
    ]
    scenes = scenes_of(script)
    assert len(scenes) == 1
    scene = scenes.iloc[0]
    # the opening two-shot belongs to it; the two-shot, the insert and the third person's reaction stay inside
    assert (scene["first_shot"], scene["last_shot"]) == (3, 13)
    assert {scene["character_a"], scene["character_b"]} == {1, 2}
    assert scene["n_alternations"] == 6 and scene["n_shots"] == 11
    assert (scene["start_ms"], scene["end_ms"]) == (2 * SHOT_S * 1000, 13 * SHOT_S * 1000)
    assert scene["confidence"] == pytest.approx(7 / 11, abs=1e-3)


def test_a_long_cutaway_or_a_new_partner_starts_another_scene() -> None:
    script = [A, B, A, B, INSERT, INSERT, INSERT, A, B, A, B, C, A, C, A, C]
    scenes = scenes_of(script)
    assert scenes[["first_shot", "last_shot"]].values.tolist() == [[1, 4], [8, 11], [12, 16]]
    assert [{a, b} for a, b in scenes[["character_a", "character_b"]].values] == [{1, 2}, {1, 2}, {1, 3}]
    # a two-shot between two conversations goes to one of them, never to both
    back_to_back = scenes_of([A, B, A, B, TWO, C, A, C, A])
    assert back_to_back[["first_shot", "last_shot"]].values.tolist() == [[1, 5], [6, 9]]
    spaced = [A, INSERT, B, INSERT, A, INSERT, B]
    assert len(scenes_of(spaced)) == 1
    assert scenes_of(
        spaced, ScenesParams(**{**PARAMS.__dict__, "max_gap_s": SHOT_S / 2})
    ).empty  # shots of the pair further apart than max_gap_s are not one conversation


def test_unidentified_faces_take_the_character_seen_on_their_side() -> None:
    unknown_a, unknown_b = ("unknown", 1), ("unknown", 2)
    scenes = scenes_of([A, B, unknown_a, B, unknown_a, unknown_b, A, B])
    assert len(scenes) == 1 and scenes.iloc[0]["n_alternations"] == 7  # A B A B A B A B
    assert scenes.iloc[0]["confidence"] == pytest.approx(
        5 / 8
    )  # inferred shots count, but lower the confidence


def test_a_setup_whose_faces_are_never_identified_is_one_person() -> None:
    """Shot/reverse-shot of a well-lit face and one too small, dark or turned to identify (the face is found, no
    identity): the unidentified side is known by its camera setup, and a shot of that setup in which no face was
    found at all (the back of a head) still counts through it."""
    unknown, faceless = ("unknown", 2), ("faceless", 2)
    scenes = scenes_of([INSERT, A, unknown, A, faceless, A, unknown, INSERT])
    assert len(scenes) == 1
    scene = scenes.iloc[0]
    assert (scene["first_shot"], scene["last_shot"], scene["n_alternations"]) == (2, 7, 5)
    assert (scene["character_a"], scene["character_b"], scene["setup_b"]) == (1, -1, 2)


def test_an_obscured_face_takes_the_person_its_side_shows() -> None:
    """Mid-conversation, B's face is hidden (a hand, a prop) in a framing used once: the identified close singles
    around it put B on that side, so the exchange goes on past a third person's reaction and a two-shot. A wider
    shot of someone else on that side after the scene is no witness of who stands there in the coverage."""
    script = [A, B, A, B, A, B, C, TWO, ("obscured", 2), TWO, A, INSERT, ("medium", 4)]
    scenes = scenes_of(script)
    assert scenes[["first_shot", "last_shot"]].values.tolist() == [[1, 11]]
    assert {scenes.iloc[0]["character_a"], scenes.iloc[0]["character_b"]} == {1, 2}


def test_a_medium_shot_reverse_is_a_single() -> None:
    """The reverse shot may be framed wider (waist up) than the MCU it answers: it still shows mainly one person."""
    scenes = scenes_of([("medium", 2), A, ("medium", 2), A, ("medium", 2)])
    assert len(scenes) == 1 and {scenes.iloc[0]["character_a"], scenes.iloc[0]["character_b"]} == {1, 2}


def test_a_shot_with_no_face_in_a_setup_of_other_kinds_is_not_a_single() -> None:
    """A faceless shot counts through its setup only when that setup frames one person: an insert is not a side."""
    assert scenes_of([A, INSERT, A, INSERT, A]).empty


def test_two_conversations_of_one_pair_are_two_scenes() -> None:
    scenes = scenes_of([A, B, A, B, INSERT, INSERT, INSERT, ("wide", 1), B, A, B, A, B])
    assert scenes[["first_shot", "last_shot"]].values.tolist() == [[1, 4], [9, 13]]
    assert all({a, b} == {1, 2} for a, b in scenes[["character_a", "character_b"]].values)


@pytest.mark.parametrize(
    "script",
    [
        [INSERT, INSERT, ("two", 0), INSERT],  # no people
        [A, A, INSERT, A, A, A, A],  # a monologue
        [
            ("wide", 1),
            ("wide", 2),
            ("wide", 1),
            ("wide", 2),
            ("wide", 1),
            ("wide", 2),
        ],  # not medium close-ups
        [A, B, A],  # too short an exchange
    ],
    ids=["nobody", "monologue", "wide-shots", "too-short"],
)
def test_no_scene_without_a_two_character_exchange_of_singles(script: Script) -> None:
    assert scenes_of(script).empty


@pytest.fixture(scope="module")
def sample_scenes(sample_analysis: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenes")
    return scenes_film(sample_analysis, out, PARAMS, video=Path("films/sample_01.mp4")).out_dir


@pytest.mark.slow
def test_the_sample_films_dialogue_is_found(sample_film: Path, sample_scenes: Path) -> None:
    dialogue = dialogue_spans(read_timeline(sample_film / "timeline.parquet"))
    scenes = read_scenes(sample_scenes)
    assert len(scenes) == len(dialogue) == 1
    found = scenes.iloc[0]
    assert time_iou((found["start_ms"], found["end_ms"]), dialogue[0]) >= 0.8
    assert found["character_a"] != found["character_b"] and found["n_alternations"] >= 3


@pytest.mark.slow
def test_exports_read_back_equal_the_table(sample_scenes: Path, sample_analysis: Path) -> None:
    scenes = read_scenes(sample_scenes)
    shots = pq.read_table(sample_analysis / SHOTS).to_pandas().drop(columns="signature")
    for name, table in (("scenes", scenes), ("shots", shots)):
        from_csv = pd.read_csv(sample_scenes / f"{name}.csv")
        from_json = pd.DataFrame.from_records(json.loads((sample_scenes / f"{name}.json").read_text()))
        for reread in (from_csv, from_json):
            pd.testing.assert_frame_equal(reread, table, check_dtype=False)
    from_otio = scenes_from_otio(sample_scenes / "sample_01.otio")
    pd.testing.assert_frame_equal(from_otio[scenes.columns], scenes, check_dtype=False)
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(sample_scenes / "sample_01.otio"))
    clips = list(timeline.find_clips())
    assert len(clips) == len(pq.read_table(sample_analysis / SHOTS))
    assert clips[0].media_reference.target_url == "films/sample_01.mp4"
    marker = timeline.tracks[0].markers[0]
    rate = marker.marked_range.start_time.rate
    assert marker.marked_range.start_time.to_seconds() == pytest.approx(
        scenes["start_ms"].iloc[0] / 1000, abs=1 / rate
    )


def headless(browser: str, *args: str) -> str:
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.slow
def test_the_timeline_page_shows_the_scenes_in_a_real_browser(sample_scenes: Path, tmp_path: Path) -> None:
    (browser,) = browser_programs("chromium")
    page = sample_scenes / TIMELINE
    text = page.read_text()
    assert "http://" not in text and "https://" not in text  # self-contained: nothing fetched
    dom = headless(browser, "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    scenes = read_scenes(sample_scenes)
    # the page's own script counts the scene bands that the browser laid out with a size
    assert f'data-scenes-shown="{len(scenes)}"' in dom
    shots = json.loads((sample_scenes / "shots.json").read_text())
    assert dom.count('class="shot"') == len(shots)  # every shot drawn on the strip
    # and its camera setup, numbered where the film returns to it
    assert dom.count('class="setup"') == len(shots)
    returning = pd.Series([s["setup"] for s in shots]).value_counts()
    assert f"{(returning > 1).sum()} returned to" in dom
    shot = artifact("timeline.png")
    headless(browser, "--window-size=1300,800", f"--screenshot={shot}", page.as_uri())
    picture = np.frombuffer(shot.read_bytes(), np.uint8)
    assert shot.stat().st_size > 10_000 and picture[:4].tobytes() == b"\x89PNG"


def test_cli_writes_each_film_and_one_bad_folder_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write_analysis(tmp_path / "analysis" / "made_up", [A, B, A, B, TWO, A, B])
    bad = tmp_path / "analysis" / "not_an_analysis"
    bad.mkdir()
    (bad / SHOTS).write_text("not parquet")
    out = tmp_path / "scenes"
    command = [
        "moviegoer",
        "scenes",
        str(bad),
        str(good),
        "--out",
        str(out),
        "--params",
        str(PROJECT_ROOT / "params.yaml"),
    ]
    result = run(command, tmp_path, check=False)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "not_an_analysis" in errors[0] and "not an analysis table" in errors[0]
    assert not (out / "not_an_analysis").exists()
    assert len(read_scenes(out / "made_up")) == 1
    assert "made_up: 1 dialogue scenes" in result.stdout
    index = tmp_path / "films.html"
    run(["moviegoer", "timelines", str(out), "--out", str(index)], tmp_path)
    assert 'href="scenes/made_up/timeline.html"' in index.read_text()
    listing = run(["moviegoer", "scenes-list", str(out)], tmp_path).stdout
    assert "made_up" in listing and "1 & 2" in listing


def test_the_index_never_replaces_a_page_moviegoer_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    result = run(["moviegoer", "timelines", str(tmp_path), "--out", str(mine)], tmp_path, check=False)
    assert result.returncode == 1 and "not a moviegoer page" in result.stderr
    assert mine.read_text() == "<html>my notes</html>"
