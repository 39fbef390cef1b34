"""Great Expectations checks of the label table and of the splits, with HTML Data Docs.

Nothing downstream may trust labels that fail: the CLI exits non-zero and prints which expectations failed, on
which values, in one block. Derived tables (a 0/1 `is_mcu` column, one row per film) turn the questions "is the
class balance where it should be" and "does any film cross sides" into plain column expectations.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from moviegoer.core.atomic import write_text
from moviegoer.core.errors import ParamsError
from moviegoer.dataset.labels import COLUMNS, LABELS
from moviegoer.dataset.split import SplitParams, removed_count

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass(frozen=True)
class ValidateParams:
    overall_mcu_share: tuple[float, float]  # band for the share of MCU labels over all films
    film_mcu_share: tuple[float, float]  # band for each film's MCU share
    train_balance_tolerance: float  # train MCU share after removal may be this far from the expected one

    def __post_init__(self) -> None:
        for key in ("overall_mcu_share", "film_mcu_share"):
            band = getattr(self, key)
            if len(band) != 2 or not 0 <= band[0] <= band[1] <= 1:
                raise ParamsError(key, f"must be [low, high] with 0 <= low <= high <= 1 (got {list(band)!r})")
        if not 0 <= self.train_balance_tolerance < 1:
            raise ParamsError(
                "train_balance_tolerance", f"must be in [0, 1) (got {self.train_balance_tolerance!r})"
            )


@dataclass(frozen=True)
class Suite:
    """One expectation suite and the table it runs on."""

    name: str
    data: pd.DataFrame
    expectations: list[Any]


@dataclass
class Failure:
    suite: str
    expectation: str
    column: str
    details: str


@dataclass
class ValidationReport:
    suites: dict[str, dict[str, int | bool]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    docs_index: str = ""

    @property
    def success(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, object]:
        return {"success": self.success, "suites": self.suites, "failures": [asdict(f) for f in self.failures],
                "data_docs": self.docs_index}  # fmt: skip

    def failure_block(self) -> str:
        lines = [f"{len(self.failures)} expectation(s) failed:"]
        for failure in self.failures:
            lines.append(f"  [{failure.suite}] {failure.expectation} on {failure.column}: {failure.details}")
        if self.docs_index:
            lines.append(f"  details: {self.docs_index}")
        return "\n".join(lines)


def _expectations() -> Any:
    import great_expectations.expectations as gxe

    return gxe


def label_suites(labels: pd.DataFrame, manifests: pd.DataFrame, params: ValidateParams) -> list[Suite]:
    """The label table's schema and integrity, and the class balance overall and per film."""
    gxe = _expectations()
    known_frames = set(zip(manifests["film_id"], manifests["frame"], strict=True))
    checked = labels.assign(
        has_frame=[(f, fr) in known_frames for f, fr in zip(labels["film_id"], labels["frame"], strict=True)]
    )
    films = pd.DataFrame({"film_id": sorted(set(manifests["film_id"]))})
    films["labels"] = films["film_id"].map(labels["film_id"].value_counts()).fillna(0).astype(int)
    integrity = Suite(
        "labels",
        checked,
        [
            gxe.ExpectTableColumnsToMatchSet(column_set=[*COLUMNS, "has_frame"], exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeOfType(column="film_id", type_="str"),
            gxe.ExpectColumnValuesToBeOfType(column="frame", type_="str"),
            gxe.ExpectColumnValuesToBeOfType(column="t_ms", type_="float64"),
            gxe.ExpectColumnValuesToBeOfType(column="label", type_="str"),
            gxe.ExpectColumnValuesToBeOfType(column="labeled_at", type_="Timestamp"),
            gxe.ExpectColumnValuesToBeInSet(column="label", value_set=list(LABELS)),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["film_id", "frame"]),
            gxe.ExpectColumnValuesToBeBetween(column="t_ms", min_value=0),
            *[
                gxe.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("film_id", "frame", "t_ms", "label", "labeled_by")
            ],
            gxe.ExpectColumnValuesToBeInSet(column="has_frame", value_set=[True]),
        ],
    )
    coverage = Suite(
        "films_have_labels",
        films,
        [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="labels", min_value=1),
        ],
    )
    is_mcu = pd.DataFrame({"film_id": labels["film_id"], "is_mcu": (labels["label"] == "mcu").astype(int)})
    per_film = (
        is_mcu.groupby("film_id", as_index=False)["is_mcu"].mean().rename(columns={"is_mcu": "mcu_share"})
    )
    balance = Suite(
        "class_balance",
        is_mcu,
        [gxe.ExpectColumnMeanToBeBetween(column="is_mcu", min_value=params.overall_mcu_share[0],
                                         max_value=params.overall_mcu_share[1])],
    )  # fmt: skip
    film_balance = Suite(
        "film_class_balance",
        per_film,
        [gxe.ExpectColumnValuesToBeBetween(column="mcu_share", min_value=params.film_mcu_share[0],
                                           max_value=params.film_mcu_share[1])],
    )  # fmt: skip
    return [integrity, coverage, balance, film_balance]


