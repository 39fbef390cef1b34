"""Exploratory plots of the labels and splits: what a person checks before trusting a training run.

Each plot is a PNG for people plus the CSV behind it, which `dvc plots` renders too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from moviegoer.core.atomic import write_csv, write_png
from moviegoer.dataset.labels import LABELS, label_stats
from moviegoer.dataset.split import SPLITS

EDA_DPI = 110
COLORS = {"mcu": "#d9534f", "non_mcu": "#5b8db8"}


@dataclass(frozen=True)
class EdaResult:
    out_dir: Path
    files: list[Path]


def per_film_table(labels: pd.DataFrame) -> pd.DataFrame:
    stats = label_stats(labels)
    return stats[stats["film_id"] != "(all)"].reset_index(drop=True)


def balance_table(split_manifest: pd.DataFrame) -> pd.DataFrame:
    """Frames per class in each split, with train before and after imbalance removal."""
    rows = []
    train = split_manifest[split_manifest["split"] == "train"]
    rows.append(("train (before removal)", train))
    rows.append(("train (after removal)", train[train["kept"]]))
    rows += [
        (split, split_manifest[split_manifest["split"] == split]) for split in SPLITS if split != "train"
    ]
    table = pd.DataFrame(
        [
            {"set": name, **{label: int((part["label"] == label).sum()) for label in LABELS}}
            for name, part in rows
        ]
    )
    table["mcu_share"] = (table["mcu"] / (table["mcu"] + table["non_mcu"]).clip(lower=1)).round(3)
    return table


def _stacked_bars(table: pd.DataFrame, index: str, title: str, ylabel: str) -> object:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(table) + 2), 4.2))
    bottom = pd.Series(0, index=table.index)
    for label in LABELS:
        axes.bar(table[index], table[label], bottom=bottom, color=COLORS[label], label=label)
        bottom = bottom + table[label]
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend()
    axes.tick_params(axis="x", rotation=60)
    return figure


def _share_bars(per_film: pd.DataFrame, overall: float) -> object:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(per_film) + 2), 4.2))
    axes.bar(per_film["film_id"], per_film["mcu_share"], color=COLORS["mcu"])
    axes.axhline(overall, color="black", linestyle="--", label=f"all films: {overall:.0%}")
    axes.set_ylim(0, 1)
    axes.set_title("MCU share per film")
    axes.set_ylabel("share of labelled frames that are MCU")
    axes.legend()
    axes.tick_params(axis="x", rotation=60)
    return figure


def write_eda(labels: pd.DataFrame, split_manifest: pd.DataFrame, out_dir: Path) -> EdaResult:
    import matplotlib

    matplotlib.use("Agg")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    per_film = per_film_table(labels)
    balance = balance_table(split_manifest)
    overall = float(label_stats(labels).set_index("film_id").loc["(all)", "mcu_share"])
    files = [
        write_csv(per_film, out_dir / "frames_per_film.csv"),
        write_csv(balance, out_dir / "class_balance.csv"),
        write_png(
            _stacked_bars(per_film, "film_id", "Labelled frames per film", "frames"),
            out_dir / "frames_per_film.png",
            dpi=EDA_DPI,
        ),
        write_png(_share_bars(per_film, overall), out_dir / "mcu_share_per_film.png", dpi=EDA_DPI),
        write_png(
            _stacked_bars(
                balance, "set", "Class balance per split (imbalance removal touches train only)", "frames"
            ),
            out_dir / "class_balance.png",
            dpi=EDA_DPI,
        ),
    ]
    return EdaResult(out_dir, files)
