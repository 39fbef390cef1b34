"""`moviegoer review` on a real server and in headless Chromium: the film plays and the timeline follows it, a click
seeks, keys step through shots and scenes, a codec the browser cannot play falls back to the thumbnails until a
playable copy is made, the app answers only its own host and only for registered films; corrections (names, merges,
splits, scene verdicts, added and re-bounded scenes, a scene's people) are checked, journaled, kept across a kill, a
restart and a new analysis, and show in the reviewed exports."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import threading
import time
import urllib.request
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest

from moviegoer.analysis.tables import FACES, SHOTS, read_table
from moviegoer.core.paths import RAW_FILMS_DIR
from moviegoer.dataset.films import Film, save_registry
from moviegoer.review.corrections import Correction, CorrectionStore, ReviewParams
from moviegoer.review.state import Identities, reviewed
from moviegoer.sample.timeline import dialogue_spans, read_timeline
from moviegoer.scenes.stage import scenes_film
from moviegoer.scenes.subjects import ScenesParams
from tests.conftest import PROJECT_ROOT, artifact, browser_programs, project_params, run
from tests.test_label_app import app_server, free_port


def to_vp9(source: Path, target: Path) -> None:
    """The same frames at the same times as VP9 in WebM, a codec every Chromium plays (the sample is MPEG-4 part 2,
    which browsers do not)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream = inp.streams.video[0]
        encoder = out.add_stream("libvpx-vp9", rate=stream.average_rate)
        encoder.width, encoder.height, encoder.pix_fmt = 320, 180, "yuv420p"
        encoder.options = {"deadline": "realtime", "cpu-used": "8", "crf": "40", "b": "0"}
        for frame in inp.decode(stream):
            small = frame.reformat(width=320, height=180, format="yuv420p")
            small.pts, small.time_base = frame.pts, frame.time_base
            out.mux(encoder.encode(small))
        out.mux(encoder.encode(None))


