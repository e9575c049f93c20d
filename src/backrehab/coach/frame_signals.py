"""The coach's signals for ONE frame in plain Python floats: the live coach's fast path.

Input: 33 world landmarks ``(x, y, z)`` in metres (y down, NaN where unseen). Output: the
named signals (degrees or body lengths) and the body yaw, as floats. The formulas are those of
:mod:`backrehab.coach.signals` and :mod:`backrehab.pose.angles` on arrays, written for one frame:
numpy costs about a microsecond a call on tiny arrays, a float operation some 30 ns, so one live
frame's signals cost a fraction of the array version. Equality with the array version (within
1e-9, NaN where it gives NaN) is property-tested on random bodies and on recorded streams.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from backrehab.coach.engine import YAW_KEY
from backrehab.coach.signals import table_angle_name
from backrehab.coach.specs import MovementSpec
from backrehab.pose.angles import ANGLES, AngleSpec
from backrehab.pose.landmarks import Landmark as L

Vec = Sequence[float]  # (x, y, z)
Points = Sequence[Vec]  # 33 landmarks

_NAN: Final = math.nan
_UP: Final[Vec] = (0.0, 1.0, 0.0)  # y up (the angle kernels' convention)
_SPECS: Final[dict[str, AngleSpec]] = {s.name: s for s in ANGLES}
_SHOULDERS: Final = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)


# -- float arithmetic with numpy's NaN and division rules ---------------------------------------
def _div(a: float, b: float) -> float:
    """``a / b`` as numpy divides: x/0 is +-inf, 0/0 (or NaN) is NaN, never an exception."""
    if b == 0.0:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _mid(a: Vec, b: Vec) -> Vec:
    return ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0, (a[2] + b[2]) / 2.0)


def _dot(a: Vec, b: Vec) -> float:
    """Summed from +0.0 as ``np.einsum`` does, so a zero dot product is +0.0, never -0.0 (the
    sign of a zero decides ``atan2`` between 0 and 180 degrees)."""
    return 0.0 + a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(u: Vec, v: Vec) -> Vec:
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def _norm(v: Vec) -> float:
    return math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])


def _unit(v: Vec) -> Vec:
    n = _norm(v)
    return (_div(v[0], n), _div(v[1], n), _div(v[2], n))


def _minus_along(v: Vec, axis: Vec) -> Vec:
    """``v`` without its component along the unit ``axis`` (a projection on a plane)."""
    k = _dot(v, axis)
    return (v[0] - k * axis[0], v[1] - k * axis[1], v[2] - k * axis[2])


def _angle_between(u: Vec, v: Vec) -> float:
    return math.degrees(math.atan2(_norm(_cross(u, v)), _dot(u, v)))


def _interior(a: Vec, b: Vec, c: Vec) -> float:
    return _angle_between(_sub(a, b), _sub(c, b))


def _acos_deg(cos: float) -> float:
    if cos != cos:
        return _NAN
    return math.degrees(math.acos(-1.0 if cos < -1.0 else 1.0 if cos > 1.0 else cos))


def _sign(x: float) -> float:
    """``np.sign``: -1, 0, 1, or NaN."""
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0 if x == 0 else _NAN


def _mean2(a: float, b: float) -> float:
    """Mean of two values, or the one that is known (NaN when neither is)."""
    if a != a:
        return b
    if b != b:
        return a
    return (a + b) / 2.0


def _fmax(a: float, b: float) -> float:
    """``np.fmax``: the larger, ignoring a NaN."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def _fmin(a: float, b: float) -> float:
    """``np.fmin``: the smaller, ignoring a NaN."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def _nanmean2(a: float, b: float) -> float:
    """``np.nanmean`` of two values (NaN when neither is known)."""
    known = [x for x in (a, b) if x == x]
    return sum(known) / len(known) if known else _NAN


class OneFrame:
    """World landmarks of one frame, with the y-up copy and the body axes computed once."""

    __slots__ = ("_memo", "forward", "lateral", "pts", "right", "world")

    def __init__(self, world_m: Points) -> None:
        self.world = world_m
        self.pts: list[Vec] = [(p[0], -p[1], p[2]) for p in world_m]
        pts = self.pts
        right_mid = _mid(pts[L.RIGHT_SHOULDER], pts[L.RIGHT_HIP])
        left_mid = _mid(pts[L.LEFT_SHOULDER], pts[L.LEFT_HIP])
        self.lateral = _unit(_sub(right_mid, left_mid))
        self.right = _unit(_minus_along(self.lateral, _UP))
        # y up, x right, z away from the camera: left-handed axes, hence right x up.
        self.forward = _unit(_cross(self.right, _UP))
        self._memo: dict[str, float] = {}


def table_angle(spec: AngleSpec, f: OneFrame) -> float:
    """One angle of the table in 3D (``backrehab.pose.angles._compute`` in world space)."""
    p = [f.pts[int(i)] for i in spec.points]
    m = spec.method
    if m == "flexion":
        return 180.0 - _interior(p[0], p[1], p[2])
    if m == "ankle":
        return 90.0 - _angle_between(_sub(p[0], p[1]), _sub(p[3], p[2]))
    if m == "sagittal_signed":
        if spec.points[1] in _SHOULDERS:
            u, v = _sub(p[0], p[1]), _sub(p[2], p[1])
        else:
            u, v = _sub(p[1], p[0]), _sub(p[2], p[1])
        u_p, v_p = _minus_along(u, f.lateral), _minus_along(v, f.lateral)
        sign = _sign(_dot(_cross(u_p, v_p), f.lateral))
        return _angle_between(u_p, v_p) * (1.0 if sign == 0 else -sign)
    if m in ("inclination", "lateral_lean"):
        trunk = _sub(_mid(p[0], p[1]), _mid(p[2], p[3]))
        across = f.forward if m == "inclination" else f.right
        return math.degrees(math.atan2(_dot(trunk, across), _dot(trunk, _UP)))
    if m == "obliquity":
        d = _sub(p[1], p[0])
        rise = _dot(d, _UP)
        return math.degrees(math.atan2(rise, _norm(_minus_along(d, _UP))))
    if m == "cva":
        v = _sub(p[1], p[0])
        return math.degrees(math.atan2(_dot(v, _UP), _dot(v, f.forward)))
    if m == "fppa":
        hip, knee, ankle, other = (_minus_along(x, f.forward) for x in p)
        magnitude = 180.0 - _interior(hip, knee, ankle)
        line = _sub(ankle, hip)
        side_knee = _sign(_dot(_cross(line, _sub(knee, hip)), f.forward))
        side_mid = _sign(_dot(_cross(line, _sub(other, hip)), f.forward))
        return magnitude * (1.0 if side_knee == side_mid else -1.0)
    raise AssertionError(f"unknown method {m}")  # pragma: no cover - Literal is exhaustive


def _seg(w: Points, a: L, b: L) -> float:
    return _norm(_sub(w[a], w[b]))


def _height_in_limb_lengths(
    w: Points, top: tuple[L, L], mid: tuple[L, L], end: tuple[L, L]
) -> float:
    """How far the ``top`` joints (left, right) are above the ``end`` joints, in lengths of the
    limb top-mid-end; each a mean of both sides, or the side that is seen (world y down)."""
    limb = _mean2(
        _seg(w, top[0], mid[0]) + _seg(w, mid[0], end[0]),
        _seg(w, top[1], mid[1]) + _seg(w, mid[1], end[1]),
    )
    lower = _mean2(w[end[0]][1], w[end[1]][1])
    upper = _mean2(w[top[0]][1], w[top[1]][1])
    return _div(lower - upper, limb)


def hip_height(f: OneFrame) -> float:
    """Hips above the ankles, in leg lengths (see :func:`backrehab.coach.signals.hip_height`)."""
    return _height_in_limb_lengths(
        f.world,
        (L.LEFT_HIP, L.RIGHT_HIP),
        (L.LEFT_KNEE, L.RIGHT_KNEE),
        (L.LEFT_ANKLE, L.RIGHT_ANKLE),
    )


def body_arch(f: OneFrame) -> float:
    """180 - interior(shoulder, hip, ankle), mean of both sides (0 = straight body line)."""
    w = f.world
    left = _interior(w[L.LEFT_SHOULDER], w[L.LEFT_HIP], w[L.LEFT_ANKLE])
    right = _interior(w[L.RIGHT_SHOULDER], w[L.RIGHT_HIP], w[L.RIGHT_ANKLE])
    return 180.0 - _mean2(left, right)


def shoulder_over_hands(f: OneFrame) -> float:
    """Shoulders above the wrists, in arm lengths."""
    return _height_in_limb_lengths(
        f.world,
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        (L.LEFT_ELBOW, L.RIGHT_ELBOW),
        (L.LEFT_WRIST, L.RIGHT_WRIST),
    )


def elbow_under_shoulder(f: OneFrame) -> float:
    """Angle of the upper arm from vertical, the smaller side, deg."""
    w = f.world
    angles = []
    for shoulder, elbow in ((L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW)):
        arm = _sub(w[shoulder], w[elbow])
        angles.append(_acos_deg(_div(-arm[1], _norm(arm))))  # arm . (0, -1, 0)
    return _fmin(angles[0], angles[1])


def trunk_from_vertical(f: OneFrame) -> float:
    """Unsigned angle of the trunk from vertical, deg (0 upright, 90 lying, >90 a bridge)."""
    w = f.world
    trunk = _sub(_mid(w[L.LEFT_SHOULDER], w[L.RIGHT_SHOULDER]), _mid(w[L.LEFT_HIP], w[L.RIGHT_HIP]))
    return _acos_deg(_div(-trunk[1], _norm(trunk)))


FrameSignal = Callable[[OneFrame], float]


def _table(name: str) -> FrameSignal:
    spec = _SPECS[name]

    def signal(f: OneFrame) -> float:
        value = f._memo.get(name)
        if value is None:
            value = f._memo[name] = table_angle(spec, f)
        return value

    return signal


def _reduced(stem: str, reduce: Callable[[float, float], float]) -> FrameSignal:
    left, right = _table(f"left_{stem}"), _table(f"right_{stem}")
    return lambda f: reduce(left(f), right(f))


#: The registry of :data:`backrehab.coach.signals.SIGNALS`, for one frame.
FRAME_SIGNALS: Final[dict[str, FrameSignal]] = {
    "hip_height": hip_height,
    "body_arch": body_arch,
    "shoulder_over_hands": shoulder_over_hands,
    "elbow_under_shoulder": elbow_under_shoulder,
    "mean_hip_flexion": _reduced("hip_flexion", _mean2),
    "mean_knee_flexion": _reduced("knee_flexion", _mean2),
    "mean_elbow_flexion": _reduced("elbow_flexion", _mean2),
    "max_knee_flexion": _reduced("knee_flexion", _fmax),
    "min_hip_flexion": _reduced("hip_flexion", _fmin),
    "max_shoulder_flexion": _reduced("shoulder_flexion", _fmax),
    "max_elbow_flexion": _reduced("elbow_flexion", _fmax),
    "trunk_inclination": _table("trunk_inclination"),
    "trunk_from_vertical": trunk_from_vertical,
}


def frame_signal(name: str) -> FrameSignal:
    """The one-frame signal called ``name`` (registry entry or a table angle, ``_3d`` allowed).

    Raises
    ------
    KeyError
        Neither a registry signal nor a table angle.
    """
    return FRAME_SIGNALS[name] if name in FRAME_SIGNALS else _table(table_angle_name(name))


def frame_yaw_deg(world_m: Points) -> float:
    """Body yaw of one frame (:func:`backrehab.coach.run.yaw_deg`), deg; NaN when unseen."""
    rs, rh = world_m[L.RIGHT_SHOULDER], world_m[L.RIGHT_HIP]
    ls, lh = world_m[L.LEFT_SHOULDER], world_m[L.LEFT_HIP]
    axis_x = _nanmean2(rs[0], rh[0]) - _nanmean2(ls[0], lh[0])
    axis_z = _nanmean2(rs[2], rh[2]) - _nanmean2(ls[2], lh[2])
    return math.degrees(math.atan2(axis_z, -axis_x))


def frame_features(world_m: Points, spec: MovementSpec, names: Iterable[str]) -> dict[str, float]:
    """The named signals of one frame, plus the yaw under ``YAW_KEY`` when a form rule of
    ``spec`` is bound to a camera view (what :func:`~backrehab.coach.run.compute_features`
    gives for one frame).

    Raises
    ------
    KeyError
        A name is neither a registry signal nor a table angle.
    """
    frame = OneFrame(world_m)
    out = {name: frame_signal(name)(frame) for name in names}
    if spec.needs_yaw:
        out[YAW_KEY] = frame_yaw_deg(world_m)
    return out
