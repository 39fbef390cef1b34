"""`moviegoer label`: the browser labelling app over the extracted frames and the label table."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import HostOption, ParamsOption, PortOption, app, command
from moviegoer.cli.labels import FramesOption, LabelsOption
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FRAMES_DIR, LABELS_FILE, PARAMS_FILE


@command(app)
def label(
    host: HostOption = None,
    port: PortOption = None,
    labeled_by: Annotated[str | None, typer.Option(help="Who labels (default: your user name).")] = None,
    suggestions: Annotated[
        bool, typer.Option("--suggestions/--no-suggestions", help="Score every frame with the default model.")
    ] = True,
    labels: LabelsOption = LABELS_FILE,
    frames_dir: FramesOption = FRAMES_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Label frames in the browser: a frame large, one key per label (m: MCU, n: not, s: skip, u: undo, ?: sure,
    arrows: move), the default model's suggestion shown, the least certain first. Every label is saved at once
    into the label table; Ctrl+C stops the app and records the table with DVC."""
    from moviegoer.core.params import section_params
    from moviegoer.dataset.labels import LabelParams
    from moviegoer.dataset.manifest import load_manifests
    from moviegoer.dataset.versioning import is_dvc_repo, track_with_dvc
    from moviegoer.evaluation.evaluate import EvaluateParams
    from moviegoer.labelling.frames import frame_index
    from moviegoer.labelling.server import (
        AppParams,
        Labelling,
        Session,
        check_free,
        create_app,
        label_routes,
        serve,
    )
    from moviegoer.labelling.store import LabelStore

    settings = section_params(AppParams, "labelling", params, host=host, port=port)
    check_free(settings.host, settings.port)
    manifests = load_manifests(frames_dir)
    if manifests.empty:
        raise MoviegoerError(f"{frames_dir}: no extracted frames to label (run `dvc repro extract` first)")
    store = LabelStore(labels, manifests, section_params(LabelParams, "labels", params))
    if store.replayed:
        console.warning(f"{labels}: {store.replayed} label(s) from an interrupted session replayed")
    before = store.table.copy()
    if suggestions:
        console.out.print(f"Scoring {len(manifests)} frames with the default model for suggestions...")
    index = frame_index(
        manifests, frames_dir, suggestions, section_params(EvaluateParams, "evaluate", params).batch_size
    )
    hint = (
        "Stop the app with Ctrl+C (it records the table with `dvc add`), then commit "
        f"`git add {labels}.dvc && git commit -m 'Labels'` and run `dvc repro` to take them into the pipeline."
    )
    user = labeled_by or getpass.getuser() or "someone"
    server_app = create_app(
        settings, [label_routes(Labelling(store, index, Session(user, str(labels), hint)))]
    )
    serve(
        server_app, settings, "see the frames and change labels",
        f"Labelling {len(manifests)} frames: http://{settings.host}:{settings.port}/  (Ctrl+C to stop)",
    )  # fmt: skip
    changed = not store.table.equals(before)
    console.out.print(
        f"{len(store.table)} labels in {labels}" + ("" if changed else " (unchanged)"), markup=False
    )
    if changed and is_dvc_repo():
        track_with_dvc([Path(labels)])
        console.out.print(
            f"Recorded with DVC. Commit: git add {labels}.dvc && git commit -m 'Labels'; then dvc repro"
        )
