"""One self-contained HTML page (pictures embedded) with everything a person checks after a run."""

from __future__ import annotations

import base64
import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moviegoer.atomic import write_text
from moviegoer.evaluate import FIGURES

SECTIONS = (
    ("Training curves", ["training_curves.png"]),
    ("Confusion matrix", ["confusion_matrix.png"]),
    ("ROC and precision/recall", ["roc_pr.png"]),
    ("True positives", ["grid_true_positive.png"]),
    ("False positives", ["grid_false_positive.png"]),
    ("False negatives", ["grid_false_negative.png"]),
    ("True negatives", ["grid_true_negative.png"]),
    ("Activation maps", ["activations_*.png"]),
)
METRIC_COLUMNS = (
    "recall",
    "false_positive_rate",
    "precision",
    "accuracy",
    "f1",
    "roc_auc",
    "pr_auc",
    "threshold",
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { border: 1px solid #ccc; padding: 0.3rem 0.6rem; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.cnn { font-weight: bold; background: #fff6e0; } img { max-width: 100%; margin: 0.4rem 0; }
.muted { color: #777; font-size: 0.9rem; } nav a { margin-right: 0.8rem; }
"""


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))


def _metrics_table(metrics: dict[str, Any]) -> str:
    rows = []
    for name, values in metrics.items():
        if not isinstance(values, dict):
            continue
        css = ' class="cnn"' if name == "cnn" else ""
        cells = "".join(f'<td class="num">{_number(values.get(column))}</td>' for column in METRIC_COLUMNS)
        rows.append(f"<tr{css}><td>{html.escape(name.replace('_', ' '))}</td>{cells}</tr>")
    header = "".join(f"<th>{column.replace('_', ' ')}</th>" for column in METRIC_COLUMNS)
    return f"<table><tr><th>model</th>{header}</tr>{''.join(rows)}</table>"


def _figures(folder: Path, patterns: list[str]) -> str:
    images = [path for pattern in patterns for path in sorted(folder.glob(pattern))]
    return "".join(_image(path) for path in images) or '<p class="muted">not available for this run</p>'


def render_report(
    evaluation_dir: Path, eda_dir: Path, data_docs_dir: Path, out: Path, params: dict[str, Any]
) -> Path:
    """Write `out` (report.html) from the evaluation folder's metrics and pictures and the EDA plots."""
    evaluation_dir, eda_dir = Path(evaluation_dir), Path(eda_dir)
    metrics = json.loads((evaluation_dir / "metrics.json").read_text())
    cnn = metrics["cnn"]
    sections = [("Summary", _summary(metrics, cnn) + _metrics_table(metrics))]
    sections += [(title, _figures(evaluation_dir / FIGURES, patterns)) for title, patterns in SECTIONS]
    sections.append(("Data", _figures(eda_dir, ["*.png"]) + _data_docs_links(Path(data_docs_dir), out)))
    sections.append(("Parameters", f"<pre>{html.escape(json.dumps(params, indent=2, default=str))}</pre>"))
    nav = "".join(f'<a href="#s{i}">{html.escape(title)}</a>' for i, (title, _) in enumerate(sections))
    body = "".join(
        f'<h2 id="s{i}">{html.escape(title)}</h2>{content}' for i, (title, content) in enumerate(sections)
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>moviegoer MCU report</title>"
        f"<style>{STYLE}</style></head><body><h1>MCU classifier report</h1>"
        f'<p class="muted">generated {stamp} by <code>moviegoer report</code></p><nav>{nav}</nav>{body}</body></html>'
    )
    write_text(Path(out), page)
    return Path(out)


def _summary(metrics: dict[str, Any], cnn: dict[str, Any]) -> str:
    original = metrics["original_research"]
    at_target = metrics["cnn_at_target_recall"]
    return (
        f"<p>On {metrics['test_frames']} test frames ({metrics['test_mcu_share']:.0%} MCU) the model finds "
        f"<b>{cnn['recall']:.0%}</b> of the MCUs at a false positive rate of <b>{cnn['false_positive_rate']:.0%}</b> "
        f"(threshold {cnn['threshold']:.2f}). At the threshold reaching {at_target['recall']:.0%} recall "
        f"({at_target['threshold']:.2f}) its false positive rate is {at_target['false_positive_rate']:.0%}. "
        f"The original research reached {original['recall']:.0%} recall at {original['false_positive_rate']:.0%} "
        "false positives on real films; the dummy rows show what guessing reaches.</p>"
    )


def _data_docs_links(data_docs_dir: Path, out: Path) -> str:
    links = []
    for index in sorted(data_docs_dir.glob("*/index.html")):
        try:
            href = index.resolve().relative_to(Path(out).resolve().parent)
        except ValueError:
            href = index.resolve()
        links.append(
            f'<li><a href="{html.escape(str(href))}">{html.escape(index.parent.name)} validation (Data Docs)</a></li>'
        )
    return f"<ul>{''.join(links)}</ul>" if links else ""
