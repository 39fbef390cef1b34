"""`moviegoer train`, `predict-frames`: fit the MCU classifier on the splits, apply a model to any frames."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.core import console
from moviegoer.core.paths import HISTORY_FILE, MODEL_FILE, PARAMS_FILE, SPLITS_DIR, TRAIN_SUMMARY

SplitsOption = Annotated[Path, typer.Option(help="The splits folder.")]
ModelOption = Annotated[Path, typer.Option(help="The model file (.keras).")]


@command(app)
def train(
    splits: SplitsOption = SPLITS_DIR,
    model: ModelOption = MODEL_FILE,
    history: Annotated[Path, typer.Option(help="Per-epoch history CSV (dvc plots).")] = HISTORY_FILE,
    summary: Annotated[Path, typer.Option(help="JSON summary of the run.")] = TRAIN_SUMMARY,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Train the MCU classifier (train.design and the rest from params.yaml's train section)."""
    from moviegoer.core.params import section_params
    from moviegoer.features.faces import FaceParams
    from moviegoer.model.fit import TrainParams
    from moviegoer.model.train import train_model

    train_params = section_params(TrainParams, "train", params)
    face_params = section_params(FaceParams, "faces", params)
    with console.film_progress() as progress:
        task = progress.add_task(f"training {train_params.design}", total=train_params.epochs)

        def on_epoch(epoch: int, logs: dict[str, float]) -> None:
            progress.update(task, completed=epoch)
            progress.console.print(
                f"epoch {epoch}: loss {logs.get('loss', 0):.4f} val_loss {logs.get('val_loss', 0):.4f} "
                f"val_accuracy {logs.get('val_accuracy', 0):.3f}",
                markup=False,
            )

        result = train_model(splits, model, history, summary, train_params, face_params, on_epoch)
        progress.update(task, completed=train_params.epochs)
    console.out.print(
        f"{result.epochs_run} epochs in {result.seconds:.0f} s, best val_loss {result.best_val_loss:.4f} at epoch "
        f"{result.best_epoch}; model -> {result.model_path}"
    )


@command(app, "predict-frames")
def predict_frames(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="[MODEL] FRAMES",
            help="A trained model (.keras), then a folder of images (searched recursively). Without MODEL, the "
            "default model that ships with moviegoer (moviegoer/model/default/MODEL.md).",
        ),
    ],
    out: Annotated[Path, typer.Option(help="Output table (.parquet or .csv).")] = Path("predictions.parquet"),
    threshold: Annotated[
        float | None,
        typer.Option(
            help="p(MCU) from which a frame is called MCU (default model: its card's; else evaluate.threshold)."
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="Frames per batch (evaluate.batch_size).")] = None,
    strict: Annotated[bool, typer.Option(help="Fail on an unreadable image instead of skipping it.")] = False,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Classify every image under FRAMES: a table of path, p_mcu, label. An image that does not decode is skipped
    with a warning naming it (--strict: an error, and no table)."""
    from moviegoer.core.errors import MoviegoerError
    from moviegoer.core.params import section_params
    from moviegoer.evaluation.evaluate import EvaluateParams
    from moviegoer.features.faces import FaceParams
    from moviegoer.model.default_model import DEFAULT_MODEL, read_card
    from moviegoer.model.predict import predict_folder, write_predictions

    if len(paths) not in (1, 2):
        raise MoviegoerError("give FRAMES, or MODEL and FRAMES")
    model, frames = (DEFAULT_MODEL, paths[0]) if len(paths) == 1 else paths
    settings = section_params(EvaluateParams, "evaluate", params, threshold=threshold, batch_size=batch_size)
    face_params = section_params(FaceParams, "faces", params)
    if model == DEFAULT_MODEL:
        card = read_card()
        face_params = FaceParams(**card.face_params)  # the detector settings it was fitted with
        cut = threshold if threshold is not None else card.threshold
        console.out.print(f"model: moviegoer's default ({card.content['design']}), threshold {cut:.3f}")
    else:
        cut = settings.threshold
    result = predict_folder(model, frames, cut, settings.batch_size, face_params, strict)
    for path, why in result.skipped:
        console.warning(f"{path}: {why}; skipped")
    write_predictions(result.table, out)
    table = result.table
    share = (table["label"] == "mcu").mean() if len(table) else 0.0
    console.out.print(
        f"{len(table)} frames, {share:.1%} predicted MCU, {len(result.skipped)} skipped -> {out}"
    )
