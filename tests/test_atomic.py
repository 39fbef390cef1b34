from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from moviegoer.core.atomic import atomic_dir, atomic_file, remove_stale_temporaries
from moviegoer.core.errors import MoviegoerError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_dir_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "frames"
    with atomic_dir(target) as tmp:
        (tmp / "a.jpg").write_text("1")
    try:
        with atomic_dir(target) as tmp:
            (tmp / "b.jpg").write_text("2")
            raise RuntimeError("crash")
    except RuntimeError:
        pass
    assert sorted(p.name for p in target.iterdir()) == [".moviegoer", "a.jpg"]  # the mark: moviegoer's own
    assert target.stat().st_mode & 0o777 == 0o777 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]


def test_atomic_dir_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    theirs = tmp_path / "thesis"
    theirs.mkdir()
    (theirs / "chapter1.txt").write_text("precious")
    try:
        with atomic_dir(theirs) as tmp:
            (tmp / "a.jpg").write_text("1")
        raise AssertionError("a folder moviegoer did not write was replaced")
    except MoviegoerError as exc:
        assert "did not write" in str(exc)
    assert [p.name for p in theirs.iterdir()] == ["chapter1.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty) as tmp:  # an empty folder holds nothing to lose
        (tmp / "a.jpg").write_text("1")
    assert (empty / ".moviegoer").is_file()


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    script = (
        "import sys, time; from pathlib import Path; from moviegoer.core.atomic import atomic_dir\n"
        "with atomic_dir(Path(sys.argv[1])) as tmp:\n"
        "    (tmp / 'half.jpg').write_text('x'); print('writing', flush=True); time.sleep(60)\n"
    )
    target = tmp_path / "film"
    writer = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".film.") and leftovers[0].endswith(".tmp")
    assert not target.exists()
    other = tmp_path / ".other.123.tmp"
    other.mkdir()
    with atomic_dir(target) as tmp:
        (tmp / "done.jpg").write_text("ok")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.123.tmp", "film"]
    assert remove_stale_temporaries(tmp_path / "other") == [other]


def test_atomic_file(tmp_path: Path) -> None:
    target = tmp_path / "table.parquet"
    with atomic_file(target) as tmp:
        tmp.write_text("v1")
    (tmp_path / ".table.parquet.abc.tmp").write_text("stale")
    with atomic_file(target) as tmp:
        tmp.write_text("v2")
    assert target.read_text() == "v2"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]