def expected_train_mcu_share(split_manifest: pd.DataFrame, removal: float) -> float:
    train = split_manifest[split_manifest["split"] == "train"]
    mcu = int((train["label"] == "mcu").sum())
    non_mcu = int((train["label"] == "non_mcu").sum())
    remaining = mcu + non_mcu - removed_count(non_mcu, removal)
    return mcu / remaining if remaining else 0.0


def split_suites(split_manifest: pd.DataFrame, split: SplitParams, params: ValidateParams) -> list[Suite]:
    """After imbalance removal: train's MCU share is where the params put it, val/test are untouched, and (in
    unwatched mode) no film or film group has frames on two sides."""
    gxe = _expectations()
    expected = expected_train_mcu_share(split_manifest, split.imbalance_removal)
    train = split_manifest[(split_manifest["split"] == "train") & split_manifest["kept"]]
    train_balance = Suite(
        "train_balance_after_removal",
        pd.DataFrame({"is_mcu": (train["label"] == "mcu").astype(int)}),
        [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnMeanToBeBetween(column="is_mcu", min_value=max(0.0, expected - params.train_balance_tolerance),
                                            max_value=min(1.0, expected + params.train_balance_tolerance)),
        ],
    )  # fmt: skip
    held_out = split_manifest[split_manifest["split"] != "train"]
    untouched = Suite(
        "val_test_untouched",
        held_out[["split", "kept"]],
        [gxe.ExpectColumnValuesToBeInSet(column="kept", value_set=[True])],
    )
    suites = [train_balance, untouched]
    if split.mode == "unwatched":
        sides = pd.DataFrame(
            {"sides": [*split_manifest.groupby("film_id")["split"].nunique(),
                       *split_manifest.groupby("group")["split"].nunique()]}
        )  # fmt: skip
        suites.append(
            Suite(
                "films_on_one_side", sides, [gxe.ExpectColumnValuesToBeInSet(column="sides", value_set=[1])]
            )
        )
    return suites


def _describe(result: Any) -> tuple[str, str]:
    config = result.expectation_config
    column = config.kwargs.get("column") or config.kwargs.get("column_list") or "(table)"
    values = result.result or {}
    parts = []
    for key in ("observed_value", "unexpected_count", "partial_unexpected_list"):
        value = values.get(key)
        if value is not None and not (hasattr(value, "__len__") and len(value) == 0):
            parts.append(f"{key.replace('_', ' ')}={_plain(value)!r}")
    if "details" in values and "mismatched" in (values["details"] or {}):
        parts.append(f"mismatched={values['details']['mismatched']}")
    bounds = {k: v for k, v in config.kwargs.items() if k in ("min_value", "max_value", "value_set", "type_")}
    if bounds:
        parts.append(f"expected {bounds}")
    info = result.exception_info or {}
    for item in [info] if "raised_exception" in info else info.values():
        if isinstance(item, dict) and item.get("raised_exception"):
            parts.append(f"error: {item['exception_message']}")
    return str(column), "; ".join(parts)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain Python values, so the printed block reads naturally."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float):
        return round(value, 4)
    return value


def run_suites(suites: list[Suite], docs_dir: Path) -> ValidationReport:
    """Run every suite (one checkpoint each) in an ephemeral GX context; Data Docs go to `docs_dir`."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    docs_dir = Path(docs_dir).resolve()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    context.delete_data_docs_site("local_site")
    context.add_data_docs_site(
        "local_site",
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        },
    )
    source = context.data_sources.add_pandas("moviegoer")
    report = ValidationReport(docs_index=str(docs_dir / "index.html"))
    for suite in suites:
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(suite.name)
        expectation_suite = context.suites.add(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations)
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="docs", site_names=["local_site"])],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": suite.data})
        for result in outcome.run_results.values():
            stats = result.statistics
            report.suites[suite.name] = {
                "success": bool(result.success),
                "evaluated": int(stats["evaluated_expectations"]),
                "passed": int(stats["successful_expectations"]),
            }
            for item in result.results:
                if not item.success:
                    column, details = _describe(item)
                    report.failures.append(Failure(suite.name, item.expectation_config.type, column, details))
    return report


def write_report(report: ValidationReport, path: Path) -> None:
    write_text(Path(path), json.dumps(report.as_dict(), indent=2, default=str) + "\n")
