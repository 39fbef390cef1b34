"""Read a stage's section of params.yaml into its typed, validated params dataclass.

params.yaml is the only place a default lives: the dataclasses declare no values of their own, so a section or key
missing from the file is an error naming it, never a silent fallback to a second, drifting default."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

from moviegoer.core.errors import ParamsError
from moviegoer.core.paths import PARAMS_FILE

T = TypeVar("T")


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """The whole params file as a dict of stage sections."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(None, "not found (moviegoer reads every setting from params.yaml)", path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ParamsError(None, "is not a text file (not UTF-8)", path) from exc
    except yaml.YAMLError as exc:
        raise ParamsError(None, f"is not valid YAML: {str(exc).splitlines()[0]}", path) from exc
    if not isinstance(data, dict):
        raise ParamsError(None, "must hold a mapping of stage sections", path)
    return data


def section_params(cls: type[T], section: str, path: Path = PARAMS_FILE, **overrides: Any) -> T:
    """Build `cls` from `section` of the params file, with non-None `overrides` (CLI options) on top.

    Unknown keys are refused so a typo never goes unnoticed, and every field must be given by the file or an
    override."""
    everything = load_params(path)
    if section not in everything:
        raise ParamsError(section, "section is missing", path)
    values = everything[section] or {}
    if not isinstance(values, dict):
        raise ParamsError(section, "must be a mapping", path)
    declared = [f for f in fields(cls) if f.init]  # type: ignore[arg-type]
    known = {f.name for f in declared}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParamsError(
            f"{section}.{unknown[0]}", f"is not a known parameter (known: {sorted(known)})", path
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    required = [f.name for f in declared if f.default is MISSING and f.default_factory is MISSING]
    missing = [name for name in required if name not in values and name not in given]
    if missing:
        raise ParamsError(f"{section}.{missing[0]}", "is missing", path)
    try:
        return cls(**{**values, **given})
    except ParamsError as exc:
        if exc.key in given:
            raise ParamsError(f"--{exc.key.replace('_', '-')}", exc.problem, "option") from exc
        raise ParamsError(f"{section}.{exc.key}", exc.problem, path) from exc
    except TypeError as exc:
        raise ParamsError(section, f"has a value of the wrong type: {exc}", path) from exc
