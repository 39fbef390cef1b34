"""Save and load models. Saving is byte-reproducible: the same weights give the same bytes, as `dvc repro` promises.

A `.keras` file is a zip of config.json, metadata.json and model.weights.h5. Keras stamps the save time into
metadata.json ("date_saved") and into the weights entry's zip date, and numbers objects shared between layers (an L2
regulariser, say) by their memory address in config.json ("shared_object_id"), so two saves of one model differ.
The stamps are dropped and the shared-object numbers renumbered in order of appearance; everything Keras reads back
means the same."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError

FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def save_model(model: Any, path: Path) -> Path:
    """Write `model` to `path` (.keras) atomically and byte-reproducibly."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp, tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "model.keras"  # Keras insists on the suffix
        model.save(raw)
        with zipfile.ZipFile(raw) as source, zipfile.ZipFile(tmp, "w") as target:
            for entry in source.infolist():
                content = source.read(entry)
                if entry.filename == "metadata.json":
                    metadata = json.loads(content)
                    metadata.pop("date_saved", None)
                    content = json.dumps(metadata).encode()
                elif entry.filename == "config.json":
                    content = json.dumps(_renumbered(json.loads(content), {})).encode()
                info = zipfile.ZipInfo(entry.filename, FIXED_DATE)
                info.compress_type = entry.compress_type
                info.external_attr = entry.external_attr
                target.writestr(info, content)
    return path


def _renumbered(node: Any, numbers: dict[int, int]) -> Any:
    """`node` with each shared_object_id (a memory address) replaced by its order of first appearance."""
    if isinstance(node, dict):
        return {
            key: numbers.setdefault(value, len(numbers) + 1)
            if key == "shared_object_id"
            else _renumbered(value, numbers)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renumbered(item, numbers) for item in node]
    return node


def load_model(path: Path) -> Any:
    """A saved model, ready to predict (no optimizer state), or a one-line error naming the file."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise MoviegoerError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise MoviegoerError(f"{path}: not a Keras model file (.keras)")
    try:
        return keras.models.load_model(path, compile=False)  # predicting needs no optimizer
    except (ValueError, OSError, KeyError, TypeError) as exc:
        raise MoviegoerError(f"{path}: not a usable Keras model ({exc.__class__.__name__})") from exc
