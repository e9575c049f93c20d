"""Endurance holds timed from video: plank, side bridge, Biering-Sørensen extensor, trunk flexor.

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` of a video and the test name. Output: a
:class:`HoldTimingResult` with every hold (start, end, seconds, why it ended) and the longest.
Conditions are measured on 3D angles, so they work from any camera view in which the landmarks
are visible; PROJECT DEFAULT thresholds from clinical reference §3.3 and the exercise library.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from backrehab.assess.holds import time_holds
from backrehab.errors import PoseQualityError
from backrehab.pose.angles import angle_between_deg, interior_deg
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult

HoldTest = Literal["plank", "side_bridge", "biering_sorensen", "flexor"]
HOLD_TESTS: tuple[HoldTest, ...] = ("plank", "side_bridge", "biering_sorensen", "flexor")
FloatArray = npt.NDArray[np.float64]


class HoldSettings(BaseModel):
    """Hold conditions (degrees) and timing (seconds); PROJECT DEFAULT values (§3.3, §7.1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grace_s: float = Field(0.5, ge=0, description="lapse allowed before the hold ends (§7.1)")
    min_hold_s: float = Field(2.0, ge=0, description="shorter holds are ignored")
    plank_min_body_line_deg: float = Field(165.0, description="interior(shoulder, hip, ankle)")
    side_bridge_min_body_line_deg: float = Field(
        160.0, description="§3.3: ends below this with the hip below the shoulder-ankle line"
    )
    max_elbow_from_vertical_deg: float = Field(20.0, description="elbow under the shoulder")
    max_trunk_from_horizontal_deg: float = Field(
        15.0, description="plank, side bridge: trunk within this of horizontal"
    )
    plank_max_shoulder_tilt_deg: float = Field(30.0, description="shoulders level in a plank")
    side_bridge_min_shoulder_tilt_deg: float = Field(
        50.0, description="shoulders stacked in a side bridge"
    )
    extensor_max_drop_deg: float = Field(10.0, description="§3.3: trunk below horizontal by")
    flexor_start_elevation_deg: float = Field(60.0, description="§3.3: trunk 60° from the floor")
    flexor_max_drop_deg: float = Field(5.0, description="§3.3: stop when it falls back by more")
    flexor_max_rise_deg: float = Field(20.0, description="above this the person is sitting up")


class HoldInterval(BaseModel):
    """One hold, seconds from the start of the video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_s: float
    end_s: float
    duration_s: float
    end_reason: str


class HoldTimingResult(BaseModel):
    """Every hold of one test in one video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    test: HoldTest
    holds: tuple[HoldInterval, ...]
    longest_hold_s: float
    total_hold_s: float
    measurable_fraction: float
    side: Literal["left", "right", "none"] = "none"
    mean_visibility: float | None = Field(
        None, description="mean visibility of the landmarks the test uses, over its holds"
    )
    confidence: float = Field(
        1.0,
        ge=0,
        le=1,
        description="mean visibility x measurable share of the hold frames (all frames if none)",
    )


def _nanmean(a: FloatArray, axis: int) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(a, axis=axis), dtype=np.float64)


def _p(w: FloatArray, lm: L) -> FloatArray:
    return w[:, int(lm)]


def _mid(w: FloatArray, a: L, b: L) -> FloatArray:
    return (_p(w, a) + _p(w, b)) / 2.0


def _body_line(w: FloatArray, side: str) -> FloatArray:
    s = side.upper()
    return interior_deg(_p(w, L[f"{s}_SHOULDER"]), _p(w, L[f"{s}_HIP"]), _p(w, L[f"{s}_ANKLE"]))


