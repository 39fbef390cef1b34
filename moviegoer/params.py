"""Read a stage's section of params.yaml into its typed, validated params dataclass."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

from moviegoer.errors import ParamsError
from moviegoer.paths import PARAMS_FILE

T = TypeVar("T")


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """The whole params file as a dict; an absent file means "use the library defaults"."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError("(file)", f"is not valid YAML: {str(exc).splitlines()[0]}", path) from exc
    if not isinstance(data, dict):
        raise ParamsError("(file)", "must hold a mapping of stage sections", path)
    return data


def section_params(cls: type[T], section: str, path: Path = PARAMS_FILE, **overrides: Any) -> T:
    """Build `cls` from `section` of the params file, with non-None `overrides` (CLI options) on top.

    Unknown keys are refused so a typo in params.yaml never silently falls back to a default."""
    values = load_params(path).get(section) or {}
    if not isinstance(values, dict):
        raise ParamsError(section, "must be a mapping", path)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParamsError(
            f"{section}.{unknown[0]}", f"is not a known parameter (known: {sorted(known)})", path
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return cls(**{**values, **given})
    except ParamsError as exc:
        if exc.key in given:
            raise ParamsError(f"--{exc.key.replace('_', '-')}", exc.problem, "option") from exc
        raise ParamsError(f"{section}.{exc.key}", exc.problem, path) from exc
    except TypeError as exc:
        raise ParamsError(section, f"has a value of the wrong type: {exc}", path) from exc
