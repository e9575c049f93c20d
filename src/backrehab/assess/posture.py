"""Static posture from photos (or a still stretch of video): front and side metrics against norms.

Input: one or more :class:`~backrehab.pose.pipeline.AnalysisResult` of the same person and view.
Output: a :class:`PostureResult` with each metric's value (degrees or trunk lengths), its norm, side
and confidence, the metrics that could not be judged from this view and why, and findings.
Norms and PROJECT DEFAULT thresholds: clinical reference §4.2-4.4.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from backrehab.assess.findings import Domain, Finding, Severity, Side
from backrehab.assess.still import StillSettings, still_part
from backrehab.errors import PoseQualityError
from backrehab.pose.angles import Reliability
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult
from backrehab.pose.view import View, frontal_offset_deg, sagittal_offset_deg, view_factor

PostureView = Literal["front", "side"]
SOURCE = "Keypoint posture proxies, clinical reference §4.3 (PROJECT DEFAULT thresholds)"


class PostureSettings(BaseModel):
    """Flag thresholds (PROJECT DEFAULT unless noted; §4.3) and quality limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    obliquity_flag_deg: float = Field(3.0, gt=0, description="shoulder/pelvic tilt, §4.3")
    lateral_lean_flag_deg: float = Field(3.0, gt=0, description="static trunk lean, §4.3")
    head_tilt_flag_deg: float = Field(3.0, gt=0, description="same rule as obliquity")
    forward_head_offset_flag: float = Field(
        0.20, gt=0, description="ear ahead of shoulder, in trunk lengths"
    )
    trunk_inclination_flag_deg: float = Field(5.0, gt=0, description="standing, side view")
    knee_flexion_flag_deg: float = Field(10.0, gt=0, description="standing, side view")
    static_fppa_flag_deg: float = Field(10.0, gt=0, description="standing knee alignment, front")
    standing_min_leg_span: float = Field(
        0.85,
        gt=0,
        le=1,
        description="vertical hip-ankle span / leg length below this: not "
        "standing (seated or squatting)",
    )
    min_visibility: float = Field(0.5, ge=0, le=1)
    max_trunk_from_vertical_deg: float = Field(
        60.0,
        gt=0,
        le=90,
        description="trunk line further from vertical (lying, plank, all fours): refused",
    )
    view_tolerance_deg: float = Field(30.0, gt=0, le=45)
    min_captures_flagged: int = Field(
        2, ge=1, description="a flag needs this many captures (§4.3: 2 of 3); capped by count"
    )
    still_window_s: float = Field(
        1.0, gt=0, description="video: posture is judged on the stillest window this long (§4.2)"
    )
    still_max_motion_trunk_lengths: float = Field(
        0.03,
        gt=0,
        description="video: refused when even the stillest window moves more (RMS of head, "
        "trunk and leg landmarks, trunk lengths)",
    )


class PostureMetric(BaseModel):
    """One measured posture metric (median over the captures)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    view: PostureView
    value: float
    unit: str
    side: Side
    norm: str
    flagged: bool
    severity: Severity
    confidence: float
    per_capture: tuple[float, ...]
    secondary: dict[str, float] = Field(
        default_factory=dict,
        description="companion values of the same metric in other units, e.g. the shoulder "
        "height difference in percent of shoulder width (§4.3)",
    )


class PostureResult(BaseModel):
    """Posture metrics of one view, the metrics not judged and why, and the findings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    view: PostureView
    detected_view: str
    captures: int
    metrics: tuple[PostureMetric, ...]
    not_judged: dict[str, str]
    findings: tuple[Finding, ...]
    still_windows_s: tuple[tuple[float, float] | None, ...] = Field(
        (),
        description="per capture: the still window of a video used (start, end s); None "
        "for a photo",
    )

    def metric(self, name: str) -> PostureMetric | None:
        """The metric called ``name``, or None."""
        return next((m for m in self.metrics if m.name == name), None)


def _severity(magnitude: float, flag: float) -> Severity:
    """PROJECT DEFAULT grading: below the flag normal; 1-2x mild; 2-3x moderate; beyond severe."""
    if magnitude < flag:
        return Severity.NORMAL
    if magnitude < 2 * flag:
        return Severity.MILD
    if magnitude < 3 * flag:
        return Severity.MODERATE
    return Severity.SEVERE


def _view_of(result: AnalysisResult) -> View:
    return result.view


def _wanted_view(view: View) -> PostureView | None:
    if view in (View.FRONT, View.BACK):
        return "front"
    if view in (View.LEFT_SIDE, View.RIGHT_SIDE):
        return "side"
    return None


