"""The labelled-frame dataset: film registry, frame extraction and manifests, labels, splits, validation, EDA."""
