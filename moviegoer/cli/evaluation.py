"""`moviegoer evaluate`, `report`: the classifier on the test split, and the HTML report of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.core import console
from moviegoer.core.paths import (
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
    from moviegoer.core.params import load_params

    everything = load_params(params_file)
    return {section: everything.get(section) for section in REPORTED_SECTIONS}


@command(app)
def evaluate(
    splits: Annotated[Path, typer.Option(help="The splits folder.")] = SPLITS_DIR,
    model: Annotated[Path, typer.Option(help="The model file (.keras).")] = MODEL_FILE,
    history: Annotated[Path, typer.Option(help="Training history CSV.")] = HISTORY_FILE,
    out: Annotated[Path, typer.Option(help="Folder for results, curve data and figures.")] = EVALUATION_DIR,
    report_file: Annotated[Path, typer.Option("--report", help="The HTML report.")] = REPORT_FILE,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Metrics on the test split beside DummyClassifier baselines, curves, sample grids, activation maps, and
    the HTML report."""
    from moviegoer.core.params import section_params
    from moviegoer.evaluation.evaluate import EvaluateParams, evaluate_model
    from moviegoer.evaluation.report import render_report
    from moviegoer.evaluation.results import EVALUATION_FILE
    from moviegoer.features.faces import FaceParams

    evaluate_params = section_params(EvaluateParams, "evaluate", params)
    face_params = section_params(FaceParams, "faces", params)
    evaluation = evaluate_model(model, splits, history, out, evaluate_params, face_params)
    row = evaluation.result.model
    console.out.print(
        f"test ({evaluation.result.design}): recall {row['recall']:.1%} at false positive rate "
        f"{row['false_positive_rate']:.1%} (precision {row['precision']:.1%}, ROC-AUC "
        f"{row['roc_auc'] or float('nan'):.3f}); results -> {out / EVALUATION_FILE}"
    )
    path = render_report(out, EDA_DIR, DATA_DOCS_DIR, report_file, _reported_params(params))
    console.out.print(f"report: {path.resolve()}")


@command(app)
def report(
    evaluation: Annotated[Path, typer.Option(help="The evaluation folder.")] = EVALUATION_DIR,
    out: Annotated[Path, typer.Option(help="The HTML report.")] = REPORT_FILE,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Render the HTML report again from an evaluation folder."""
    from moviegoer.evaluation.report import render_report

    path = render_report(evaluation, EDA_DIR, DATA_DOCS_DIR, out, _reported_params(params))
    console.out.print(f"report: {path.resolve()}")