def _median_sound(result: AnalysisResult, name: str) -> float:
    values = result.angles.sound(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(np.nanmedian(values)) if np.isfinite(values).any() else float("nan")


def _visibility(result: AnalysisResult, points: tuple[L, ...]) -> float:
    vis = result.raw.visibility[:, [int(p) for p in points]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(np.nanmean(vis)) if np.isfinite(vis).any() else 0.0


def capture_confidence(result: AnalysisResult, points: tuple[L, ...], plane: PostureView) -> float:
    """How far a still capture's measurement can be trusted, 0-1.

    Mean visibility of the landmarks ``points`` times cos(median offset of the camera from the
    view the metric needs: ``front`` = front or back view, ``side`` = side view). Used by the
    posture metrics and the photo RULA/REBA findings.
    """
    yaw = result.angles.yaw_deg
    offsets = sagittal_offset_deg(yaw) if plane == "side" else frontal_offset_deg(yaw)
    return round(max(0.0, min(1.0, _visibility(result, points) * view_factor(offsets))), 3)


def _near_side(result: AnalysisResult) -> Literal["left", "right"]:
    return "left" if result.view is View.LEFT_SIDE else "right"


def _forward_head_offset(result: AnalysisResult, side: Literal["left", "right"]) -> float:
    """Horizontal ear-ahead-of-shoulder distance in trunk lengths (§4.3), facing direction +."""
    pts = result.cleaned.image_px[:, :, :2]
    ear = pts[:, int(L[f"{side.upper()}_EAR"])]
    shoulder = pts[:, int(L[f"{side.upper()}_SHOULDER"])]
    hip = pts[:, int(L[f"{side.upper()}_HIP"])]
    facing = -1.0 if result.view is View.LEFT_SIDE else 1.0  # left side view: facing image-left
    trunk = np.linalg.norm(shoulder - hip, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(np.nanmedian((ear[:, 0] - shoulder[:, 0]) * facing / trunk))


def _kyphosis_proxy(result: AnalysisResult, side: Literal["left", "right"]) -> float:
    """interior(ear, shoulder, hip) on the near side (§4.3 proxy (a); trend only)."""
    from backrehab.pose.angles import interior_deg

    pts = result.cleaned.image_px[:, :, :2]
    up = side.upper()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(
            np.nanmedian(
                interior_deg(
                    pts[:, int(L[f"{up}_EAR"])],
                    pts[:, int(L[f"{up}_SHOULDER"])],
                    pts[:, int(L[f"{up}_HIP"])],
                )
            )
        )


_FRONT_METRICS: tuple[tuple[str, str, tuple[L, ...]], ...] = (
    ("shoulder_obliquity", "shoulder_obliquity", (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)),
    ("pelvic_obliquity", "pelvic_obliquity", (L.LEFT_HIP, L.RIGHT_HIP)),
    (
        "trunk_lateral_lean",
        "trunk_lateral_lean",
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),
    ),
    ("head_tilt", "head_tilt", (L.LEFT_EAR, L.RIGHT_EAR)),
    ("left_knee_alignment", "left_knee_fppa", (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE)),
    ("right_knee_alignment", "right_knee_fppa", (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)),
)
_SIDE_METRIC_NAMES = (
    "craniovertebral_proxy",
    "forward_head_offset",
    "trunk_inclination",
    "kyphosis_proxy",
    "knee_flexion",
)
_FRONT_METRIC_NAMES = tuple(m[0] for m in _FRONT_METRICS)


def _shoulder_height_difference_pct(result: AnalysisResult) -> float:
    """Median ``Δy / shoulder_width`` in percent (§4.3), + = right shoulder higher.

    Image y grows downwards, so the right shoulder is higher when its y is smaller.
    """
    pts = result.cleaned.image_px[:, :, :2]
    left = pts[:, int(L.LEFT_SHOULDER)]
    right = pts[:, int(L.RIGHT_SHOULDER)]
    width = np.linalg.norm(left - right, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        pct = 100.0 * (left[:, 1] - right[:, 1]) / width
        return float(np.nanmedian(pct)) if np.isfinite(pct).any() else float("nan")


def _front_values(r: AnalysisResult, s: PostureSettings) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for metric, angle, points in _FRONT_METRICS:
        out[metric] = (_median_sound(r, angle), capture_confidence(r, points, "front"))
    out["shoulder_height_difference_pct_width"] = (_shoulder_height_difference_pct(r), 1.0)
    return out


def _side_values(r: AnalysisResult) -> dict[str, tuple[float, float]]:
    near = _near_side(r)
    up = near.upper()
    head = (L[f"{up}_EAR"], L[f"{up}_SHOULDER"])
    trunk = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)
    leg = (L[f"{up}_HIP"], L[f"{up}_KNEE"], L[f"{up}_ANKLE"])
    return {
        "craniovertebral_proxy": (
            _median_sound(r, f"{near}_craniovertebral_proxy"),
            capture_confidence(r, head, "side"),
        ),
        "forward_head_offset": (_forward_head_offset(r, near), capture_confidence(r, head, "side")),
        "trunk_inclination": (
            _median_sound(r, "trunk_inclination"),
            capture_confidence(r, trunk, "side"),
        ),
        "kyphosis_proxy": (
            _kyphosis_proxy(r, near),
            capture_confidence(r, (*head, L[f"{up}_HIP"]), "side"),
        ),
        "knee_flexion": (
            _median_sound(r, f"{near}_knee_flexion"),
            capture_confidence(r, leg, "side"),
        ),
    }


def _trunk_from_vertical_deg(r: AnalysisResult) -> float:
    """Median unsigned angle (image) of the mid-hip -> mid-shoulder line from vertical."""
    pts = r.cleaned.image_px[:, :, :2]
    line = (pts[:, int(L.LEFT_SHOULDER)] + pts[:, int(L.RIGHT_SHOULDER)]) / 2.0 - (
        pts[:, int(L.LEFT_HIP)] + pts[:, int(L.RIGHT_HIP)]
    ) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(np.nanmedian(np.degrees(np.arctan2(np.abs(line[:, 0]), -line[:, 1]))))


def _require_upright(r: AnalysisResult, s: PostureSettings) -> None:
    """Refuse a capture of a person lying, kneeling on all fours or in a plank (§4.2: quiet
    standing; sitting is judged for the head only)."""
    angle = _trunk_from_vertical_deg(r)
    if np.isfinite(angle) and angle > s.max_trunk_from_vertical_deg:
        raise PoseQualityError(
            f"In {r.raw.source.file_name} the trunk is {angle:.0f}° from vertical: posture is "
            "judged with the person upright (standing, or sitting for the head), not lying or "
            "on all fours.",
            detail=f"limit {s.max_trunk_from_vertical_deg:g}° (max_trunk_from_vertical_deg)",
        )


def _standing(r: AnalysisResult, s: PostureSettings) -> bool:
    """Standing when a leg spans most of its length vertically (hip above knee above ankle).

    Works from any view: sitting or squatting shortens the vertical hip-ankle span whether the
    thigh is seen side-on or foreshortened from the front.
    """
    pts = r.cleaned.image_px[:, :, :2]
    ratios = []
    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle = (pts[:, int(L[f"{side}_{j}"])] for j in ("HIP", "KNEE", "ANKLE"))
        length = np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios.append((ankle[:, 1] - hip[:, 1]) / length)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        best = float(np.nanmedian(np.nanmax(np.stack(ratios), axis=0)))
    return bool(np.isfinite(best) and best >= s.standing_min_leg_span)


def assess_posture(
    results: list[AnalysisResult] | AnalysisResult,
    *,
    view: PostureView | None = None,
    settings: PostureSettings | None = None,
) -> PostureResult:
    """Measure posture from one or more captures of the same view and compare with the norms.

    Parameters
    ----------
    results
        Analyses of photos (or videos) of one person, all from the same view. A video is judged
        on its stillest window of ``still_window_s`` (§4.2: quiet standing, about 30 frames); a
        video in which the person never keeps still is refused. The median over
        captures is reported; a metric is flagged when at least ``min_captures_flagged`` captures
        (capped by their number) exceed its threshold (§4.3: 2 of 3 captures).
    view
        ``front`` (front or back photo) or ``side``; None uses the view seen in the captures.
    settings
        Thresholds; see :class:`PostureSettings`.

    Raises
    ------
    PoseQualityError
        The captures are not of the requested view (a metric is never judged from the wrong
        view), the view cannot be told, the captures disagree on the view, or a video has no
        still stretch.

    References
    ----------
    Clinical reference §4 (metric definitions and PROJECT DEFAULT flags); Ferreira EA et al. 2011
    (shoulder and pelvic asymmetry in healthy adults) [S15]; Herrington & Munro 2010 (FPPA) [S13].
    """
    given = results if isinstance(results, list) else [results]
    if not given:
        raise PoseQualityError("No photo to assess.")
    s = settings or PostureSettings()
    still = StillSettings(
        window_s=s.still_window_s, max_motion_trunk_lengths=s.still_max_motion_trunk_lengths
    )
    parts = [still_part(r, still) for r in given]
    captures = [part for part, _ in parts]
    windows = tuple(None if w is None else (w.start_s, w.end_s) for _, w in parts)
    for r in captures:
        _require_upright(r, s)
    seen = {_wanted_view(_view_of(r)) for r in captures}
    if None in seen:
        raise PoseQualityError(
            "The camera view of a posture photo could not be told: the shoulders and hips must be "
            "visible."
        )
    if len(seen) > 1:
        raise PoseQualityError(
            "Posture captures mix front and side views; assess each view separately."
        )
    detected = seen.pop()
    assert detected is not None
    if view is not None and view != detected:
        wanted = "a front (or back)" if view == "front" else "a side"
        what = (
            "obliquity, lateral lean, head tilt and knee alignment"
            if view == "front"
            else "head posture, trunk inclination and knee flexion"
        )
        raise PoseQualityError(
            f"This photo shows the person from the {'side' if detected == 'side' else 'front'}; "
            f"{what} need {wanted} photo. Retake it, or assess it as a {detected} view.",
            detail=f"requested {view}, seen {[r.view.value for r in captures]}",
        )
    per_capture = [
        (_front_values(r, s) if detected == "front" else _side_values(r)) for r in captures
    ]
    standing = [_standing(r, s) for r in captures]
    metrics: list[PostureMetric] = []
    not_judged: dict[str, str] = {}
    names = _FRONT_METRIC_NAMES if detected == "front" else _SIDE_METRIC_NAMES
    for name in names:
        knee_metric = name.endswith("knee_alignment") or name in (
            "knee_flexion",
            "trunk_inclination",
        )
        values = [
            pc[name][0]
            for pc, st in zip(per_capture, standing, strict=True)
            if np.isfinite(pc[name][0]) and (st or not knee_metric)
        ]
        if knee_metric and not any(standing):
            not_judged[name] = (
                "not standing (seated or squatting): standing norms do not apply; "
                "use the ergonomics assessment for sitting"
            )
            continue
        conf = [pc[name][1] for pc in per_capture]
        if not values or max(conf) < s.min_visibility * 0.5:
            not_judged[name] = (
                "the landmarks are not visible enough, or the camera is too far "
                "from a square-on view"
            )
            continue
        metric = _judge(name, values, float(np.median(conf)), detected, s)
        if name == "shoulder_obliquity":
            metric = _with_height_difference(metric, per_capture)
        metrics.append(metric)
    for name in _SIDE_METRIC_NAMES if detected == "front" else _FRONT_METRIC_NAMES:
        not_judged[name] = f"needs a {'side' if detected == 'front' else 'front or back'} view"
    findings = tuple(_finding(m) for m in metrics)
    return PostureResult(
        view=detected,
        detected_view=captures[0].view.value,
        captures=len(captures),
        metrics=tuple(metrics),
        not_judged=not_judged,
        findings=findings,
        still_windows_s=windows,
    )


_LIMB_METRICS = frozenset({"left_knee_alignment", "right_knee_alignment"})
"""Metrics measured on one limb of a pair: their side names the limb, flagged or not (the side
of the other metrics is a direction, the higher or leaning side, and only given when flagged)."""


def _judge(
    name: str, values: list[float], confidence: float, view: PostureView, s: PostureSettings
) -> PostureMetric:
    value = float(np.median(values))
    need = min(s.min_captures_flagged, len(values))
    unit = "deg"
    side: Side = "none"
    if name in ("shoulder_obliquity", "pelvic_obliquity", "head_tilt", "trunk_lateral_lean"):
        flag = {
            "shoulder_obliquity": s.obliquity_flag_deg,
            "pelvic_obliquity": s.obliquity_flag_deg,
            "head_tilt": s.head_tilt_flag_deg,
            "trunk_lateral_lean": s.lateral_lean_flag_deg,
        }[name]
        exceed = [abs(v) >= flag for v in values]
        magnitude = abs(value)
        if name == "head_tilt":  # right ear higher = head tilted towards the left
            side = "left" if value > 0 else "right"
            norm = f"|tilt| < {flag:g} deg (PROJECT DEFAULT); + = right ear higher"
        elif name == "trunk_lateral_lean":
            side = "right" if value > 0 else "left"
            norm = f"|lean| < {flag:g} deg static (§4.3 PROJECT DEFAULT)"
        else:
            side = "right" if value > 0 else "left"  # the higher side
            norm = f"|tilt| < {flag:g} deg on 2 of 3 captures (§4.3 PROJECT DEFAULT)"
    elif name.endswith("knee_alignment"):
        flag = s.static_fppa_flag_deg
        exceed = [abs(v) >= flag for v in values]
        magnitude = abs(value)
        side = "left" if name.startswith("left") else "right"
        norm = f"standing FPPA within ±{flag:g} deg (PROJECT DEFAULT); + = valgus"
    elif name == "forward_head_offset":
        flag = s.forward_head_offset_flag
        exceed = [v >= flag for v in values]
        magnitude = max(value, 0.0)
        unit = "trunk_lengths"
        norm = (
            f"ear ahead of shoulder < {flag:g} trunk lengths (PROJECT DEFAULT; §4.3 asks for "
            "the offset and the trend, not the clinical CVA cut-off)"
        )
    elif name == "trunk_inclination":
        flag = s.trunk_inclination_flag_deg
        exceed = [abs(v) >= flag for v in values]
        magnitude = abs(value)
        norm = f"|inclination| < {flag:g} deg standing (PROJECT DEFAULT); + = forward"
    elif name == "knee_flexion":
        flag = s.knee_flexion_flag_deg
        exceed = [v >= flag for v in values]
        magnitude = value
        norm = f"knees straight in standing, flexion < {flag:g} deg (PROJECT DEFAULT)"
    else:  # craniovertebral_proxy, kyphosis_proxy: trends only, never flagged (§4.3)
        return PostureMetric(
            name=name,
            view=view,
            value=round(value, 2),
            unit=unit,
            side=side,
            norm="trend only: keypoint proxy, no validated cut-off (§4.3)",
            flagged=False,
            severity=Severity.NORMAL,
            confidence=round(confidence, 3),
            per_capture=tuple(round(v, 2) for v in values),
        )
    flagged = sum(exceed) >= need
    severity = _severity(magnitude, flag) if flagged else Severity.NORMAL
    return PostureMetric(
        name=name,
        view=view,
        value=round(value, 3 if unit != "deg" else 2),
        unit=unit,
        side=side if flagged or name in _LIMB_METRICS else "none",
        norm=norm,
        flagged=flagged,
        severity=severity,
        confidence=round(confidence, 3),
        per_capture=tuple(round(v, 3) for v in values),
    )


def _with_height_difference(
    metric: PostureMetric, per_capture: list[dict[str, tuple[float, float]]]
) -> PostureMetric:
    """Add the §4.3 companion ``Δy / shoulder_width`` (percent) to the shoulder tilt metric."""
    key = "shoulder_height_difference_pct_width"
    values = [pc[key][0] for pc in per_capture if np.isfinite(pc[key][0])]
    if not values:
        return metric
    return metric.model_copy(update={"secondary": {key: round(float(np.median(values)), 2)}})


_TITLES = {
    "shoulder_obliquity": "Shoulder height asymmetry",
    "pelvic_obliquity": "Pelvic obliquity",
    "trunk_lateral_lean": "Trunk leans to one side",
    "head_tilt": "Head tilted to one side",
    "left_knee_alignment": "Knee alignment (left)",
    "right_knee_alignment": "Knee alignment (right)",
    "craniovertebral_proxy": "Head position (craniovertebral angle proxy)",
    "forward_head_offset": "Forward head posture",
    "trunk_inclination": "Trunk inclination in standing",
    "kyphosis_proxy": "Upper-back rounding proxy (ear-shoulder-hip angle)",
    "knee_flexion": "Knees bent in standing",
}


def _finding(m: PostureMetric) -> Finding:
    code = {
        "left_knee_alignment": "posture.knee_alignment",
        "right_knee_alignment": "posture.knee_alignment",
        "forward_head_offset": "posture.forward_head",
    }.get(m.name, f"posture.{m.name}")
    return Finding(
        code=code,
        domain=Domain.POSTURE,
        severity=m.severity,
        title=_TITLES[m.name],
        value=m.value,
        unit=m.unit,
        norm=m.norm,
        side=m.side,
        confidence=m.confidence,
        source=SOURCE,
        evidence={
            "view": m.view,
            "per_capture": list(m.per_capture),
            "flagged": m.flagged,
            **m.secondary,
        },
    )


def reliability_note(code: int) -> str:
    """Plain words for a reliability code (for reports)."""
    return {
        Reliability.SOUND: "sound",
        Reliability.MISSING: "landmark not visible",
        Reliability.OUT_OF_PLANE: "camera not square to this plane",
        Reliability.FAR_SIDE: "measured on the far side",
        Reliability.DEPTH_ESTIMATED: "3D, camera edge-on to this plane (depth estimated)",
    }[Reliability(code)]
