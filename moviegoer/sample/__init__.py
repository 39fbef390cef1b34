"""The embedded synthetic sample: planned films with a ground-truth timeline, rendered to video."""
