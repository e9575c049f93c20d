"""Joint and segment angles from one typed table, in the image plane (2D) and in 3D world space.

Input: a cleaned :class:`PoseSequence` and the per-frame body yaw. Output: an :class:`AngleSeries`
with every angle of :data:`ANGLES` in degrees per frame and a reliability code per value
(sound, missing, out of the camera plane). Conventions (zero, sign, image y down) are in
``docs/angle-conventions.md``; the helper names follow ``exercise-library.yaml → conventions``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.sequence import PoseSequence
from backrehab.pose.view import frontal_offset_deg, sagittal_offset_deg

FloatArray = npt.NDArray[np.float64]

Method = Literal[
    "flexion",  # 180 - interior(a, b, c); 0 = straight
    "sagittal_signed",  # rotation from segment a->b to segment b->c / a->c, + = flexion (anterior)
    "ankle",  # 90 - angle(ankle->knee, heel->toe); + = dorsiflexion
    "inclination",  # trunk vs vertical, + = forward
    "lateral_lean",  # trunk vs vertical in the frontal plane, + = towards the person's right
    "obliquity",  # left-right line vs horizontal, + = right side higher
    "cva",  # horizontal vs shoulder->ear line, facing direction; 90 = ear above shoulder
    "fppa",  # 180 - interior(hip, knee, ankle), + = knee medial (valgus)
]
Plane = Literal["sagittal", "frontal"]
Space = Literal["image", "world"]


@dataclass(frozen=True, slots=True)
class AngleSpec:
    """One angle: its name, how it is computed, from which landmarks, and its anatomical plane.

    ``points`` order by method: flexion / sagittal_signed ``(a, b, c)`` with the vertex ``b``;
    ankle ``(knee, ankle, heel, foot_index)``; inclination / lateral_lean ``(l_shoulder,
    r_shoulder, l_hip, r_hip)``; obliquity ``(left, right)``; cva ``(shoulder, ear)``; fppa
    ``(hip, knee, ankle, other_hip)``. ``side`` is the body side a per-side angle belongs to.
    """

    name: str
    method: Method
    points: tuple[L, ...]
    plane: Plane
    description: str
    side: Literal["left", "right", "both"] = "both"


def _sides(
    stem: str, method: Method, pts: tuple[L, ...], plane: Plane, text: str
) -> tuple[AngleSpec, AngleSpec]:
    left = AngleSpec(f"left_{stem}", method, pts, plane, f"Left {text}", "left")
    mirrored = tuple(p.mirrored for p in pts)
    right = AngleSpec(f"right_{stem}", method, mirrored, plane, f"Right {text}", "right")
    return left, right


_TRUNK: Final = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)

#: The angle table (2D image-plane variants; each also exists in 3D as ``<name>_3d``).
ANGLES: Final[tuple[AngleSpec, ...]] = (
    *_sides(
        "hip_flexion",
        "sagittal_signed",
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        "sagittal",
        "hip flexion: thigh vs trunk line, 0 = in line, + = flexion, - = extension",
    ),
    *_sides(
        "knee_flexion",
        "flexion",
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
        "sagittal",
        "knee flexion, 0 = straight",
    ),
    *_sides(
        "ankle_dorsiflexion",
        "ankle",
        (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
        "sagittal",
        "ankle: shank vs foot, 0 = at right angles, + = dorsiflexion",
    ),
    *_sides(
        "shoulder_flexion",
        "sagittal_signed",
        (L.LEFT_HIP, L.LEFT_SHOULDER, L.LEFT_ELBOW),
        "sagittal",
        "shoulder flexion: upper arm vs trunk, 0 = by the side, 180 = overhead",
    ),
    *_sides(
        "elbow_flexion",
        "flexion",
        (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST),
        "sagittal",
        "elbow flexion, 0 = straight",
    ),
    AngleSpec(
        "trunk_inclination",
        "inclination",
        _TRUNK,
        "sagittal",
        "Trunk (mid-hip to mid-shoulder) vs vertical, + = forward",
    ),
    AngleSpec(
        "trunk_lateral_lean",
        "lateral_lean",
        _TRUNK,
        "frontal",
        "Trunk vs vertical in the frontal plane, + = towards the person's right",
    ),
    *_sides(
        "craniovertebral_proxy",
        "cva",
        (L.LEFT_SHOULDER, L.LEFT_EAR),
        "sagittal",
        "head forward: horizontal vs shoulder-to-ear line (CVA proxy), smaller = more forward",
    ),
    AngleSpec(
        "shoulder_obliquity",
        "obliquity",
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        "frontal",
        "Shoulder line vs horizontal, + = right shoulder higher",
    ),
    AngleSpec(
        "pelvic_obliquity",
        "obliquity",
        (L.LEFT_HIP, L.RIGHT_HIP),
        "frontal",
        "Hip line vs horizontal, + = right hip higher",
    ),
    AngleSpec(
        "head_tilt",
        "obliquity",
        (L.LEFT_EAR, L.RIGHT_EAR),
        "frontal",
        "Ear line vs horizontal, + = right ear higher",
    ),
    *_sides(
        "knee_fppa",
        "fppa",
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.RIGHT_HIP),
        "frontal",
        "knee frontal-plane projection angle, + = valgus (knee inwards)",
    ),
)

ANGLE_NAMES: Final[tuple[str, ...]] = tuple(
    [s.name for s in ANGLES] + [f"{s.name}_3d" for s in ANGLES]
)


class Reliability(IntEnum):
    """Why a value may not be trusted (0 = sound)."""

    SOUND = 0
    MISSING = 1  # no person, or a landmark below the visibility threshold
    OUT_OF_PLANE = 2  # the camera does not look at the angle's plane
    FAR_SIDE = 3  # a one-sided sagittal head angle measured on the side away from the camera
    DEPTH_ESTIMATED = 4  # a 3D angle whose plane the camera sees edge-on: mostly predicted depth


@dataclass(frozen=True, slots=True, eq=False)
class AngleSeries:
    """Angles per frame: ``values_deg[name]`` (N,) and ``reliability[name]`` (N,) codes."""

    t_s: FloatArray
    names: tuple[str, ...]
    values_deg: dict[str, FloatArray]
    reliability: dict[str, npt.NDArray[np.uint8]]
    yaw_deg: FloatArray

    def sound(self, name: str) -> FloatArray:
        """Values of ``name`` with every unsound value replaced by NaN."""
        out = self.values_deg[name].copy()
        out[self.reliability[name] != Reliability.SOUND] = np.nan
        return out

    def sound_fraction(self, name: str) -> float:
        """Share of frames where ``name`` is sound."""
        codes = self.reliability[name]
        return float(np.mean(codes == Reliability.SOUND)) if codes.size else 0.0


# -- geometry kernels (arrays of points, (N, D)) ------------------------------------------------
def _f(x: object) -> FloatArray:
    """As a float64 array (numpy's ufuncs are typed loosely)."""
    return np.asarray(x, dtype=np.float64)


def _norm(v: FloatArray) -> FloatArray:
    """Euclidean norm over the last axis (what ``np.linalg.norm(v, axis=-1)`` computes, with the
    same arithmetic, without its per-call overhead)."""
    return _f(np.sqrt(np.add.reduce(v * v, axis=-1)))


def _unit(v: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return _f(v / _norm(v)[..., None])


def _dot(u: FloatArray, v: FloatArray) -> FloatArray:
    return _f(np.einsum("...i,...i->...", u, v))


def _cross(u: FloatArray, v: FloatArray) -> FloatArray:
    """Cross product of 3-vectors along the last axis, written out: the same products and
    differences as ``np.cross`` (identical results) at a fraction of its cost on small arrays
    (the live coach calls it a dozen times a frame)."""
    u0, u1, u2 = u[..., 0], u[..., 1], u[..., 2]
    v0, v1, v2 = v[..., 0], v[..., 1], v[..., 2]
    out = np.empty(np.broadcast_shapes(u.shape, v.shape), dtype=np.float64)
    out[..., 0] = u1 * v2 - u2 * v1
    out[..., 1] = u2 * v0 - u0 * v2
    out[..., 2] = u0 * v1 - u1 * v0
    return out


def angle_between_deg(u: FloatArray, v: FloatArray) -> FloatArray:
    """Unsigned angle between vectors, 0-180 degrees (numerically safe near 0 and 180)."""
    if u.shape[-1] == 2:
        cross_norm = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross_norm = _norm(_cross(u, v))
    return _f(np.degrees(np.arctan2(cross_norm, _dot(u, v))))


def interior_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at ``b`` between b->a and b->c, 0-180 degrees (180 = straight line)."""
    return angle_between_deg(a - b, c - b)


def _signed_2d(u: FloatArray, v: FloatArray) -> FloatArray:
    """Counter-clockwise angle from u to v in y-up 2D coordinates, (-180, 180]."""
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return _f(np.degrees(np.arctan2(cross, _dot(u, v))))


def _unwrap_runs(values: FloatArray) -> FloatArray:
    """Remove ±360° jumps inside each run of finite values; centre each run's median in ±180."""
    out = values.copy()
    finite = np.isfinite(values)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        run = np.degrees(np.unwrap(np.radians(values[start:stop])))
        shift = 360.0 * np.round(np.median(run) / 360.0)
        out[start:stop] = run - shift
    return out


@dataclass(frozen=True, slots=True)
class _Frame:
    """Per-frame body axes. 2D: y-up pixels, ``facing`` = +1 facing image right, -1 left."""

    up: FloatArray  # (N, D)
    forward: FloatArray  # (N, D) horizontal anterior direction
    right: FloatArray  # (N, D) person's right
    lateral: FloatArray  # (N, D) rotation axis for sagittal signs (3D); unused in 2D
    facing: FloatArray  # (N,) 2D only (ones in 3D, where the axes carry the facing direction)


def _facing_from_yaw(yaw_deg: FloatArray) -> FloatArray:
    """+1 facing image right, -1 facing image left, held through front/back views (no flips)."""
    facing = np.where(yaw_deg > 0, -1.0, 1.0)
    clear = sagittal_offset_deg(yaw_deg) < 45.0
    if clear.any():
        idx = np.where(clear, np.arange(len(yaw_deg)), -1)
        np.maximum.accumulate(idx, out=idx)
        first = int(np.flatnonzero(clear)[0])
        idx[idx < 0] = first
        facing = facing[idx]
    return facing


def _points(seq: PoseSequence, space: Space) -> FloatArray:
    """(N, 33, D) coordinates with y pointing UP (image: y negated; world: y negated)."""
    if space == "image":
        pts = seq.image_px[:, :, :2].copy()
        pts[:, :, 1] *= -1.0
        return pts
    pts = seq.world_m.copy()
    pts[:, :, 1] *= -1.0
    return pts


def _body_frame(pts: FloatArray, space: Space, yaw_deg: FloatArray) -> _Frame:
    n = pts.shape[0]
    # Means of two points written out (the same sum over two, halved, as ``mean(axis=1)``).
    right_mid = (pts[:, int(L.RIGHT_SHOULDER)] + pts[:, int(L.RIGHT_HIP)]) / 2.0
    left_mid = (pts[:, int(L.LEFT_SHOULDER)] + pts[:, int(L.LEFT_HIP)]) / 2.0
    lr = right_mid - left_mid
    if space == "image":
        facing = _facing_from_yaw(yaw_deg)
        up = np.tile([0.0, 1.0], (n, 1))
        forward = np.stack([facing, np.zeros(n)], axis=1)
        right = np.stack([np.sign(lr[:, 0]), np.zeros(n)], axis=1)
        return _Frame(up=up, forward=forward, right=right, lateral=right, facing=facing)
    up = np.tile([0.0, 1.0, 0.0], (n, 1))
    lateral = _unit(lr)
    right = _unit(lateral - _dot(lateral, up)[:, None] * up)
    # With y up, x right and z away from the camera the axes are left-handed, hence right x up.
    forward = _unit(_cross(right, up))
    return _Frame(up=up, forward=forward, right=right, lateral=lateral, facing=np.ones(n))


def _compute(spec: AngleSpec, pts: FloatArray, frame: _Frame, space: Space) -> FloatArray:
    p = [pts[:, int(i)] for i in spec.points]
    m = spec.method
    if m == "flexion":
        return 180.0 - interior_deg(p[0], p[1], p[2])
    if m == "ankle":
        return 90.0 - angle_between_deg(p[0] - p[1], p[3] - p[2])
    if m == "sagittal_signed":
        u, v = p[1] - p[0], p[2] - p[1]  # proximal segment (continued), distal segment
        if spec.points[1] in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
            u, v = p[0] - p[1], p[2] - p[1]  # shoulder: trunk-down vs upper arm, from the vertex
        if space == "image":
            return _signed_2d(u, v) * frame.facing
        axis = frame.lateral
        u_p = u - _dot(u, axis)[:, None] * axis
        v_p = v - _dot(v, axis)[:, None] * axis
        magnitude = angle_between_deg(u_p, v_p)
        sign = np.sign(_dot(_cross(u_p, v_p), axis))
        return _f(magnitude * np.where(sign == 0, 1.0, -sign))
    if m in ("inclination", "lateral_lean"):
        trunk = (p[0] + p[1]) / 2.0 - (p[2] + p[3]) / 2.0
        across = frame.forward if m == "inclination" else frame.right
        return _f(np.degrees(np.arctan2(_dot(trunk, across), _dot(trunk, frame.up))))
    if m == "obliquity":
        d = p[1] - p[0]
        rise = _dot(d, frame.up)
        horizontal = _norm(d - rise[:, None] * frame.up)
        return _f(np.degrees(np.arctan2(rise, horizontal)))
    if m == "cva":
        v = p[1] - p[0]
        return _f(np.degrees(np.arctan2(_dot(v, frame.up), _dot(v, frame.forward))))
    if m == "fppa":
        hip, knee, ankle, other = p
        if space == "world":  # project on the frontal plane
            n_f = frame.forward
            hip, knee, ankle, other = (
                x - _dot(x, n_f)[:, None] * n_f for x in (hip, knee, ankle, other)
            )
        magnitude = 180.0 - interior_deg(hip, knee, ankle)
        line = ankle - hip
        side_knee = _cross_z(line, knee - hip, frame, space)
        side_mid = _cross_z(line, other - hip, frame, space)
        return _f(magnitude * np.where(np.sign(side_knee) == np.sign(side_mid), 1.0, -1.0))
    raise AssertionError(f"unknown method {m}")  # pragma: no cover - Literal is exhaustive


def _cross_z(u: FloatArray, v: FloatArray, frame: _Frame, space: Space) -> FloatArray:
    if space == "image":
        return u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return _dot(_cross(u, v), frame.forward)


def compute_angles(
    sequence: PoseSequence,
    yaw_deg: FloatArray,
    *,
    view_tolerance_deg: float = 30.0,
) -> AngleSeries:
    """Every angle of the table, 2D and 3D, with a reliability code per frame.

    Parameters
    ----------
    sequence
        Cleaned landmarks (low-visibility points already NaN).
    yaw_deg
        Body yaw per frame from :func:`backrehab.pose.view.body_yaw_deg`.
    view_tolerance_deg
        A 2D sagittal angle is sound only within this many degrees of a side view, a 2D frontal
        angle only within this of a front or back view. A 3D angle is sound from every view but
        the one that sees its plane edge-on (a sagittal angle within this of a front or back
        view, a frontal one within this of a side view): there its change lies along the
        camera's depth axis, which the model predicts rather than measures (``DEPTH_ESTIMATED``;
        the value is kept in ``values_deg`` for callers that name their source).

    Returns
    -------
    AngleSeries
        Degrees; NaN where a landmark is missing. Time series are unwrapped (no ±360° jumps).
    """
    values: dict[str, FloatArray] = {}
    codes: dict[str, npt.NDArray[np.uint8]] = {}
    sag_ok = sagittal_offset_deg(yaw_deg) <= view_tolerance_deg
    front_ok = frontal_offset_deg(yaw_deg) <= view_tolerance_deg
    near_left = yaw_deg > 0
    for space in ("image", "world"):
        pts = _points(sequence, space)
        frame = _body_frame(pts, space, yaw_deg)
        for spec in ANGLES:
            name = spec.name if space == "image" else f"{spec.name}_3d"
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", category=RuntimeWarning)
                raw = _compute(spec, pts, frame, space)
            value = _unwrap_runs(np.asarray(raw, dtype=float))
            code = np.zeros(len(value), dtype=np.uint8)
            if space == "image":
                plane_ok = sag_ok if spec.plane == "sagittal" else front_ok
                code[~plane_ok] = Reliability.OUT_OF_PLANE
            else:  # the plane seen edge-on: the angle lies along the camera's depth axis
                edge_on = front_ok if spec.plane == "sagittal" else sag_ok
                code[edge_on] = Reliability.DEPTH_ESTIMATED
            if space == "image" and spec.method == "cva" and spec.side != "both":
                near = near_left if spec.side == "left" else ~near_left
                code[(code == Reliability.SOUND) & ~near] = Reliability.FAR_SIDE
            code[~np.isfinite(value)] = Reliability.MISSING
            values[name] = value
            codes[name] = code
    return AngleSeries(
        t_s=np.asarray(sequence.t_s, dtype=float),
        names=ANGLE_NAMES,
        values_deg=values,
        reliability=codes,
        yaw_deg=np.asarray(yaw_deg, dtype=float),
    )
