"""`moviegoer review` on a real server and in headless Chromium: the film plays and the timeline follows it, a click
seeks, keys step through shots and scenes, a codec the browser cannot play falls back to the thumbnails, and the app
answers only its own host and only for registered films."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import av
import pytest

from moviegoer.analysis.tables import SHOTS, read_table
from moviegoer.core.paths import RAW_FILMS_DIR
from moviegoer.dataset.films import Film, save_registry
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
    """A project with two registered films of one analysis: `playable` (VP9) and `mpeg4` (the sample as rendered)."""
    root = tmp_path_factory.mktemp("review")
    shutil.copy(PROJECT_ROOT / "params.yaml", root / "params.yaml")
    (root / RAW_FILMS_DIR).mkdir(parents=True)
    to_vp9(sample_film / "sample_01.mp4", root / RAW_FILMS_DIR / "playable.webm")
    shutil.copy(sample_film / "sample_01.mp4", root / RAW_FILMS_DIR / "mpeg4.mp4")
    scenes = scenes_film(sample_analysis, root / "found", project_params(ScenesParams, "scenes")).out_dir
    films = {}
    for film_id, suffix in (("playable", ".webm"), ("mpeg4", ".mp4")):
        shutil.copytree(sample_analysis, root / "data/analysis" / film_id)
        shutil.copytree(scenes, root / "data/scenes" / film_id)
        path = (RAW_FILMS_DIR / f"{film_id}{suffix}").as_posix()
        films[film_id] = Film(film_id, path, "test", "0" * 64, "2026-12-05T00:00:00+00:00", {})
    save_registry(films, root)
    return root


def test_the_api_serves_registered_films_only_to_its_own_host(review_project: Path) -> None:
    with app_server(review_project, ["review"], "/api/review/films") as (_, client):
        assert client.call("/api/review/films")[1] == {"films": ["mpeg4", "playable"]}
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
            wait = WebDriverWait(browser, 60)
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
