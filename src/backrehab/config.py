"""One source of truth for analysis settings: frozen pydantic models with unit-bearing keys.

``AnalysisConfig`` groups ``extraction`` (pose estimation), ``cleaning`` (gaps and filtering) and
``angles`` (reliability). Defaults live here only; a TOML file may override any key
(:func:`load_config`), and the effective config is stored with every result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backrehab.errors import ConfigError


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExtractionConfig(_Frozen):
    """How poses are estimated from media (MediaPipe Pose, BlazePose Full)."""

    frame_stride: int = Field(1, ge=1, le=100, description="process every n-th video frame")
    min_detection_confidence: float = Field(0.5, ge=0.0, le=1.0)
    min_tracking_confidence: float = Field(0.5, ge=0.0, le=1.0)
    max_file_mb: float = Field(500.0, gt=0.0, description="larger files are refused")
    min_detected_fraction: float = Field(
        0.05, ge=0.0, le=1.0, description="a video with a person in fewer frames is refused"
    )
    main_person_max_jump: float = Field(
        1.0,
        gt=0.0,
        description="a jump of the body centre larger than this many torso lengths between "
        "consecutive frames is treated as a switch to another person",
    )

    def fingerprint(self, model: str = "") -> str:
        """Hash of what changes the stored landmarks (the settings part of the cache key).

        Covers the stride, the detection and tracking confidences, the main-person jump limit
        (frames of another person are blanked before the pose is stored) and ``model``, the
        estimator's name and version, so a new model never reuses an old model's poses.
        """
        relevant: dict[str, object] = self.model_dump(
            include={
                "frame_stride",
                "min_detection_confidence",
                "min_tracking_confidence",
                "main_person_max_jump",
            }
        )
        relevant["model"] = model
        blob = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


class CleaningConfig(_Frozen):
    """Gap handling and low-pass filtering of landmark trajectories."""

    visibility_threshold: float = Field(0.5, ge=0.0, le=1.0)
    max_gap_s: float = Field(0.25, ge=0.0, description="longer gaps stay gaps")
    cutoff_hz: float = Field(6.0, gt=0.0, description="Butterworth low-pass cut-off")
    filter_order: int = Field(4, ge=2, le=12, description="effective (zero-phase) order, even")
    max_cutoff_fraction_of_nyquist: float = Field(
        0.8,
        gt=0.0,
        lt=1.0,
        description="at low frame rates the cut-off is lowered to this share of the Nyquist "
        "frequency (and the change is reported)",
    )

    @field_validator("filter_order")
    @classmethod
    def _even_order(cls, order: int) -> int:
        """Forward-backward filtering doubles the design order, so the effective order is even."""
        if order % 2:
            raise ValueError(f"must be even (zero-phase filtering doubles the order), got {order}")
        return order


class AngleConfig(_Frozen):
    """When an angle counts as sound."""

    view_tolerance_deg: float = Field(
        30.0,
        gt=0.0,
        le=45.0,
        description="a plane-bound angle is sound only when the body's yaw is within this of "
        "its ideal view (side for sagittal, front/back for frontal angles)",
    )
    view_smoothing_s: float = Field(0.5, ge=0.0, description="median window for the view")


class AnalysisConfig(_Frozen):
    """Everything ``analyze`` needs."""

    extraction: ExtractionConfig = ExtractionConfig()
    cleaning: CleaningConfig = CleaningConfig()
    angles: AngleConfig = AngleConfig()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def config_from_mapping(data: dict[str, Any], base: AnalysisConfig | None = None) -> AnalysisConfig:
    """Overlay ``data`` on ``base`` (default: the defaults) and validate the result."""
    merged = _merge((base or AnalysisConfig()).model_dump(), data)
    try:
        return AnalysisConfig.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"Invalid settings: {problems}", detail=str(exc)) from exc


def load_config(path: str | os.PathLike[str] | None = None) -> AnalysisConfig:
    """Defaults overlaid by a TOML file, when one is given."""
    if path is None:
        return AnalysisConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Settings file not found: {p}") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read settings file {p.name}.", detail=str(exc)) from exc
    return config_from_mapping(data)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """Turn ``["cleaning.cutoff_hz=4", ...]`` into a nested mapping (values parsed as TOML)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"Setting '{item}' must look like section.key=value.")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out
