"""Movement screens from video: squat, hip hinge (forward bend) and single-leg stance.

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` of a video. Output: a
:class:`ScreenResult` with per-repetition (or per-stance) values in degrees, seconds and body
lengths, a summary, and findings. Repetitions are found on view-independent 3D signals (hip height,
trunk inclination); each value comes from a sound 2D angle when the camera view allows, else from
3D (its source is recorded). Thresholds: clinical reference §4.3-4.4 and the exercise library
(PROJECT DEFAULT unless marked literature).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field
from scipy.signal import find_peaks

from backrehab.assess.findings import Domain, Finding, Severity, Side
from backrehab.errors import PoseQualityError
from backrehab.pose.angles import Reliability, interior_deg
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult
from backrehab.pose.view import frontal_offset_deg, view_factor

ScreenTest = Literal["squat", "hinge", "single_leg_stance"]
SCREEN_TESTS: tuple[ScreenTest, ...] = ("squat", "hinge", "single_leg_stance")
FloatArray = npt.NDArray[np.float64]
SOURCE = "Movement screen from video, clinical reference §4.3-4.4 and exercise library"


class ScreenSettings(BaseModel):
    """Repetition detection and flag thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sex: Literal["female", "male"] | None = Field(
        None, description="for FPPA limits; None uses the female (more lenient) limit"
    )
    min_squat_drop: float = Field(0.10, gt=0, description="hip drop, leg lengths, per rep")
    min_hinge_deg: float = Field(25.0, gt=0, description="trunk inclination change per rep")
    min_rep_s: float = Field(1.0, gt=0, description="§7.1: min 1 s per cycle")
    min_squat_knee_deg: float = Field(40.0, description="a squat rep bends the knees this much")
    fppa_reading: Literal["peak_knee_flexion", "knee_flexion_threshold"] = Field(
        "peak_knee_flexion",
        description="when the squat FPPA is read: at the frame of peak knee flexion (§4.3), or "
        "where the knee first reaches fppa_knee_flexion_deg on the way down",
    )
    fppa_knee_flexion_deg: float = Field(
        60.0, description="with fppa_reading knee_flexion_threshold: the flexion to read FPPA at"
    )
    fppa_max_knee_flexion_deg: float | None = Field(
        60.0,
        gt=0,
        description="with fppa_reading peak_knee_flexion: read no deeper than this knee flexion "
        "(PROJECT DEFAULT: the depth of the single-leg squats and landings whose norms §4.4 "
        "gives; a deep bilateral squat's 2D FPPA mostly shows the sagittal bend); None: the "
        "true peak",
    )
    fppa_min_thigh_ratio: float = Field(
        0.5,
        gt=0,
        le=2,
        description="the 2D FPPA is read only where the thigh's image length is at least this "
        "share of the shank's (PROJECT DEFAULT): a thigh pointing at the camera (a deep squat "
        "seen from the front) makes the projected angle meaningless",
    )
    view_tolerance_deg: float = Field(30.0, gt=0, le=45)
    squat_depth_min_knee_deg: float = Field(70.0, description="goblet squat depth [70, 110]")
    squat_max_trunk_lean_deg: float = Field(45.0, description="goblet squat torso [0, 45]")
    squat_fppa_limit_female_deg: float = Field(13.0, description="drop-jump proxy, literature")
    squat_fppa_limit_male_deg: float = Field(8.0, description="drop-jump proxy, literature")
    fppa_reps_fraction: float = Field(0.6, gt=0, le=1, description="§4.4: on >= 3 of 5 reps")
    max_side_difference_fppa_deg: float = Field(5.0, description="§4.4 symmetry")
    max_side_difference_knee_deg: float = Field(10.0, description="knee flexion L/R at bottom")
    hinge_min_hip_share: float = Field(0.7, gt=0, le=1, description="hip share of the bend")
    hinge_max_knee_deg: float = Field(40.0, description="soft knees: interior 140-175")
    sls_min_lift: float = Field(0.08, gt=0, description="lifted ankle above the other, leg lengths")
    sls_min_stance_s: float = Field(1.0, gt=0)
    sls_max_pelvic_drop_deg: float = Field(5.0, description="single_leg_stance pelvis_level")
    sls_max_trunk_lean_deg: float = Field(5.0, description="§4.3: > 5° in single-leg stance")
    sls_max_sway: float = Field(0.05, gt=0, description="SD of hip sideways motion, trunk lengths")


