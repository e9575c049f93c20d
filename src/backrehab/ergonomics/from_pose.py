"""RULA and REBA from a side-view photo: body angles measured by the measurement core.

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` of a side photo (or a still video
frame). Output: both body sides scored, the worse reported, with the angles used (degrees) and
what was assumed because a camera cannot see it (clinical reference §4.5).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from backrehab.ergonomics.reba import score_reba
from backrehab.ergonomics.rula import score_rula
from backrehab.ergonomics.schema import RebaInput, RebaScore, RulaInput, RulaScore, from_dict
from backrehab.errors import PoseQualityError
from backrehab.pose.angles import Reliability
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult
from backrehab.pose.sequence import FloatArray
from backrehab.pose.view import View

Method = Literal["rula", "reba"]
BodySide = Literal["left", "right"]


class PoseErgoSettings(BaseModel):
    """Camera-specific choices (PROJECT DEFAULT, §4.5)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    neck_neutral_offset_deg: float = Field(
        15.0, description="shoulder->ear vs trunk line in neutral standing; calibrate per person"
    )
    min_visibility: float = Field(0.5, ge=0, le=1, description="for the optional wrist angle")
    seated_max_leg_span: float = Field(0.85, description="vertical hip-ankle span / leg length")
    reclined_supported_deg: float = Field(
        -5.0, description="seated and reclined beyond this: the back must be supported"
    )
    neck_offset_source: str = Field(
        "project default (not calibrated)",
        description="where neck_neutral_offset_deg comes from (a neutral capture, or default)",
    )
    neutral_max_trunk_deg: float = Field(
        15.0, gt=0, description="a neutral capture's trunk must be this close to vertical"
    )


@dataclass(frozen=True, slots=True)
class SideAngles:
    """Angles (degrees) measured on one body side, each with its source."""

    side: BodySide
    values: dict[str, float]
    sources: dict[str, str]


