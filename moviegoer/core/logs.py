"""Keep the native libraries' log walls (TensorFlow's C++ logging, FFmpeg's and OpenCV's decoder chatter) off the
user's terminal. They read these variables once, when they load, so `quiet_library_logs` runs when moviegoer is
imported, before any of them; `--verbose` calls `show_library_logs` before a command imports them.

TensorFlow 2.19+ logs through absl while it is being imported, before it reads TF_CPP_MIN_LOG_LEVEL
(tensorflow/tensorflow#100442: "oneDNN custom operations are on ..."). For that one import, an import hook points
file descriptor 2 at /dev/null; Python's own errors are raised after it is restored, so nothing real is lost."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

QUIET = {
    "OPENCV_FFMPEG_LOGLEVEL": "-8",
    "OPENCV_LOG_LEVEL": "ERROR",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "GX_ANALYTICS_ENABLED": "false",
}
VERBOSE = {"OPENCV_FFMPEG_LOGLEVEL": "32", "OPENCV_LOG_LEVEL": "INFO", "TF_CPP_MIN_LOG_LEVEL": "0"}
SILENCED_IMPORTS = ("tensorflow",)


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 (what C++ code writes to) at /dev/null for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _SilentLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with native_stderr_silenced():
            self.loader.exec_module(module)


class _SilentImports(importlib.abc.MetaPathFinder):
    """Finds SILENCED_IMPORTS through the other finders and executes them with native stderr silenced."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in SILENCED_IMPORTS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _SilentLoader(spec.loader)
                return spec
        return None


_HOOK = _SilentImports()


def quiet_library_logs() -> None:
    """Quiet defaults; a value the user set in the environment wins."""
    for name, value in QUIET.items():
        os.environ.setdefault(name, value)
    if os.environ["TF_CPP_MIN_LOG_LEVEL"] != "0" and _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)


def show_library_logs() -> None:
    os.environ.update(VERBOSE)
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)
