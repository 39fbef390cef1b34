"""One self-contained HTML page (pictures embedded) with everything a person checks after a run."""

from __future__ import annotations

import base64
import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moviegoer.core.atomic import write_text
from moviegoer.evaluation import results as fmt

SECTIONS = (
    ("Training curves", [fmt.TRAINING_CURVES_PNG]),
    ("Confusion matrix", [fmt.CONFUSION_PNG]),
    ("ROC and precision/recall", [fmt.ROC_PR_PNG]),
    *((f"{outcome.replace('_', ' ').capitalize()}s", [fmt.grid_png(outcome)]) for outcome in fmt.OUTCOMES),
    ("Activation maps", [fmt.ACTIVATIONS_PATTERN]),
)
METRIC_COLUMNS = (*fmt.HEADLINE, "accuracy", "threshold")
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { border: 1px solid #ccc; padding: 0.3rem 0.6rem; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.model { font-weight: bold; background: #fff6e0; } img { max-width: 100%; margin: 0.4rem 0; }
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


def _metrics_table(result: fmt.EvaluationResult) -> str:
    rows = []
    for name, values in result.rows.items():
        css = ' class="model"' if name == fmt.MODEL else ""
        label = (
            f"{name.replace('_', ' ')} ({result.design})"
            if name.startswith(fmt.MODEL)
            else name.replace("_", " ")
        )
        cells = "".join(f'<td class="num">{_number(values.get(column))}</td>' for column in METRIC_COLUMNS)
        rows.append(f"<tr{css}><td>{html.escape(label)}</td>{cells}</tr>")
    header = "".join(f"<th>{column.replace('_', ' ')}</th>" for column in METRIC_COLUMNS)
    return f"<table><tr><th>row</th>{header}</tr>{''.join(rows)}</table>"


def _figures(folder: Path, patterns: list[str]) -> str:
    images = [path for pattern in patterns for path in sorted(folder.glob(pattern))]
    return "".join(_image(path) for path in images) or '<p class="muted">not available for this run</p>'


def render_report(
    evaluation_dir: Path, eda_dir: Path, data_docs_dir: Path, out: Path, params: dict[str, Any]
) -> Path:
    """Write `out` (report.html) from the evaluation folder's metrics and pictures and the EDA plots."""
    evaluation_dir, eda_dir = Path(evaluation_dir), Path(eda_dir)
    result = fmt.read_results(evaluation_dir)
    sections = [("Summary", _summary(result) + _metrics_table(result))]
    sections += [
        (title, _figures(evaluation_dir / fmt.FIGURES_DIR, patterns)) for title, patterns in SECTIONS
    ]
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


def _summary(result: fmt.EvaluationResult) -> str:
    original, model, at_target = fmt.ORIGINAL_RESEARCH, result.model, result.at_target
    return (
        f"<p>On {result.test_frames} test frames ({result.test_mcu_share:.0%} MCU) the <code>{html.escape(result.design)}"
        f"</code> model finds <b>{model['recall']:.0%}</b> of the MCUs at a false positive rate of "
        f"<b>{model['false_positive_rate']:.0%}</b> (threshold {model['threshold']:.2f}). At the threshold reaching "
        f"{at_target['recall']:.0%} recall ({at_target['threshold']:.2f}) its false positive rate is "
        f"{at_target['false_positive_rate']:.0%}. The original research reached {original['recall']:.0%} recall at "
        f"{original['false_positive_rate']:.0%} false positives on real films; the dummy rows show what guessing "
        "reaches.</p>"
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