class ScreenRep(BaseModel):
    """One repetition (squat, hinge) or one stance period (single-leg stance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    start_s: float
    event_s: float
    end_s: float
    complete: bool
    side: Side = "none"
    values: dict[str, float | None]
    sources: dict[str, str]


class ScreenResult(BaseModel):
    """A screen's repetitions, summary metrics and findings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    test: ScreenTest
    view: str
    reps: tuple[ScreenRep, ...]
    summary: dict[str, Any]
    findings: tuple[Finding, ...]
    limitations: str


# -- signals -------------------------------------------------------------------------------------
def _quiet() -> warnings.catch_warnings[Any]:
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", category=RuntimeWarning)
    return ctx


def _leg_length_m(w: FloatArray) -> float:
    ctx = _quiet()
    try:
        lengths = [
            np.linalg.norm(w[:, int(L[f"{s}_HIP"])] - w[:, int(L[f"{s}_KNEE"])], axis=1)
            + np.linalg.norm(w[:, int(L[f"{s}_KNEE"])] - w[:, int(L[f"{s}_ANKLE"])], axis=1)
            for s in ("LEFT", "RIGHT")
        ]
        value = float(np.nanmedian(np.concatenate(lengths)))
    finally:
        ctx.__exit__(None, None, None)
    if not np.isfinite(value) or value <= 0:
        raise PoseQualityError("The legs are not visible: film the whole body, feet included.")
    return value


def _fill(x: FloatArray) -> FloatArray:
    """Linear fill of NaN for peak finding only (measurements keep their NaN)."""
    out = x.copy()
    good = np.isfinite(out)
    if good.sum() < 2:
        return out
    idx = np.arange(len(out))
    out[~good] = np.interp(idx[~good], idx[good], out[good])
    return out


DEPTH_ESTIMATED_SOURCE: Final = "3d, depth estimated (camera edge-on to this plane)"
"""Source of a 3D value read where the camera sees the angle's plane edge-on."""


def _best(result: AnalysisResult, name: str, i: int) -> tuple[float | None, str]:
    """Value of an angle at frame i: the sound 2D value, else the 3D one (saying when it is
    depth-estimated), else None."""
    v2 = result.angles.sound(name)[i]
    if np.isfinite(v2):
        return round(float(v2), 2), "2d"
    v3 = result.angles.values_deg[f"{name}_3d"][i]
    if np.isfinite(v3):
        edge_on = result.angles.reliability[f"{name}_3d"][i] == Reliability.DEPTH_ESTIMATED
        return round(float(v3), 2), DEPTH_ESTIMATED_SOURCE if edge_on else "3d"
    return None, "missing"


def _finite(value: float | np.floating[Any], digits: int) -> float | None:
    """``value`` rounded, or None when it is NaN (not measurable)."""
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def _sound2d(result: AnalysisResult, name: str, i: int) -> float | None:
    v = result.angles.sound(name)[i]
    return round(float(v), 2) if np.isfinite(v) else None


def _require_video(result: AnalysisResult) -> None:
    if result.raw.source.kind == "photo" or result.raw.n_frames < 5:
        raise PoseQualityError("A movement screen needs a video of the movement, not a photo.")


def _cycles(
    signal: FloatArray,
    t_s: FloatArray,
    *,
    prominence: float,
    min_rep_s: float,
    starts_at_top: bool = True,
) -> list[tuple[int, int, int, bool]]:
    """(start, event, end, complete) for each valley of ``signal`` deeper than ``prominence``.

    A repetition is complete when the signal comes back up after the valley (by 70 % of the
    larger rise) and, if ``starts_at_top`` (squat: stand, bottom, stand), also went down into
    it; a deadlift starts at the bottom, so it only needs the rise.
    """
    rate = 1.0 / float(np.median(np.diff(t_s)))
    filled = _fill(signal)
    if not np.isfinite(filled).all():
        return []
    n = len(filled)
    # Pad both ends with the highest level so that a recording that starts or stops inside a
    # repetition still shows its bottom as a valley (that repetition is then reported partial).
    padded = np.concatenate(([filled.max()], filled, [filled.max()]))
    peaks, _ = find_peaks(
        -padded, prominence=prominence, distance=max(1, int(min_rep_s * rate * 0.8))
    )
    out = []
    for k, p in enumerate(peaks):
        lo = int(peaks[k - 1]) + 1 if k > 0 else 1
        hi = int(peaks[k + 1]) if k + 1 < len(peaks) else n + 1
        left = lo + int(np.argmax(padded[lo:p])) if p > lo else p
        right = p + 1 + int(np.argmax(padded[p + 1 : hi])) if hi > p + 1 else p
        rise_before, rise_after = padded[left] - padded[p], padded[right] - padded[p]
        tallest = max(rise_before, rise_after)
        complete = bool(
            rise_after >= 0.7 * tallest and (rise_before >= 0.7 * tallest or not starts_at_top)
        )
        out.append((left - 1, int(p) - 1, right - 1, complete))
    return out