@pytest.fixture(scope="module")
def review_project(
    sample_film: Path, sample_analysis: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A project with three registered films of one analysis: `playable` (VP9), `mpeg4` and `killed` (the sample as
    rendered), so that each test corrects its own."""
    root = tmp_path_factory.mktemp("review")
    shutil.copy(PROJECT_ROOT / "params.yaml", root / "params.yaml")
    (root / RAW_FILMS_DIR).mkdir(parents=True)
    to_vp9(sample_film / "sample_01.mp4", root / RAW_FILMS_DIR / "playable.webm")
    shutil.copy(sample_film / "sample_01.mp4", root / RAW_FILMS_DIR / "mpeg4.mp4")
    shutil.copy(sample_film / "sample_01.mp4", root / RAW_FILMS_DIR / "killed.mp4")
    scenes = scenes_film(sample_analysis, root / "found", project_params(ScenesParams, "scenes")).out_dir
    films = {}
    for film_id, suffix in (("playable", ".webm"), ("mpeg4", ".mp4"), ("killed", ".mp4")):
        shutil.copytree(sample_analysis, root / "data/analysis" / film_id)
        shutil.copytree(scenes, root / "data/scenes" / film_id)
        path = (RAW_FILMS_DIR / f"{film_id}{suffix}").as_posix()
        films[film_id] = Film(film_id, path, "test", "0" * 64, "2026-12-05T00:00:00+00:00", {})
    save_registry(films, root)
    return root


def test_the_api_serves_registered_films_only_to_its_own_host(review_project: Path) -> None:
    with app_server(review_project, ["review"], "/api/review/films") as (_, client):
        assert client.call("/api/review/films")[1] == {"films": ["killed", "mpeg4", "playable"]}
        status, film = client.call("/api/review/films/playable")
        assert status == 200 and film["video"]["codec"] == "vp9" and film["scenes_found"]
        assert len(film["shots"]) > 5 and film["scenes"] and film["characters"]
        assert client.call("/api/review/films/mpeg4")[1]["video"]["codec"] == "mpeg4"
        character = film["characters"][0]["character"]
        for path in (
            f"/review/portraits/playable/{character}",
            f"/review/thumbs/playable/{film['shots'][0]['shot']}",
        ):
            with urllib.request.urlopen(client.base + path, timeout=60) as response:
                assert response.headers["Content-Type"] == "image/jpeg" and response.read()[:2] == b"\xff\xd8"
        assert client.call("/review/thumbs/playable/9999")[0] == 404
        assert client.call("/api/review/films/nope")[0] == 404
        assert film["copies"] == {"h264": None, "vp9": None}  # none asked for
        status, answer = client.call("/api/review/films/mpeg4/playable", {"codec": "av1"})
        assert status == 422 and "codec 'av1' is not one of h264, vp9" in answer["error"]
        assert client.call("/review/playable/mpeg4/h264")[0] == 404  # not made
        assert client.call("/api/review/films/..%2Fdata")[0] in (400, 404)
        status, answer = client.call("/api/review/films/playable", headers={"Host": "evil.example:80"})
        assert status == 421 and "evil.example" in answer["error"]

        request = urllib.request.Request(
            client.base + "/review/video/playable", headers={"Range": "bytes=100-199"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # the browser seeks by ranges
            assert response.status == 206 and response.headers["Content-Type"] == "video/webm"
            assert response.read() == (review_project / RAW_FILMS_DIR / "playable.webm").read_bytes()[100:200]


def test_the_film_plays_and_the_timeline_follows_in_a_real_browser(review_project: Path) -> None:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    chromium, driver_path = browser_programs("chromium", "chromedriver")
    shots = read_table(review_project / "data/analysis/playable", SHOTS)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"):  # fmt: skip
        options.add_argument(flag)
    with app_server(review_project, ["review"], "/api/review/films") as (_, client):
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])  # redraws
            browser.get(client.base + "/review?film=playable")
            wait.until(lambda b: b.execute_script("return document.getElementById('video').readyState") >= 1)

            def now() -> float:
                return browser.execute_script("return document.getElementById('video').currentTime")

            third = shots.iloc[3]
            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{third.shot}"]').click()
            wait.until(lambda b: abs(now() - third.start_ms / 1000) < 0.05)
            wait.until(lambda b: f"shot {third.shot} " in b.find_element(By.ID, "shot-info").text)
            body = browser.find_element(By.TAG_NAME, "body")
            body.send_keys("\ue014")  # right arrow: the next shot
            wait.until(lambda b: abs(now() - shots.iloc[4].start_ms / 1000) < 0.05)
            body.send_keys("\ue011")  # Home: the start
            wait.until(lambda b: now() == 0)
            body.send_keys("\ue015")  # down arrow: the next dialogue scene, the first
            scene = client.call("/api/review/films/playable")[1]["scenes"][0]
            wait.until(lambda b: abs(now() - scene["start_ms"] / 1000) < 0.05)
            assert "dialogue scene 1" in browser.find_element(By.ID, "scene-info").text
            before = now()
            body.send_keys(" ")  # plays: the clock and the playhead move with the film
            wait.until(lambda b: now() > before + 0.5)
            body.send_keys(" ")
            browser.save_screenshot(str(artifact("review.png")))
            body.send_keys(
                "++"
            )  # zoom: the timeline is 4 screens wide, scrolled to keep the playhead in view
            widths = "const s = document.getElementById('scroller'); return [s.scrollWidth, s.clientWidth, s.scrollLeft]"
            wait.until(lambda b: b.execute_script(widths)[0] >= 3.5 * b.execute_script(widths)[1])
            for _ in range(len(shots)):  # to the last shot: the timeline scrolls after it
                body.send_keys("\ue014")
            wait.until(lambda b: b.execute_script(widths)[2] > 0)

            scene = client.call("/api/review/films/playable")[1]["scenes"][0]
            named = shots[(shots["character"] >= 0) & (shots["start_ms"] >= scene["start_ms"])].iloc[0]
            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{named.shot}"]').click()
            wait.until(lambda b: f"shot {named.shot} " in b.find_element(By.ID, "shot-info").text)
            body.send_keys("r")  # rename the character on screen: the page asks for the name
            prompt = wait.until(lambda b: b.switch_to.alert)
            prompt.send_keys("Rick")
            prompt.accept()
            wait.until(lambda b: "Rick" in b.find_element(By.ID, "timeline").text)
            body.send_keys("x")  # reject the dialogue scene under the playhead
            rejected = f'.scene[data-scene="{scene["scene"]}"]'
            wait.until(
                lambda b: "rejected" in b.find_element(By.CSS_SELECTOR, rejected).get_attribute("class")
            )
            browser.refresh()  # what was corrected is stored, not kept in the page
            wait.until(lambda b: "Rick" in b.find_element(By.ID, "timeline").text)
            assert "rejected" in browser.find_element(By.CSS_SELECTOR, rejected).get_attribute("class")
            body = browser.find_element(By.TAG_NAME, "body")
            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{named.shot}"]').click()
            others = [c["character"] for c in client.call("/api/review/films/playable")[1]["characters"]
                      if c["character"] != named.character]  # fmt: skip
            body.send_keys("m")  # merge Rick with the other character: the page asks which
            prompt = wait.until(lambda b: b.switch_to.alert)
            prompt.send_keys(str(others[0]))
            prompt.accept()
            wait.until(
                lambda b: len(client.call("/api/review/films/playable")[1]["characters"]) == len(others)
            )
            body.send_keys(
                "\ue011", "i", "\ue014", "\ue014", "o", "a"
            )  # Home, mark in, two shots on, out, add
            wait.until(
                lambda b: any(
                    s["status"] == "added" for s in client.call("/api/review/films/playable")[1]["scenes"]
                )
            )
            wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".scene.added"))

            def api() -> dict:
                return client.call("/api/review/films/playable")[1]

            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{named.shot}"]').click()
            body.send_keys("s")  # split Rick's person off the character they were merged into
            wait.until(lambda b: b.switch_to.alert).accept()
            wait.until(lambda b: any(c["split_from"] >= 0 for c in api()["characters"]))
            (new,) = [c["character"] for c in api()["characters"] if c["split_from"] >= 0]
            browser.find_element(By.CSS_SELECTOR, rejected).click()
            body.send_keys("p")  # the rejected scene's two people: it is a scene after all
            prompt = wait.until(lambda b: b.switch_to.alert)
            prompt.send_keys(f"{others[0]}, {new}")
            prompt.accept()
            wait.until(
                lambda b: "confirmed" in b.find_element(By.CSS_SELECTOR, rejected).get_attribute("class")
            )
            body.send_keys(
                "i", "\ue014", "\ue014", "o", "e"
            )  # mark in at its start, out two shots on: new bounds
            wait.until(lambda b: api()["scenes"][-1]["end_ms"] < scene["end_ms"])
            assert api()["scenes"][-1]["start_ms"] == scene["start_ms"]
            browser.save_screenshot(str(artifact("review_corrected.png")))

            Select(browser.find_element(By.ID, "film")).select_by_value("mpeg4")
            wait.until(
                lambda b: "cannot play this film's mpeg4 video" in b.find_element(By.ID, "notice").text
            )
            assert browser.find_element(By.ID, "still").is_displayed()
            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{third.shot}"]').click()
            wait.until(lambda b: f"shot {third.shot} " in b.find_element(By.ID, "shot-info").text)
            wait.until(
                lambda b: b.find_element(By.ID, "still").get_attribute("src").endswith(f"/{third.shot}")
            )

            browser.find_element(
                By.ID, "make-copy"
            ).click()  # a copy this browser plays, made while one waits
            video_src = "return document.getElementById('video').currentSrc"
            wait.until(lambda b: "/review/playable/mpeg4/" in b.execute_script(video_src))
            wait.until(lambda b: b.execute_script("return document.getElementById('video').readyState") >= 1)
            assert not browser.find_element(By.ID, "notice").is_displayed()
            browser.find_element(By.CSS_SELECTOR, f'.row .block[data-shot="{third.shot}"]').click()
            wait.until(lambda b: abs(now() - third.start_ms / 1000) < 0.05)
            browser.get(client.base + "/review?film=mpeg4")  # made once: played at once from now on
            wait.until(lambda b: "/review/playable/mpeg4/" in b.execute_script(video_src))
            (copy,) = (review_project / "data/playable").iterdir()
            assert copy.name.startswith("mpeg4.") and copy.suffix in (".mp4", ".webm")
        finally:
            browser.quit()
    assert artifact("review.png").stat().st_size > 10_000


def test_nothing_to_review_is_one_line(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "params.yaml", tmp_path / "params.yaml")
    result = run(["moviegoer", "review", "--port", str(free_port())], tmp_path, check=False)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: data/analysis: no analysed registered film to review (run `dvc repro` first)"
    ]


def correct(client, film: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:  # noqa: ANN001
    return client.call(f"/api/review/films/{film}/corrections", body, headers=headers)


def test_corrections_are_checked_kept_and_shown(review_project: Path) -> None:
    with app_server(review_project, ["review", "--by", "tester"], "/api/review/films") as (_, client):
        film = client.call("/api/review/films/mpeg4")[1]
        first = film["characters"][0]["character"]
        scene = film["scenes"][0]
        status, named = correct(client, "mpeg4", {"kind": "name", "character": first, "name": " Ada "})
        assert status == 200 and named["characters"][0]["name"] == "Ada" and named["characters"][0]["named"]
        assert "Ada" in (named["scenes"][0]["a"], named["scenes"][0]["b"])  # scenes name their people by it
        span = {"start_ms": scene["start_ms"], "end_ms": scene["end_ms"]}
        assert (
            correct(client, "mpeg4", {"kind": "scene_status", **span, "status": "rejected"})[1]["scenes"][0][
                "status"
            ]
            == "rejected"
        )
        added = correct(client, "mpeg4", {"kind": "scene_add", "start_ms": 500, "end_ms": 4500})[1]
        assert [s["status"] for s in added["scenes"]][:1] == ["added"] and added["corrections"] == 3
        second = film["characters"][1]["character"]
        merged = correct(client, "mpeg4", {"kind": "merge", "character": second, "into": first})[1]
        assert [(c["character"], c["name"], c["merged"]) for c in merged["characters"]] == [
            (first, "Ada", [second])
        ]
        assert merged["characters"][0]["faces"] == sum(c["faces"] for c in film["characters"][:2])
        assert {s["character"] for s in merged["shots"]} <= {first, -1}  # the second's shots are Ada's now
        assert merged["scenes"][1]["a"] == merged["scenes"][1]["b"] == "Ada"  # the scene's pair is one person
        shot = next(s["shot"] for s in film["shots"] if s["character"] == second)
        parted = correct(client, "mpeg4", {"kind": "split", "character": first, "shot": shot})[1]
        (new,) = [c for c in parted["characters"] if c["split_from"] == first]  # the merge undone by a split
        assert (new["faces"], new["name"]) == (
            film["characters"][1]["faces"],
            f"character {new['character']}",
        )
        found = next(s for s in parted["scenes"] if s["origin"] == "detector")
        pair = {"kind": "scene_people", "start_ms": found["start_ms"], "end_ms": found["end_ms"]}
        people = correct(client, "mpeg4", {**pair, "a": new["character"], "b": first})[1]
        scene = next(s for s in people["scenes"] if s["origin"] == "detector")
        assert (scene["a"], scene["b"], scene["status"]) == (
            new["name"],
            "Ada",
            "confirmed",
        )  # kept: confirmed
        later = found["start_ms"] + 1000
        bounds = {"kind": "scene_bounds", **span, "to": {"start_ms": later, "end_ms": found["end_ms"]}}
        bounded = correct(client, "mpeg4", bounds)[1]
        assert [s["start_ms"] for s in bounded["scenes"] if s["origin"] == "detector"] == [later]
        for body, why in (
            ({"kind": "delete"}, "kind 'delete' is not one of"),
            ({"kind": "name", "character": first, "name": ""}, "name must be a printable name"),
            ({"kind": "name", "character": 99, "name": "Bob"}, "no character 99"),
            ({"kind": "scene_add", "start_ms": 9000, "end_ms": 100}, "0 <= start_ms < end_ms"),
            ({"kind": "scene_status", **span, "status": "maybe"}, "status 'maybe' is not one of"),
            ({"kind": "merge", "character": first, "into": first}, "cannot be merged into itself"),
            ({"kind": "split", "character": first, "shot": 9999}, "shot 9999 has no identified face"),
            ({**pair, "a": first, "b": first}, "two people are two characters"),
            ({**bounds, "to": {"start_ms": 5}}, "0 <= start_ms < end_ms"),
        ):
            status, answer = correct(client, "mpeg4", body)
            assert status == 422 and why in answer["error"], answer
        status, answer = correct(client, "mpeg4", {"kind": "scene_add", "start_ms": 1, "end_ms": 2},
                                 headers={"Origin": "http://evil.example"})  # fmt: skip
        assert status == 403 and "evil.example" in answer["error"]
        status, _ = correct(client, "mpeg4", b"kind=scene_add", headers={"Content-Type": "text/plain"})
        assert status == 415
    table = pd.read_parquet(review_project / "data/review/mpeg4.parquet")
    assert table["kind"].tolist() == [
        "name",
        "scene_status",
        "scene_add",
        "merge",
        "split",
        "scene_people",
        "scene_bounds",
    ]
    assert set(table["by"]) == {"tester"}
    with app_server(review_project, ["review"], "/api/review/films") as (_, client):  # a restart keeps them
        film = client.call("/api/review/films/mpeg4")[1]
        assert film["characters"][0]["name"] == "Ada" and film["corrections"] == 7


def test_a_killed_server_loses_no_acknowledged_correction(review_project: Path) -> None:
    acknowledged: list[float] = []
    with app_server(review_project, ["review"], "/api/review/films") as (server, client):
        stop = threading.Event()

        def add_forever() -> None:
            for k in range(100_000):
                if stop.is_set():
                    return
                try:
                    status, _ = correct(
                        client, "killed", {"kind": "scene_add", "start_ms": k, "end_ms": k + 1000}
                    )
                except (OSError, http.client.HTTPException):
                    return  # the server is gone, maybe mid-answer: this correction was never acknowledged
                if status != 200:
                    return
                acknowledged.append(float(k))

        writer = threading.Thread(target=add_forever)
        writer.start()
        while len(acknowledged) < 20:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(30)
        stop.set()
        writer.join(30)
    with app_server(review_project, ["review"], "/api/review/films") as (_, client):
        starts = [
            s["start_ms"]
            for s in client.call("/api/review/films/killed")[1]["scenes"]
            if s["status"] == "added"
        ]
    # every acknowledged one is kept; the one in flight at the kill may have landed too (journaled, replayed)
    assert starts[: len(acknowledged)] == acknowledged and len(starts) <= len(acknowledged) + 1
    assert not (review_project / "data/review/killed.parquet.journal").exists()


def test_names_merges_and_splits_follow_their_characters_into_a_new_analysis(sample_analysis: Path) -> None:
    faces = read_table(sample_analysis, FACES)
    before = Identities(faces).centroids()
    first, second = sorted(before)[:2]
    params = project_params(ReviewParams, "review")
    no_scenes = pd.DataFrame(columns=["scene", "start_ms", "end_ms"])
    name = Correction("name", {"centroid": before[first].tolist()}, {"name": "Ada"}, "tester", "2026-12-05")
    merge = Correction(
        "merge", {"centroid": before[second].tolist()}, {"into": before[first].tolist()}, "t", "now"
    )
    # a new analysis: the characters numbered the other way round, their descriptors moved a little
    rng = np.random.default_rng(0)
    swap = {first: second, second: first}
    moved = faces.assign(
        character=faces["character"].map(lambda c: swap.get(c, c)),
        embedding=[
            None if e is None else np.asarray(e) + rng.normal(0, 0.01, 128) for e in faces["embedding"]
        ],
    )
    assert reviewed([name], moved, no_scenes, params).names == {second: "Ada"}
    both = reviewed([name, merge], moved, no_scenes, params)
    assert both.merged == {first: second}  # renumbered: the analysis' `first` is the merged one now, into Ada
    assert both.names == {second: "Ada"} and first not in both.characters()

    # a merge of two people, then a split by one shot of the merged-in one: their faces part again, as analysed
    theirs = faces[faces["character"] == second]
    shot = int(theirs["shot"].iloc[0])
    exemplar = np.mean(np.stack(theirs[theirs["shot"] == shot]["embedding"].to_numpy()), axis=0)
    merged = np.mean(
        np.stack(faces[faces["character"].isin([first, second])]["embedding"].to_numpy()), axis=0
    )
    split = Correction("split", {"centroid": merged.tolist()}, {"exemplar": exemplar.tolist()}, "t", "now")
    for analysis, ada, other in ((faces, first, second), (moved, second, first)):
        state = reviewed([name, merge, split], analysis, no_scenes, params)
        (new,) = state.split
        assert state.split == {new: ada} and new not in sorted(before)
        known = analysis[(analysis["character"] >= 0) & analysis["embedding"].notna()]
        parted = pd.Series(state.identities.current, index=known.index)
        assert (parted[known["character"] == other] == new).all()  # exactly the merged-in person's faces
        assert (parted[known["character"] == ada] == ada).all()
        assert state.names == {ada: "Ada"}
    far = moved.assign(embedding=[None if e is None else e + 1.0 for e in moved["embedding"]])
    assert reviewed([name], far, no_scenes, params).names == {}  # nobody like the named character: it waits


def test_the_scene_evaluation_stage_scores_reviewed_films_as_the_benchmark_does(
    project: Path, sample_film: Path, sample_analysis: Path
) -> None:
    """Film `truth` is reviewed by adding the sample's exact dialogue scenes: its scores must be the scenes
    benchmark's for that film. Film `confirmed` has its found scene confirmed, `bounded` re-bounded; `lost` has lost
    its scenes."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("scenes_benchmark", PROJECT_ROOT / "benchmarks/scenes.py")
    assert spec is not None and spec.loader is not None
    scenes_benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scenes_benchmark)

    found_scenes = scenes_film(sample_analysis, project / "found", project_params(ScenesParams, "scenes"))
    found = scenes_benchmark.spans(found_scenes.scenes)
    truth = dialogue_spans(read_timeline(sample_film / "timeline.parquet"))
    films = {}
    for film_id in ("truth", "confirmed", "bounded", "lost"):
        shutil.copytree(sample_analysis, project / "data/analysis" / film_id)
        shutil.copytree(found_scenes.out_dir, project / "data/scenes" / film_id)
        films[film_id] = Film(film_id, f"data/raw/films/{film_id}.mp4", "test", "0" * 64, "2026-12-05", {})
    save_registry(films, project)
    reviewed_truth = CorrectionStore(project / "data/review/truth.parquet", "truth")
    for start, end in truth:
        reviewed_truth.add(Correction("scene_add", {"start_ms": start, "end_ms": end}, {}, "tester", "now"))
    start, end = found[0]
    CorrectionStore(project / "data/review/confirmed.parquet", "confirmed").add(
        Correction(
            "scene_status", {"start_ms": start, "end_ms": end}, {"status": "confirmed"}, "tester", "now"
        )
    )
    quarter = start + (end - start) / 4  # a person moved its start: the true scene is 3/4 of the found one
    CorrectionStore(project / "data/review/bounded.parquet", "bounded").add(
        Correction(
            "scene_bounds",
            {"start_ms": start, "end_ms": end},
            {"start_ms": quarter, "end_ms": end},
            "t",
            "now",
        )
    )
    shutil.rmtree(project / "data/scenes/lost")  # a reviewed film whose scenes are gone: skipped, said
    CorrectionStore(project / "data/review/lost.parquet", "lost").add(
        Correction("scene_add", {"start_ms": 0.0, "end_ms": 1000.0}, {}, "tester", "now")
    )
    done = run(["moviegoer", "scenes-evaluate"], project)
    assert "3 reviewed film(s)" in done.stdout
    assert "not scored: data/scenes/lost: reviewed, but its scenes are missing" in done.stderr
    result = json.loads((project / "reports/scenes/evaluation.json").read_text())
    by_film = {film["film"]: film for film in result["films"]}
    benchmark = scenes_benchmark.scores(
        [{"true": len(truth), "found": len(found), "ious": scenes_benchmark.match(found, truth)}]
    )
    assert {key: by_film["truth"][key] for key in benchmark} == benchmark
    assert (
        by_film["confirmed"]["recall"]
        == by_film["confirmed"]["precision"]
        == by_film["confirmed"]["mean_iou"]
        == 1
    )
    assert (by_film["bounded"]["recall"], by_film["bounded"]["mean_iou"]) == (
        1,
        pytest.approx(0.75, abs=0.01),
    )
    assert result["true"] == len(truth) + 2 and result["found"] == 3 * len(found)
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], project).stdout)
    metrics = next(iter(shown.values()))["data"]["reports/scenes/metrics.json"]["data"]
    assert metrics == {key: result[key] for key in ("recall", "precision", "mean_iou")}


