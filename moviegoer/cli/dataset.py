"""`moviegoer validate labels|split`, `moviegoer split`, `moviegoer eda`: the dataset stages of the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command, validate_group
from moviegoer.core import console
from moviegoer.core.paths import (
    DATA_DOCS_DIR,
    EDA_DIR,
    FRAMES_DIR,
    LABELS_FILE,
    LABELS_VALIDATION,
    PARAMS_FILE,
    SPLIT_VALIDATION,
    SPLITS_DIR,
)

if TYPE_CHECKING:
    from moviegoer.dataset.validate import ValidationReport


def _finish(report: ValidationReport, out: Path) -> None:
    from moviegoer.dataset.validate import write_report

    write_report(report, out)
    if not report.success:
        console.error(f"{out}: validation failed; nothing downstream may use this data")
        console.err.print(report.failure_block(), markup=False, highlight=False)
        raise typer.Exit(1)
    passed = sum(int(s["passed"]) for s in report.suites.values())
    console.out.print(f"all {passed} expectations passed; Data Docs: {report.docs_index}")


@command(validate_group, "labels")
def validate_labels(
    labels: Annotated[Path, typer.Option(help="The label table.")] = LABELS_FILE,
    frames_dir: Annotated[Path, typer.Option(help="Extracted frames, one folder per film.")] = FRAMES_DIR,
    docs: Annotated[Path, typer.Option(help="Data Docs folder.")] = DATA_DOCS_DIR / "labels",
    out: Annotated[Path, typer.Option(help="JSON summary (dvc metrics).")] = LABELS_VALIDATION,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Schema, label set, uniqueness, frames exist, every film labelled, class balance overall and per film."""
    from moviegoer.core.params import section_params
    from moviegoer.dataset.labels import read_labels
    from moviegoer.dataset.manifest import load_manifests
    from moviegoer.dataset.validate import ValidateParams, label_suites, run_suites

    validate_params = section_params(ValidateParams, "validate", params)
    report = run_suites(label_suites(read_labels(labels), load_manifests(frames_dir), validate_params), docs)
    _finish(report, out)


@command(validate_group, "split")
def validate_split(
    splits: Annotated[Path, typer.Option(help="The splits folder.")] = SPLITS_DIR,
    docs: Annotated[Path, typer.Option(help="Data Docs folder.")] = DATA_DOCS_DIR / "split",
    out: Annotated[Path, typer.Option(help="JSON summary (dvc metrics).")] = SPLIT_VALIDATION,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Train class balance after imbalance removal, val/test untouched, no film on two sides (unwatched)."""
    from moviegoer.core.params import section_params
    from moviegoer.dataset.split import SplitParams, read_split_manifest
    from moviegoer.dataset.validate import ValidateParams, run_suites, split_suites

    split_params = section_params(SplitParams, "split", params)
    validate_params = section_params(ValidateParams, "validate", params)
    report = run_suites(split_suites(read_split_manifest(splits), split_params, validate_params), docs)
    _finish(report, out)


@command(app)
def split(
    labels: Annotated[Path, typer.Option(help="The label table.")] = LABELS_FILE,
    frames_dir: Annotated[Path, typer.Option(help="Extracted frames, one folder per film.")] = FRAMES_DIR,
    out: Annotated[
        Path, typer.Option(help="Splits folder: {train,val,test}/{mcu,non_mcu}/ + split.parquet.")
    ] = SPLITS_DIR,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Split the labelled frames into train/val/test (mixed or unwatched films), removing a share of the
    non-MCU training frames."""
    from rich.table import Table

    from moviegoer.core.params import section_params
    from moviegoer.dataset.labels import read_labels
    from moviegoer.dataset.split import SplitParams, assign_splits, write_splits

    split_params = section_params(SplitParams, "split", params)
    result = write_splits(assign_splits(read_labels(labels), split_params), frames_dir, out)
    table = Table("split", "mcu", "non_mcu", title=f"{split_params.mode} split -> {out}")
    for name, counts in result.counts.items():
        table.add_row(name, str(counts["mcu"]), str(counts["non_mcu"]))
    console.out.print(table)
    console.out.print(
        f"{result.removed} non-MCU training frames removed; {result.links} hard links, {result.copies} copies"
    )


@command(app)
def eda(
    labels: Annotated[Path, typer.Option(help="The label table.")] = LABELS_FILE,
    splits: Annotated[Path, typer.Option(help="The splits folder.")] = SPLITS_DIR,
    out: Annotated[Path, typer.Option(help="Folder for the plots (PNG) and their data (CSV).")] = EDA_DIR,
) -> None:
    """Plots of the labels and splits: frames per film by class, MCU share per film, balance per split."""
    from moviegoer.dataset.eda import write_eda
    from moviegoer.dataset.labels import read_labels
    from moviegoer.dataset.split import read_split_manifest

    result = write_eda(read_labels(labels), read_split_manifest(splits), out)
    console.out.print(f"{len(result.files)} files in {out}: " + ", ".join(p.name for p in result.files))