def _rep(
    index: int,
    t: FloatArray,
    c: tuple[int, int, int, bool],
    values: dict[str, float | None],
    sources: dict[str, str],
    side: Side = "none",
) -> ScreenRep:
    return ScreenRep(
        index=index,
        start_s=round(float(t[c[0]]), 3),
        event_s=round(float(t[c[1]]), 3),
        end_s=round(float(t[c[2]]), 3),
        complete=c[3],
        side=side,
        values=values,
        sources=sources,
    )


def _median(values: list[float | None]) -> float | None:
    finite = [v for v in values if v is not None]
    return round(float(np.median(finite)), 2) if finite else None


def _finding(
    code: str,
    title: str,
    severity: Severity,
    value: float | None,
    unit: str,
    norm: str,
    side: Side = "none",
    *,
    confidence: float,
    evidence: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        code=code,
        domain=Domain.MOVEMENT,
        severity=severity,
        title=title,
        value=value,
        unit=unit,
        norm=norm,
        side=side,
        confidence=confidence,
        source=SOURCE,
        evidence=evidence or {},
    )


HINGE_PROXY_FACTOR = 0.75
"""Confidence factor of the hinge hip share (PROJECT DEFAULT): lumbar flexion itself is not
observable from keypoints, so even a perfectly seen hinge is only a proxy."""

_LEGS: tuple[L, ...] = (
    L.LEFT_HIP,
    L.RIGHT_HIP,
    L.LEFT_KNEE,
    L.RIGHT_KNEE,
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
)
_TRUNK: tuple[L, ...] = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)


def _leg(side: str) -> tuple[L, ...]:
    s = side.upper()
    return (L[f"{s}_HIP"], L[f"{s}_KNEE"], L[f"{s}_ANKLE"])


def _confidence(
    r: AnalysisResult,
    reps: list[ScreenRep],
    points: tuple[L, ...],
    measured: int,
    *,
    frontal: bool = False,
    factor: float = 1.0,
) -> float:
    """How far a screen finding can be trusted, 0-1, from the measurement itself.

    Mean visibility of the landmarks used over the frames of the repetitions, times the share of
    repetitions in which the value could be measured (``measured`` of ``len(reps)``); for values
    read in the image plane (``frontal``: FPPA, sway) also times cos(offset of the camera from a
    front or back view), as for posture. ``factor`` scales proxies (the hinge).
    """
    t = r.cleaned.t_s
    frames = np.zeros(len(t), dtype=bool)
    for rep in reps:
        frames |= (t >= rep.start_s - 1e-6) & (t <= rep.end_s + 1e-6)
    if not reps or not frames.any():
        return 0.0
    ctx = _quiet()
    try:
        vis = r.raw.visibility[frames][:, [int(p) for p in points]]
        visibility = float(np.nanmean(vis)) if np.isfinite(vis).any() else 0.0
        view = view_factor(frontal_offset_deg(r.angles.yaw_deg)[frames]) if frontal else 1.0
    finally:
        ctx.__exit__(None, None, None)
    share = min(1.0, measured / len(reps))
    return round(max(0.0, min(1.0, visibility * share * view * factor)), 3)


def _grade(excess_ratio: float) -> Severity:
    """PROJECT DEFAULT: up to 25 % beyond the limit mild, up to 50 % moderate, beyond severe."""
    if excess_ratio <= 0.25:
        return Severity.MILD
    if excess_ratio <= 0.5:
        return Severity.MODERATE
    return Severity.SEVERE


# -- squat ---------------------------------------------------------------------------------------
def _hip_height(w: FloatArray, leg_m: float) -> FloatArray:
    """Hip height above the ankles in leg lengths (world y points down, origin at the hips)."""
    ctx = _quiet()
    try:
        ankles = np.nanmean(w[:, [int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)], 1], axis=1)
        hips = np.nanmean(w[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 1], axis=1)
    finally:
        ctx.__exit__(None, None, None)
    return np.asarray((ankles - hips) / leg_m, dtype=np.float64)


def _thigh_ratio(r: AnalysisResult, side: str) -> FloatArray:
    """Per frame: the thigh's image length over the shank's (about 1 with both legs straight in
    the image plane; small when the thigh points at the camera); NaN where unseen."""
    hip, knee, ankle = (r.cleaned.image_px[:, int(p), :2] for p in _leg(side))
    ctx = _quiet()
    try:
        thigh = np.linalg.norm(knee - hip, axis=1)
        shank = np.linalg.norm(ankle - knee, axis=1)
        ratio = np.where(shank > 0, thigh / shank, np.nan)
    finally:
        ctx.__exit__(None, None, None)
    return np.asarray(ratio, dtype=np.float64)


