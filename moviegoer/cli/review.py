"""`moviegoer review`: a film plays in the browser above its timeline of shots, setups, characters and scenes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import HostOption, ParamsOption, PortOption, app, command
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import (
    ANALYSIS_DIR,
    PARAMS_FILE,
    PLAYABLE_DIR,
    REVIEW_DIR,
    REVIEWED_DIR,
    SCENE_EVALUATION_DIR,
    SCENES_DIR,
)  # fmt: skip

AnalysesOption = Annotated[Path, typer.Option(help="The films' analyses.")]
ScenesOption = Annotated[Path, typer.Option(help="The films' dialogue scenes.")]
ReviewOption = Annotated[Path, typer.Option(help="The corrections, one table per film.")]


@command(app)
def review(
    host: HostOption = None,
    port: PortOption = None,
    analysis_dir: AnalysesOption = ANALYSIS_DIR,
    scenes_dir: ScenesOption = SCENES_DIR,
    review_dir: ReviewOption = REVIEW_DIR,
    by: Annotated[str | None, typer.Option(help="Who reviews (default: your user name).")] = None,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Review the analysed films in the browser: the film plays (H.264, VP8/9, AV1 where the browser has them;
    otherwise the shot thumbnails stand in until the page has made a playable copy, on request, into
    data/playable/) and the timeline below follows it; a click on a shot, setup, character or
    scene plays from there. Keys: Space play/pause, arrows previous/next shot and scene, r rename the character
    on screen, m merge them with another, s split them off their character, c / x confirm / reject the scene, p set
    its two people, i / o mark in and out, then a add a scene or e re-bound one. Every correction is saved at once
    into REVIEW_DIR/<film>.parquet; Ctrl+C stops the app and records the tables with DVC; `dvc repro` then writes
    the reviewed exports (data/reviewed)."""
    import getpass

    from moviegoer.core.params import section_params
    from moviegoer.dataset.versioning import is_dvc_repo, track_with_dvc
    from moviegoer.labelling.server import AppParams, check_free, create_app, serve
    from moviegoer.review.corrections import ReviewParams
    from moviegoer.review.films import review_films
    from moviegoer.review.playable import PlayableCopies
    from moviegoer.review.routes import Reviewing, review_routes

    settings = section_params(AppParams, "labelling", params, host=host, port=port)
    check_free(settings.host, settings.port)
    films = review_films(Path("."), analysis_dir, scenes_dir, review_dir)
    if not films:
        raise MoviegoerError(f"{analysis_dir}: no analysed registered film to review (run `dvc repro` first)")
    review_params = section_params(ReviewParams, "review", params)
    copies = PlayableCopies(PLAYABLE_DIR, review_params.copy_height)
    reviewing = Reviewing(films, review_params, by or getpass.getuser() or "someone", copies)
    before = {film.corrections: _stamp(film.corrections) for film in films.values()}
    serve(
        create_app(settings, [review_routes(reviewing)]), settings, "watch the films and change their corrections",
        f"Reviewing {len(films)} film(s): http://{settings.host}:{settings.port}/review  (Ctrl+C to stop)",
    )  # fmt: skip
    changed = [path for path, stamp in before.items() if _stamp(path) != stamp]
    console.out.print(
        f"{len(changed)} film(s) corrected" + (f": {', '.join(map(str, changed))}" if changed else "")
    )
    if changed and is_dvc_repo():
        track_with_dvc(changed)
        console.out.print(f"Recorded with DVC. Commit: git add {review_dir}/*.dvc && git commit -m 'Review'")


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a table changed: its size and modification time (None while absent)."""
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.exists() else None


METRICS = (
    "recall",
    "precision",
    "mean_iou",
)  # the headline for `dvc metrics show`; evaluation.json has the rest


@command(app, "scenes-evaluate")
def scenes_evaluate(
    analysis_dir: AnalysesOption = ANALYSIS_DIR,
    scenes_dir: ScenesOption = SCENES_DIR,
    review_dir: ReviewOption = REVIEW_DIR,
    out: Annotated[
        Path, typer.Option(help="Where metrics.json and evaluation.json go.")
    ] = SCENE_EVALUATION_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Score the dialogue scenes found against the films people reviewed (`moviegoer review`: the scenes they
    confirmed or added are the true ones): recall, precision, mean IoU, per film and pooled, into OUT/metrics.json
    (`dvc metrics show`) and OUT/evaluation.json."""
    import json

    from moviegoer.core.atomic import write_text
    from moviegoer.core.params import section_params
    from moviegoer.review.corrections import ReviewParams
    from moviegoer.review.evaluation import evaluate_reviewed
    from moviegoer.review.films import review_films

    films = review_films(Path("."), analysis_dir, scenes_dir, review_dir)
    result = evaluate_reviewed(films, section_params(ReviewParams, "review", params))
    for why in result["skipped"]:
        console.warning(f"not scored: {why}")
    # three columns beside the MCU model's in `dvc metrics show` (recall and precision shared): it fits a terminal;
    # nothing while no film is reviewed, rather than a recall of 0 that nobody measured
    headline = {key: result[key] for key in METRICS} if result["reviewed_films"] else {}
    write_text(out / "evaluation.json", json.dumps(result, indent=1) + "\n")
    write_text(out / "metrics.json", json.dumps(headline, indent=1) + "\n")
    if not result["reviewed_films"]:
        console.out.print(
            "No film's scenes reviewed yet (`moviegoer review`): nothing to score.", markup=False
        )
        return
    console.out.print(
        f"{result['reviewed_films']} reviewed film(s): {result['matched']} of {result['true']} true scenes found "
        f"(recall {result['recall']:.0%}), {result['found']} found (precision {result['precision']:.0%}), "
        f"mean IoU {result['mean_iou']:.2f} -> {out}/metrics.json",
        markup=False,
    )


@command(app)
def reviewed(
    analysis_dir: AnalysesOption = ANALYSIS_DIR,
    scenes_dir: ScenesOption = SCENES_DIR,
    review_dir: ReviewOption = REVIEW_DIR,
    out: Annotated[
        Path, typer.Option(help="Each film's reviewed exports go to OUT/<film_id>/.")
    ] = REVIEWED_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Write every analysed film's exports as people reviewed them (`moviegoer review`): scenes, characters and
    shots as CSV and JSON, OpenTimelineIO and the timeline page, with the names, merges, splits and scene verdicts
    applied and marked. A film that fails is reported on one line and the others go on; exit 1 if any failed."""
    from moviegoer.core.params import section_params
    from moviegoer.review.corrections import ReviewParams
    from moviegoer.review.exports import export_reviewed
    from moviegoer.review.films import review_films

    review_params = section_params(ReviewParams, "review", params)
    films = review_films(Path("."), analysis_dir, scenes_dir, review_dir)
    out.mkdir(parents=True, exist_ok=True)  # the stage's output, even before any film is analysed
    if not films:
        console.warning(f"{analysis_dir}: no analysed registered film to export")
    failures = 0
    for film in films.values():
        try:
            result = export_reviewed(film, out, review_params)
        except MoviegoerError as exc:
            failures += 1
            console.error(str(exc))
            continue
        statuses = result.scenes["status"].value_counts()
        looked = ", ".join(f"{count} {status}" for status, count in statuses.items()) or "no scenes"
        console.out.print(
            f"{result.film_id}: {result.corrections} correction(s); scenes {looked} -> {result.out_dir}",
            markup=False,
        )
    if failures:
        raise typer.Exit(1)
