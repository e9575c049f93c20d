"""Which way the body faces the camera, per frame: front, back, left side or right side.

Input: world landmarks (N, 33, 3) in metres. Output: body yaw in degrees (0 = facing the camera,
±180 = back to the camera, +90 = the person's LEFT side towards the camera, -90 = the RIGHT side)
and a :class:`View` label per frame. Yaw comes from the shoulder and hip axes of MediaPipe's
world coordinates, median-smoothed over time.
"""

from __future__ import annotations

import warnings
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter

from backrehab.pose.landmarks import Landmark

FloatArray = npt.NDArray[np.float64]


class View(StrEnum):
    """Camera view of the body. ``LEFT_SIDE``: the person's left side faces the camera."""

    FRONT = "front"
    BACK = "back"
    LEFT_SIDE = "left side"
    RIGHT_SIDE = "right side"
    UNKNOWN = "unknown"


_LEFT = [int(Landmark.LEFT_SHOULDER), int(Landmark.LEFT_HIP)]
_RIGHT = [int(Landmark.RIGHT_SHOULDER), int(Landmark.RIGHT_HIP)]


def body_yaw_deg(world_m: FloatArray, *, fps: float = 0.0, smoothing_s: float = 0.0) -> FloatArray:
    """Body yaw per frame in degrees, in (-180, 180]; NaN where the trunk is not detected.

    The body's left-to-right axis (mean of the shoulder and hip axes) is projected on the camera's
    horizontal plane (x, z). Smoothing: a median over ``smoothing_s`` seconds, done on the
    unwrapped angle so that it never averages across the ±180° seam.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        axis = np.nanmean(world_m[:, _RIGHT, :], axis=1) - np.nanmean(world_m[:, _LEFT, :], axis=1)
    yaw = np.degrees(np.arctan2(axis[:, 2], -axis[:, 0]))
    window = round(smoothing_s * fps) if fps > 0 else 0
    if window >= 3:
        yaw = _median_by_run(yaw, window | 1)
    return np.asarray(yaw, dtype=np.float64)


def _median_by_run(yaw: FloatArray, window: int) -> FloatArray:
    out = yaw.copy()
    finite = np.isfinite(yaw)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        unwrapped = np.degrees(np.unwrap(np.radians(yaw[start:stop])))
        smoothed = median_filter(unwrapped, size=min(window, (stop - start) | 1), mode="nearest")
        out[start:stop] = (smoothed + 180.0) % 360.0 - 180.0
    return out


def classify_view(yaw_deg: FloatArray) -> list[View]:
    """Nearest of the four views for each yaw (UNKNOWN where yaw is NaN)."""
    out: list[View] = []
    for yaw in yaw_deg:
        if not np.isfinite(yaw):
            out.append(View.UNKNOWN)
        elif abs(yaw) <= 45.0:
            out.append(View.FRONT)
        elif abs(yaw) >= 135.0:
            out.append(View.BACK)
        elif yaw > 0:
            out.append(View.LEFT_SIDE)
        else:
            out.append(View.RIGHT_SIDE)
    return out


def sagittal_offset_deg(yaw_deg: FloatArray) -> FloatArray:
    """How far the camera is from a pure side view (0 = exactly side-on, 90 = front/back)."""
    return np.asarray(np.abs(np.abs(yaw_deg) - 90.0), dtype=np.float64)


def frontal_offset_deg(yaw_deg: FloatArray) -> FloatArray:
    """How far the camera is from a pure front or back view (0 = square on, 90 = side-on)."""
    a = np.abs(yaw_deg)
    return np.minimum(a, 180.0 - a)


def view_factor(offsets_deg: FloatArray) -> float:
    """How square the camera was to the view a measurement needs, 0-1: cos of the median of
    ``offsets_deg`` (from :func:`sagittal_offset_deg` or :func:`frontal_offset_deg`), 1 when
    square on, 0 at 90 deg off or when no frame had a yaw."""
    finite = offsets_deg[np.isfinite(offsets_deg)]
    offset = float(np.median(finite)) if finite.size else 90.0
    return max(0.0, float(np.cos(np.radians(offset))))


def dominant_view(views: list[View]) -> View:
    """The most frequent known view (UNKNOWN when none is known)."""
    known = [v for v in views if v is not View.UNKNOWN]
    if not known:
        return View.UNKNOWN
    labels, counts = np.unique([v.value for v in known], return_counts=True)
    return View(str(labels[int(np.argmax(counts))]))
