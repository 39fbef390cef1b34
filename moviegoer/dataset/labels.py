"""The hand-label table: one row per labelled frame, matched to extracted frames by film and nearest timestamp.

Labels are the most expensive data of the project, so nothing here drops or overwrites a label silently: every
import returns an ImportReport with the rows that did not match a frame, duplicates, conflicts and invalid labels,
counted and with first examples."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from moviegoer.core.atomic import atomic_file, write_csv
from moviegoer.core.errors import MoviegoerError, ParamsError
from moviegoer.core.paths import FILM_ID_PATTERN, inside

LABELS = ("mcu", "non_mcu")
LABEL_SCHEMA = pa.schema(
    [
        pa.field("film_id", pa.string(), nullable=False),
        pa.field("frame", pa.string(), nullable=False),  # file name in data/frames/<film_id>/
        pa.field("t_ms", pa.float64(), nullable=False),  # the frame's decoded timestamp
        pa.field("label", pa.string(), nullable=False),  # "mcu" | "non_mcu"
        pa.field("sure", pa.bool_(), nullable=True),  # False marks a toss-up
        pa.field("note", pa.string(), nullable=True),
        pa.field("labeled_by", pa.string(), nullable=False),
        pa.field("labeled_at", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)
COLUMNS = LABEL_SCHEMA.names
EXAMPLES = 5  # how many examples of each problem a report keeps
FRAME_NAME = re.compile(r"^(?P<film>.+)_t(?P<ms>\d+)\.(?:jpe?g|png|bmp|webp)$", re.IGNORECASE)
LABEL_ALIASES = {
    "mcu": "mcu",
    "non_mcu": "non_mcu",
    "non-mcu": "non_mcu",
    "nonmcu": "non_mcu",
    "other": "non_mcu",
}


@dataclass(frozen=True)
class LabelParams:
    tolerance_ms: float  # a label matches the frame nearest its timestamp, if at most this far

    def __post_init__(self) -> None:
        if not isinstance(self.tolerance_ms, int | float) or self.tolerance_ms < 0:
            raise ParamsError("tolerance_ms", f"must be a number >= 0 (got {self.tolerance_ms!r})")


@dataclass
class Problem:
    """One kind of trouble in an import: how many rows, and the first few of them."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, rows: pd.DataFrame, describe: str) -> None:
        self.count += len(rows)
        for row in rows.head(EXAMPLES - len(self.examples)).itertuples(index=False):
            self.examples.append(describe.format(**row._asdict()))


@dataclass
class ImportReport:
    source: str
    rows_read: int = 0
    added: int = 0
    unchanged: int = 0
    overwritten: int = 0
    invalid: Problem = field(default_factory=Problem)
    unmatched: Problem = field(default_factory=Problem)
    duplicates: Problem = field(default_factory=Problem)
    conflicts: Problem = field(default_factory=Problem)
    kept_existing: Problem = field(default_factory=Problem)

    def problems(self) -> dict[str, Problem]:
        return {
            "invalid row (bad film id, t_ms or label)": self.invalid,
            "no matching frame": self.unmatched,
            "duplicate (same label twice, kept once)": self.duplicates,
            "conflicting labels for one frame (none kept)": self.conflicts,
            "differs from the existing label (existing kept; --overwrite replaces)": self.kept_existing,
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "added": self.added,
            "unchanged": self.unchanged,
            "overwritten": self.overwritten,
            **{name: {"count": p.count, "examples": p.examples} for name, p in self.problems().items()},
        }