def test_the_reviewed_exports_carry_the_corrections_across_a_new_analysis(
    project: Path, sample_analysis: Path
) -> None:
    """`moviegoer reviewed` in a real project: film `fixed` was reviewed (a name, a rejected scene, an added one),
    `untouched` was not, `broken` has no scenes yet; then `fixed` is analysed anew with its characters renumbered."""
    import json

    import opentimelineio as otio
    import pyarrow.parquet as pq

    from moviegoer.analysis.tables import SCHEMAS, typed_arrow

    found = scenes_film(sample_analysis, project / "found", project_params(ScenesParams, "scenes"))
    films = {}
    for film_id in ("fixed", "untouched", "broken"):
        shutil.copytree(sample_analysis, project / "data/analysis" / film_id)
        if film_id != "broken":
            shutil.copytree(found.out_dir, project / "data/scenes" / film_id)
        films[film_id] = Film(film_id, f"data/raw/films/{film_id}.mp4", "test", "0" * 64, "2026-12-05", {})
    save_registry(films, project)
    faces = read_table(sample_analysis, FACES)
    first, second = sorted(Identities(faces).centroids())[:2]
    ada = Identities(faces).centroids()[first].tolist()
    scene = found.scenes.iloc[0]
    store = CorrectionStore(project / "data/review/fixed.parquet", "fixed")
    for kind, subject, value in (
        ("name", {"centroid": ada}, {"name": "Ada"}),
        ("scene_status", {"start_ms": scene.start_ms, "end_ms": scene.end_ms}, {"status": "rejected"}),
        ("scene_add", {"start_ms": 1000.0, "end_ms": 5000.0}, {}),
    ):
        store.add(Correction(kind, subject, value, "tester", "now"))

    done = run(["moviegoer", "reviewed"], project, check=False)
    assert done.returncode == 1  # one film failed: said on one line, the others written
    assert done.stderr.strip().splitlines() == [
        "error: data/scenes/broken: no scenes yet (run `dvc repro` first)"
    ]
    assert "fixed: 3 correction(s)" in done.stdout and "untouched: 0 correction(s)" in done.stdout
    fixed, untouched = project / "data/reviewed/fixed", project / "data/reviewed/untouched"
    assert not (project / "data/reviewed/broken").exists()
    scenes = pd.read_csv(fixed / "scenes.csv")
    assert scenes[["status", "origin"]].values.tolist() == [["added", "person"], ["rejected", "detector"]]
    assert json.loads((fixed / "scenes.json").read_text())[0]["confidence"] is None  # JSON null, not NaN
    assert set(pd.read_csv(untouched / "scenes.csv")["status"]) == {"found"}
    characters = pd.read_csv(fixed / "characters.csv")
    assert characters.set_index("character").loc[first, "name"] == "Ada"
    shots = pd.read_csv(fixed / "shots.csv")
    assert set(shots.loc[shots["character"] == first, "name"]) == {"Ada"}
    timeline = otio.adapters.read_from_file(str(fixed / "fixed.otio"))
    assert timeline.metadata["moviegoer"]["reviewed"] is True
    markers = [marker for track in timeline.tracks for marker in track.markers]
    assert [m.metadata["moviegoer"]["status"] for m in markers] == [
        "added"
    ]  # the rejected scene is no marker
    clips = [clip.metadata["moviegoer"] for clip in timeline.find_clips()]
    assert {clip["name"] for clip in clips if clip["character"] == first} == {"Ada"}
    page = (fixed / "timeline.html").read_text()
    assert "Ada" in page and "reviewed: 0 confirmed, 1 added, 1 rejected" in page
    assert 'data-scenes="1"' in page  # the rejected scene is listed, not drawn

    run(["moviegoer", "timelines", "data/reviewed", "--out", "reports/films.html"], project)
    index = (project / "reports/films.html").read_text()
    assert 'href="../data/reviewed/fixed/timeline.html"' in index and "<td>3</td></tr>" in index

    # a new analysis numbers the two characters the other way round: Ada stays with her faces
    swap = {first: second, second: first}
    folder = project / "data/analysis/fixed"
    for name in (FACES, SHOTS):
        table = read_table(folder, name)
        table["character"] = table["character"].map(lambda c: swap.get(c, c))
        pq.write_table(typed_arrow(table, SCHEMAS[name]), folder / name)
    run(["moviegoer", "reviewed"], project, check=False)
    characters = pd.read_csv(fixed / "characters.csv").set_index("character")
    assert characters.loc[second, "name"] == "Ada" and characters.loc[first, "name"] == f"character {first}"


