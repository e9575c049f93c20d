"""Signals that drive repetitions and form rules, computed from landmarks of any number of frames.

Input: world coordinates (N, 33, 3) in metres (y down, origin between the hips), wrapped in a
:class:`Body`. Output: one value per frame (degrees or body lengths). Every signal is 3D so that it
reads the same from any camera angle; the registry :data:`SIGNALS` names them for the specs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Final

import numpy as np
import numpy.typing as npt

from backrehab.pose.angles import (
    ANGLES,
    AngleSpec,
    _body_frame,
    _compute,
    _Frame,
    _norm,
    interior_deg,
)
from backrehab.pose.landmarks import MIRROR_INDEX
from backrehab.pose.landmarks import Landmark as L

FloatArray = npt.NDArray[np.float64]


@contextmanager
def _quiet() -> Iterator[None]:
    """NaN landmarks (unseen) give NaN signals, without floating-point warnings."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        yield


class Body:
    """World landmarks of N frames with the y-up copy, the body axes and every signal computed
    once, shared by all the signals of a frame (the live coach computes several per frame)."""

    def __init__(self, world_m: FloatArray) -> None:
        self.world = world_m
        self._pts: FloatArray | None = None
        self._frame: _Frame | None = None
        self._both: tuple[FloatArray, _Frame] | None = None
        self._memo: dict[str, FloatArray] = {}

    @property
    def pts(self) -> FloatArray:
        """y-up copy for the angle kernels."""
        if self._pts is None:
            pts = self.world.copy()
            pts[:, :, 1] *= -1.0
            self._pts = pts
        return self._pts

    @property
    def frame(self) -> _Frame:
        """Body axes (see :mod:`backrehab.pose.angles`)."""
        if self._frame is None:
            with _quiet():
                self._frame = _body_frame(self.pts, "world", np.zeros(len(self.world)))
        return self._frame

    @property
    def both_sides(self) -> tuple[FloatArray, _Frame]:
        """The y-up points followed by their left-right mirror (2N frames), with the body axes
        repeated: a left-side angle computed on them gives the left values, then the right ones,
        in one pass (the same arithmetic as the right-side angle on :attr:`pts`)."""
        if self._both is None:
            pts, f = self.pts, self.frame
            self._both = (
                np.concatenate([pts, pts[:, MIRROR_INDEX]]),
                _Frame(
                    up=np.concatenate([f.up, f.up]),
                    forward=np.concatenate([f.forward, f.forward]),
                    right=np.concatenate([f.right, f.right]),
                    lateral=np.concatenate([f.lateral, f.lateral]),
                    facing=np.concatenate([f.facing, f.facing]),
                ),
            )
        return self._both

    def memo(self, key: str, compute: Callable[[], FloatArray]) -> FloatArray:
        """``compute()`` the first time ``key`` is asked for, the stored result afterwards."""
        if key not in self._memo:
            self._memo[key] = np.asarray(compute(), dtype=np.float64)
        return self._memo[key]


Signal = Callable[[Body], FloatArray]

_SPECS: Final[dict[str, AngleSpec]] = {s.name: s for s in ANGLES}


def _p(w: FloatArray, lm: L) -> FloatArray:
    return w[:, int(lm)]


def _seg(w: FloatArray, a: L, b: L) -> FloatArray:
    return _norm(_p(w, a) - _p(w, b))


def _mean2(a: FloatArray, b: FloatArray) -> FloatArray:
    """Mean of two per-frame values, or the one that is known (NaN when neither is)."""
    return np.asarray(np.where(np.isnan(a), b, np.where(np.isnan(b), a, (a + b) / 2.0)))


def _left_twins() -> dict[str, tuple[AngleSpec, int]]:
    """Per-side angle name -> (its left-side spec, 0 for left / 1 for right)."""
    out: dict[str, tuple[AngleSpec, int]] = {}
    for spec in ANGLES:
        if spec.side != "left":
            continue
        right = _SPECS[spec.name.replace("left_", "right_", 1)]
        assert right.points == tuple(p.mirrored for p in spec.points), right.name
        out[spec.name], out[right.name] = (spec, 0), (spec, 1)
    return out


