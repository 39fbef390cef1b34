"""The MCU model that ships inside the package, so a fresh clone classifies real frames with no training: its file,
and its card (how it was built, how well it does on films it never saw, the threshold it was calibrated for).
`make real-model` rebuilds both from ../shared byte for byte; MODEL.md beside them explains them to a person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moviegoer.core.errors import MoviegoerError

DEFAULT_DIR = Path(__file__).resolve().parent / "default"
DEFAULT_MODEL = DEFAULT_DIR / "mcu.keras"
DEFAULT_CARD = DEFAULT_DIR / "mcu.json"


@dataclass(frozen=True)
class ModelCard:
    threshold: float  # p(MCU) from which a frame is called MCU: the operating point chosen on unseen films
    face_params: dict[str, Any]  # the face detector settings the model was fitted with (params.yaml `faces:`)
    features: tuple[str, ...]  # the frame features the model reads, in order
    content: dict[str, Any]  # everything the card says


def read_card(path: Path = DEFAULT_CARD) -> ModelCard:
    from moviegoer.features.frame import ALL_FEATURES

    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
        card = ModelCard(
            float(content["threshold"]), dict(content["face_params"]), tuple(content["features"]), content
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MoviegoerError(
            f"{path}: not a model card of moviegoer's default model ({exc.__class__.__name__})"
        ) from exc
    unknown = sorted(set(card.features) - set(ALL_FEATURES))
    if unknown:
        raise MoviegoerError(f"{path}: names features this moviegoer does not compute: {', '.join(unknown)}")
    return card
