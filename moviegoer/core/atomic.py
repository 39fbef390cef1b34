"""Write files and folders under a temporary name and rename them into place, so a crash never leaves a
half-written artifact where a reader (or DVC) would take it for a finished one.

A folder moviegoer writes whole carries an ownership mark (OWNER_MARK). Replacing a folder is allowed only where
that mark is, or where the folder is empty: moviegoer never deletes what it did not create."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moviegoer.core.errors import MoviegoerError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp/mkdtemp create private (0600/0700) entries; finished artifacts get the usual permissions instead.
FILE_MODE = 0o666 & ~_current_umask()
DIR_MODE = 0o777 & ~_current_umask()


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on error it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


OWNER_MARK = ".moviegoer"
OWNER_NOTE = "Written whole by moviegoer, which replaces this folder on its next run.\n"


def check_replaceable(target: Path) -> None:
    """Refuse (one line, nothing touched) to replace a file, or a non-empty folder moviegoer did not write."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise MoviegoerError(f"{target}: exists and is not a folder moviegoer wrote; choose another folder")
    if target.is_dir() and not (target / OWNER_MARK).is_file() and any(target.iterdir()):
        raise MoviegoerError(
            f"{target}: folder holds files moviegoer did not write; it is left as it is (choose a new or empty folder)"
        )


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside `target`; on success it takes `target`'s place (an existing
    `target` is removed only then), on error it is deleted. An existing `target` must be moviegoer's own or empty
    (checked before any work)."""
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        (tmp / OWNER_MARK).write_text(OWNER_NOTE, encoding="utf-8")
        os.chmod(tmp / OWNER_MARK, FILE_MODE)
        os.chmod(tmp, DIR_MODE)
        check_replaceable(target)  # still ours: nothing else moved in while we worked
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_text(target: Path, text: str) -> None:
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_csv(table: Any, target: Path) -> Path:
    """A pandas DataFrame as CSV, without its index."""
    with atomic_file(target) as tmp:
        table.to_csv(tmp, index=False)
    return target


def write_png(figure: Any, target: Path, dpi: int = 100) -> Path:
    """A matplotlib figure as PNG; the figure is closed afterwards (pyplot keeps every open one alive)."""
    import matplotlib.pyplot as plt

    with atomic_file(target) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return target


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete what a killed writer of `target` left beside it (`.name.*.tmp`, `.name.old-*`); return it.

    Called before each write, so a crash never leaves debris that a later run, or DVC hashing the parent
    folder, would pick up. Only `target`'s own leftovers are touched: other artifacts may be being written."""
    removed = []
    if target.parent.is_dir():
        for pattern in (f".{target.name}.*.tmp", f".{target.name}.old-*"):
            for leftover in target.parent.glob(pattern):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed
