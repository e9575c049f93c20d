"""The generic coach engine: one repetition state machine and one hold timer for every spec.

Input: frames, one at a time (time in s, whether the measurement is trustworthy, the spec's signal
and rule values). Output: repetition and hold reports with times, range of motion, peak values,
form faults with their cues and a form score; the current status and cue for a live display.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from backrehab.coach.specs import FormRule, HoldCondition, MovementSpec

FloatArray = npt.NDArray[np.float64]

State = Literal["waiting", "ready", "moving", "reached"]

#: Start-position frames remembered for the range of motion of the next repetition.
READY_MEMORY_FRAMES = 90

#: After this long without a measurement, the person must be measured again for
#: :data:`REACQUIRE_S` before the count moves on: a few frames of a person "seen" in a title card
#: or a cross-fade are not evidence of a repetition.
REACQUIRE_GAP_S = 0.5
REACQUIRE_S = 0.3

#: Key of the body yaw (degrees, see :mod:`backrehab.pose.view`) in a frame's values.
YAW_KEY = "_yaw_deg"

#: Signals that are lengths, not angles (every other spec signal is in degrees).
LENGTH_SIGNALS = frozenset({"hip_height", "shoulder_over_hands"})


def view_supports(check: FormRule | HoldCondition, values: dict[str, float]) -> bool:
    """Whether a check (form rule or hold condition) can be judged in a frame: unbound checks
    (``view: any``) always can; a view-bound one when the body yaw (``values[YAW_KEY]``) is
    within its ``view_tolerance_deg`` of facing (frontal) or side-on (sagittal); an unknown yaw
    never can."""
    if check.view == "any":
        return True
    yaw = abs(values.get(YAW_KEY, math.nan))
    if not math.isfinite(yaw):
        return False
    offset = min(yaw, 180.0 - yaw) if check.view == "frontal" else abs(yaw - 90.0)
    return offset <= check.view_tolerance_deg


def rule_fault(rule: FormRule, frames: list[dict[str, float]]) -> Fault | None:
    """The fault of ``rule`` over a stretch of frames, or None: the rule is broken when its
    signal is outside its range in at least ``min_fraction`` of the frames where it could be
    judged (the camera view supports it and the signal was measured)."""
    vals = np.asarray(
        [v.get(rule.signal, math.nan) for v in frames if view_supports(rule, v)], dtype=float
    )
    vals = vals[np.isfinite(vals)]
    if not vals.size:
        return None
    bad = np.zeros(vals.shape, dtype=bool)
    if rule.min is not None:
        bad |= vals < rule.min
    if rule.max is not None:
        bad |= vals > rule.max
    fraction = float(bad.mean())
    if fraction < rule.min_fraction:
        return None
    return Fault(id=rule.id, cue=rule.cue, fraction=round(fraction, 2))


def broken_rule_cue(rules: Iterable[FormRule], values: dict[str, float]) -> str:
    """The cue of the first rule this frame breaks, among those its camera view can judge
    ('' when none): what the live coach says."""
    for rule in rules:
        v = values.get(rule.signal, math.nan)
        if math.isfinite(v) and _out_of_range(rule, v) and view_supports(rule, values):
            return rule.cue
    return ""


def fault_counts(faults_per_item: Iterable[tuple[Fault, ...]]) -> dict[str, int]:
    """How many repetitions or holds showed each fault id."""
    counts: dict[str, int] = {}
    for faults in faults_per_item:
        for fault in faults:
            counts[fault.id] = counts.get(fault.id, 0) + 1
    return counts


def _out_of_range(check: FormRule | HoldCondition, value: float) -> bool:
    return (check.min is not None and value < check.min) or (
        check.max is not None and value > check.max
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame for the engine. ``ok`` is False when the person is out of view or the landmarks
    the spec needs are not visible: the engine then pauses (never counts, never resets)."""

    t_s: float
    ok: bool
    signal: float
    values: dict[str, float] = field(default_factory=dict)


class Fault(BaseModel):
    """A form fault in one repetition or hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    cue: str
    fraction: float


class RepReport(BaseModel):
    """One repetition (complete) or partial repetition.

    ``to_peak_s`` and ``from_peak_s`` split the duration at the peak (tempo: going into and
    coming out of the end position). ``peak_angles_deg`` holds the spec's angle signals at the
    peak (median over the frames in the end zone).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    set_index: int
    complete: bool
    side: Literal["left", "right", "none"]
    start_s: float
    peak_s: float
    end_s: float
    duration_s: float
    rom: float
    rom_unit: str
    peak_value: float
    faults: tuple[Fault, ...]
    score: float
    to_peak_s: float | None = None
    from_peak_s: float | None = None
    peak_angles_deg: dict[str, float] = Field(default_factory=dict)


class HoldReport(BaseModel):
    """One hold: its times, why it ended, its form faults (form rules broken over the hold,
    and hold conditions that lapsed and recovered within the grace period) and a 0-100 score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_s: float
    end_s: float
    duration_s: float
    end_reason: str
    faults: tuple[Fault, ...] = ()
    score: float = 100.0
    set_index: int = 1


class SetReport(BaseModel):
    """One set: counts, holds and a form score explained by its faults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    reps: int
    partial_reps: int
    reps_left: int
    reps_right: int
    hold_s: float
    form_score: float | None
    fault_counts: dict[str, int]
    holds: int = 0


@dataclass
class _Rep:
    start_s: float
    side: int | None = None  # follow_side: index into side_signals of the moving limb
    side_last: float = math.nan  # its last measured drive value (direction applied)
    before: list[dict[str, float]] = field(default_factory=list)  # start-zone frames before
    t: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    values: list[dict[str, float]] = field(default_factory=list)
    reached: list[bool] = field(default_factory=list)


class RepEngine:
    """Repetition state machine for a ``kind: reps`` spec; feed frames with :meth:`step`."""

    def __init__(self, spec: MovementSpec) -> None:
        if spec.kind != "reps":
            raise ValueError(f"{spec.exercise_id} is a hold, not a repetition exercise")
        self.spec = spec
        self.d = spec.direction
        self.xs = self.d * spec.start
        self.xe = self.d * spec.end
        self.h = spec.hysteresis
        self.state: State = "waiting"
        self.reps: list[RepReport] = []
        self._rep: _Rep | None = None
        self._last_ok_t: float | None = None
        self._last_start_t: float | None = None
        self._set_index = 1
        self._idle_since: float | None = None
        self._ready_values: deque[dict[str, float]] = deque(maxlen=READY_MEMORY_FRAMES)
        self._in_position = True
        self._last_measured_t: float | None = None
        self._held: list[Frame] = []
        self.view_hint: str = ""
        self.cue: str = ""
        self.status: str = "Get into the start position"

    # -- helpers ---------------------------------------------------------------------------
    def _new_rep(self, t: float, f: Frame) -> None:
        self._rep = _Rep(
            start_s=self._last_start_t if self._last_start_t is not None else t,
            before=list(self._ready_values),
        )
        self._ready_values.clear()
        if self.spec.follow_side:
            sides = self._sides(f)
            self._rep.side = int(np.nanargmax(sides))
            self._rep.side_last = float(sides[self._rep.side])

    def _sides(self, f: Frame) -> FloatArray:
        assert self.spec.side_signals is not None
        return np.asarray(
            [self.d * f.values.get(name, math.nan) for name in self.spec.side_signals]
        )

    def _drive(self, f: Frame) -> float:
        """The drive value (direction applied): the spec's signal, or with ``follow_side`` the
        moving limb's signal; NaN when the limb the repetition follows cannot be seen."""
        if not self.spec.follow_side:
            return self.d * f.signal
        sides = self._sides(f)
        rep = self._rep
        if rep is None or rep.side is None:
            finite = sides[np.isfinite(sides)]
            return float(finite.max()) if finite.size else math.nan
        mine, other = float(sides[rep.side]), float(sides[1 - rep.side])
        reference = mine if math.isfinite(mine) else rep.side_last
        if math.isfinite(other) and other > reference:
            rep.side, mine = 1 - rep.side, other  # the other limb moved further: it owns the rep
        if math.isfinite(mine):
            rep.side_last = mine
        return mine

    def _out_of_position(self, f: Frame) -> str:
        """The cue of the first failing position condition ('' when in position). A condition
        whose signal cannot be measured in this frame keeps its last known state."""
        cue = ""
        known = False
        for c in self.spec.position:
            v = f.values.get(c.signal, math.nan)
            if not math.isfinite(v):
                continue
            known = True
            if (c.min is not None and v < c.min) or (c.max is not None and v > c.max):
                cue = cue or c.cue
        if known:
            self._in_position = not cue
        if self._in_position:
            return ""
        return cue or next(c.cue for c in self.spec.position)

    def _push(self, f: Frame, x: float, reached: bool) -> None:
        assert self._rep is not None
        self._rep.t.append(f.t_s)
        self._rep.x.append(x)
        self._rep.values.append(f.values)
        self._rep.reached.append(reached)

    def _close(self, end_s: float, complete: bool) -> None:
        rep, self._rep = self._rep, None
        if rep is None or not rep.t:
            return
        duration = end_s - rep.start_s
        if duration < self.spec.min_rep_s:
            return  # too quick to be a repetition or an attempt: tracking noise
        x = np.asarray(rep.x)
        t = np.asarray(rep.t)
        top = float(np.nanmax(x))
        if not complete and (top - self.xs) < self.spec.partial_fraction * (self.xe - self.xs):
            return  # a small wobble, not an attempt
        # The peak is the middle of the time spent in the end zone (a bottom or top hold is
        # timed at its middle, not at one noisy extreme frame).
        zone = np.flatnonzero(np.asarray(rep.reached))
        peak_s = (
            float((t[zone[0]] + t[zone[-1]]) / 2.0) if zone.size else float(t[int(np.nanargmax(x))])
        )
        rom_name = self.spec.rom_signal
        if rom_name:  # from the start position (frames before leaving it) to the extreme
            series = np.asarray(
                [v.get(rom_name, math.nan) for v in rep.before + rep.values], dtype=float
            )
            unit = "deg"
        else:
            series, unit = x * self.d, self.spec.signal_unit
        finite = series[np.isfinite(series)]
        rom = float(np.ptp(finite)) if finite.size else 0.0
        faults = self._faults(rep)
        score = max(0.0, 100.0 - sum(self._weight(f.id) for f in faults))
        self.reps.append(
            RepReport(
                index=len(self.reps) + 1,
                set_index=self._set_index,
                complete=complete,
                side=self._side(rep),
                start_s=round(rep.start_s, 3),
                peak_s=round(peak_s, 3),
                end_s=round(end_s, 3),
                duration_s=round(duration, 3),
                rom=round(rom, 2),
                rom_unit=unit,
                peak_value=round(top * self.d, 3),
                faults=tuple(faults),
                score=round(score, 1),
                to_peak_s=round(peak_s - rep.start_s, 3),
                from_peak_s=round(end_s - peak_s, 3),
                peak_angles_deg=self._peak_angles(rep),
            )
        )

    def _weight(self, fault_id: str) -> float:
        return next(r.weight for r in self.spec.form_rules if r.id == fault_id)

    def _side(self, rep: _Rep) -> Literal["left", "right", "none"]:
        if not self.spec.side_signals:
            return "none"
        if rep.side is not None:
            return "left" if rep.side == 0 else "right"
        spans = []
        for name in self.spec.side_signals:
            s = np.asarray([v.get(name, math.nan) for v in rep.values], dtype=float)
            s = s[np.isfinite(s)]
            spans.append(float(np.ptp(s)) if s.size else -1.0)
        return "left" if spans[0] >= spans[1] else "right"

    def _faults(self, rep: _Rep) -> list[Fault]:
        out = []
        for rule in self.spec.form_rules:
            frames = [
                v for v, r in zip(rep.values, rep.reached, strict=True) if rule.phase == "rep" or r
            ]
            fault = rule_fault(rule, frames)
            if fault is not None:
                out.append(fault)
        return out

    def _peak_angles(self, rep: _Rep) -> dict[str, float]:
        """The spec's angle signals at the peak: median over the end-zone frames (the frame
        of the extreme when the end zone was not reached)."""
        frames = [v for v, r in zip(rep.values, rep.reached, strict=True) if r]
        if not frames and rep.values:
            frames = [rep.values[int(np.nanargmax(np.asarray(rep.x)))]]
        names = [self.spec.rom_signal, self.spec.signal, *(r.signal for r in self.spec.form_rules)]
        out: dict[str, float] = {}
        for name in dict.fromkeys(n for n in names if n and n not in LENGTH_SIGNALS):
            vals = np.asarray([v.get(name, math.nan) for v in frames], dtype=float)
            vals = vals[np.isfinite(vals)]
            if vals.size:
                out[name] = round(float(np.median(vals)), 1)
        return out

    def _live_cue(self, f: Frame, reached: bool) -> str:
        rules = (r for r in self.spec.form_rules if reached or r.phase != "peak")
        return broken_rule_cue(rules, f.values)

    def _view_hint(self, f: Frame) -> str:
        """What to change when a view-bound form rule cannot be judged from this camera angle
        (the rule is then skipped: no cue on a measurement the view cannot back up)."""
        missing = {r.view for r in self.spec.form_rules if not view_supports(r, f.values)}
        hints = []
        if "frontal" in missing:
            hints.append("face the camera for the form checks seen from the front")
        if "sagittal" in missing:
            hints.append("turn side-on to the camera for the form checks seen from the side")
        return "; ".join(hints)

    # -- the state machine -----------------------------------------------------------------
    def step(self, f: Frame) -> None:
        """Advance by one frame (after a gap, frames are held until the person is measured
        again for :data:`REACQUIRE_S`; a shorter island of measurements is dropped)."""
        if not (f.ok and math.isfinite(f.signal)):
            self._held.clear()
            self._advance(f)
            return
        last = self._last_measured_t
        if self._held or (last is not None and f.t_s - last >= REACQUIRE_GAP_S):
            self._held.append(f)
            if f.t_s - self._held[0].t_s < REACQUIRE_S:
                self.status, self.cue = "Paused: finding you again", ""
                return
            held, self._held = self._held, []
            for g in held:
                self._last_measured_t = g.t_s
                self._advance(g)
            return
        self._last_measured_t = f.t_s
        self._advance(f)

    def _advance(self, f: Frame) -> None:
        x = self._drive(f) if f.ok else math.nan
        if not f.ok or not math.isfinite(x):
            self.status = "Paused: move so that the camera sees your whole body"
            self.cue = ""
            if (
                self._rep is not None
                and self._last_ok_t is not None
                and f.t_s - self._last_ok_t > self.spec.max_rep_s
            ):
                self._close(self._last_ok_t, complete=False)
                self.state = "waiting"
            return
        self._last_ok_t = f.t_s
        away = self._out_of_position(f) if self.spec.position else ""
        if away:
            rep = self._rep
            if rep is not None and any(rep.reached):
                self._close(rep.t[-1], complete=False)  # reached the end zone, then gave up
            self._rep = None
            self._ready_values.clear()
            self.state = "waiting"
            self.status, self.cue = f"Get into position: {away}", ""
            return
        in_start = x <= self.xs
        left_start = x > self.xs + self.h
        at_end = x >= self.xe
        if (
            self.state in ("waiting", "ready")
            and self._idle_since is not None
            and (f.t_s - self._idle_since >= self.spec.set_break_s)
            and self.reps
        ):
            self._set_index += 1
            self._idle_since = None
        if self.state == "waiting":
            if in_start:
                self.state, self._last_start_t = "ready", f.t_s
            elif self.spec.start_in_end_zone and at_end:
                self.state = "reached"
                self._last_start_t = f.t_s
                self._new_rep(f.t_s, f)
                self._push(f, x, True)
        elif self.state == "ready":
            self._ready_values.append(f.values)
            if in_start:
                self._last_start_t = f.t_s
                if self._idle_since is None:
                    self._idle_since = f.t_s
            elif left_start:
                self.state = "moving"
                self._idle_since = None
                self._new_rep(f.t_s, f)
                self._push(f, x, False)
        elif self.state == "moving":
            self._push(f, x, at_end)
            if at_end:
                self.state = "reached"
            elif in_start:
                self._close(f.t_s, complete=False)
                self.state, self._last_start_t = "ready", f.t_s
        else:  # reached
            self._push(f, x, x >= self.xe - self.h)
            if in_start:
                self._close(f.t_s, complete=True)
                self.state, self._last_start_t = "ready", f.t_s
                self._idle_since = f.t_s
        self.cue = self._live_cue(f, self.state == "reached")
        self.view_hint = self._view_hint(f)
        done = sum(r.complete for r in self.reps)
        self.status = {
            "waiting": "Get into the start position",
            "ready": f"Ready - {done} reps",
            "moving": f"Rep {done + 1}",
            "reached": f"Rep {done + 1}: hold, return",
        }[self.state]

    def finish(self) -> None:
        """End of the recording: an unfinished repetition is a partial one."""
        self._held.clear()
        if self._rep is not None and self._rep.t:
            self._close(self._rep.t[-1], complete=False)
        self.state = "waiting"

    @property
    def count(self) -> int:
        """Complete repetitions so far."""
        return sum(r.complete for r in self.reps)

    @property
    def set_index(self) -> int:
        """The current set (1-based; resting ``set_break_s`` in the start zone starts the next)."""
        return self._set_index

    @property
    def reacquiring(self) -> bool:
        """Frames are being held after a gap until the person has been measured again for
        :data:`REACQUIRE_S` (the count waits)."""
        return bool(self._held)


#: Why a hold frame fails when no condition's range is to blame.
NOT_MEASURABLE = "not measurable"
WRONG_VIEW = "wrong camera view"

_HOLD_VIEW_HINTS: dict[str, str] = {
    "sagittal": "turn side-on to the camera: this hold is timed from the side",
    "frontal": "face the camera: this hold is timed from the front",
}


class HoldEngine:
    """Hold timer for a ``kind: hold`` spec: runs only while every hold condition is met and
    pauses (grace period) when a condition lapses or the person cannot be measured.

    A hold condition bound to a camera view that the camera does not have stops the timer like
    an unmeasurable frame, and :attr:`view_hint` says which way to turn (no cue is given on a
    measurement the view cannot back up). Each hold is judged by the spec's form rules over its
    frames and by its lapses (a condition that failed and recovered within ``grace_s``); holds
    separated by more than ``set_break_s`` belong to different sets.
    """

    def __init__(self, spec: MovementSpec) -> None:
        if spec.kind != "hold":
            raise ValueError(f"{spec.exercise_id} is a repetition exercise, not a hold")
        self.spec = spec
        self.holds: list[HoldReport] = []
        self._start: float | None = None
        self._last_good: float | None = None
        self._lapse_reason = ""
        self._values: list[dict[str, float]] = []  # frames of the running hold, conditions met
        self._pending: dict[int, int] = {}  # condition index -> frames failing in this lapse
        self._lapses: dict[int, int] = {}  # condition index -> frames of recovered lapses
        self._set_index = 1
        self.cue = ""
        self.view_hint = ""
        self.status = "Get into position"

    def _failing(self, f: Frame) -> tuple[str, int | None]:
        """Why the frame breaks the hold ('' when it does not) and the condition at fault."""
        if not f.ok:
            return NOT_MEASURABLE, None
        for i, c in enumerate(self.spec.hold_conditions):
            if c.view != "any" and not math.isfinite(f.values.get(YAW_KEY, math.nan)):
                return NOT_MEASURABLE, i  # the view itself is unknown: nothing to turn to
            if not view_supports(c, f.values):
                return WRONG_VIEW, i
            v = f.values.get(c.signal, math.nan)
            if not math.isfinite(v):
                return NOT_MEASURABLE, i
            if _out_of_range(c, v):
                return c.cue, i
        return "", None

    def step(self, f: Frame) -> None:
        """Advance by one frame."""
        failing, which = self._failing(f)
        view = self.spec.hold_conditions[which].view if which is not None else "any"
        self.view_hint = _HOLD_VIEW_HINTS.get(view, "") if failing == WRONG_VIEW else ""
        if not failing:
            if self._start is None:
                last = self.holds[-1] if self.holds else None
                if last is not None and f.t_s - last.end_s > self.spec.set_break_s:
                    self._set_index += 1
                self._start = f.t_s
            for i, n in self._pending.items():  # recovered within the grace period: a lapse
                self._lapses[i] = self._lapses.get(i, 0) + n
            self._pending.clear()
            self._last_good = f.t_s
            self._values.append(f.values)
            self._lapse_reason = ""
            self.cue = broken_rule_cue(self.spec.form_rules, f.values)
        else:
            judged = failing not in (NOT_MEASURABLE, WRONG_VIEW)
            self.cue = failing if judged else ""
            if self._start is not None and self._last_good is not None:
                if not self._lapse_reason:
                    self._lapse_reason = failing
                if judged and which is not None:
                    self._pending[which] = self._pending.get(which, 0) + 1
                if f.t_s - self._last_good > self.spec.grace_s:
                    self._end(self._lapse_reason)
        if self._start is not None:
            self.status = f"Hold {self.current_s:4.1f} s"
        elif not f.ok:
            self.status = "Paused: the camera cannot see you"
        elif self.view_hint:
            self.status = f"Adjust the camera: {self.view_hint}"
        else:
            self.status = "Get into position"

    def _faults(self) -> list[Fault]:
        faults = [
            fault
            for fault in (rule_fault(rule, self._values) for rule in self.spec.form_rules)
            if fault is not None
        ]
        frames = len(self._values) + sum(self._lapses.values())
        for i, n in sorted(self._lapses.items()):
            c = self.spec.hold_conditions[i]
            faults.append(Fault(id=f"lapse_{c.signal}", cue=c.cue, fraction=round(n / frames, 2)))
        return faults

    def _score(self, faults: list[Fault]) -> float:
        weights = {r.id: r.weight for r in self.spec.form_rules}
        lost = sum(weights.get(f.id, self.spec.lapse_weight) for f in faults)
        return round(max(0.0, 100.0 - lost), 1)

    def _end(self, reason: str) -> None:
        assert self._start is not None
        assert self._last_good is not None
        duration = self._last_good - self._start
        if duration >= self.spec.min_hold_s:
            faults = self._faults()
            self.holds.append(
                HoldReport(
                    start_s=round(self._start, 3),
                    end_s=round(self._last_good, 3),
                    duration_s=round(duration, 3),
                    end_reason=reason,
                    faults=tuple(faults),
                    score=self._score(faults),
                    set_index=self._set_index,
                )
            )
        self._start, self._last_good, self._lapse_reason = None, None, ""
        self._values, self._pending, self._lapses = [], {}, {}

    @property
    def running(self) -> bool:
        """A hold is being timed (possibly in its grace period)."""
        return self._start is not None

    @property
    def current_s(self) -> float:
        """Seconds held in the running hold (0 when not holding)."""
        if self._start is None or self._last_good is None:
            return 0.0
        return self._last_good - self._start

    def finish(self) -> None:
        """End of the recording."""
        if self._start is not None:
            self._end("recording ended")


