"""The suite passes in any state of the checkout: the README runs `make demo` before `make test`, and the demo
registers its films in this checkout's data/. Run the project tests that build projects in a copy of the checkout
dirtied as the demo leaves it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from moviegoer.dataset.films import Film, save_registry
from tests.conftest import PROJECT_ROOT, run


def demo_state_copy(target: Path) -> Path:
    """The checkout's tracked files in `target`, then data/ as `make demo` leaves it: films registered whose
    videos this copy does not hold, and a dvc.lock of stages the copy never ran."""
    tracked = run(["git", "ls-files", "-z"], PROJECT_ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    films = {
        film_id: Film(
            film_id, f"data/raw/films/{film_id}.mp4", f"data/sample/{film_id}.mp4", "0" * 64, "", {}
        )
        for film_id in ("sample_01", "sample_02")
    }
    save_registry(films, target)
    (target / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n")
    return target


def test_project_fixture_ignores_a_checkout_the_demo_dirtied(tmp_path: Path) -> None:
    checkout = demo_state_copy(tmp_path / "checkout")
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_films.py"],
        checkout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