# --- reading label sources into candidate rows: film_id, t_ms, label, sure, note, labeled_by (frame optional) ---
def read_csv(path: Path, labeled_by: str | None = None) -> pd.DataFrame:
    """A CSV keyed by film and timestamp: columns film_id (or source), t_ms, label; optional sure, note,
    labeled_by. `../shared/data/real/labels.csv` (source,t_ms,file,label,sure,note) reads as is."""
    if not Path(path).is_file():
        raise MoviegoerError(f"{path}: not a file")
    try:
        table = pd.read_csv(
            path, dtype={"source": str, "film_id": str, "t_ms": str, "label": str, "note": str, "sure": str}
        )
    except pd.errors.EmptyDataError as exc:
        raise MoviegoerError(f"{path}: empty CSV (no header, no rows)") from exc
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise MoviegoerError(f"{path}: cannot read as CSV ({exc.__class__.__name__}: {exc})") from exc
    if "film_id" not in table.columns and "source" in table.columns:
        table = table.rename(columns={"source": "film_id"})
    missing = [c for c in ("film_id", "t_ms", "label") if c not in table.columns]
    if missing:
        raise MoviegoerError(
            f"{path}: missing column(s) {', '.join(missing)} (need film_id or source, t_ms, label)"
        )
    candidates = pd.DataFrame(
        {
            "film_id": table["film_id"].astype(str),
            "t_ms": pd.to_numeric(table["t_ms"], errors="coerce"),
            "t_ms_text": table["t_ms"],
            "label": table["label"],
            "sure": table["sure"].map(_parse_sure) if "sure" in table.columns else None,
            "note": table["note"] if "note" in table.columns else None,
            "labeled_by": table["labeled_by"] if "labeled_by" in table.columns else (labeled_by or path.name),
        }
    )
    return candidates


def read_class_folders(root: Path, labeled_by: str | None = None) -> pd.DataFrame:
    """The original project's format: ROOT/mcu/ and ROOT/non_mcu/ full of frame images named
    <film_id>_t<ms>.jpg (as `moviegoer extract` and `labels export` write them)."""
    rows = []
    folders = [root / label for label in LABELS if (root / label).is_dir()]
    if not folders:
        raise MoviegoerError(f"{root}: no class folders (expected {root / 'mcu'} and/or {root / 'non_mcu'})")
    for folder in folders:
        for image in sorted(p for p in folder.iterdir() if p.is_file()):
            match = FRAME_NAME.match(image.name)
            rows.append(
                {
                    "film_id": match["film"] if match else image.name,
                    "t_ms": float(match["ms"]) if match else float("nan"),
                    "label": folder.name,
                    "frame": image.name,
                }
            )
    table = pd.DataFrame(rows, columns=["film_id", "t_ms", "label", "frame"])
    table["sure"], table["note"], table["labeled_by"] = None, None, labeled_by or root.name
    return table


def _parse_sure(value: object) -> bool | None:
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    return None


# --- matching candidates to frames and merging into the table -------------------------------------------------
def _why_invalid(row: pd.Series) -> str | None:
    """What is wrong with a candidate row, in words that keep the value as it was written; None if nothing."""
    if not isinstance(row["film_id"], str) or not FILM_ID_PATTERN.match(row["film_id"]):
        return f"film id {row['film_id']!r} is not a film id"
    if pd.isna(row["t_ms"]):
        return "t_ms is not a number"
    if row["t_ms"] < 0:
        return "t_ms is negative (times count from the film's start)"
    if pd.isna(row["canonical"]):
        return f"label {row['label']!r} is not one of {', '.join(LABELS)}"
    return None


