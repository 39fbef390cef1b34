"""The HTML timeline of a film, self-contained (pictures inline, no CDN, no server): its shots along time as
thumbnails coloured by MCU probability, a row of camera setups (one colour per setup the film returns to), a row per
character with their portrait and the shots they lead, and the dialogue scenes as bands naming their two people. Hover shows a shot's or scene's times; a click shows it large.
An index page lists every film's timeline."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from moviegoer.analysis.tables import PORTRAITS, THUMBS
from moviegoer.scenes.dialogue import side_label

PIXELS_PER_SECOND = 6.0  # the strip's scale; a 2-hour film is 43,200 px wide and scrolls
MIN_WIDTH = 900
THUMB_HEIGHT = 54
GENERATOR = '<meta name="generator" content="moviegoer">'  # marks the pages moviegoer may replace


def clock(ms: float) -> str:
    """A time as h:mm:ss.s (m:ss.s under an hour)."""
    tenths = int(round(ms / 100))
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    seconds = rest / 10
    return f"{hours}:{minutes:02d}:{seconds:04.1f}" if hours else f"{minutes}:{seconds:04.1f}"


def mcu_colour(p: float) -> str:
    """Blue (surely not an MCU) through grey to red (surely one)."""
    low, mid, high = np.array([59, 76, 192]), np.array([221, 221, 221]), np.array([180, 4, 38])
    p = float(np.clip(p, 0, 1))
    rgb = low + (mid - low) * p * 2 if p < 0.5 else mid + (high - mid) * (p - 0.5) * 2
    return "#{:02x}{:02x}{:02x}".format(*np.round(rgb).astype(int))


def inline_jpeg(path: Path, height: int, quality: int = 72) -> str:
    """A picture file as a data: URI, shrunk to `height` (an empty string when the file is missing)."""
    picture = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if picture is None:
        return ""
    scale = height / picture.shape[0]
    if scale < 1:
        picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode() if ok else ""


def character_name(number: int) -> str:
    return f"character {number}"


def person_name(character: int, setup: int, name: Callable[[int], str] = character_name) -> str:
    """A scene's person: their character's `name`, or the camera setup that shows them when no face identified
    them."""
    return name(character) if character >= 0 else f"the person of {side_label(character, setup)}"


def setup_colour(setup: int, returns: bool) -> str:
    """A colour per setup the film returns to (golden-angle hues keep neighbours apart); grey for one-shot setups."""
    return f"hsl({setup * 137.5 % 360:.0f},65%,55%)" if returns else "#c8c8c8"


def film_page(
    film_id: str,
    analysis_dir: Path,
    shots: pd.DataFrame,
    characters: pd.DataFrame,
    scenes: pd.DataFrame,
    name: Callable[[int], str] = character_name,
) -> str:
    """The timeline page of one film, as one HTML string, each character called `name(number)`. Scenes with a
    `status` column are reviewed ones (moviegoer.review): the rejected ones are listed but not drawn."""
    duration_ms = float(shots["end_ms"].iloc[-1]) if len(shots) else 0.0
    width = max(MIN_WIDTH, round(duration_ms / 1000 * PIXELS_PER_SECOND))

    def left(ms: float) -> float:
        return round(ms / max(duration_ms, 1) * width, 1)

    def span(start: float, end: float) -> str:
        return f"left:{left(start)}px;width:{max(1.0, left(end) - left(start))}px"

    details: dict[str, dict] = {}
    shot_cells = []
    for shot in shots.itertuples(index=False):
        key = f"shot-{shot.shot}"
        thumb = inline_jpeg(analysis_dir / THUMBS / f"shot_{shot.shot:04d}.jpg", THUMB_HEIGHT * 3)
        who = name(shot.character) if shot.character >= 0 else "no identified character"
        details[key] = {
            "title": f"Shot {shot.shot}",
            "times": f"{clock(shot.start_ms)} - {clock(shot.end_ms)}",
            "text": f"MCU probability {shot.p_mcu:.2f}; camera setup {shot.setup}; {who}",
            "picture": thumb,
        }
        shot_cells.append(
            f'<div class="shot" data-key="{key}" style="{span(shot.start_ms, shot.end_ms)};'
            f'border-bottom-color:{mcu_colour(shot.p_mcu)}" title="Shot {shot.shot}: {clock(shot.start_ms)} - '
            f'{clock(shot.end_ms)}, MCU {shot.p_mcu:.2f}">'
            + (f'<img src="{thumb}" alt="">' if thumb else "")
            + "</div>"
        )
    shots_per_setup = shots["setup"].value_counts()
    setup_cells = "".join(
        f'<div class="setup" data-key="shot-{s.shot}" style="{span(s.start_ms, s.end_ms)};'
        f'background:{setup_colour(s.setup, shots_per_setup[s.setup] > 1)}" '
        f'title="Shot {s.shot}: camera setup {s.setup}">'
        + (str(s.setup) if shots_per_setup[s.setup] > 1 else "")
        + "</div>"
        for s in shots.itertuples(index=False)
    )
    portraits = {  # a character with no portrait of its own (one a reviewer split off) shows its `picture_shot`
        int(c.character): inline_jpeg(analysis_dir / PORTRAITS / f"character_{int(c.character):02d}.jpg", 64)
        or inline_jpeg(analysis_dir / THUMBS / f"shot_{getattr(c, 'picture_shot', -1):04d}.jpg", 64)
        for c in characters.itertuples(index=False)
    }
    character_rows = []
    for c in characters.itertuples(index=False):
        number = int(c.character)
        marks = "".join(
            f'<div class="lead" data-key="shot-{s.shot}" style="{span(s.start_ms, s.end_ms)}" '
            f'title="{html.escape(name(number))}: {clock(s.start_ms)} - {clock(s.end_ms)}"></div>'
            for s in shots[shots["character"] == number].itertuples(index=False)
        )
        picture = f'<img src="{portraits[number]}" alt="">' if portraits[number] else ""
        character_rows.append(
            f'<div class="row"><div class="label">{picture}<span>{html.escape(name(number))}<br><small>'
            f"{c.faces} faces, {c.shots} shots</small></span></div>"
            f'<div class="track" style="width:{width}px">{marks}</div></div>'
        )
    bands, scene_rows = [], []
    reviewed = "status" in scenes.columns
    for s in scenes.itertuples(index=False):
        key = f"scene-{s.scene}"
        status = getattr(s, "status", "found")
        people = [  # plain text: the details are shown as text, the names escaped into the page
            person_name(c, setup, name) if max(c, setup) >= 0 else "?"
            for c, setup in ((int(s.character_a), int(s.setup_a)), (int(s.character_b), int(s.setup_b)))
        ]
        names = " &amp; ".join(map(html.escape, people))
        times = f"{clock(s.start_ms)} - {clock(s.end_ms)}"
        found = not pd.isna(s.n_shots)
        numbers = (
            [f"{s.n_shots:.0f}", f"{s.n_alternations:.0f}", f"{s.confidence:.2f}"] if found else ["", "", ""]
        )
        details[key] = {
            "title": f"Dialogue scene {s.scene}" + (f" ({status})" if reviewed else ""),
            "times": times,
            "text": f"{people[0]} and {people[1]}: "
            + (f"{numbers[0]} shots, {numbers[1]} alternations, confidence {numbers[2]}" if found
               else "added by a reviewer"),
            "picture": portraits.get(int(s.character_a), ""),
        }  # fmt: skip
        if status != "rejected":
            bands.append(
                f'<div class="scene" data-key="{key}" style="{span(s.start_ms, s.end_ms)}" '
                f'title="Dialogue scene {s.scene}: {times}">{names}</div>'
            )
        faces = "".join(
            f'<img src="{portraits[c]}" alt="{html.escape(name(c))}">'
            for c in (int(s.character_a), int(s.character_b))
            if portraits.get(c)
        )
        scene_rows.append(
            f'<tr data-key="{key}" class="{status}"><td>{s.scene}</td><td>{times}</td><td class="faces">{faces}</td>'
            f"<td>{names}</td><td>{numbers[0]}</td><td>{numbers[1]}</td><td>{numbers[2]}</td>"
            + (f"<td>{status}</td>" if reviewed else "")
            + "</tr>"
        )
    summary = (
        f"{clock(duration_ms)} long &middot; {len(shots)} shots &middot; {len(characters)} characters &middot; "
        f"{len(bands)} dialogue scene{'s' if len(bands) != 1 else ''}"
    )
    if reviewed:
        counts = scenes["status"].value_counts()
        summary += " &middot; reviewed: " + ", ".join(
            f"{counts.get(status, 0)} {status}" for status in ("confirmed", "added", "rejected", "found")
        ).replace(" found", " not yet looked at")
    scene_table = (
        "<table><tr><th>#</th><th>time</th><th></th><th>characters</th><th>shots</th><th>alternations</th>"
        "<th>confidence</th>"
        + ("<th>review</th>" if reviewed else "")
        + "</tr>"
        + "".join(scene_rows)
        + "</table>"
        if scene_rows
        else "<p>No two-character dialogue scene found.</p>"
    )
    return _PAGE.format(
        title=html.escape(film_id),
        summary=summary,
        scene_table=scene_table,
        width=width,
        scene_count=len(bands),
        bands="".join(bands),
        shots="".join(shot_cells),
        setups=setup_cells,
        setup_count=int((shots_per_setup > 1).sum()),
        characters="".join(character_rows) or '<p class="note">No characters identified.</p>',
        legend_low=mcu_colour(0),
        legend_mid=mcu_colour(0.5),
        legend_high=mcu_colour(1),
        details=json.dumps(details).replace("</", "<\\/"),
        generator=GENERATOR,
    )


def index_page(films: list[dict]) -> str:
    """The page over all films: one row per film with its numbers and a link to its timeline."""
    rows = "".join(
        f'<tr><td><a href="{html.escape(f["href"])}">{html.escape(f["film_id"])}</a></td><td>{f["duration"]}</td>'
        f"<td>{f['shots']}</td><td>{f['characters']}</td><td>{f['scenes']}</td>"
        f"<td>{f.get('corrections', 0) or ''}</td></tr>"
        for f in films
    )
    return _INDEX.format(
        rows=rows or '<tr><td colspan="6">No film analysed yet.</td></tr>',
        count=len(films),
        generator=GENERATOR,
    )


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.2em;color:#222;background:#fafafa}
h1{margin:0 0 .2em}table{border-collapse:collapse;margin:.6em 0}td,th{padding:.25em .6em;border-bottom:1px solid #ddd;
text-align:left}tr[data-key]{cursor:pointer}tr[data-key]:hover{background:#eee}.faces img{height:32px;margin-right:2px;
border-radius:3px}.strip{overflow-x:auto;border:1px solid #ccc;background:#fff;padding:4px 0}.row{display:flex;
align-items:center;min-height:28px}.label{position:sticky;left:0;z-index:2;background:#fff;width:150px;min-width:150px;
display:flex;align-items:center;gap:6px;font-size:12px;padding:0 6px}.label img{height:40px;border-radius:4px}
.track{position:relative;height:34px}.shots .track{height:62px}.shot{position:absolute;top:0;height:58px;overflow:hidden;
border-bottom:5px solid;box-sizing:border-box;cursor:pointer;border-right:1px solid #fff}.shot img{height:54px;
width:100%;object-fit:cover;display:block}.scene{position:absolute;top:3px;height:26px;background:#f4a261;
border:1px solid #c4622d;border-radius:4px;font-size:11px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;
padding:4px;box-sizing:border-box;cursor:pointer}.lead{position:absolute;top:8px;height:18px;background:#457b9d;
border-radius:2px;cursor:pointer}.setup{position:absolute;top:6px;height:22px;border-right:1px solid #fff;
box-sizing:border-box;font-size:11px;color:#fff;text-align:center;line-height:22px;overflow:hidden;cursor:pointer}.legend span{display:inline-block;width:14px;height:10px;margin:0 2px}
#detail{position:fixed;right:1em;bottom:1em;background:#fff;border:1px solid #999;padding:.6em;max-width:360px;
box-shadow:0 2px 8px #0003;display:none}#detail img{max-width:100%}.note{color:#666}
tr.rejected{color:#999;text-decoration:line-through}
"""

_PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">{generator}<title>{title}: moviegoer timeline</title><style>"""
    + _STYLE.replace("{", "{{").replace("}", "}}")
    + """</style></head>
<body data-scenes="{scene_count}">
<h1>{title}</h1><p>{summary}</p>
<h2>Dialogue scenes</h2>{scene_table}
<h2>Timeline</h2>
<p class="legend">Shots coloured by MCU probability: <span style="background:{legend_low}"></span>0
<span style="background:{legend_mid}"></span>0.5 <span style="background:{legend_high}"></span>1.
Hover for times, click for a closer look.</p>
<div class="strip">
<div class="row"><div class="label">dialogue scenes</div><div class="track" id="scenes" style="width:{width}px">{bands}</div></div>
<div class="row shots"><div class="label">shots</div><div class="track" style="width:{width}px">{shots}</div></div>
<div class="row"><div class="label">camera setups<br><small>{setup_count} returned to</small></div><div class="track" id="setups" style="width:{width}px">{setups}</div></div>
{characters}
</div>
<div id="detail"><b id="detail-title"></b><div id="detail-times"></div><div id="detail-text"></div><img id="detail-picture" alt=""></div>
<script>
const details = {details};
document.addEventListener("click", (event) => {{
  const item = event.target.closest("[data-key]");
  const box = document.getElementById("detail");
  if (!item) {{ box.style.display = "none"; return; }}
  const d = details[item.dataset.key];
  document.getElementById("detail-title").textContent = d.title;
  document.getElementById("detail-times").textContent = d.times;
  document.getElementById("detail-text").textContent = d.text;
  const picture = document.getElementById("detail-picture");
  picture.src = d.picture || ""; picture.style.display = d.picture ? "block" : "none";
  box.style.display = "block";
}});
// what a reader sees once laid out: the scene bands that have a size on the page
window.addEventListener("load", () => {{
  const shown = [...document.querySelectorAll("#scenes .scene")].filter((b) => b.getBoundingClientRect().width > 0);
  document.body.dataset.scenesShown = shown.length;
}});
</script>
</body></html>
"""
)

_INDEX = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">{generator}<title>moviegoer: films</title><style>"""
    + _STYLE.replace("{", "{{").replace("}", "}}")
    + """</style></head>
<body><h1>Films</h1><p>{count} films analysed. Each links to its timeline of shots, characters and dialogue scenes.</p>
<table><tr><th>film</th><th>length</th><th>shots</th><th>characters</th><th>dialogue scenes</th><th>corrections
(<code>moviegoer review</code>)</th></tr>{rows}</table>
</body></html>
"""
)
