"""Dialogue scenes: from a film's analysis (shots, faces, characters) to its two-character dialogue scenes, a browsable
HTML timeline and exports (CSV, JSON, OpenTimelineIO)."""