def hold_set_reports(holds: list[HoldReport]) -> list[SetReport]:
    """Per-set hold seconds, hold counts and form scores (hold scores weighted by duration)."""
    out = []
    for index in sorted({h.set_index for h in holds}):
        mine = [h for h in holds if h.set_index == index]
        out.append(
            SetReport(
                index=index,
                reps=0,
                partial_reps=0,
                reps_left=0,
                reps_right=0,
                hold_s=round(sum(h.duration_s for h in mine), 3),
                form_score=hold_form_score(mine),
                fault_counts=fault_counts(h.faults for h in mine),
                holds=len(mine),
            )
        )
    return out


def hold_form_score(holds: list[HoldReport]) -> float | None:
    """Mean of the hold scores weighted by hold duration (None without holds)."""
    total = sum(h.duration_s for h in holds)
    if not holds:
        return None
    if total <= 0:
        return round(float(np.mean([h.score for h in holds])), 1)
    return round(sum(h.score * h.duration_s for h in holds) / total, 1)


def set_reports(reps: list[RepReport], spec: MovementSpec) -> list[SetReport]:
    """Per-set counts and form scores (mean of the repetition scores, complete ones first)."""
    out = []
    for index in sorted({r.set_index for r in reps}) or [1]:
        mine = [r for r in reps if r.set_index == index]
        complete = [r for r in mine if r.complete]
        scored = complete or mine
        out.append(
            SetReport(
                index=index,
                reps=len(complete),
                partial_reps=len(mine) - len(complete),
                reps_left=sum(r.side == "left" for r in complete),
                reps_right=sum(r.side == "right" for r in complete),
                hold_s=0.0,
                form_score=round(float(np.mean([r.score for r in scored])), 1) if scored else None,
                fault_counts=fault_counts(r.faults for r in mine),
            )
        )
    return out
