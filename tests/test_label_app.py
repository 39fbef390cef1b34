"""The labelling app on a real server on loopback: its HTTP API and what it refuses, a real browser labelling by
keyboard, a kill -9 mid-session, two clients at once, and `dvc repro` picking the labels up."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from moviegoer.dataset.labels import read_labels
from tests.conftest import PROJECT_ROOT, artifact, browser_programs, run
from tests.test_bad_input import tree

LABELS = Path("data/labels/labels.parquet")


@pytest.fixture(scope="module")
def frames_project(sample_film: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with params.yaml and the sample film's extracted frames (a frame every 4 s, with faces)."""
    root = tmp_path_factory.mktemp("labelling")
    shutil.copy(PROJECT_ROOT / "params.yaml", root / "params.yaml")
    run(["moviegoer", "extract", str(sample_film / "sample_01.mp4")], root)
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def call(
        self,
        path: str,
        body: bytes | dict | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict]:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method or ("POST" if data else "GET")
        )
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def label(self, frame: dict, label: str | None, by: str = "tester", seen: dict | None = None) -> dict:
        body = {
            "film_id": frame["film_id"],
            "frame": frame["frame"],
            "label": label,
            "labeled_by": by,
            "seen": seen,
        }
        status, answer = self.call("/api/labels", body)
        assert status == 200, answer
        return answer


@contextmanager
def label_server(root: Path, *options: str) -> Iterator[tuple[subprocess.Popen, Client]]:
    with app_server(root, ["label", "--labeled-by", "tester", *options], "/api/session") as served:
        yield served