_TWINS: Final = _left_twins()


def world_angle(name: str) -> Signal:
    """The 3D variant of a named angle of the angle table (degrees). A per-side angle is
    computed for both sides at once (see :attr:`Body.both_sides`) and shared by the pair."""
    spec = _SPECS[name]
    twin = _TWINS.get(name)
    if twin is None:

        def signal(body: Body) -> FloatArray:
            return body.memo(name, lambda: _compute(spec, body.pts, body.frame, "world"))

    else:
        left, half = twin

        def both(body: Body) -> FloatArray:
            pts, frame = body.both_sides
            return _compute(left, pts, frame, "world")

        def signal(body: Body) -> FloatArray:
            values = body.memo(f"both:{left.name}", lambda: both(body))
            n = len(body.world)
            return values[:n] if half == 0 else values[n:]

    signal.__name__ = f"{name}_3d"
    return signal


def hip_height(body: Body) -> FloatArray:
    """Hips above the ankles, in leg lengths (1 = standing straight; lower when squatting)."""
    world = body.world
    leg = _mean2(
        _seg(world, L.LEFT_HIP, L.LEFT_KNEE) + _seg(world, L.LEFT_KNEE, L.LEFT_ANKLE),
        _seg(world, L.RIGHT_HIP, L.RIGHT_KNEE) + _seg(world, L.RIGHT_KNEE, L.RIGHT_ANKLE),
    )
    ankles = _mean2(world[:, int(L.LEFT_ANKLE), 1], world[:, int(L.RIGHT_ANKLE), 1])
    hips = _mean2(world[:, int(L.LEFT_HIP), 1], world[:, int(L.RIGHT_HIP), 1])
    return np.asarray((ankles - hips) / leg, dtype=np.float64)


def _both_sides(stem: str, how: str) -> Signal:
    """``how`` (mean, max or min) of the left and right 3D values of a per-side angle; the
    side that is seen when the other is not."""
    left, right = world_angle(f"left_{stem}"), world_angle(f"right_{stem}")
    reduce: Callable[[FloatArray, FloatArray], FloatArray]
    if how == "mean":
        reduce = _mean2
    elif how == "max":
        reduce = np.fmax
    elif how == "min":
        reduce = np.fmin
    else:
        raise ValueError(f"unknown reduction {how}")

    def signal(body: Body) -> FloatArray:
        return np.asarray(reduce(left(body), right(body)), dtype=np.float64)

    signal.__name__ = f"{how}_{stem}"
    return signal


def body_arch(body: Body) -> FloatArray:
    """180 - interior(shoulder, hip, ankle), mean of both sides: 0 = straight body line."""
    world = body.world
    left, right = (
        interior_deg(
            _p(world, L[f"{s}_SHOULDER"]), _p(world, L[f"{s}_HIP"]), _p(world, L[f"{s}_ANKLE"])
        )
        for s in ("LEFT", "RIGHT")
    )
    return np.asarray(180.0 - _mean2(left, right), dtype=np.float64)


def shoulder_over_hands(body: Body) -> FloatArray:
    """Shoulders above the wrists, in arm lengths (1 = arms straight under the body)."""
    world = body.world
    arm = _mean2(
        _seg(world, L.LEFT_SHOULDER, L.LEFT_ELBOW) + _seg(world, L.LEFT_ELBOW, L.LEFT_WRIST),
        _seg(world, L.RIGHT_SHOULDER, L.RIGHT_ELBOW) + _seg(world, L.RIGHT_ELBOW, L.RIGHT_WRIST),
    )
    wrists = _mean2(world[:, int(L.LEFT_WRIST), 1], world[:, int(L.RIGHT_WRIST), 1])
    shoulders = _mean2(world[:, int(L.LEFT_SHOULDER), 1], world[:, int(L.RIGHT_SHOULDER), 1])
    return np.asarray((wrists - shoulders) / arm, dtype=np.float64)


