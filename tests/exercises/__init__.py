"""Test helpers for the exercise library: a valid clinic entry and a clinic library file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def clinic_entry(**overrides: Any) -> dict[str, Any]:
    """A valid clinic entry; keyword arguments replace or add fields."""
    entry: dict[str, Any] = {
        "id": "clinic_wall_push",
        "name": "Push against the wall",
        "category": "strength",
        "target_muscles": ["pectoralis_major", "triceps"],
        "position": "standing",
        "equipment": ["wall"],
        "default_dose": {"sets": 2, "reps": 10, "basis": "project_default"},
        "progression_ids": ["push_up"],
        "regression_ids": [],
        "form_cues": ["Stand an arm's length from the wall", "Bend your elbows slowly"],
        "directional_bias": "neutral",
        "suitability": {
            "flexion_intolerant": "suitable",
            "extension_intolerant": "suitable",
            "acute_high_irritability": "caution",
        },
        "camera_check": {"supported": "none"},
        "sources": ["S23"],
    }
    entry.update(overrides)
    return entry


def write_library_file(directory: Path, name: str, *entries: dict[str, Any]) -> Path:
    """``entries`` as a clinic library file ``name`` in ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump({"exercises": list(entries)}, sort_keys=False))
    return path