@contextmanager
def app_server(root: Path, command: list[str], ready: str) -> Iterator[tuple[subprocess.Popen, Client]]:
    """`moviegoer COMMAND --port P` started in `root`, once `ready` answers 200; stopped with Ctrl+C after."""
    port = free_port()
    server = subprocess.Popen(
        ["moviegoer", *command, "--port", str(port)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    client = Client(port)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if client.call(ready)[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, f"moviegoer {command[0]} did not start"
            time.sleep(0.3)
        yield server, client
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()


def table_of(root: Path) -> dict[tuple[str, str], str]:
    labels = read_labels(root / LABELS)
    return dict(zip(zip(labels["film_id"], labels["frame"], strict=True), labels["label"], strict=True))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def test_api_labels_frames_and_refuses_bad_requests(frames_project: Path) -> None:
    with label_server(frames_project, "--no-suggestions") as (_, client):
        frames = client.call("/api/frames?order=timeline")[1]["frames"]
        assert len(frames) == 15 and all(f["state"] is None for f in frames)
        first, second = frames[0], frames[1]
        state = client.label(first, "mcu")["state"]
        assert state["label"] == "mcu" and state["labeled_by"] == "tester"
        assert table_of(frames_project)[(first["film_id"], first["frame"])] == "mcu"  # on disk, at once
        # another person writes over a label they had not seen: last write wins, and they are told
        answer = client.label(first, "non_mcu", by="other", seen=None)
        assert answer["conflict"] == state and answer["state"]["labeled_by"] == "other"
        assert client.label(first, "mcu", seen=answer["state"])["conflict"] is None
        assert client.label(second, None)["state"] is None  # clearing an unlabelled frame is fine
        progress = client.call("/api/progress")[1]
        assert (progress["labelled"], progress["total"]) == (1, 15)

        before = digest(frames_project / LABELS)
        bad = {
            "unknown frame": (client.call("/api/labels", {**first, "frame": "nope_t000001.jpg", "label": "mcu"}), 404),
            "bad label": (client.call("/api/labels", {**first, "label": "maybe"}), 422),
            "traversal in a write": (client.call("/api/labels", {**first, "frame": "../../params.yaml", "label": "mcu"}), 400),
            "traversal in a read": (client.call("/frames/sample_01/..%2F..%2Fparams.yaml"), 404),
            "dot name": (client.call("/frames/sample_01/..params.yaml"), 400),
            "bad film id": (client.call("/frames/..%5C/x.jpg"), 400),
            "oversized body": (client.call("/api/labels", b"{" + b" " * 100_000 + b"}"), 413),
            "not JSON": (client.call("/api/labels", b"label=mcu"), 400),
            "bad name": (client.call("/api/labels", {**first, "label": "mcu", "labeled_by": "x" * 500}), 422),
        }  # fmt: skip
        for case, ((status, answer), expected) in bad.items():
            assert status == expected, (case, status, answer)
            assert answer.get("error"), case  # a one-line reason
        assert digest(frames_project / LABELS) == before  # nothing changed
        with urllib.request.urlopen(f"{client.base}/frames/{first['film_id']}/{first['frame']}") as picture:
            assert picture.read(3) == b"\xff\xd8\xff"  # the JPEG itself


def test_other_web_pages_and_other_host_names_are_refused(frames_project: Path) -> None:
    """A page the user visits while the app runs may POST to it (text/plain needs no CORS preflight), and a page on
    a domain that re-resolves to 127.0.0.1 (DNS rebinding) may read from it: both are refused and change nothing."""
    with label_server(frames_project, "--no-suggestions") as (_, client):
        frame = client.call("/api/frames?order=timeline")[1]["frames"][0]
        write = {"film_id": frame["film_id"], "frame": frame["frame"], "label": "mcu", "labeled_by": "evil"}
        port = int(client.base.rsplit(":", 1)[1])
        evil = "http://evil.example"
        before = tree(frames_project)
        refused = {
            "cross-origin text/plain": (client.call("/api/labels", json.dumps(write).encode(), headers={"Origin": evil, "Content-Type": "text/plain"}), 403),
            "cross-origin JSON": (client.call("/api/labels", write, headers={"Origin": evil}), 403),
            "cross-origin by Referer": (client.call("/api/labels", write, headers={"Referer": f"{evil}/page.html"}), 403),
            "sandboxed page (Origin null)": (client.call("/api/labels", write, headers={"Origin": "null"}), 403),
            "another port of this machine": (client.call("/api/labels", write, headers={"Origin": f"http://127.0.0.1:{port + 1}"}), 403),
            "own origin, text/plain": (client.call("/api/labels", json.dumps(write).encode(), headers={"Origin": client.base, "Content-Type": "text/plain"}), 415),
            "form post": (client.call("/api/labels", b"label=mcu", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415),
            "rebinding Host, read": (client.call("/api/frames", headers={"Host": f"evil.example:{port}"}), 421),
            "rebinding Host, frame": (client.call(f"/frames/{frame['film_id']}/{frame['frame']}", headers={"Host": "evil.example"}), 421),
            "rebinding Host, write": (client.call("/api/labels", write, headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}), 421),
        }  # fmt: skip
        for case, ((status, answer), expected) in refused.items():
            assert status == expected, (case, status, answer)
            assert answer.get("error"), case  # a one-line reason
        assert tree(frames_project) == before  # nothing changed, the label table included
        # the app's own addresses still work: by name, and from its own page
        assert client.call("/api/progress", headers={"Host": f"localhost:{port}"})[0] == 200
        own = client.call(
            "/api/labels", write, headers={"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}
        )
        assert own[0] == 200 and own[1]["state"]["label"] == "mcu"
        assert (
            client.call("/api/labels", {**write, "label": None}, headers={"Referer": f"{client.base}/"})[0]
            == 200
        )


def test_serving_beyond_this_machine_warns_in_one_line(frames_project: Path) -> None:
    with label_server(frames_project, "--no-suggestions", "--host", "0.0.0.0") as (server, client):
        assert client.call("/api/progress")[0] == 200  # loopback still reaches it
    output = server.stdout.read()
    warnings = [line for line in output.splitlines() if "anyone who can reach" in line]
    assert len(warnings) == 1 and "0.0.0.0" in warnings[0], output


def test_a_killed_server_loses_no_acknowledged_label(frames_project: Path) -> None:
    acknowledged: dict[tuple[str, str], str] = {}
    with label_server(frames_project, "--no-suggestions") as (server, client):
        frames = client.call("/api/frames?order=timeline")[1]["frames"]
        stop = threading.Event()

        def label_forever() -> None:
            for k in range(100_000):
                if stop.is_set():
                    return
                frame, label = frames[k % len(frames)], ("mcu", "non_mcu")[(k // len(frames)) % 2]
                try:
                    client.label(frame, label)
                except (OSError, http.client.HTTPException, AssertionError):
                    return  # the server is gone, maybe mid-answer: this write was never acknowledged
                acknowledged[(frame["film_id"], frame["frame"])] = label

        writer = threading.Thread(target=label_forever)
        writer.start()
        while len(acknowledged) < len(frames):
            time.sleep(0.05)
        time.sleep(0.5)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(30)
        stop.set()
        writer.join(30)
    # the next start replays a journaled write that a kill cut off; every acknowledged one is in the table
    with label_server(frames_project, "--no-suggestions"):
        pass
    table = table_of(frames_project)
    lost = {key: label for key, label in acknowledged.items() if table.get(key) != label}
    # the one write in flight at the kill may have landed (journaled) though never acknowledged: at most one differs
    assert len(lost) <= 1, lost
    journal = frames_project / (str(LABELS) + ".journal")
    assert not journal.exists()


def test_two_clients_label_concurrently_and_nothing_is_lost(frames_project: Path) -> None:
    per_client = 1000
    with label_server(frames_project, "--no-suggestions") as (_, client):
        frames = client.call("/api/frames?order=timeline")[1]["frames"]
        halves = [frames[0::2], frames[1::2]]
        last: dict[tuple[str, str], str] = {}
        latencies: list[float] = []

        def labeller(mine: list[dict], name: str) -> None:
            own = Client(int(client.base.rsplit(":", 1)[1]))
            for k in range(per_client):
                frame = mine[k % len(mine)]
                label = ("mcu", "non_mcu")[(k // len(mine)) % 2]
                started = time.perf_counter()
                own.label(frame, label, by=name)
                latencies.append(time.perf_counter() - started)
                last[(frame["film_id"], frame["frame"])] = label

        threads = [
            threading.Thread(target=labeller, args=(half, f"client{i}")) for i, half in enumerate(halves)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(latencies) == 2 * per_client
    table = table_of(frames_project)
    assert all(table.get(key) == label for key, label in last.items())
    p95 = float(np.percentile(latencies, 95)) * 1000
    artifact("label_load.json").write_text(
        json.dumps({"writes": len(latencies), "p50_ms": float(np.median(latencies)) * 1000, "p95_ms": p95})
        + "\n"
    )
    print(f"label writes: {len(latencies)}, p95 latency {p95:.1f} ms")


@pytest.mark.slow
def test_label_by_keyboard_in_a_real_browser_undo_and_reload(frames_project: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    chromium, driver_path = browser_programs("chromium", "chromedriver")
    (frames_project / LABELS).unlink(missing_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    with label_server(frames_project) as (_, client):
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            wait = WebDriverWait(browser, 60)
            browser.get(client.base + "/")
            wait.until(lambda b: "1 / 15" in b.find_element(By.ID, "position").text)
            assert "model suggests" in browser.find_element(By.ID, "suggestion").text
            Select(browser.find_element(By.ID, "order")).select_by_value("timeline")
            wait.until(lambda b: b.find_element(By.ID, "time").text == "0:00.0")
            body = browser.find_element(By.TAG_NAME, "body")
            for key in "mnmnm":
                position = browser.find_element(By.ID, "position").text
                body.send_keys(key)
                wait.until(lambda b, p=position: b.find_element(By.ID, "position").text != p)
            wait.until(lambda b: "5 / 15 labelled" in b.find_element(By.ID, "progress").text)
            body.send_keys("u")  # takes the fifth label back
            wait.until(lambda b: "4 / 15 labelled" in b.find_element(By.ID, "progress").text)
            browser.refresh()
            wait.until(lambda b: "4 / 15 labelled" in b.find_element(By.ID, "progress").text)
            browser.save_screenshot(str(artifact("labelling.png")))
        finally:
            browser.quit()
        frames = client.call("/api/frames?order=timeline")[1]["frames"]
    labels = [f["state"]["label"] if f["state"] else None for f in frames[:6]]
    assert labels == ["mcu", "non_mcu", "mcu", "non_mcu", None, None]
    assert artifact("labelling.png").stat().st_size > 10_000


@pytest.mark.slow
def test_dvc_repro_picks_up_the_labels(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    with label_server(project, "--no-suggestions") as (_, client):
        frame = client.call("/api/frames?order=timeline")[1]["frames"][0]
        client.label(frame, "mcu")
    assert (project / "data/labels/labels.parquet.dvc").exists()  # recorded with DVC on the way out
    status = run(["dvc", "status", "validate_labels"], project).stdout
    assert "validate_labels" in status and "data/labels/labels.parquet" in status


def test_a_busy_port_is_one_line_not_a_log(frames_project: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run(
            ["moviegoer", "label", "--port", str(port), "--no-suggestions"], frames_project, check=False
        )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1 and f"127.0.0.1:{port}: cannot serve there" in lines[0]
