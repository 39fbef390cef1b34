"""moviegoer: turn films into structured data (frames, shot labels, dialogue scenes).

The public API, one import away (each loads its stage's libraries only when first used):

    import moviegoer
    info = moviegoer.probe("film.mp4")
    moviegoer.extract_film("film.mp4", "film", "frames/film", moviegoer.load_section(moviegoer.ExtractParams, "extract"))
"""

from __future__ import annotations

import importlib
from typing import Any

from moviegoer.core.logs import quiet_library_logs

quiet_library_logs()  # before OpenCV, FFmpeg or TensorFlow load

__version__ = "0.1.0"

_PUBLIC = {
    "load_section": "moviegoer.core.params:section_params",
    "MoviegoerError": "moviegoer.core.errors:MoviegoerError",
    "probe": "moviegoer.video.probe:probe",
    "sampler_for": "moviegoer.video.choose:sampler_for",
    "add_films": "moviegoer.dataset.films:add_films",
    "ExtractParams": "moviegoer.dataset.frames:ExtractParams",
    "extract_film": "moviegoer.dataset.frames:extract_film",
    "load_manifests": "moviegoer.dataset.manifest:load_manifests",
    "read_labels": "moviegoer.dataset.labels:read_labels",
    "frame_features": "moviegoer.features.frame:frame_features",
    "TrainParams": "moviegoer.model.fit:TrainParams",
    "fit_model": "moviegoer.model.fit:fit_model",
    "load_model": "moviegoer.model.storage:load_model",
    "predict_folder": "moviegoer.model.predict:predict_folder",
    "read_results": "moviegoer.evaluation.results:read_results",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'moviegoer' has no attribute {name!r}")
    module, attribute = _PUBLIC[name].split(":")
    return getattr(importlib.import_module(module), attribute)