def _fppa_frame(
    knee_deg: FloatArray, thigh_ratio: FloatArray, c: tuple[int, int, int, bool], s: ScreenSettings
) -> int | None:
    """Frame of one repetition at which a knee's FPPA is read, or None when no frame of the
    repetition shows the thigh long enough in the image (``fppa_min_thigh_ratio``).

    ``peak_knee_flexion`` (default, clinical reference §4.3): the frame of that knee's largest
    3D flexion on the way down to its peak, no deeper than ``fppa_max_knee_flexion_deg`` (the
    norms' depth) and where the thigh is not foreshortened: a squat shallower than the cap is
    read at its peak, a deep squat where it passes the norms' depth (the knee flexion at the
    reading is reported with it). ``knee_flexion_threshold``: the first frame on the way down
    at which it reaches ``fppa_knee_flexion_deg`` (or the bottom of the repetition, lowest
    hips), if the thigh is not foreshortened there.
    """
    start, bottom, end = c[0], c[1], c[2]
    with np.errstate(invalid="ignore"):
        usable = thigh_ratio >= s.fppa_min_thigh_ratio
    if s.fppa_reading == "knee_flexion_threshold":
        with np.errstate(invalid="ignore"):
            reached = np.flatnonzero(knee_deg[start : bottom + 1] >= s.fppa_knee_flexion_deg)
        j = start + int(reached[0]) if reached.size else bottom
        return j if usable[j] else None
    knee = knee_deg[start : end + 1]
    if not np.isfinite(knee).any():
        return None
    peak = int(np.nanargmax(knee))
    cap = s.fppa_max_knee_flexion_deg
    with np.errstate(invalid="ignore"):
        # on the way down to the peak, no deeper than the cap, thigh not foreshortened
        allowed = usable[start : start + peak + 1] & (
            knee[: peak + 1] <= (cap if cap is not None else np.inf)
        )
    window = np.where(allowed, knee[: peak + 1], np.nan)
    if not np.isfinite(window).any():
        return None
    return start + int(np.nanargmax(window))


def _screen_squat(
    r: AnalysisResult, s: ScreenSettings
) -> tuple[list[ScreenRep], dict[str, Any], list[Finding]]:
    w = r.cleaned.world_m
    t = r.cleaned.t_s
    height = _hip_height(w, _leg_length_m(w))
    knees3 = np.stack([r.angles.values_deg[f"{sd}_knee_flexion_3d"] for sd in ("left", "right")])
    ctx = _quiet()
    try:
        knee3 = np.nanmax(knees3, axis=0)
    finally:
        ctx.__exit__(None, None, None)
    cycles = [
        c
        for c in _cycles(height, t, prominence=s.min_squat_drop, min_rep_s=s.min_rep_s)
        if knee3[c[1]] >= s.min_squat_knee_deg
    ]  # a hip drop without knee bend: artefact
    frontal = frontal_offset_deg(r.angles.yaw_deg) <= s.view_tolerance_deg
    thighs = [_thigh_ratio(r, side) for side in ("left", "right")]
    reps = []
    for k, c in enumerate(cycles):
        i = c[1]
        values: dict[str, float | None] = {"hip_height_leg_lengths": _finite(height[i], 3)}
        sources: dict[str, str] = {}
        read_at: list[float] = []
        for n, side in enumerate(("left", "right")):
            values[f"{side}_knee_flexion_deg"], sources[f"{side}_knee_flexion_deg"] = _best(
                r, f"{side}_knee_flexion", i
            )
            j = _fppa_frame(knees3[n], thighs[n], c, s)
            if j is None:
                values[f"{side}_fppa_deg"] = None
                sources[f"{side}_fppa_deg"] = (
                    "not measurable: the thigh points at the camera (foreshortened)"
                )
                values[f"{side}_fppa_knee_flexion_deg"] = None
                values[f"{side}_fppa_time_s"] = None
                continue
            fppa = _sound2d(r, f"{side}_knee_fppa", j)
            values[f"{side}_fppa_deg"] = fppa
            sources[f"{side}_fppa_deg"] = (
                "2d" if fppa is not None else "not measurable in this view"
            )
            flexion = _finite(knees3[n][j], 2)
            values[f"{side}_fppa_knee_flexion_deg"] = flexion
            values[f"{side}_fppa_time_s"] = round(float(t[j]), 3)
            sources[f"{side}_fppa_knee_flexion_deg"] = (
                f"3d, {s.fppa_reading} with the thigh >= {s.fppa_min_thigh_ratio:g} of the "
                "shank in the image"
            )
            if flexion is not None:
                read_at.append(flexion)
        values["trunk_lean_deg"], sources["trunk_lean_deg"] = _best(r, "trunk_inclination", i)
        lk, rk = values["left_knee_flexion_deg"], values["right_knee_flexion_deg"]
        values["knee_flexion_deg"] = (
            max(v for v in (lk, rk) if v is not None)
            if (lk is not None or rk is not None)
            else None
        )
        k3 = knees3[:, i]
        values["knee_flexion_difference_deg"] = (
            round(float(abs(k3[0] - k3[1])), 2) if np.isfinite(k3).all() and frontal[i] else None
        )  # both legs are judged alike only when the camera faces the body
        sources["knee_flexion_difference_deg"] = "3d, front or back view only"
        values["fppa_at_knee_flexion_deg"] = max(read_at) if read_at else None
        lf, rf = values["left_fppa_deg"], values["right_fppa_deg"]
        values["fppa_difference_deg"] = (
            round(abs(lf - rf), 2) if lf is not None and rf is not None else None
        )
        reps.append(_rep(k + 1, t, c, values, sources))
    return reps, *_squat_summary(reps, s, r)


