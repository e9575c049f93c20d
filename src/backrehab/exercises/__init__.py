"""The exercise library: validated exercise entries with doses, links, cues and camera checks.

:func:`load_library` reads the packaged YAML plus a clinic's own files and returns a frozen
:class:`ExerciseLibrary`; the entry models live in :mod:`backrehab.exercises.schema`.
"""

from __future__ import annotations

from backrehab.exercises.library import ENV_EXERCISES_DIR, ExerciseLibrary, load_library
from backrehab.exercises.schema import (
    CATEGORIES,
    DIRECTIONAL_BIASES,
    PATIENT_GROUPS,
    SUITABILITY_LEVELS,
    Basis,
    CameraCheck,
    CameraFault,
    CameraSupport,
    CameraView,
    Category,
    Conventions,
    CycleRep,
    DirectionalBias,
    Dose,
    Exercise,
    HoldRep,
    Metric,
    PatientGroup,
    Rep,
    Suitability,
    SuitabilityLevel,
)

__all__ = [
    "CATEGORIES",
    "DIRECTIONAL_BIASES",
    "ENV_EXERCISES_DIR",
    "PATIENT_GROUPS",
    "SUITABILITY_LEVELS",
    "Basis",
    "CameraCheck",
    "CameraFault",
    "CameraSupport",
    "CameraView",
    "Category",
    "Conventions",
    "CycleRep",
    "DirectionalBias",
    "Dose",
    "Exercise",
    "ExerciseLibrary",
    "HoldRep",
    "Metric",
    "PatientGroup",
    "Rep",
    "Suitability",
    "SuitabilityLevel",
    "load_library",
]