def elbow_under_shoulder(body: Body) -> FloatArray:
    """Angle of the upper arm from vertical (elbow below the shoulder), the smaller side, deg."""
    world = body.world
    up = np.array([0.0, -1.0, 0.0])
    angles = []
    for s in ("LEFT", "RIGHT"):
        arm = _p(world, L[f"{s}_SHOULDER"]) - _p(world, L[f"{s}_ELBOW"])
        cos = (arm @ up) / _norm(arm)
        angles.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return np.asarray(np.fmin(angles[0], angles[1]), dtype=np.float64)


def trunk_from_vertical(body: Body) -> FloatArray:
    """Unsigned angle of the trunk (mid-hip to mid-shoulder) from vertical, deg: 0 = upright,
    90 = lying or on all fours, above 90 = shoulders below the hips (a bridge). It tells the
    exercise position (standing, lying, on all fours) whichever way the person faces."""
    world = body.world
    shoulders = (_p(world, L.LEFT_SHOULDER) + _p(world, L.RIGHT_SHOULDER)) / 2.0
    hips = (_p(world, L.LEFT_HIP) + _p(world, L.RIGHT_HIP)) / 2.0
    trunk = shoulders - hips
    up = -trunk[:, 1]  # world y points down
    cos = up / _norm(trunk)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


#: Named signals for movement specs; angle names of the table are also accepted (3D variant).
SIGNALS: Final[dict[str, Signal]] = {
    "hip_height": hip_height,
    "body_arch": body_arch,
    "shoulder_over_hands": shoulder_over_hands,
    "elbow_under_shoulder": elbow_under_shoulder,
    "mean_hip_flexion": _both_sides("hip_flexion", "mean"),
    "mean_knee_flexion": _both_sides("knee_flexion", "mean"),
    "mean_elbow_flexion": _both_sides("elbow_flexion", "mean"),
    "max_knee_flexion": _both_sides("knee_flexion", "max"),
    "min_hip_flexion": _both_sides("hip_flexion", "min"),
    "max_shoulder_flexion": _both_sides("shoulder_flexion", "max"),
    "max_elbow_flexion": _both_sides("elbow_flexion", "max"),
    "trunk_inclination": world_angle("trunk_inclination"),
    "trunk_from_vertical": trunk_from_vertical,
}


def table_angle_name(name: str) -> str:
    """The angle of the table a signal name stands for (``left_knee_fppa`` or its
    ``left_knee_fppa_3d`` spelling give ``left_knee_fppa``).

    Raises
    ------
    KeyError
        No angle of the table has that name.
    """
    base = name.removesuffix("_3d")
    if base in _SPECS:
        return base
    raise KeyError(name)


def _raw(name: str) -> Signal:
    return SIGNALS[name] if name in SIGNALS else world_angle(table_angle_name(name))


def signal_named(name: str) -> Signal:
    """The signal called ``name`` (registry entry or a table angle such as ``left_knee_fppa``);
    NaN where its landmarks are unseen."""
    raw = _raw(name)

    def signal(body: Body) -> FloatArray:
        with _quiet():
            return body.memo(f"signal:{name}", lambda: raw(body))

    signal.__name__ = name
    signal.__doc__ = raw.__doc__
    return signal


def compute_signals(body: Body, names: Iterable[str]) -> dict[str, FloatArray]:
    """Several signals of the same frames at once (one warning guard, shared intermediates).

    Raises
    ------
    KeyError
        A name is neither a registry signal nor a table angle.
    """
    raws = {name: _raw(name) for name in names}
    out: dict[str, FloatArray] = {}
    with _quiet():
        for name, raw in raws.items():
            key = f"signal:{name}"
            if key not in body._memo:
                body._memo[key] = np.asarray(raw(body), dtype=np.float64)
            out[name] = body._memo[key]
    return out
