"""tf.data input pipelines: frame files -> decoded, grayscale (or colour), resized, scaled to [0, 1]; cached,
shuffled with a seed, batched and prefetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moviegoer.dataset.split import read_split_manifest


@dataclass(frozen=True)
class FrameSet:
    """One split's frames: absolute paths and 0/1 labels (1 = MCU), in a fixed order."""

    name: str
    paths: list[str]
    labels: list[int]
    table: pd.DataFrame

    def __len__(self) -> int:
        return len(self.paths)


def split_frame_sets(splits_dir: Path) -> dict[str, FrameSet]:
    """The kept frames of each split, as the split stage materialised them."""
    manifest = read_split_manifest(splits_dir)
    kept = (
        manifest[manifest["kept"]].sort_values(["split", "film_id", "t_ms", "frame"]).reset_index(drop=True)
    )
    sets = {}
    for name in ("train", "val", "test"):
        part = kept[kept["split"] == name].reset_index(drop=True)
        sets[name] = FrameSet(
            name,
            [str((Path(splits_dir) / p).resolve()) for p in part["path"]],
            (part["label"] == "mcu").astype(int).tolist(),
            part,
        )
    return sets


def load_frame(path: Any, input_size: int, channels: int) -> Any:
    """A JPEG/PNG file as a float32 [input_size, input_size, channels] tensor in [0, 1] (aspect squashed, as the
    original research resized frames)."""
    import tensorflow as tf

    image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    if channels == 1:
        image = tf.image.rgb_to_grayscale(image)
    image = tf.image.resize(image, (input_size, input_size), antialias=True)
    return tf.cast(image, tf.float32) / 255.0


def frame_dataset(
    frames: Sequence[str | None] | np.ndarray,
    labels: list[int] | None,
    input_size: int,
    channels: int,
    batch_size: int,
    shuffle_seed: int | None = None,
    inputs: Sequence[str] = ("frame",),
    features: np.ndarray | None = None,
) -> Any:
    """Batches of (x, labels), or of x alone when `labels` is None. x holds what the model's `inputs` name: the
    "frame" (decoded from image file paths, or taken as given from an array of pictures already sized and scaled)
    and/or the precomputed frame "features" (one row per frame); a dict when there are both. Shuffled (each epoch
    anew, but reproducibly) only when `shuffle_seed` is given."""
    import tensorflow as tf

    columns: dict[str, Any] = {}
    decode = not isinstance(frames, np.ndarray)
    if "frame" in inputs:
        columns["frame"] = list(frames) if decode else frames.astype(np.float32)
    if "features" in inputs:
        if features is None or len(features) != len(frames):
            raise ValueError("the model takes frame features: pass one row of features per frame")
        columns["features"] = np.asarray(features, dtype=np.float32)

    def load(x: dict[str, Any], *label: Any) -> Any:
        x = dict(x)
        if "frame" in x and decode:
            x["frame"] = load_frame(x["frame"], input_size, channels)
        x = x if len(x) > 1 else next(iter(x.values()))
        return (x, *label) if label else x

    items = (columns, labels) if labels is not None else (columns,)
    dataset = tf.data.Dataset.from_tensor_slices(items)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).cache()
    if shuffle_seed is not None:
        dataset = dataset.shuffle(max(len(frames), 1), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
