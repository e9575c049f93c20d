"""From a photo or video to trustworthy angles: extract (or read the cache), clean, view, angles.

Input: a media path (or an already extracted :class:`PoseSequence`) and an
:class:`~backrehab.config.AnalysisConfig`. Output: an :class:`AnalysisResult` with the raw and
cleaned landmarks, per-frame view, the angle series with reliability codes, and a JSON summary.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from backrehab import __version__
from backrehab.config import AnalysisConfig
from backrehab.pose.angles import AngleSeries, compute_angles
from backrehab.pose.cleaning import CleaningReport, clean_sequence
from backrehab.pose.extract import ProgressCallback, extract_pose
from backrehab.pose.posefile import PoseCache
from backrehab.pose.sequence import PoseSequence
from backrehab.pose.view import View, body_yaw_deg, classify_view, dominant_view

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class AnalysisResult:
    """Everything one analysis produced."""

    raw: PoseSequence
    cleaned: PoseSequence
    cleaning: CleaningReport
    views: tuple[View, ...]
    angles: AngleSeries
    config: AnalysisConfig

    @property
    def view(self) -> View:
        """The most frequent view over the frames with a person."""
        return dominant_view(list(self.views))

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (keys pinned by the CLI contract, see README)."""
        raw = self.raw
        known = [v for v in self.views if v is not View.UNKNOWN]
        view_fractions = {
            v.value: round(sum(1 for k in known if k is v) / len(known), 4)
            for v in View
            if v is not View.UNKNOWN and known
        }
        stats: dict[str, dict[str, float | None]] = {}
        for name in self.angles.names:
            sound = self.angles.sound(name)
            finite = sound[np.isfinite(sound)]
            stats[name] = {
                "sound_fraction": round(self.angles.sound_fraction(name), 4),
                "median_deg": _r(np.median(finite)) if finite.size else None,
                "min_deg": _r(finite.min()) if finite.size else None,
                "max_deg": _r(finite.max()) if finite.size else None,
            }
        mean_vis = raw.mean_visibility()
        return {
            "file": raw.source.file_name,
            "sha256": raw.source.sha256,
            "kind": raw.source.kind,
            "frames": raw.n_frames,
            "detected_frames": int(raw.detected.sum()),
            "detected_fraction": round(raw.detected_fraction, 4),
            "fps": round(raw.source.fps, 3),
            "sample_rate_hz": round(raw.sample_rate_hz, 3),
            "duration_s": round(raw.duration_s, 3),
            "frame_size_px": [raw.source.frame_width_px, raw.source.frame_height_px],
            "rotation_deg": raw.source.rotation_deg,
            "view": self.view.value,
            "view_fractions": view_fractions,
            "mean_visibility": None if not np.isfinite(mean_vis) else round(mean_vis, 4),
            "angles": list(self.angles.names),
            "angle_stats": stats,
            "cleaning": dataclasses.asdict(self.cleaning),
            "backend": raw.source.backend,
            "model": raw.source.model,
            "config": self.config.model_dump(),
            "backrehab_version": __version__,
        }


def _r(x: float | np.floating[Any]) -> float:
    return round(float(x), 2)


def analyze_sequence(raw: PoseSequence, config: AnalysisConfig | None = None) -> AnalysisResult:
    """Clean an extracted sequence, estimate the view and compute every angle."""
    config = config or AnalysisConfig()
    c = config.cleaning
    started = time.perf_counter()
    cleaned, report = clean_sequence(
        raw,
        visibility_threshold=c.visibility_threshold,
        max_gap_s=c.max_gap_s,
        cutoff_hz=c.cutoff_hz,
        filter_order=c.filter_order,
        max_cutoff_fraction_of_nyquist=c.max_cutoff_fraction_of_nyquist,
    )
    if report.note:
        logger.info("%s: %s", raw.source.file_name, report.note)
    yaw = body_yaw_deg(
        cleaned.world_m, fps=cleaned.sample_rate_hz, smoothing_s=config.angles.view_smoothing_s
    )
    angles = compute_angles(cleaned, yaw, view_tolerance_deg=config.angles.view_tolerance_deg)
    logger.debug("cleaning, view and angles: %.3f s", time.perf_counter() - started)
    return AnalysisResult(
        raw=raw,
        cleaned=cleaned,
        cleaning=report,
        views=tuple(classify_view(yaw)),
        angles=angles,
        config=config,
    )


def analyze_media(
    path: str | os.PathLike[str],
    config: AnalysisConfig | None = None,
    *,
    cache: PoseCache | None = None,
    on_progress: ProgressCallback | None = None,
) -> AnalysisResult:
    """Extract the pose of a photo or video (or read it from ``cache``) and analyse it."""
    config = config or AnalysisConfig()
    raw = extract_pose(path, config.extraction, cache=cache, on_progress=on_progress)
    return analyze_sequence(raw, config)