class PoseErgoResult(BaseModel):
    """Scores of both sides; the worse one is the result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method
    side: BodySide
    score: RulaScore | RebaScore
    other_side_score: int | None
    angles_used: dict[str, float]
    angle_sources: dict[str, str]
    seated: bool
    inferred: tuple[str, ...]


def _value(result: AnalysisResult, name: str) -> tuple[float, str]:
    sound = result.angles.sound(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        if np.isfinite(sound).any():
            return float(np.nanmedian(sound)), "2d"
        v3 = result.angles.values_deg[f"{name}_3d"]
        if np.isfinite(v3).any():
            edge_on = result.angles.reliability[f"{name}_3d"] == Reliability.DEPTH_ESTIMATED
            depth = bool(edge_on[np.isfinite(v3)].mean() > 0.5)
            return float(np.nanmedian(v3)), "3d, depth estimated" if depth else "3d"
    return float("nan"), "missing"


def _facing(result: AnalysisResult) -> float:
    return -1.0 if result.view is View.LEFT_SIDE else 1.0


def _signed_2d(u: FloatArray, v: FloatArray, facing: float) -> float:
    """Angle from u to v (y-up), positive when v turns towards the facing direction."""
    cross = u[0] * v[1] - u[1] * v[0]
    return float(np.degrees(np.arctan2(cross, u @ v))) * -facing


def _point(result: AnalysisResult, lm: L) -> FloatArray:
    p = result.cleaned.image_px[:, int(lm), :2].copy()
    p[:, 1] *= -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmedian(p, axis=0), dtype=float)


def _neck_flexion(result: AnalysisResult, side: BodySide, offset_deg: float) -> float:
    """§4.5: trunk line (hip->shoulder) vs shoulder->ear line, minus the neutral offset."""
    s = side.upper()
    hip, shoulder, ear = (_point(result, L[f"{s}_{j}"]) for j in ("HIP", "SHOULDER", "EAR"))
    return _signed_2d(shoulder - hip, ear - shoulder, _facing(result)) - offset_deg


def _wrist_flexion(result: AnalysisResult, side: BodySide, min_vis: float) -> float | None:
    """Forearm vs hand (wrist->index) in the image, + = flexion; None when not visible."""
    s = side.upper()
    vis = result.raw.visibility[
        0, [int(L[f"{s}_ELBOW"]), int(L[f"{s}_WRIST"]), int(L[f"{s}_INDEX"])]
    ]
    if not np.all(vis >= min_vis):
        return None
    elbow, wrist, index = (_point(result, L[f"{s}_{j}"]) for j in ("ELBOW", "WRIST", "INDEX"))
    # palm side faces forward when the elbow is bent: flexion turns the hand away from facing
    return -_signed_2d(wrist - elbow, index - wrist, _facing(result))


def _seated(result: AnalysisResult, s: PoseErgoSettings) -> bool:
    spans = []
    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle = (_point(result, L[f"{side}_{j}"]) for j in ("HIP", "KNEE", "ANKLE"))
        length = np.linalg.norm(knee - hip) + np.linalg.norm(ankle - knee)
        spans.append((hip[1] - ankle[1]) / length if length > 0 else np.nan)
    finite = [x for x in spans if np.isfinite(x)]
    return bool(finite) and bool(max(finite) < s.seated_max_leg_span)


#: Limb angles that may be hidden (folded arms, a far leg): assumed in their lowest-scoring band
#: and reported as assumed. The trunk and neck must be measured.
_ASSUMED_WHEN_HIDDEN: dict[str, float] = {
    "upper_arm_flexion_deg": 0.0,
    "lower_arm_flexion_deg": 80.0,
    "knee_flexion_deg": 0.0,
}


def measure_side(
    result: AnalysisResult, side: BodySide, settings: PoseErgoSettings | None = None
) -> SideAngles:
    """The body angles RULA/REBA need, measured on one side of a side-view capture."""
    s = settings or PoseErgoSettings()
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for key, angle in (
        ("upper_arm_flexion_deg", f"{side}_shoulder_flexion"),
        ("lower_arm_flexion_deg", f"{side}_elbow_flexion"),
        ("trunk_flexion_deg", "trunk_inclination"),
        ("knee_flexion_deg", f"{side}_knee_flexion"),
    ):
        values[key], sources[key] = _value(result, angle)
    values["neck_flexion_deg"] = _neck_flexion(result, side, s.neck_neutral_offset_deg)
    sources["neck_flexion_deg"] = (
        f"2d, minus a neutral offset of {s.neck_neutral_offset_deg:.1f}° (§4.5; "
        f"{s.neck_offset_source})"
    )
    wrist = _wrist_flexion(result, side, s.min_visibility)
    if wrist is not None:
        values["wrist_flexion_deg"] = wrist
        sources["wrist_flexion_deg"] = "2d, wrist->index (rough: hand landmarks)"
    for key, neutral in _ASSUMED_WHEN_HIDDEN.items():
        if not np.isfinite(values[key]):
            values[key] = neutral
            sources[key] = f"not visible: assumed {neutral:g}° (neutral band)"
    missing = [k for k, v in values.items() if not np.isfinite(v)]
    if missing:
        raise PoseQualityError(
            f"The {side} side's {', '.join(m.removesuffix('_deg') for m in missing)} could not "
            "be measured: the whole body must be visible from the side."
        )
    return SideAngles(
        side=side, values={k: round(v, 2) for k, v in values.items()}, sources=sources
    )


def neck_offset_from_neutral(
    result: AnalysisResult, settings: PoseErgoSettings | None = None
) -> float:
    """This person's neutral neck offset: trunk line vs shoulder->ear on a neutral capture (§4.5).

    The ear keypoint is not the head's axis, so a neutral head shows a person-specific angle
    between the hip->shoulder and shoulder->ear lines. Measured on the side nearer the camera of
    a side-view photo of the person standing or sitting upright, looking straight ahead; use it
    as ``neck_neutral_offset_deg``.

    Raises
    ------
    PoseQualityError
        Not a side view, the near side's hip, shoulder or ear not visible, or the trunk not
        upright (more than ``neutral_max_trunk_deg`` from vertical).

    References
    ----------
    Clinical reference §4.5 (neck flexion from keypoints, calibrated on a neutral capture).
    """
    s = settings or PoseErgoSettings()
    if result.view not in (View.LEFT_SIDE, View.RIGHT_SIDE):
        raise PoseQualityError(
            f"A neutral capture for the neck must be a side view; this one is a "
            f"{result.view.value} view."
        )
    trunk, _ = _value(result, "trunk_inclination")
    if not np.isfinite(trunk) or abs(trunk) > s.neutral_max_trunk_deg:
        raise PoseQualityError(
            "A neutral capture needs the person upright, looking straight ahead; here the trunk "
            f"is {trunk:.0f}° from vertical (at most {s.neutral_max_trunk_deg:g}°)."
        )
    near: BodySide = "left" if result.view is View.LEFT_SIDE else "right"
    offset = _neck_flexion(result, near, 0.0)
    if not np.isfinite(offset):
        raise PoseQualityError(
            f"The {near} hip, shoulder and ear must be visible in the neutral capture."
        )
    return round(offset, 2)


def calibrated(
    settings: PoseErgoSettings | None, offset_deg: float, source: str
) -> PoseErgoSettings:
    """``settings`` with the neck offset measured on a neutral capture named ``source``."""
    s = settings or PoseErgoSettings()
    return s.model_copy(
        update={
            "neck_neutral_offset_deg": offset_deg,
            "neck_offset_source": f"calibrated on the neutral capture {source}",
        }
    )


def _checked(method: Method, data: dict[str, Any]) -> RulaInput | RebaInput:
    """Validated input (a bad ``extra`` field is an InvalidResponseError naming it)."""
    return from_dict(method, data)


def _clip(value: float, low: float, high: float) -> float:
    return float(min(max(value, low), high))


def ergonomics_from_pose(
    result: AnalysisResult,
    method: Method,
    settings: PoseErgoSettings | None = None,
    extra: dict[str, Any] | None = None,
) -> PoseErgoResult:
    """Score RULA or REBA on both body sides of a side-view photo and report the worse side.

    Twisting, side bending, shoulder raising, abduction, loads, muscle use and coupling cannot be
    seen from the side: they are assumed absent unless given in ``extra`` (any field of the
    method's input), and the score lists them under ``assumptions``. Seated is detected from the
    legs; a seated, reclined trunk is taken as supported by the backrest.

    Raises
    ------
    PoseQualityError
        When the capture is not a side view, or a needed landmark is not visible.

    References
    ----------
    McAtamney L, Corlett EN. RULA. Appl Ergon 1993;24(2):91-99. Hignett S, McAtamney L. REBA.
    Appl Ergon 2000;31(2):201-205. Clinical reference §4.5 (angles from keypoints).
    """
    s = settings or PoseErgoSettings()
    if result.view not in (View.LEFT_SIDE, View.RIGHT_SIDE):
        raise PoseQualityError(
            f"RULA/REBA from a photo needs a side view; this one is a {result.view.value} view. "
            "Photograph the person side-on, whole body in the frame."
        )
    seated = _seated(result, s)
    inferred: list[str] = [f"seated: {seated} (from the legs' vertical span)"]
    scores: list[tuple[int, BodySide, RulaScore | RebaScore, SideAngles]] = []
    unmeasured: list[str] = []
    sides: tuple[BodySide, BodySide] = ("left", "right")
    for side in sides:
        try:
            a = measure_side(result, side, s)
        except PoseQualityError as exc:
            unmeasured.append(exc.user_message)
            continue
        v = a.values
        common = {
            "upper_arm_flexion_deg": _clip(v["upper_arm_flexion_deg"], -180, 240),
            "lower_arm_flexion_deg": _clip(v["lower_arm_flexion_deg"], -30, 180),
            "neck_flexion_deg": _clip(v["neck_flexion_deg"], -120, 120),
            "trunk_flexion_deg": _clip(v["trunk_flexion_deg"], -90, 180),
        }
        if "wrist_flexion_deg" in v:
            common["wrist_flexion_deg"] = _clip(v["wrist_flexion_deg"], -120, 120)
        data: dict[str, Any] = dict(common)
        if method == "rula":
            if seated and v["trunk_flexion_deg"] <= s.reclined_supported_deg:
                data["trunk_sitting_well_supported"] = True
                if side == "left":
                    inferred.append("trunk supported: seated and reclined")
            data.update(extra or {})
            score: RulaScore | RebaScore = score_rula(_checked(method, data))  # type: ignore[arg-type]
        else:
            data["sitting"] = seated
            data["knee_flexion_deg"] = _clip(v["knee_flexion_deg"], -30, 180)
            data.update(extra or {})
            score = score_reba(_checked(method, data))  # type: ignore[arg-type]
        scores.append((score.grand, side, score, a))
    if not scores:
        raise PoseQualityError(unmeasured[0], detail=" ".join(unmeasured[1:]))
    inferred += [f"not scored: {why}" for why in unmeasured]
    scores.sort(key=lambda x: (-x[0], x[1]))
    inferred += [f"{k}: {v}" for k, v in scores[0][3].sources.items() if v.startswith("not vis")]
    _, side, score, angles = scores[0]
    return PoseErgoResult(
        method=method,
        side=side,
        score=score,
        other_side_score=scores[1][0] if len(scores) > 1 else None,
        angles_used=angles.values,
        angle_sources=angles.sources,
        seated=seated,
        inferred=tuple(inferred),
    )


_LABEL_AT: dict[str, tuple[str, str]] = {
    "upper_arm_flexion_deg": ("SHOULDER", "upper arm"),
    "lower_arm_flexion_deg": ("ELBOW", "lower arm"),
    "wrist_flexion_deg": ("WRIST", "wrist"),
    "neck_flexion_deg": ("EAR", "neck"),
    "trunk_flexion_deg": ("HIP", "trunk"),
    "knee_flexion_deg": ("KNEE", "knee"),
}


def write_ergonomics_overlay(
    media_path: os.PathLike[str] | str,
    analysis: AnalysisResult,
    ergo: PoseErgoResult,
    out_path: Path,
) -> Path:
    """PNG of the photo with the skeleton, the angles the score used, and the score."""
    from backrehab.pose.media import read_photo
    from backrehab.pose.overlay import write_photo_overlay

    rgb, _ = read_photo(Path(media_path))
    side = ergo.side.upper()
    labels = [
        (
            L[f"{side}_{joint}"],
            f"{text} {ergo.angles_used[key]:.0f}°"
            + ("*" if ergo.angle_sources[key].startswith("not vis") else ""),
        )
        for key, (joint, text) in _LABEL_AT.items()
        if key in ergo.angles_used and (key != "knee_flexion_deg" or ergo.method == "reba")
    ]
    caption = (
        f"{ergo.method.upper()} {ergo.score.grand} (action level "
        f"{ergo.score.action_level}), {ergo.side} side"
        + (
            "  * assumed"
            if any(v.startswith("not vis") for v in ergo.angle_sources.values())
            else ""
        )
    )
    return write_photo_overlay(
        rgb, analysis.cleaned, analysis.angles, out_path, labels=labels, caption=caption
    )