def test_a_playable_copy_keeps_the_pictures_the_sound_and_the_times_of_a_real_film(
    real_videos: Path, tmp_path: Path
) -> None:
    """An AV1 trailer with AAC sound (a codec some browsers lack) copied as VP9 and Opus: every frame at its time,
    the sound as long as the picture, progress reported up to the end; an unreadable film makes no copy."""
    from moviegoer.core.errors import MoviegoerError
    from moviegoer.review.films import video_codec
    from moviegoer.review.playable import copy_path, make_copy

    film = real_videos / "batman.mp4"
    assert (
        video_codec(film) == "av1"
    )  # the codec the page asks the browser about, not FFmpeg's decoder (libdav1d)
    target = copy_path(tmp_path, "batman", film, "vp9", 240)
    progress: list[float] = []
    make_copy(film, target, "vp9", 240, progress.append)
    with av.open(str(film)) as source, av.open(str(target)) as copy:
        times = [frame.time for frame in source.decode(video=0)]
        copied = [frame for frame in copy.decode(video=0)]
        assert [frame.height for frame in copied[:1]] == [240]
        assert len(copied) == len(times)  # WebM keeps times in ms
        assert np.allclose([frame.time for frame in copied], times, atol=0.002)
    with av.open(str(target)) as copy:  # read again: the pictures' pass read the whole file
        assert copy.streams.audio[0].codec_context.name == "opus"
        sound = [frame.time + frame.samples / frame.sample_rate for frame in copy.decode(audio=0)]
        assert abs(sound[-1] - times[-1]) < 0.5
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) > 10
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a film")
    with pytest.raises(MoviegoerError, match="broken.mp4: no playable copy made"):
        make_copy(broken, tmp_path / "broken.webm", "vp9", 240, progress.append)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([target.name, "broken.mp4"])