def _hip_drop_m(w: FloatArray, side: str) -> FloatArray:
    """Signed height of the hip below the shoulder-ankle line, metres (+ = towards the floor).

    The hip is compared with the closest point of the line through shoulder and ankle (same
    side); world y points down, so a positive value is a sag and a negative one a pike.
    """
    s = side.upper()
    shoulder, hip, ankle = (_p(w, L[f"{s}_{j}"]) for j in ("SHOULDER", "HIP", "ANKLE"))
    axis = ankle - shoulder
    length2 = np.einsum("ij,ij->i", axis, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        along = np.einsum("ij,ij->i", hip - shoulder, axis) / length2
    closest = shoulder + along[:, None] * axis
    return np.asarray(hip[:, 1] - closest[:, 1], dtype=np.float64)


def _elbow_from_vertical(w: FloatArray, side: str) -> FloatArray:
    s = side.upper()
    up = np.tile([0.0, -1.0, 0.0], (w.shape[0], 1))
    return angle_between_deg(_p(w, L[f"{s}_SHOULDER"]) - _p(w, L[f"{s}_ELBOW"]), up)


def _shoulder_axis_elevation(w: FloatArray) -> FloatArray:
    """Unsigned angle of the left-right shoulder line above the horizontal (90 = stacked)."""
    axis = _p(w, L.RIGHT_SHOULDER) - _p(w, L.LEFT_SHOULDER)
    horizontal = np.linalg.norm(axis[:, [0, 2]], axis=1)
    return np.asarray(np.degrees(np.arctan2(np.abs(axis[:, 1]), horizontal)), dtype=np.float64)


def _trunk_elevation(w: FloatArray) -> FloatArray:
    """Signed angle of the hip->shoulder line above the horizontal (+ = shoulders higher)."""
    trunk = _mid(w, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(w, L.LEFT_HIP, L.RIGHT_HIP)
    rise = -trunk[:, 1]  # world y points down
    horizontal = np.linalg.norm(trunk[:, [0, 2]], axis=1)
    return np.asarray(np.degrees(np.arctan2(rise, horizontal)), dtype=np.float64)


def _conditions(
    result: AnalysisResult, test: HoldTest, s: HoldSettings
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], list[str], str]:
    w = result.cleaned.world_m
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        elevation = _trunk_elevation(w)
        checks: list[tuple[str, FloatArray]] = []  # (failure text, per-frame ok as float/NaN)
        side = "none"
        if test in ("plank", "side_bridge"):
            line = _nanmean(np.stack([_body_line(w, "left"), _body_line(w, "right")]), axis=0)
            if test == "side_bridge":
                # the supporting side is the lower shoulder (world y down: larger y is lower)
                lower_left = _nanmean(w[:, [L.LEFT_SHOULDER], 1] - w[:, [L.RIGHT_SHOULDER], 1], 1)
                side = "left" if np.nanmedian(lower_left) > 0 else "right"
                line = _body_line(w, side)
                elbow = _elbow_from_vertical(w, side)
                min_line = s.side_bridge_min_body_line_deg
            else:
                elbow = np.nanmin(
                    np.stack([_elbow_from_vertical(w, "left"), _elbow_from_vertical(w, "right")]),
                    axis=0,
                )
                min_line = s.plank_min_body_line_deg
            tilt = _shoulder_axis_elevation(w)
            body_on_side = (
                tilt - s.side_bridge_min_shoulder_tilt_deg
                if test == "side_bridge"
                else s.plank_max_shoulder_tilt_deg - tilt
            )
            if test == "side_bridge":
                # §3.3: the hold ends when the body line bends below 160° with the hip dropped
                # below the shoulder-ankle line; a pike (hip above the line) does not end it
                drop = _hip_drop_m(w, side)
                ok = (line >= min_line) | (drop <= 0)
                line_check = (
                    f"hips dropped below the shoulder-ankle line (body line below {min_line:g}°)",
                    np.where(
                        np.isfinite(line) & np.isfinite(drop), np.where(ok, 1.0, -1.0), np.nan
                    ),
                )
            else:
                line_check = (
                    f"body line below {min_line:g}° (hips sagging or piking)",
                    line - min_line,
                )
            checks = [
                (
                    "body not on its side" if test == "side_bridge" else "body turned on its side",
                    body_on_side,
                ),
                line_check,
                ("elbow not under the shoulder", s.max_elbow_from_vertical_deg - elbow),
                ("trunk not horizontal", s.max_trunk_from_horizontal_deg - np.abs(elevation)),
            ]
        elif test == "biering_sorensen":
            checks = [
                ("upper body dropped below horizontal", elevation + s.extensor_max_drop_deg),
                ("upper body raised above horizontal", s.max_trunk_from_horizontal_deg - elevation),
            ]
        else:  # flexor: trunk leaning back at 60° from the floor
            backward = np.where(
                np.isfinite(elevation), np.where(_trunk_backward(result), 1.0, -1.0), np.nan
            )
            checks = [
                ("trunk not leaning back", backward),
                (
                    "trunk fell back from 60°",
                    elevation - (s.flexor_start_elevation_deg - s.flexor_max_drop_deg),
                ),
                (
                    "trunk raised towards sitting up",
                    s.flexor_start_elevation_deg + s.flexor_max_rise_deg - elevation,
                ),
            ]
    margins = np.stack([c[1] for c in checks])
    measurable = np.isfinite(margins).all(axis=0)
    in_posture = measurable & (np.nan_to_num(margins, nan=-1.0) >= 0).all(axis=0)
    reasons = []
    for k in range(margins.shape[1]):
        failing = [c[0] for c, m in zip(checks, margins[:, k], strict=True) if not m >= 0]
        reasons.append(failing[0] if failing else "")
    return in_posture, measurable, reasons, side


def _landmarks_used(test: HoldTest, side: str) -> tuple[L, ...]:
    """Landmarks the conditions of ``test`` are measured on."""
    if test == "side_bridge" and side in ("left", "right"):
        s = side.upper()
        return (
            L.LEFT_SHOULDER,
            L.RIGHT_SHOULDER,
            *(L[f"{s}_{j}"] for j in ("ELBOW", "HIP", "ANKLE")),
        )
    trunk = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)
    if test in ("plank", "side_bridge"):
        return (*trunk, L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    return trunk


def _hold_confidence(
    result: AnalysisResult,
    test: HoldTest,
    side: str,
    holds: tuple[HoldInterval, ...],
    measurable: npt.NDArray[np.bool_],
) -> tuple[float | None, float]:
    """(mean visibility, confidence) of a timing: the landmarks' mean visibility over the frames
    of ``holds`` (the longest hold, the test time) times the share of those frames that could be
    measured; over all frames when there is no hold."""
    t = result.cleaned.t_s
    frames = np.zeros(len(t), dtype=bool)
    for h in holds:
        frames |= (t >= h.start_s - 1e-6) & (t <= h.end_s + 1e-6)
    if not frames.any():
        frames[:] = True
    vis = result.raw.visibility[frames][:, [int(p) for p in _landmarks_used(test, side)]]
    if not np.isfinite(vis).any():
        return None, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        visibility = float(np.nanmean(vis))
    share = float(measurable[frames].mean())
    return round(visibility, 4), round(max(0.0, min(1.0, visibility * share)), 3)


def _trunk_backward(result: AnalysisResult) -> npt.NDArray[np.bool_]:
    """True where the trunk leans backwards (shoulders behind the hips), from the 3D angle."""
    incl = result.angles.values_deg["trunk_inclination_3d"]
    with np.errstate(invalid="ignore"):
        return np.asarray(incl < 0, dtype=bool)


def time_hold_test(
    result: AnalysisResult, test: HoldTest, settings: HoldSettings | None = None
) -> HoldTimingResult:
    """Time every hold of ``test`` in an analysed video.

    Conditions per test (3D landmarks, so any view with the landmarks visible works):

    - ``plank``: body line interior(shoulder, hip, ankle) >= 165°, elbow under the shoulder
      (within 20° of vertical), trunk within 15° of horizontal (exercise library, front_plank).
    - ``side_bridge``: as plank on the supporting (lower) side, but the body-line rule is §3.3's:
      the hold ends when interior(shoulder, hip, ankle) < 160° **and** the hip is below the
      shoulder-ankle line (a sag towards the floor); a pike (hip above the line) does not end
      it.
    - ``biering_sorensen``: trunk between 10° below and 15° above horizontal (§3.3).
    - ``flexor``: trunk leaning back at 60° from the floor; ends when it falls back by more than
      5° (§3.3).

    ``confidence`` is the mean visibility of the landmarks the test uses over the longest hold
    times the share of its frames that could be measured (grace-period lapses lower it).

    Raises
    ------
    PoseQualityError
        For a photo, or when no frame could be measured (the message says what to film).

    References
    ----------
    McGill SM, Childs A, Liebenson C. Endurance times for low back stabilization exercises.
    Arch Phys Med Rehabil 1999;80:941-944. Clinical reference §3.1-3.3 (camera timing).
    """
    if test not in HOLD_TESTS:
        raise PoseQualityError(
            f"Unknown hold test '{test}'. Choose one of: {', '.join(HOLD_TESTS)}."
        )
    if result.raw.source.kind == "photo":
        raise PoseQualityError("Holds are timed from a video, not a photo.")
    s = settings or HoldSettings()
    in_posture, measurable, reasons, side = _conditions(result, test, s)
    if not measurable.any():
        raise PoseQualityError(
            f"The {test.replace('_', ' ')} could not be measured in any frame: film the whole "
            "body (shoulders, hips, elbows and ankles) from the side."
        )
    holds = time_holds(
        result.cleaned.t_s,
        in_posture,
        measurable=measurable,
        fail_reasons=reasons,
        grace_s=s.grace_s,
        min_hold_s=s.min_hold_s,
    )
    intervals = tuple(
        HoldInterval(
            start_s=round(h.start_s, 3),
            end_s=round(h.end_s, 3),
            duration_s=round(h.duration_s, 3),
            end_reason=h.end_reason,
        )
        for h in holds
    )
    longest = max(intervals, key=lambda h: h.duration_s, default=None)
    visibility, confidence = _hold_confidence(
        result, test, side, () if longest is None else (longest,), measurable
    )
    return HoldTimingResult(
        test=test,
        holds=intervals,
        longest_hold_s=max((h.duration_s for h in intervals), default=0.0),
        total_hold_s=round(sum(h.duration_s for h in intervals), 3),
        measurable_fraction=round(float(measurable.mean()), 4),
        side=side,
        mean_visibility=visibility,
        confidence=confidence,
    )
