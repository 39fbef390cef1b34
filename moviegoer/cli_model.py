"""`moviegoer train`, `evaluate`, `report`, `predict-frames`: the model stages of the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer import console
from moviegoer.cli_common import ParamsOption, reports_errors
from moviegoer.errors import MoviegoerError
from moviegoer.paths import (
    DATA_DOCS_DIR,
    EDA_DIR,
    EVALUATION_DIR,
    HISTORY_FILE,
    MODEL_FILE,
    PARAMS_FILE,
    REPORT_FILE,
    SPLITS_DIR,
)

REPORTED_SECTIONS = ("extract", "split", "train", "evaluate")  # the params shown in report.html


def _reported_params(params_file: Path) -> dict[str, object]:
    from moviegoer.params import load_params

    everything = load_params(params_file)
    return {section: everything.get(section) for section in REPORTED_SECTIONS}


SplitsOption = Annotated[Path, typer.Option(help="The splits folder.")]
ModelOption = Annotated[Path, typer.Option(help="The model file (.keras).")]


@reports_errors
def train(
    splits: SplitsOption = SPLITS_DIR,
    model: ModelOption = MODEL_FILE,
    history: Annotated[Path, typer.Option(help="Per-epoch history CSV (dvc plots).")] = HISTORY_FILE,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Train the MCU CNN (design k6|k5|k4 and the rest from params.yaml's train section)."""
    from moviegoer.params import section_params
    from moviegoer.train import TrainParams, train_model

    train_params = section_params(TrainParams, "train", params)
    with console.film_progress() as progress:
        task = progress.add_task(f"training {train_params.design}", total=train_params.epochs)

        def on_epoch(epoch: int, logs: dict[str, float]) -> None:
            progress.update(task, completed=epoch)
            progress.console.print(
                f"epoch {epoch}: loss {logs.get('loss', 0):.4f} val_loss {logs.get('val_loss', 0):.4f} "
                f"val_accuracy {logs.get('val_accuracy', 0):.3f}",
                markup=False,
            )

        result = train_model(splits, model, history, train_params, on_epoch)
        progress.update(task, completed=train_params.epochs)
    console.out.print(
        f"{result.epochs_run} epochs in {result.seconds:.0f} s, best val_loss {result.best_val_loss:.4f} at epoch "
        f"{result.best_epoch}; model -> {result.model_path}"
    )


@reports_errors
def evaluate(
    splits: SplitsOption = SPLITS_DIR,
    model: ModelOption = MODEL_FILE,
    history: Annotated[Path, typer.Option(help="Training history CSV.")] = HISTORY_FILE,
    out: Annotated[Path, typer.Option(help="Folder for metrics, curve data and figures.")] = EVALUATION_DIR,
    report_file: Annotated[Path, typer.Option("--report", help="The HTML report.")] = REPORT_FILE,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Metrics on the test split beside DummyClassifier baselines, curves, sample grids, activation maps, and
    the HTML report."""
    from moviegoer.evaluate import EvaluateParams, evaluate_model
    from moviegoer.params import section_params
    from moviegoer.report import render_report

    evaluate_params = section_params(EvaluateParams, "evaluate", params)
    evaluation = evaluate_model(model, splits, history, out, evaluate_params)
    cnn = evaluation.metrics["cnn"]
    console.out.print(
        f"test: recall {cnn['recall']:.1%} at false positive rate {cnn['false_positive_rate']:.1%} "
        f"(precision {cnn['precision']:.1%}, ROC-AUC {cnn['roc_auc'] or float('nan'):.3f}); metrics -> {out}/metrics.json"
    )
    path = render_report(out, EDA_DIR, DATA_DOCS_DIR, report_file, _reported_params(params))
    console.out.print(f"report: {path.resolve()}")


@reports_errors
def report(
    evaluation: Annotated[Path, typer.Option(help="The evaluation folder.")] = EVALUATION_DIR,
    out: Annotated[Path, typer.Option(help="The HTML report.")] = REPORT_FILE,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Render the HTML report again from an evaluation folder."""
    from moviegoer.report import render_report

    if not (evaluation / "metrics.json").exists():
        raise MoviegoerError(f"{evaluation}: no metrics.json (run `moviegoer evaluate` first)")
    console.out.print(
        f"report: {render_report(evaluation, EDA_DIR, DATA_DOCS_DIR, out, _reported_params(params)).resolve()}"
    )


@reports_errors
def predict_frames(
    model: Annotated[Path, typer.Argument(help="A trained model (.keras).")],
    frames: Annotated[Path, typer.Argument(help="Folder of images (searched recursively).")],
    out: Annotated[Path, typer.Option(help="Output table (.parquet or .csv).")] = Path("predictions.parquet"),
    threshold: Annotated[float, typer.Option(help="p(MCU) at or above which a frame is labelled mcu.")] = 0.5,
    batch_size: Annotated[int, typer.Option(help="Frames per batch.")] = 64,
) -> None:
    """Classify every image under FRAMES with MODEL: a table of path, p_mcu, label."""
    from moviegoer.predict import predict_folder, write_predictions

    table = predict_folder(model, frames, threshold, batch_size)
    write_predictions(table, out)
    share = (table["label"] == "mcu").mean() if len(table) else 0.0
    console.out.print(f"{len(table)} frames, {share:.1%} predicted MCU -> {out}")