def _squat_summary(
    reps: list[ScreenRep], s: ScreenSettings, r: AnalysisResult
) -> tuple[dict[str, Any], list[Finding]]:
    col = {key: [rep.values.get(key) for rep in reps] for key in reps[0].values} if reps else {}
    limit = s.squat_fppa_limit_male_deg if s.sex == "male" else s.squat_fppa_limit_female_deg
    summary: dict[str, Any] = {
        "reps": len(reps),
        "complete_reps": sum(rep.complete for rep in reps),
        "partial_reps": sum(not rep.complete for rep in reps),
        "median_knee_flexion_deg": _median(col.get("knee_flexion_deg", [])),
        "max_trunk_lean_deg": max(
            (v for v in col.get("trunk_lean_deg", []) if v is not None), default=None
        ),
        "median_left_fppa_deg": _median(col.get("left_fppa_deg", [])),
        "median_right_fppa_deg": _median(col.get("right_fppa_deg", [])),
        "fppa_limit_deg": limit,
        "median_knee_flexion_difference_deg": _median(col.get("knee_flexion_difference_deg", [])),
        "median_fppa_difference_deg": _median(col.get("fppa_difference_deg", [])),
    }
    findings: list[Finding] = []
    depth = summary["median_knee_flexion_deg"]
    if depth is not None:
        shallow = depth < s.squat_depth_min_knee_deg
        findings.append(
            _finding(
                "movement.squat.depth",
                "Squat depth",
                _grade(1 - depth / s.squat_depth_min_knee_deg) if shallow else Severity.NORMAL,
                depth,
                "deg",
                f"knee flexion at the bottom >= {s.squat_depth_min_knee_deg:g} deg "
                "(PROJECT DEFAULT)",
                confidence=_confidence(
                    r, reps, _LEGS, sum(v is not None for v in col["knee_flexion_deg"])
                ),
                evidence={"per_rep": col["knee_flexion_deg"]},
            )
        )
    lean = summary["max_trunk_lean_deg"]
    if lean is not None:
        excessive = lean > s.squat_max_trunk_lean_deg
        findings.append(
            _finding(
                "movement.squat.trunk_lean",
                "Trunk lean in the squat",
                _grade(lean / s.squat_max_trunk_lean_deg - 1) if excessive else Severity.NORMAL,
                lean,
                "deg",
                f"trunk inclination at the bottom <= {s.squat_max_trunk_lean_deg:g} "
                "deg (PROJECT DEFAULT)",
                confidence=_confidence(
                    r, reps, _TRUNK, sum(v is not None for v in col["trunk_lean_deg"])
                ),
                evidence={"per_rep": col["trunk_lean_deg"]},
            )
        )
    for side in ("left", "right"):
        values = [v for v in col.get(f"{side}_fppa_deg", []) if v is not None]
        if not values:
            continue
        over = sum(v > limit for v in values)
        need = max(1, math.ceil(s.fppa_reps_fraction * len(values)))
        flagged = over >= need
        med = float(np.median(values))
        findings.append(
            _finding(
                "movement.squat.dynamic_valgus",
                f"Knee moves inwards in the squat ({side})",
                _grade(med / limit - 1)
                if flagged and med > limit
                else (Severity.MILD if flagged else Severity.NORMAL),
                round(med, 2),
                "deg",
                f"FPPA <= {limit:g} deg on most reps (§4.4; drop-jump range as "
                "a proxy for the bilateral squat)",
                side=side,
                confidence=_confidence(r, reps, _leg(side), len(values), frontal=True),
                evidence={"per_rep": values, "reps_over_limit": over, "reps_needed": need},
            )
        )
    diff = summary["median_fppa_difference_deg"]
    kdiff = summary["median_knee_flexion_difference_deg"]
    asym = [
        (diff, s.max_side_difference_fppa_deg, "FPPA"),
        (kdiff, s.max_side_difference_knee_deg, "knee flexion"),
    ]
    worst = [(v / lim, v, lim, what) for v, lim, what in asym if v is not None and v > lim]
    if worst:
        ratio, v, lim, what = max(worst)
        findings.append(
            _finding(
                "movement.squat.asymmetry",
                "Left-right asymmetry in the squat",
                _grade(ratio - 1),
                v,
                "deg",
                f"{what} difference <= {lim:g} deg (§4.4 / PROJECT DEFAULT)",
                side="bilateral",
                confidence=_confidence(
                    r,
                    reps,
                    _LEGS,
                    sum(
                        v is not None
                        for v in col[
                            "fppa_difference_deg"
                            if what == "FPPA"
                            else "knee_flexion_difference_deg"
                        ]
                    ),
                    frontal=True,
                ),
                evidence={"fppa_difference_deg": diff, "knee_flexion_difference_deg": kdiff},
            )
        )
    return summary, findings


