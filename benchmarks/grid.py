"""The `dvc exp` sweeps of a checkout as one table: benchmarks/results/grid.{md,json}.

    .venv/bin/python benchmarks/grid.py               # experiments of this checkout
    .venv/bin/python benchmarks/grid.py --repo DIR    # of another checkout (e.g. a clone that ran `make demo`)

Run it after the queue has finished (`dvc queue status`); the README's "Experiments" section shows how to queue the
original research grid (3 designs x 3 imbalance removals) and a one-param sweep. Each row is one experiment (its
name, the params it set) with the test metrics at evaluate.threshold, the threshold reaching the target recall, and
the training run's length. Baselines (the workspace, the commits the experiments start from) come first.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from moviegoer.core.atomic import write_text
from moviegoer.evaluation import results

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SWEPT = ("train.design", "split.imbalance_removal", "train.learning_rate", "evaluate.threshold")
METRICS = (
    f"reports/evaluation/{results.METRICS_DIR}"  # one headline file per row (moviegoer.evaluation.results)
)


def dvc_experiments(repo: Path) -> list[dict[str, Any]]:
    shown = subprocess.run(
        [str(Path(sys.executable).with_name("dvc")), "exp", "show", "--json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


def _lookup(tree: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        tree = tree.get(key, {}) if isinstance(tree, dict) else {}
    return tree if tree != {} else None


def row(entry: dict[str, Any], name: str) -> dict[str, Any] | None:
    """One experiment's params and results; None when it has no evaluation (failed)."""
    data = entry.get("data") or {}
    metrics = {path: (found or {}).get("data") for path, found in (data.get("metrics") or {}).items()}
    model = metrics.get(f"{METRICS}/{results.MODEL}.json")
    at_target = metrics.get(f"{METRICS}/{results.MODEL_AT_TARGET}.json")
    if not model or not at_target:
        return None
    params = (data.get("params") or {}).get("params.yaml", {}).get("data", {})
    return {
        "experiment": name,
        **{key: _lookup(params, key) for key in SWEPT},
        **{key: model[key] for key in results.HEADLINE},
        "fpr_at_target_recall": at_target["false_positive_rate"],
        "target_recall": at_target["recall"],
        "test_frames": model["test_frames"],
    }


def rows(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    table = []
    for commit in shown:
        label = "workspace" if commit["rev"] == "workspace" else commit.get("name") or commit["rev"][:7]
        baseline = row(commit, f"{label} (baseline)")
        table += [baseline] if baseline else []
        for experiment in commit.get("experiments") or []:
            if (experiment.get("executor") or {}).get("state", "success") != "success":
                continue  # queued or running: `dvc exp show` shows the baseline's files for it
            for revision in experiment.get("revs") or []:
                found = row(revision, revision.get("name") or revision["rev"][:7])
                table += [found] if found else []
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def markdown(table: list[dict[str, Any]], repo: Path) -> str:
    columns = list(table[0]) if table else []
    lines = [
        "# `dvc exp` sweeps on the embedded sample",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} ({platform.python_version()}), 2 cores, "
        f"one experiment at a time (`dvc queue start --jobs 1`), in a checkout that ran `make demo` ({repo.name}). "
        "Metrics are on the sample's test split at evaluate.threshold, `fpr_at_target_recall` at the threshold "
        f"reaching {results.ORIGINAL_RESEARCH['recall']:.0%} recall (the original research's). The sample is synthetic and small (72 test frames): differences of "
        "a few points are noise.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" if c in ("experiment", "train.design") else "---:" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(_cell(r[c]) for c in columns) + " |" for r in table]
    if table:
        best = max(table, key=lambda r: r["roc_auc"] or 0)
        lines += [
            "",
            f"Highest ROC-AUC: **{best['experiment']}** ({best['train.design']}, imbalance removal "
            f"{_cell(best['split.imbalance_removal'])}): {_cell(best['roc_auc'])}, recall {_cell(best['recall'])} "
            f"at a false-positive rate of {_cell(best['false_positive_rate'])}.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path, default=HERE.parent)
    args = parser.parse_args(argv)
    table = rows(dvc_experiments(args.repo))
    if not table:
        sys.exit(f"{args.repo}: no finished experiments (dvc exp show lists none with {METRICS})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text(RESULTS / "grid.json", json.dumps(table, indent=2) + "\n")
    write_text(RESULTS / "grid.md", markdown(table, args.repo.resolve()))
    print(markdown(table, args.repo.resolve()))


if __name__ == "__main__":
    main()
