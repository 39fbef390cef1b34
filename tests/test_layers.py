"""The library's dependencies point one way: a stage's core never imports a later stage or the CLI."""

from __future__ import annotations

import ast

import pytest

from tests.test_stage_deps import PACKAGE, PROJECT_ROOT, imported_modules

# subpackage -> the subpackages it may import (besides itself)
ALLOWED = {
    "core": set(),
    "video": {"core"},
    "dataset": {"core", "video"},
    "features": {"core"},
    "sample": {"core"},
    "model": {"core", "dataset", "features"},
    "evaluation": {"core", "dataset", "features", "model"},
    "analysis": {"core", "video", "features", "model"},
    "scenes": {"core", "analysis"},
    "labelling": {"core", "dataset", "features", "model"},
    "review": {"core", "dataset", "analysis", "scenes", "labelling"},
    "cli": {
        "core",
        "video",
        "dataset",
        "features",
        "model",
        "evaluation",
        "sample",
        "analysis",
        "scenes",
        "labelling",
        "review",
    },
}


def subpackage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    offending = []
    for path in sorted((PACKAGE / layer).glob("*.py")):
        for module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            target = subpackage_of(module)
            if target and target != layer and target not in ALLOWED[layer]:
                offending.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert not offending, offending


def test_every_subpackage_has_a_layer() -> None:
    found = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert found == set(ALLOWED)
