"""dvc.yaml's deps are complete: every module of moviegoer that a stage's command imports, directly or through
other modules, lies under one of that stage's deps, so editing it makes `dvc status` report the stage changed."""

from __future__ import annotations

import ast
import inspect
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from moviegoer.cli import app
from tests.conftest import PROJECT_ROOT, run

PACKAGE = PROJECT_ROOT / "moviegoer"


def module_file(name: str) -> Path | None:
    """The source file of a moviegoer module or package, None for a name that is neither (an attribute)."""
    relative = Path(*name.split("."))
    for candidate in (PROJECT_ROOT / relative.with_suffix(".py"), PROJECT_ROOT / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(tree: ast.AST) -> set[str]:
    """Every moviegoer module an AST imports, at any depth (lazy imports inside functions count: they run)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "moviegoer"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "moviegoer":
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return {name for name in found if module_file(name)}


def with_packages(name: str) -> set[str]:
    """Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c."""
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def closure(start: set[str]) -> set[Path]:
    pending, seen = set(start), set()
    while pending:
        name = pending.pop()
        for module in with_packages(name) - seen:
            seen.add(module)
            path = module_file(module)
            pending |= imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    return {module_file(name) for name in seen}


def command_function(cmd: str):
    """The function behind a stage's `moviegoer ...` command line."""
    words = shlex.split(cmd)
    assert words[0] == "moviegoer", cmd
    command = typer.main.get_command(app)
    for word in words[1:]:
        if not hasattr(command, "commands"):
            break
        command = command.commands[word]
    return inspect.unwrap(command.callback)


def stage_imports(cmd: str) -> set[Path]:
    """What running a stage's command imports from moviegoer: the CLI's entry and registration modules, the
    command's own module (its top level) and everything the command function imports, transitively."""
    function = command_function(cmd)
    module = inspect.getmodule(function)
    own = imported_modules(ast.parse(inspect.getsource(function)))
    top_level = imported_modules(ast.Module([n for n in ast.parse(inspect.getsource(module)).body
                                              if isinstance(n, ast.Import | ast.ImportFrom)], []))  # fmt: skip
    return closure({"moviegoer.cli", "moviegoer.cli.app"} | own | top_level) | {Path(inspect.getfile(module))}


def stages() -> dict[str, dict]:
    spec = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())["stages"]
    return {name: stage.get("do", stage) for name, stage in spec.items()}


@pytest.mark.parametrize("name", sorted(stages()))
def test_deps_cover_every_imported_module(name: str) -> None:
    stage = stages()[name]
    deps = [PROJECT_ROOT / dep for dep in stage["deps"] if dep.startswith("moviegoer")]
    commands = stage["cmd"] if isinstance(stage["cmd"], list) else [stage["cmd"]]
    uncovered = sorted(
        str(path.relative_to(PROJECT_ROOT))
        for cmd in commands
        for path in stage_imports(cmd)
        if not any(path == dep or dep in path.parents for dep in deps)
    )
    assert not uncovered, f"stage {name} imports modules its deps do not name: {uncovered}"


def test_closure_follows_lazy_and_package_imports() -> None:
    imports = {str(p.relative_to(PROJECT_ROOT)) for p in stage_imports("moviegoer extract FILM")}
    assert "moviegoer/__init__.py" in imports  # every import runs the package's __init__
    assert "moviegoer/video/pyav_sampler.py" in imports  # reached only through video.choose
    assert "moviegoer/model/designs.py" not in imports  # extraction never touches the models


def test_editing_an_imported_module_makes_the_stage_stale(project: Path, films_dir: Path) -> None:
    run(["moviegoer", "films", "add", str(films_dir / "alpha.mp4")], project)
    run(["dvc", "repro", "extract"], project)
    assert "up to date" in run(["dvc", "status", "extract"], project).stdout
    sampler = project / "moviegoer/video/pyav_sampler.py"
    sampler.write_text(sampler.read_text() + "\n# an edit\n")
    status = run(["dvc", "status", "extract"], project).stdout
    assert "extract@alpha" in status and "modified:" in status and "moviegoer/video" in status