# -- hinge ---------------------------------------------------------------------------------------
def _screen_hinge(
    r: AnalysisResult, s: ScreenSettings
) -> tuple[list[ScreenRep], dict[str, Any], list[Finding]]:
    t = r.cleaned.t_s
    trunk3 = r.angles.values_deg["trunk_inclination_3d"]
    cycles = _cycles(
        -trunk3, t, prominence=s.min_hinge_deg, min_rep_s=s.min_rep_s, starts_at_top=False
    )  # a lift from the floor counts (deadlift)
    w = r.cleaned.world_m
    near = "LEFT" if np.nanmean(r.angles.yaw_deg) > 0 else "RIGHT"
    with np.errstate(invalid="ignore"):  # 3D: the same from any camera angle
        spine = 180.0 - interior_deg(
            w[:, int(L[f"{near}_EAR"])],
            w[:, int(L[f"{near}_SHOULDER"])],
            w[:, int(L[f"{near}_HIP"])],
        )
    reps = []
    for k, c in enumerate(cycles):
        start, i = c[0], c[1]
        values: dict[str, float | None] = {}
        sources: dict[str, str] = {}
        values["trunk_inclination_deg"], sources["trunk_inclination_deg"] = _best(
            r, "trunk_inclination", i
        )
        hip_now, sources["hip_flexion_deg"] = _best(r, f"{near.lower()}_hip_flexion", i)
        hip_start, _ = _best(r, f"{near.lower()}_hip_flexion", start)
        values["hip_flexion_deg"] = hip_now
        values["knee_flexion_deg"], sources["knee_flexion_deg"] = _best(
            r, f"{near.lower()}_knee_flexion", i
        )
        rounding = (
            float(spine[i] - spine[start])
            if np.isfinite(spine[i]) and np.isfinite(spine[start])
            else None
        )
        values["upper_back_rounding_deg"] = None if rounding is None else round(rounding, 2)
        sources["upper_back_rounding_deg"] = "3d (ear-shoulder-hip)"
        if hip_now is not None and hip_start is not None and rounding is not None:
            d_hip = max(hip_now - hip_start, 0.0)
            total = d_hip + max(rounding, 0.0)
            values["hip_share"] = round(d_hip / total, 3) if total > 0 else None
        else:
            values["hip_share"] = None
        reps.append(_rep(k + 1, t, c, values, sources))
    col = {key: [rep.values.get(key) for rep in reps] for key in reps[0].values} if reps else {}
    hinge_points = tuple(L[f"{near}_{j}"] for j in ("EAR", "SHOULDER", "HIP", "KNEE", "ANKLE"))
    summary: dict[str, Any] = {
        "reps": len(reps),
        "complete_reps": sum(rep.complete for rep in reps),
        "median_trunk_inclination_deg": _median(col.get("trunk_inclination_deg", [])),
        "median_hip_flexion_deg": _median(col.get("hip_flexion_deg", [])),
        "median_knee_flexion_deg": _median(col.get("knee_flexion_deg", [])),
        "median_hip_share": _median(col.get("hip_share", [])),
        "median_upper_back_rounding_deg": _median(col.get("upper_back_rounding_deg", [])),
    }
    findings: list[Finding] = []
    share = summary["median_hip_share"]
    if share is not None:
        low = share < s.hinge_min_hip_share
        findings.append(
            _finding(
                "movement.hinge.hip_contribution",
                "Hip share of the forward bend",
                _grade(1 - share / s.hinge_min_hip_share) if low else Severity.NORMAL,
                share,
                "ratio",
                f"hips give >= {s.hinge_min_hip_share:.0%} of the bend (PROJECT DEFAULT); "
                "lumbar flexion itself is not observable",
                confidence=_confidence(
                    r,
                    reps,
                    hinge_points,
                    sum(v is not None for v in col["hip_share"]),
                    factor=HINGE_PROXY_FACTOR,
                ),
                evidence={
                    "per_rep": col["hip_share"],
                    "upper_back_rounding_deg": col["upper_back_rounding_deg"],
                },
            )
        )
    knee = summary["median_knee_flexion_deg"]
    if knee is not None and knee > s.hinge_max_knee_deg:
        findings.append(
            _finding(
                "movement.hinge.knee_dominant",
                "Knees bend a lot in the hinge (squat pattern)",
                _grade(knee / s.hinge_max_knee_deg - 1),
                knee,
                "deg",
                f"knee flexion <= {s.hinge_max_knee_deg:g} deg (soft knees, PROJECT DEFAULT)",
                confidence=_confidence(
                    r,
                    reps,
                    hinge_points[2:],
                    sum(v is not None for v in col["knee_flexion_deg"]),
                ),
            )
        )
    return reps, summary, findings