def _normalise_labels(candidates: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    if "t_ms_text" not in candidates.columns:
        candidates = candidates.assign(t_ms_text=candidates["t_ms"].astype(str))
    checked = candidates.assign(
        canonical=candidates["label"].astype(str).str.strip().str.lower().map(LABEL_ALIASES)
    )
    reasons = checked.apply(_why_invalid, axis=1) if len(checked) else pd.Series(dtype=object)
    bad = reasons.notna()
    report.invalid.add(checked[bad].assign(reason=reasons[bad]), "{film_id} @ {t_ms_text} ms: {reason}")
    valid = checked[~bad]
    return valid.assign(label=valid["canonical"]).drop(columns=["canonical", "t_ms_text"])


def match_frames(
    candidates: pd.DataFrame, manifests: pd.DataFrame, params: LabelParams, report: ImportReport
) -> pd.DataFrame:
    """Attach each candidate to its frame: by frame file name when it has one that the manifests know, else the
    frame of the same film nearest its timestamp within the tolerance."""
    known = manifests[["film_id", "frame", "t_ms"]]
    by_name = pd.DataFrame(columns=[*candidates.columns, "frame_t_ms"])
    rest = candidates
    if "frame" in candidates.columns:
        named = candidates.merge(
            known.rename(columns={"t_ms": "frame_t_ms"}), on=["film_id", "frame"], how="left"
        )
        has_frame = named["frame_t_ms"].notna()
        by_name = named[has_frame]
        rest = candidates[~has_frame.to_numpy()].drop(columns="frame")
    rest = rest.assign(t_ms=rest["t_ms"].astype(float)).sort_values("t_ms", kind="stable")
    nearest = pd.merge_asof(
        rest,
        known.assign(frame_t_ms=known["t_ms"].astype(float)).drop(columns="t_ms").sort_values("frame_t_ms"),
        left_on="t_ms",
        right_on="frame_t_ms",
        by="film_id",
        direction="nearest",
        tolerance=float(params.tolerance_ms),
    )
    report.unmatched.add(nearest[nearest["frame"].isna()], "{film_id} @ {t_ms:.0f} ms")
    matched = pd.concat([by_name, nearest[nearest["frame"].notna()]], ignore_index=True)
    return matched.assign(t_ms=matched["frame_t_ms"]).drop(columns="frame_t_ms")


def _resolve_duplicates(matched: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    labels_per_frame = matched.groupby(["film_id", "frame"])["label"].transform("nunique")
    conflicting = matched[labels_per_frame > 1]
    report.conflicts.add(
        conflicting.drop_duplicates(["film_id", "frame", "label"]), "{film_id}/{frame}: {label}"
    )
    consistent = matched[labels_per_frame == 1]
    repeated = consistent.duplicated(["film_id", "frame"], keep="first")
    report.duplicates.add(consistent[repeated], "{film_id}/{frame}: {label}")
    return consistent[~repeated]


def _same(new: pd.Series, old: pd.Series) -> pd.Series:
    """Row-wise: the import agrees with the table (an import that says nothing, a missing value, agrees)."""
    return new.isna() | (new.astype(object) == old.astype(object))


def merge_labels(
    existing: pd.DataFrame, incoming: pd.DataFrame, overwrite: bool, report: ImportReport
) -> pd.DataFrame:
    """Add new labels; a label, sure flag or note that differs from the table's replaces it with `overwrite`,
    else is reported and the table's kept."""
    both = incoming.merge(
        existing[["film_id", "frame", "label", "sure", "note"]],
        on=["film_id", "frame"],
        how="left",
        suffixes=("", "_old"),
    )
    new = both["label_old"].isna()
    same = (
        (both["label"] == both["label_old"])
        & _same(both["sure"], both["sure_old"])
        & _same(both["note"], both["note_old"])
    )
    differs = ~new & ~same
    report.added = int(new.sum())
    report.unchanged = int((~new & same).sum())
    if overwrite:
        report.overwritten = int(differs.sum())
        replace = both[differs][["film_id", "frame"]]
        keep = existing.merge(replace, on=["film_id", "frame"], how="left", indicator=True)
        existing = keep[keep["_merge"] == "left_only"].drop(columns="_merge")
        take = new | differs
    else:
        report.kept_existing.add(
            both[differs],
            "{film_id}/{frame}: table says {label_old} (sure {sure_old}, note {note_old!r}), import says {label} "
            "(sure {sure}, note {note!r})",
        )
        take = new
    stamp = pd.Timestamp(datetime.now(UTC).replace(microsecond=0))
    added = both[take].assign(labeled_at=stamp)
    return pd.concat([existing, added[COLUMNS]], ignore_index=True)


def import_labels(
    candidates: pd.DataFrame,
    existing: pd.DataFrame,
    manifests: pd.DataFrame,
    params: LabelParams,
    source: str,
    overwrite: bool = False,
) -> tuple[pd.DataFrame, ImportReport]:
    """Validate, match, de-duplicate and merge `candidates` into `existing`; returns the new table and a report."""
    report = ImportReport(source=source, rows_read=len(candidates))
    valid = _normalise_labels(candidates, report)
    matched = match_frames(valid, manifests, params, report)
    unique = _resolve_duplicates(matched, report)
    table = merge_labels(existing, unique, overwrite, report)
    return typed(table), report


def drop_label(table: pd.DataFrame, film_id: str, frame: str) -> pd.DataFrame:
    """The table without the label of one frame (a label taken back)."""
    return table[~((table["film_id"] == film_id) & (table["frame"] == frame))]


def sort_labels(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["film_id", "t_ms", "frame"], kind="stable").reset_index(drop=True)


# --- the table on disk ----------------------------------------------------------------------------------------
def empty_labels() -> pd.DataFrame:
    return LABEL_SCHEMA.empty_table().to_pandas()


def read_labels(path: Path) -> pd.DataFrame:
    """The label table, or an empty one when the file does not exist yet; a file that is not a label table (or
    names frames outside their film's folder) is a one-line error."""
    path = Path(path)
    if not path.exists():
        return empty_labels()
    if not path.is_file():
        raise MoviegoerError(f"{path}: not a label table (it is a folder)")
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise MoviegoerError(f"{path}: not a label table (cannot read it as Parquet)") from exc
    missing = [name for name in COLUMNS if name not in table.column_names]
    if missing:
        raise MoviegoerError(f"{path}: not a label table (missing column(s) {', '.join(missing)})")
    labels = table.select(COLUMNS).to_pandas()
    bad_ids = sorted(
        {str(f) for f in labels["film_id"] if not isinstance(f, str) or not FILM_ID_PATTERN.match(f)}
    )
    bad_frames = sorted(
        {str(f) for f in labels["frame"] if not isinstance(f, str) or Path(f).name != f or f in (".", "..")}
    )
    if bad_ids or bad_frames:
        raise MoviegoerError(
            f"{path}: bad film ids {bad_ids[:3]} or frame names {bad_frames[:3]}; fix or remove those rows"
        )
    return labels


def to_arrow(table: pd.DataFrame) -> pa.Table:
    frame = table[COLUMNS].copy()
    frame["labeled_at"] = pd.to_datetime(frame["labeled_at"], utc=True)
    frame["sure"] = frame["sure"].astype("boolean")
    return pa.Table.from_pandas(frame, schema=LABEL_SCHEMA, preserve_index=False).replace_schema_metadata(
        None
    )


def typed(table: pd.DataFrame) -> pd.DataFrame:
    """The table sorted and with exactly LABEL_SCHEMA's columns and types, as it reads back from Parquet."""
    return to_arrow(sort_labels(table)).to_pandas()


def write_labels(table: pd.DataFrame, path: Path) -> None:
    with atomic_file(Path(path)) as tmp:
        pq.write_table(to_arrow(sort_labels(table)), tmp)


def label_stats(table: pd.DataFrame) -> pd.DataFrame:
    """Frames per film and class, with the MCU share; a last row sums all films."""
    counts = table.pivot_table(
        index="film_id", columns="label", values="frame", aggfunc="count", fill_value=0
    )
    counts = counts.reindex(columns=list(LABELS), fill_value=0)
    counts.loc["(all)"] = counts.sum()
    counts["total"] = counts["mcu"] + counts["non_mcu"]
    counts["mcu_share"] = (counts["mcu"] / counts["total"]).round(3)
    return counts.reset_index()


def export_csv(table: pd.DataFrame, path: Path) -> None:
    write_csv(sort_labels(table)[COLUMNS], Path(path))


def export_class_folders(table: pd.DataFrame, frames_root: Path, out_dir: Path) -> int:
    """Copy each labelled frame into OUT/mcu/ or OUT/non_mcu/ (the original project's format)."""
    import shutil

    from moviegoer.core.atomic import atomic_dir

    with atomic_dir(Path(out_dir)) as tmp:
        for label in LABELS:
            (tmp / label).mkdir()
        for row in table.itertuples(index=False):
            source = inside(Path(frames_root), row.film_id, row.frame)
            if not source.exists():
                raise MoviegoerError(f"{source}: labelled frame is missing (run the extraction stage first)")
            shutil.copy2(source, inside(tmp / row.label, row.frame))
    return len(table)
