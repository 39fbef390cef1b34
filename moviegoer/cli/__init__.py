"""The `moviegoer` command line: a thin layer over the library, one module of commands per stage. Importing a
module registers its commands on the one app (moviegoer.cli.app); `--help` lists them in pipeline order."""

import importlib

from moviegoer.cli.app import app

COMMAND_MODULES = (
    "sample",
    "films",
    "frames",
    "analysis",
    "scenes",
    "labels",
    "label",
    "review",
    "dataset",
    "model",
    "evaluation",
)
for _module in COMMAND_MODULES:
    importlib.import_module(f"moviegoer.cli.{_module}")

__all__ = ["app"]
