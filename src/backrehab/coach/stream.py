"""The streaming coach: world landmarks of one frame in, the live count, hold timer and cue out.

Input per frame: media time (s), world landmarks (33, 3) in metres (NaN allowed; None when no
pose was found) and visibility (33,) in 0-1. Each frame: low-visibility points masked, One-Euro
filtered, the spec's signals, one engine step. Output: a frozen :class:`LiveState` per frame and,
at the end, the same :class:`~backrehab.coach.run.CoachReport` as the offline path.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from backrehab.coach.engine import (
    REACQUIRE_GAP_S,
    YAW_KEY,
    Frame,
    HoldEngine,
    RepEngine,
)
from backrehab.coach.frame_signals import frame_features, frame_yaw_deg
from backrehab.coach.run import CoachReport, engine_report, spec_signal_names
from backrehab.coach.specs import MovementSpec
from backrehab.coach.wire import MAX_WORLD_M, WireFrame
from backrehab.errors import BackrehabError, ConfigError
from backrehab.pose.filtering import OneEuroFilter
from backrehab.pose.landmarks import CORE_LANDMARKS, N_LANDMARKS
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.view import View, classify_view

FloatArray = npt.NDArray[np.float64]

Status = Literal["getting_ready", "counting", "holding", "paused", "adjust_camera"]

#: One-Euro settings of the live path (landmarks in metres, 15-30 frames/s).
MIN_CUTOFF_HZ: Final = 1.5
BETA: Final = 0.5

_CORE: Final = np.array([int(lm) for lm in CORE_LANDMARKS])
#: Body parts named when the camera cannot see what the exercise needs.
_PARTS: Final[tuple[tuple[str, L, L], ...]] = (
    ("shoulders", L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    ("elbows", L.LEFT_ELBOW, L.RIGHT_ELBOW),
    ("wrists", L.LEFT_WRIST, L.RIGHT_WRIST),
    ("hips", L.LEFT_HIP, L.RIGHT_HIP),
    ("knees", L.LEFT_KNEE, L.RIGHT_KNEE),
    ("ankles", L.LEFT_ANKLE, L.RIGHT_ANKLE),
)

NOT_FOUND_MESSAGE: Final = "Paused: the camera cannot see you. Step back into the picture."
REACQUIRE_MESSAGE: Final = "Paused: finding you again; keep still for a moment."


class StreamInputError(BackrehabError, ValueError):
    """Landmarks given to the live coach have the wrong shape or impossible values, or the set
    has already finished; the message names the problem."""


@dataclass(frozen=True, slots=True)
class LiveState:
    """What the live coach says after one frame.

    ``status``: ``getting_ready`` (not yet in the start position, or out of the exercise
    position), ``counting`` (repetitions being followed), ``holding`` (a hold timer running),
    ``paused`` (nobody found, or finding the person again after a gap: nothing is counted, nothing
    reset) or ``adjust_camera`` (a person is found but the body parts the exercise needs are not
    visible). ``cue`` is a form cue backed by this frame's measurement (None otherwise);
    ``message`` tells the user what to do when paused, not ready or badly framed, or which way to
    turn for a form check the camera view cannot judge. ``sets`` is the current set's number (a
    hold exercise: holds so far, the running one included). ``hold_s`` is the running hold,
    ``total_hold_s`` every hold so far with it. ``view`` is the camera's view of the body in this
    frame (``front``, ``back``, ``left side``, ``right side`` or ``unknown``). ``accepted`` is
    False for a frame whose time is not after the last accepted one: it was ignored and the rest
    is the state before it. ``coach_ms`` is the time the coach took for this frame.
    """

    t_s: float
    accepted: bool
    status: Status
    reps: int
    partial_reps: int
    reps_left: int
    reps_right: int
    hold_s: float
    total_hold_s: float
    sets: int
    cue: str | None
    message: str | None
    view: str
    coach_ms: float

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready dict (times rounded to ms)."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["t_s"] = round(self.t_s, 3)
        data["hold_s"] = round(self.hold_s, 3)
        data["total_hold_s"] = round(self.total_hold_s, 3)
        data["coach_ms"] = round(self.coach_ms, 4)
        return data


class LiveCoach:
    """Coach one set of one exercise frame by frame (the camera coach and the browser coach).

    Parameters
    ----------
    spec
        The exercise's movement spec.
    min_visibility
        Landmarks below this visibility (0-1) are treated as unseen: the coach pauses or asks
        for the camera to be adjusted rather than cue on guesses.

    Raises
    ------
    ConfigError
        ``min_visibility`` outside 0-1.
    """

    def __init__(self, spec: MovementSpec, *, min_visibility: float = 0.5) -> None:
        if not (isinstance(min_visibility, int | float) and 0.0 <= min_visibility <= 1.0):
            raise ConfigError(f"min_visibility must be a number in 0-1, got {min_visibility!r}.")
        self.spec = spec
        self.min_visibility = float(min_visibility)
        self._engine: RepEngine | HoldEngine = (
            RepEngine(spec) if spec.kind == "reps" else HoldEngine(spec)
        )
        self._smoother = OneEuroFilter(min_cutoff_hz=MIN_CUTOFF_HZ, beta=BETA)
        self._yaw_in_features = spec.needs_yaw
        self._signal_names = spec_signal_names(spec)
        self._last_t: float | None = None
        self._frames = 0
        self._measurable = 0
        self._costs_ms: list[float] = []
        self._report: CoachReport | None = None
        self._counted = (-1, 0, 0, 0, 0)  # (len(reps), reps, partials, left, right)
        self._state = LiveState(
            t_s=0.0,
            accepted=False,
            status="getting_ready",
            reps=0,
            partial_reps=0,
            reps_left=0,
            reps_right=0,
            hold_s=0.0,
            total_hold_s=0.0,
            sets=1 if spec.kind == "reps" else 0,
            cue=None,
            message=self._engine.status,
            view=View.UNKNOWN.value,
            coach_ms=0.0,
        )

    # -- public API ------------------------------------------------------------------------
    @property
    def engine(self) -> RepEngine | HoldEngine:
        """The engine being stepped (its ``status`` text suits an on-screen caption)."""
        return self._engine

    @property
    def state(self) -> LiveState:
        """The state after the last frame (before any frame: getting ready)."""
        return self._state

    @property
    def frames(self) -> int:
        """Frames accepted so far."""
        return self._frames

    @property
    def costs_ms(self) -> tuple[float, ...]:
        """Time the coach took for each accepted frame, ms."""
        return tuple(self._costs_ms)

    @property
    def finished(self) -> bool:
        """:meth:`finish` was called."""
        return self._report is not None

    def step_wire(self, frame: WireFrame) -> LiveState:
        """:meth:`step` with a frame parsed from the wire format."""
        return self.step(frame.t_s, frame.world_m, frame.visibility)

    def step(
        self, t_s: float, world_m: npt.ArrayLike | None, visibility: npt.ArrayLike | None
    ) -> LiveState:
        """Advance by one frame.

        Parameters
        ----------
        t_s
            Media time of the frame, seconds. A frame not strictly after the last accepted one
            (repeated or late) is ignored: the returned state says ``accepted=False``.
        world_m
            (33, 3) world landmarks in metres (NaN where unknown), or None when no pose was
            found in the frame.
        visibility
            (33,) visibility of each landmark, 0-1; None exactly when ``world_m`` is None.

        Raises
        ------
        StreamInputError
            The set has finished, ``t_s`` is not a finite number, or the arrays have the wrong
            shape, infinite or out-of-range values (world beyond +-10 m, visibility outside 0-1).
        """
        tic = time.perf_counter()
        if self._report is not None:
            raise StreamInputError("This set has finished; start a new set to coach again.")
        t = _check_time(t_s)
        world, vis = _check_arrays(world_m, visibility)
        if self._last_t is not None and not t > self._last_t:
            self._state = replace(
                self._state,
                t_s=t,
                accepted=False,
                coach_ms=(time.perf_counter() - tic) * 1000.0,
            )
            return self._state
        if self._last_t is not None and t - self._last_t > REACQUIRE_GAP_S:
            self._smoother.reset()  # no stale estimate across a gap in the stream
        self._last_t = t
        if world is None or vis is None:
            self._smoother.reset()
            smoothed = np.full((N_LANDMARKS, 3), np.nan)
            vis = np.zeros(N_LANDMARKS)
        else:
            masked = np.where((vis >= self.min_visibility)[:, None], world, np.nan)
            smoothed = self._smoother(t, masked)
        spec = self.spec
        # One frame: the float fast path of the array signals (same values, a tenth the cost).
        points = smoothed.tolist()
        values = frame_features(points, spec, self._signal_names)
        drive = values[spec.signal] if spec.kind == "reps" else 0.0
        core_seen = bool(np.all(vis[_CORE] >= self.min_visibility))
        ok = core_seen and (math.isfinite(drive) if spec.kind == "reps" else True)
        self._engine.step(Frame(t_s=t, ok=ok, signal=drive, values=values))
        self._frames += 1
        self._measurable += ok
        if world is None:
            yaw = math.nan
        elif self._yaw_in_features:
            yaw = values[YAW_KEY]
        else:
            yaw = frame_yaw_deg(points)
        state = self._make_state(t, ok, world is not None, vis, values, yaw)
        cost_ms = (time.perf_counter() - tic) * 1000.0
        self._costs_ms.append(cost_ms)
        self._state = replace(state, coach_ms=cost_ms)
        return self._state

    def finish(self) -> CoachReport:
        """End the set: an unfinished repetition becomes a partial, a running hold is kept.

        Returns the same report as :func:`~backrehab.coach.run.coach_sequence` (``frames`` and
        ``measurable_fraction`` over the accepted frames, ``coach_ms_per_frame`` their mean
        cost). Calling it again returns the same report.
        """
        if self._report is None:
            self._engine.finish()
            n = self._frames
            self._report = engine_report(
                self._engine,
                frames=n,
                measurable_fraction=round(self._measurable / n, 4) if n else 0.0,
                coach_ms_per_frame=float(np.mean(self._costs_ms)) if self._costs_ms else 0.0,
            )
        return self._report

    # -- the state -------------------------------------------------------------------------
    def _counts(self) -> tuple[int, int, int, int]:
        engine = self._engine
        if not isinstance(engine, RepEngine):
            return 0, 0, 0, 0
        if self._counted[0] != len(engine.reps):
            complete = [r for r in engine.reps if r.complete]
            self._counted = (
                len(engine.reps),
                len(complete),
                len(engine.reps) - len(complete),
                sum(r.side == "left" for r in complete),
                sum(r.side == "right" for r in complete),
            )
        return self._counted[1:]

    def _unseen_message(self, vis: FloatArray) -> str:
        """Which body parts the camera cannot see (both sides first, else either side)."""
        low = vis < self.min_visibility
        both = [name for name, a, b in _PARTS if low[int(a)] and low[int(b)]]
        either = [name for name, a, b in _PARTS if low[int(a)] or low[int(b)]]
        parts = both or either
        where = ", ".join(parts) if parts else "whole body"
        return (
            f"Adjust the camera: it cannot see your {where}. "
            "Your whole body must be in the picture."
        )

    def _make_state(
        self,
        t: float,
        ok: bool,
        found: bool,
        vis: FloatArray,
        values: dict[str, float],
        yaw: float,
    ) -> LiveState:
        engine = self._engine
        reps, partials, left, right = self._counts()
        status: Status
        cue: str | None = None
        message: str | None = None
        if isinstance(engine, RepEngine):
            hold_s = total_hold_s = 0.0
            sets = engine.set_index
            if not found:
                status, message = "paused", NOT_FOUND_MESSAGE
            elif not ok:
                status, message = "adjust_camera", self._unseen_message(vis)
            elif engine.reacquiring:
                status, message = "paused", REACQUIRE_MESSAGE
            elif engine.state == "waiting":
                status, message = "getting_ready", engine.status
            else:
                status = "counting"
                cue = engine.cue or None
                if engine.view_hint:
                    message = f"Camera: {engine.view_hint}"
        else:
            hold_s = engine.current_s
            total_hold_s = sum(h.duration_s for h in engine.holds) + hold_s
            running = engine.running
            sets = len(engine.holds) + int(running)
            unmeasured = ok and any(
                not math.isfinite(values.get(c.signal, math.nan)) for c in self.spec.hold_conditions
            )
            if running:
                status, cue = "holding", engine.cue or None
            elif not found:
                status, message = "paused", NOT_FOUND_MESSAGE
            elif ok and engine.view_hint:
                status, message = "adjust_camera", f"Camera: {engine.view_hint}"
            elif not ok or unmeasured:
                status, message = "adjust_camera", self._unseen_message(vis)
            else:
                status, cue = "getting_ready", engine.cue or None
                message = "Get into position" + (f": {engine.cue}" if engine.cue else "")
        view = classify_view(np.array([yaw]))[0].value
        return LiveState(
            t_s=t,
            accepted=True,
            status=status,
            reps=reps,
            partial_reps=partials,
            reps_left=left,
            reps_right=right,
            hold_s=hold_s,
            total_hold_s=total_hold_s,
            sets=sets,
            cue=cue,
            message=message,
            view=view,
            coach_ms=0.0,
        )


@dataclass(frozen=True, slots=True)
class StepTiming:
    """Cost of :meth:`LiveCoach.step` per frame over a replayed stream, ms."""

    frames: int
    mean_ms: float
    p95_ms: float
    max_ms: float

    def __str__(self) -> str:
        return (
            f"mean {self.mean_ms:.3f} ms, p95 {self.p95_ms:.3f} ms, max {self.max_ms:.3f} ms "
            f"a frame over {self.frames} frames"
        )


def time_steps(spec: MovementSpec, frames: Sequence[WireFrame], *, repeat: int = 3) -> StepTiming:
    """Replay a recorded stream ``repeat`` times through fresh coaches (after one replay to warm
    up) and time every step: what the server spends per frame, pose inference excluded.

    Raises
    ------
    ConfigError
        ``repeat`` below 1 or no frames.
    """
    if repeat < 1 or not frames:
        raise ConfigError("Timing the live coach needs at least one frame and one repeat.")
    costs: list[float] = []
    for round_ in range(repeat + 1):
        coach = LiveCoach(spec)
        for frame in frames:
            coach.step_wire(frame)
        if round_:
            costs.extend(coach.costs_ms)
    values = np.asarray(costs)
    return StepTiming(
        frames=len(costs),
        mean_ms=round(float(values.mean()), 4),
        p95_ms=round(float(np.percentile(values, 95)), 4),
        max_ms=round(float(values.max()), 4),
    )


def _check_time(t_s: object) -> float:
    if isinstance(t_s, bool) or not isinstance(t_s, int | float | np.floating | np.integer):
        raise StreamInputError(f"The frame time must be a number of seconds, got {t_s!r}.")
    t = float(t_s)
    if not math.isfinite(t):
        raise StreamInputError(f"The frame time must be finite, got {t_s!r}.")
    return t


def _check_arrays(
    world_m: npt.ArrayLike | None, visibility: npt.ArrayLike | None
) -> tuple[FloatArray | None, FloatArray | None]:
    if world_m is None:
        if visibility is not None:
            raise StreamInputError(
                "Visibility was given without world landmarks: give both, or None for both "
                "when no pose was found."
            )
        return None, None
    if visibility is None:
        raise StreamInputError("World landmarks need their visibility (33 values, 0-1).")
    try:
        world = np.asarray(world_m, dtype=np.float64)
        vis = np.asarray(visibility, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StreamInputError(
            "World landmarks and visibility must be arrays of numbers.", detail=str(exc)
        ) from exc
    if world.shape != (N_LANDMARKS, 3):
        raise StreamInputError(
            f"World landmarks must have the shape ({N_LANDMARKS}, 3), got {world.shape}."
        )
    if vis.shape != (N_LANDMARKS,):
        raise StreamInputError(f"Visibility must have the shape ({N_LANDMARKS},), got {vis.shape}.")
    if not bool(np.all((np.abs(world) <= MAX_WORLD_M) | np.isnan(world))):
        raise StreamInputError(
            f"World landmarks must be metres within +-{MAX_WORLD_M:g} (NaN where unknown); "
            "got an infinite or larger value."
        )
    if not bool(np.all((vis >= 0.0) & (vis <= 1.0))):
        raise StreamInputError("Visibility values must be numbers in 0-1 (no NaN).")
    return world, vis
