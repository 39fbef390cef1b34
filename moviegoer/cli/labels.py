"""`moviegoer labels ...`: import hand labels from any of the supported formats, export them, count them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from moviegoer.cli.app import ParamsOption, command, labels_group
from moviegoer.core import console
from moviegoer.core.errors import MoviegoerError
from moviegoer.core.paths import FRAMES_DIR, LABEL_IMPORT_REPORT, LABELS_FILE, PARAMS_FILE

if TYPE_CHECKING:
    from moviegoer.dataset.labels import ImportReport

LabelsOption = Annotated[Path, typer.Option("--labels", help="The label table.")]
FramesOption = Annotated[Path, typer.Option(help="Extracted frames, one folder per film.")]


def _print_report(report: ImportReport) -> None:
    from rich.table import Table

    data = report.as_dict()
    table = Table("", "rows", title=f"labels import from {data['source']}")
    for key in ("rows_read", "added", "unchanged", "overwritten"):
        table.add_row(key.replace("_", " "), str(data[key]))
    for name, problem in report.problems().items():
        style = "yellow" if problem.count else ""
        table.add_row(name, str(problem.count), style=style)
    console.out.print(table)
    for name, problem in report.problems().items():
        if problem.count:
            console.out.print(f"{name}, e.g.: {'; '.join(problem.examples)}", markup=False)


@command(labels_group, "import")
def import_(
    csv: Annotated[
        Path | None, typer.Option(help="CSV keyed by film and timestamp (film_id|source, t_ms, label).")
    ] = None,
    folders: Annotated[
        Path | None, typer.Option(help="Folder with mcu/ and non_mcu/ subfolders of frames.")
    ] = None,
    timeline: Annotated[Path | None, typer.Option(help="The sample's ground-truth timeline.parquet.")] = None,
    labels: LabelsOption = LABELS_FILE,
    frames_dir: FramesOption = FRAMES_DIR,
    labeled_by: Annotated[str | None, typer.Option(help="Who labelled (default: from the source).")] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace existing labels that the import contradicts.")
    ] = False,
    report_file: Annotated[
        Path, typer.Option("--report", help="JSON report of the import.")
    ] = LABEL_IMPORT_REPORT,
    track: Annotated[bool, typer.Option("--dvc/--no-dvc", help="dvc add the label table afterwards.")] = True,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Match labels to extracted frames (same film, nearest timestamp within labels.tolerance_ms) and merge them
    into the label table. Unmatched, duplicate, conflicting and invalid rows are counted and shown."""
    from moviegoer.core.atomic import write_text
    from moviegoer.core.params import section_params
    from moviegoer.dataset import labels as lab
    from moviegoer.dataset.manifest import load_manifests
    from moviegoer.dataset.versioning import is_dvc_repo, track_with_dvc

    sources = [s for s in (csv, folders, timeline) if s is not None]
    if len(sources) != 1:
        raise MoviegoerError("give exactly one of --csv, --folders, --timeline")
    source = sources[0]
    if not source.exists():
        raise MoviegoerError(f"{source}: no such file or folder")
    label_params = section_params(lab.LabelParams, "labels", params)
    manifests = load_manifests(frames_dir)
    if manifests.empty:
        raise MoviegoerError(f"{frames_dir}: no extracted frames to match labels to (run `dvc repro` first)")
    if csv is not None:
        candidates = lab.read_csv(csv, labeled_by)
    elif folders is not None:
        candidates = lab.read_class_folders(folders, labeled_by)
    else:
        from moviegoer.sample.timeline import read_timeline, timeline_labels

        candidates = timeline_labels(read_timeline(source), manifests, labeled_by or "sample-timeline")
    table, report = lab.import_labels(
        candidates, lab.read_labels(labels), manifests, label_params, str(source), overwrite
    )
    lab.write_labels(table, labels)
    write_text(report_file, json.dumps(report.as_dict(), indent=2) + "\n")
    _print_report(report)
    console.out.print(f"{len(table)} labels in {labels}; report in {report_file}")
    if track and is_dvc_repo():
        track_with_dvc([labels])


@command(labels_group)
def export(
    csv: Annotated[Path | None, typer.Option(help="Write the labels as CSV here.")] = None,
    folders: Annotated[
        Path | None, typer.Option(help="Copy labelled frames into FOLDERS/mcu, FOLDERS/non_mcu.")
    ] = None,
    labels: LabelsOption = LABELS_FILE,
    frames_dir: FramesOption = FRAMES_DIR,
) -> None:
    """Write the label table back out as CSV or as class folders."""
    from moviegoer.dataset import labels as lab

    if (csv is None) == (folders is None):
        raise MoviegoerError("give exactly one of --csv, --folders")
    table = lab.read_labels(labels)
    if csv is not None:
        lab.export_csv(table, csv)
        console.out.print(f"{len(table)} labels -> {csv}")
    else:
        count = lab.export_class_folders(table, frames_dir, folders)  # type: ignore[arg-type]
        console.out.print(f"{count} frames -> {folders}/mcu, {folders}/non_mcu")


@command(labels_group)
def stats(labels: LabelsOption = LABELS_FILE) -> None:
    """Labelled frames per film and class."""
    from rich.table import Table

    from moviegoer.dataset.labels import label_stats, read_labels

    counts = label_stats(read_labels(labels))
    table = Table("film", "mcu", "non_mcu", "total", "MCU share", title=str(labels))
    for row in counts.itertuples(index=False):
        table.add_row(row.film_id, str(row.mcu), str(row.non_mcu), str(row.total), f"{row.mcu_share:.1%}")
    console.out.print(table)