# -- single-leg stance -------------------------------------------------------------------------
def _screen_sls(
    r: AnalysisResult, s: ScreenSettings
) -> tuple[list[ScreenRep], dict[str, Any], list[Finding]]:
    w = r.cleaned.world_m
    t = r.cleaned.t_s
    leg = _leg_length_m(w)
    lift = (w[:, int(L.RIGHT_ANKLE), 1] - w[:, int(L.LEFT_ANKLE), 1]) / leg  # + = left foot up
    img = r.cleaned.image_px[:, :, :2]
    ctx = _quiet()
    try:
        mid_hip_x = np.nanmean(img[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)], 0], axis=1)
        trunk_px = np.linalg.norm(
            np.nanmean(img[:, [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]], axis=1)
            - np.nanmean(img[:, [int(L.LEFT_HIP), int(L.RIGHT_HIP)]], axis=1),
            axis=1,
        )
    finally:
        ctx.__exit__(None, None, None)
    reps: list[ScreenRep] = []
    for lifted, sign in (("left", 1.0), ("right", -1.0)):
        up = np.nan_to_num(lift * sign, nan=0.0) > s.sls_min_lift
        edges = np.flatnonzero(np.diff(np.concatenate(([0], up.astype(np.int8), [0]))))
        for a, b in zip(edges[::2], edges[1::2] - 1, strict=True):
            if t[b] - t[a] < s.sls_min_stance_s:
                continue
            stance: Side = "right" if lifted == "left" else "left"
            seg = slice(int(a), int(b) + 1)
            pelvis2 = r.angles.sound("pelvic_obliquity")[seg]
            pelvis = (
                pelvis2
                if np.isfinite(pelvis2).any()
                else (r.angles.values_deg["pelvic_obliquity_3d"][seg])
            )
            # pelvic drop: the lifted side lower; + right higher, so left lifted drop = +values
            drop = pelvis * (1.0 if lifted == "left" else -1.0)
            lean2 = r.angles.sound("trunk_lateral_lean")[seg]
            lean = (
                lean2
                if np.isfinite(lean2).any()
                else (r.angles.values_deg["trunk_lateral_lean_3d"][seg])
            )
            toward_stance = lean * (1.0 if stance == "right" else -1.0)
            ctx = _quiet()
            try:
                sway = float(np.nanstd(mid_hip_x[seg]) / np.nanmedian(trunk_px[seg]))
                values: dict[str, float | None] = {
                    "duration_s": round(float(t[b] - t[a]), 3),
                    "pelvic_drop_deg": _finite(np.nanmedian(drop), 2),
                    "peak_pelvic_drop_deg": _finite(np.nanpercentile(drop, 90), 2),
                    "trunk_lean_deg": _finite(np.nanmedian(toward_stance), 2),
                    "peak_trunk_lean_deg": _finite(np.nanpercentile(toward_stance, 90), 2),
                    "sway_trunk_lengths": _finite(sway, 4),
                    "stance_fppa_deg": _median(
                        [_sound2d(r, f"{stance}_knee_fppa", i) for i in range(int(a), int(b) + 1)]
                    ),
                }
            finally:
                ctx.__exit__(None, None, None)
            src = "2d" if np.isfinite(pelvis2).any() else "3d"
            reps.append(
                ScreenRep(
                    index=0,
                    start_s=round(float(t[a]), 3),
                    event_s=round(float(t[(a + b) // 2]), 3),
                    end_s=round(float(t[b]), 3),
                    complete=True,
                    side=stance,
                    values=values,
                    sources={"pelvis_and_trunk": src, "sway": "2d image"},
                )
            )
    reps = [
        rep.model_copy(update={"index": k + 1})
        for k, rep in enumerate(sorted(reps, key=lambda x: x.start_s))
    ]
    summary: dict[str, Any] = {"stances": len(reps)}
    findings: list[Finding] = []
    for stance in ("left", "right"):
        mine = [rep for rep in reps if rep.side == stance]
        summary[f"{stance}_stance_s"] = round(sum(rep.values["duration_s"] or 0 for rep in mine), 3)
        if not mine:
            continue
        for key, limit, code, title, unit in (
            (
                "pelvic_drop_deg",
                s.sls_max_pelvic_drop_deg,
                "pelvic_drop",
                "Pelvis drops on the lifted-leg side",
                "deg",
            ),
            (
                "trunk_lean_deg",
                s.sls_max_trunk_lean_deg,
                "trunk_lean",
                "Trunk leans over the stance leg",
                "deg",
            ),
            (
                "sway_trunk_lengths",
                s.sls_max_sway,
                "sway",
                "Sway in single-leg stance",
                "trunk_lengths",
            ),
        ):
            measured = [v for rep in mine if (v := rep.values[key]) is not None]
            worst = max(measured) if measured else None
            summary[f"{stance}_{key}"] = worst
            if worst is None:  # not measurable in this recording: no finding, never "normal"
                summary.setdefault("not_measured", []).append(f"{stance}_{key}")
                continue
            findings.append(
                _finding(
                    f"movement.single_leg_stance.{code}",
                    f"{title} (standing on the {stance} leg)",
                    _grade(worst / limit - 1) if worst > limit else Severity.NORMAL,
                    worst,
                    unit,
                    f"sustained (median over the stance) <= {limit:g} (PROJECT DEFAULT)",
                    side=stance,
                    confidence=_confidence(
                        r,
                        mine,
                        (*_TRUNK, L.LEFT_ANKLE, L.RIGHT_ANKLE),
                        len(measured),
                        frontal=key == "sway_trunk_lengths",
                    ),
                    evidence={"stances": len(mine)},
                )
            )
    return reps, summary, findings


_LIMITS = {
    "squat": "Knee FPPA is only measured from a front or back view; depth and trunk lean use 3D "
    "when the camera is not side-on. Lumbar flexion is not observable from keypoints.",
    "hinge": "Lumbar flexion is not observable from keypoints; the ear-shoulder-hip angle only "
    "shows gross upper-back rounding or head drop.",
    "single_leg_stance": "Sway is measured in the image plane (front view recommended); pelvis "
    "keypoints are hip joint centres, not the iliac crests.",
}


def run_screen(
    result: AnalysisResult, test: ScreenTest, settings: ScreenSettings | None = None
) -> ScreenResult:
    """Run one movement screen on an analysed video.

    Parameters
    ----------
    result
        Analysis of a video of the movement.
    test
        ``squat``, ``hinge`` or ``single_leg_stance``.
    settings
        Thresholds; see :class:`ScreenSettings`.

    Raises
    ------
    PoseQualityError
        For a photo, an unknown test, legs not visible, or no repetition found (the message says
        what the recording should show).

    References
    ----------
    Herrington L, Munro A. Drop jump landing knee valgus angle; normative data. Phys Ther Sport
    2010;11:56-59 [S13]. Clinical reference §4.3-4.4; exercise library camera checks.
    """
    if test not in SCREEN_TESTS:
        raise PoseQualityError(
            f"Unknown screen '{test}'. Choose one of: {', '.join(SCREEN_TESTS)}."
        )
    _require_video(result)
    s = settings or ScreenSettings()
    runner = {"squat": _screen_squat, "hinge": _screen_hinge, "single_leg_stance": _screen_sls}[
        test
    ]
    reps, summary, findings = runner(result, s)
    if not reps:
        what = {
            "squat": f"a squat (hips lowered by at least {s.min_squat_drop:.0%} of leg length)",
            "hinge": f"a forward bend (trunk tilting at least {s.min_hinge_deg:g}°)",
            "single_leg_stance": f"one foot lifted for at least {s.sls_min_stance_s:g} s",
        }[test]
        raise PoseQualityError(
            f"No repetition found: the video should show {what}, with the whole body in view."
        )
    return ScreenResult(
        test=test,
        view=result.view.value,
        reps=tuple(reps),
        summary=summary,
        findings=tuple(findings),
        limitations=_LIMITS[test],
    )
