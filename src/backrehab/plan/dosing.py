"""Dose ladders of clinical reference §6.3: a starting dose per exercise and one step up or down.

Input: a library :class:`~backrehab.exercises.schema.Exercise`. Output: its :class:`DoseLadder`
(family and ordered steps), the starting :class:`Dose`, and the time one session of a dose
takes (:func:`session_minutes`, in minutes including rest). Steps change one variable at a time.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from backrehab.exercises.schema import CycleRep, Exercise, HoldRep

LadderFamily = Literal[
    "motor_control_isometric",
    "motor_control_dynamic",
    "strength",
    "static_stretch",
    "pnf_met",
    "directional",
    "walking",
    "mobility",
    "education",
    "manual_therapy",
]
"""Ladder families: the six of §6.3 (PNF/MET split from stretching) plus project defaults for
non-directional mobility (the dynamic ladder), education and manual therapy (one step each)."""

LADDER_FAMILIES: Final[tuple[LadderFamily, ...]] = get_args(LadderFamily)

#: Seconds to get into and out of each held repetition (PROJECT DEFAULT, time estimate only).
HOLD_TRANSITION_S: Final = 2.0
#: Seconds per repetition of a dynamic exercise without a tempo (PROJECT DEFAULT).
DYNAMIC_REP_S: Final = 3.0
#: Seconds to set up each exercise (position, equipment) (PROJECT DEFAULT).
SETUP_S: Final = 20.0
#: Hold rungs of the motor-control isometrics, seconds (§6.3: 5 -> 8 -> 10 s, cap ~10 s).
ISOMETRIC_HOLDS_S: Final = (5.0, 8.0, 10.0)
#: Most sets of the isometric ladder (§6.3: "sets to 2-4 rounds").
ISOMETRIC_MAX_SETS: Final = 4
#: Reps per set at the top of the dynamic ladder (§6.3: "+2 reps to 12").
DYNAMIC_MAX_REPS: Final = 12
#: Slower tempo, last rung of the dynamic ladder (§6.3).
SLOW_TEMPO: Final = "3 s out / 3 s back"
#: Reps per set at the top of the strength ladder (§6.3: 8-12 RM).
STRENGTH_MAX_REPS: Final = 12
#: Longest walk of the ladder, minutes (PROJECT DEFAULT cap).
WALKING_MAX_MIN: Final = 30.0
#: Weekly growth of the walking time (§6.3: +~10 % per week).
WALKING_GROWTH: Final = 0.10
#: Load note at the top of the strength ladder (§6.3, ACSM 2009; 2-for-2 rule).
STRENGTH_LOAD_NOTE: Final = (
    "raise the load 2–10 % when 2 reps over target are done on the last set in 2 consecutive "
    "sessions (2-for-2 rule)"
)
#: Range notes of the directional (repeated-movement) ladder (§6.3, MDT practice).
DIRECTIONAL_NOTES: Final = (
    "within a comfortable range; stop if symptoms spread down the leg",
    "larger range, as far as symptoms allow; stop if symptoms spread down the leg",
    "with overpressure (clinician-taught); stop if symptoms spread down the leg",
)


class Dose(BaseModel):
    """The dose of one plan item: volume per session and sessions per week.

    Attributes
    ----------
    sets
        Sets (rounds) per session; for education and manual therapy, bouts per session.
    reps
        Repetitions per set (per side if ``per_side``), or None for timed items.
    hold_s
        Hold of each repetition, seconds.
    rest_s
        Rest between sets (and between sides), seconds.
    per_side
        Reps and sets are done on each side.
    tempo
        Tempo or technique note (e.g. "3 s out / 3 s back").
    duration_min
        Length of a timed item (walk, education part, manual-therapy bout), minutes.
    load_note
        Load, range or set-scheme instruction.
    days_per_week
        Sessions per week (1-7).
    extra_side_sets
        Extra sets on the weaker side only (the plan item's ``side``), e.g. 1 for a side-bridge
        asymmetry (clinical reference §3.3); kept when the dose moves along its ladder.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0.0, le=600.0)
    rest_s: float = Field(30.0, ge=0.0, le=600.0)
    per_side: bool = False
    tempo: str | None = None
    duration_min: float | None = Field(None, gt=0.0, le=240.0)
    load_note: str | None = None
    days_per_week: int = Field(7, ge=1, le=7)
    extra_side_sets: int = Field(0, ge=0, le=3)


def _log_gap(a: float | None, b: float | None) -> float:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return 1.0
    return abs(math.log(a / b))


def _distance(a: Dose, b: Dose) -> float:
    return (
        _log_gap(a.sets, b.sets)
        + _log_gap(a.reps, b.reps)
        + _log_gap(a.hold_s, b.hold_s)
        + _log_gap(a.duration_min, b.duration_min)
        + (0.5 if a.tempo != b.tempo else 0.0)
        + (0.5 if a.load_note != b.load_note else 0.0)
    )


def _kept(dose: Dose) -> dict[str, int]:
    """Fields a ladder step keeps from the current dose (not rungs of the ladder)."""
    return {"days_per_week": dose.days_per_week, "extra_side_sets": dose.extra_side_sets}


@dataclass(frozen=True, slots=True)
class DoseLadder:
    """The ordered doses of one exercise, easiest first (clinical reference §6.3).

    Parameters
    ----------
    family
        One of :data:`LADDER_FAMILIES`.
    steps
        The rungs; each differs from the previous one in one variable.
    """

    family: str
    steps: tuple[Dose, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a dose ladder needs at least one step")

    def index_of(self, dose: Dose) -> int:
        """Index of the step nearest to ``dose`` (days per week, rest, sides and extra
        weaker-side sets are ignored).

        Distance is the sum of log ratios of sets, reps, hold and duration plus 0.5 for each
        differing tempo or load note; ties go to the lower step.
        """
        gaps = [_distance(dose, step) for step in self.steps]
        return gaps.index(min(gaps))

    def advance(self, dose: Dose) -> Dose | None:
        """One step up from the nearest step, keeping ``days_per_week`` and
        ``extra_side_sets``; None at the top.

        At the top the planner moves to ``progression_ids[0]`` at its starting dose.
        """
        i = self.index_of(dose)
        if i + 1 >= len(self.steps):
            return None
        return self.steps[i + 1].model_copy(update=_kept(dose))

    def step_back(self, dose: Dose) -> Dose | None:
        """One step down from the nearest step, keeping ``days_per_week`` and
        ``extra_side_sets``; None at the bottom.

        At the bottom the planner moves to ``regression_ids[0]``.
        """
        i = self.index_of(dose)
        if i == 0:
            return None
        return self.steps[i - 1].model_copy(update=_kept(dose))


_RANGE_PER_WEEK = re.compile(r"(\d+)\s*-\s*(\d+)\s*x\s*/\s*week")
_PER_WEEK = re.compile(r"(\d+)\s*x\s*/\s*week")


def days_per_week_from(frequency: str | None, *, default: int = 7) -> int:
    """Sessions per week from a library frequency text.

    ``daily``, ``several times daily``, ``every 2-3 h``, ``as directed`` -> 7; ``3x/week`` -> 3;
    ``3-5x/week`` -> 4 and ``2-3x/week`` -> 3 (middle of the range, rounded half up);
    ``per visit`` -> 1; None or anything else -> ``default``.
    """
    if not frequency:
        return default
    text = frequency.lower()
    found = _RANGE_PER_WEEK.search(text)
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        return max(1, min(7, math.floor((low + high) / 2 + 0.5)))
    found = _PER_WEEK.search(text)
    if found:
        return max(1, min(7, int(found.group(1))))
    if "per visit" in text:
        return 1
    if "daily" in text or "every" in text or "as directed" in text:
        return 7
    return default


def family_of(exercise: Exercise) -> LadderFamily:
    """The ladder family of an exercise, from its category, camera check and dose.

    Motor control: a camera ``hold`` rep (or, without a camera rep, a hold of 5 s or more) is
    isometric, otherwise dynamic. Mobility: a timed item or ``aerobic_graded_activity`` is
    walking; a flexion, extension, rotation or lateral bias is directional; the rest uses the
    dynamic ladder (``mobility``). Manual therapy with a contraction time is PNF/MET.
    """
    d = exercise.default_dose
    if exercise.category == "education":
        return "education"
    if exercise.category == "manual_therapy":
        return "pnf_met" if d.contraction_s is not None else "manual_therapy"
    if exercise.category == "stretch":
        return "static_stretch"
    if exercise.category == "strength":
        return "strength"
    if exercise.category == "mobility":
        if exercise.subcategory == "aerobic_graded_activity" or d.duration_min is not None:
            return "walking"
        if exercise.directional_bias in ("flexion", "extension", "rotation", "lateral"):
            return "directional"
        return "mobility"
    rep = exercise.camera_check.rep
    if isinstance(rep, HoldRep):
        return "motor_control_isometric"
    if isinstance(rep, CycleRep):
        return "motor_control_dynamic"
    hold = d.hold_s or 0.0
    return "motor_control_isometric" if hold >= 5.0 else "motor_control_dynamic"


def _base(exercise: Exercise, family: LadderFamily) -> Dose:
    """The library default dose as a plan :class:`Dose` (before matching it to a step)."""
    d = exercise.default_dose
    default_days = 1 if family in ("education", "manual_therapy", "pnf_met") else 7
    days = days_per_week_from(d.frequency, default=default_days)
    if family == "education":
        sessions = d.sessions or 1
        return Dose(
            sets=1,
            duration_min=d.duration_min or 10.0,
            rest_s=0.0,
            days_per_week=1,
            load_note=f"{sessions} sessions in all, one per week" if sessions > 1 else None,
        )
    if family == "walking":
        return Dose(sets=1, duration_min=d.duration_min or 10.0, rest_s=0.0, days_per_week=days)
    if family == "manual_therapy":
        notes = []
        if d.attempts_max is not None:
            notes.append(f"at most {d.attempts_max} attempts")
        if d.frequency and "trained" in d.frequency:
            notes.append("trained clinician only")
        duration = d.duration_min
        if duration is None and d.duration_s is not None:
            duration = d.duration_s / 60.0
        return Dose(
            sets=d.sets or 1,
            reps=d.reps,
            duration_min=duration,
            rest_s=d.rest_s if d.rest_s is not None else 0.0,
            days_per_week=days,
            load_note="; ".join(notes) or None,
        )
    if family == "pnf_met":
        effort = f" at ~{d.effort_pct_max:g} % effort" if d.effort_pct_max is not None else ""
        stretch = d.relax_stretch_s or d.stretch_after_s or 20.0
        return Dose(
            sets=1,
            reps=d.reps or 3,
            hold_s=stretch,
            rest_s=d.rest_s if d.rest_s is not None else 30.0,
            tempo=f"contract {d.contraction_s:g} s{effort}, relax, then stretch",
            load_note="increase range, not force",
            days_per_week=days,
        )
    load_note = d.load or d.scheme
    return Dose(
        sets=d.sets or 1,
        reps=d.reps,
        hold_s=d.hold_s,
        rest_s=d.rest_s if d.rest_s is not None else 30.0,
        per_side=d.per_side,
        tempo=d.tempo,
        duration_min=d.duration_min,
        load_note=load_note,
        days_per_week=days,
    )


def _isometric_steps(base: Dose) -> list[Dose]:
    reps = base.reps or 5
    hold = base.hold_s or ISOMETRIC_HOLDS_S[-1]
    holds = (
        ISOMETRIC_HOLDS_S
        if hold <= ISOMETRIC_HOLDS_S[-1]
        else (round(hold * 0.5, 1), round(hold * 0.75, 1), hold)
    )
    sets0 = base.sets
    steps = [base.model_copy(update={"hold_s": h, "reps": reps}) for h in holds]
    steps.append(base.model_copy(update={"hold_s": holds[-1], "reps": reps + 2}))
    steps.extend(
        base.model_copy(update={"hold_s": holds[-1], "reps": reps + 2, "sets": s})
        for s in range(sets0 + 1, max(ISOMETRIC_MAX_SETS, sets0 + 1) + 1)
    )
    return steps


def _reps_then_sets(base: Dose, max_reps: int, max_sets: int) -> list[Dose]:
    reps0 = base.reps or 8
    top = max(max_reps, reps0)
    rungs = list(range(reps0, top + 1, 2))
    if rungs[-1] != top:
        rungs.append(top)
    steps = []
    if base.sets > 1:
        steps.append(base.model_copy(update={"sets": base.sets - 1, "reps": reps0}))
    steps.extend(base.model_copy(update={"reps": r}) for r in rungs)
    steps.extend(
        base.model_copy(update={"reps": top, "sets": s})
        for s in range(base.sets + 1, max(max_sets, base.sets + 1) + 1)
    )
    return steps


def _dynamic_steps(base: Dose) -> list[Dose]:
    steps = _reps_then_sets(base, DYNAMIC_MAX_REPS, 3)
    if base.tempo is None:  # an exercise with its own tempo (breathing, slow cat-camel) keeps it
        steps.append(steps[-1].model_copy(update={"tempo": SLOW_TEMPO}))
    return steps


def _strength_steps(base: Dose) -> list[Dose]:
    if (base.reps or 1) <= 1 and base.hold_s is not None:  # carries and wall sits: timed holds
        hold = base.hold_s
        steps = [base.model_copy(update={"sets": s}) for s in range(1, max(3, base.sets) + 1)]
        steps.extend(
            steps[-1].model_copy(update={"hold_s": hold + extra}) for extra in (10.0, 20.0, 30.0)
        )
        return steps
    reps0 = base.reps or 8
    steps = [base.model_copy(update={"sets": s}) for s in range(1, max(3, base.sets) + 1)]
    top = steps[-1]
    steps.extend(
        top.model_copy(update={"reps": r}) for r in range(reps0 + 2, STRENGTH_MAX_REPS + 1, 2)
    )
    steps.append(steps[-1].model_copy(update={"load_note": STRENGTH_LOAD_NOTE}))
    return steps


def _stretch_steps(base: Dose) -> list[Dose]:
    start = base.model_copy(update={"sets": 1})
    return [
        start.model_copy(update={"reps": 2, "hold_s": 20.0}),
        start.model_copy(update={"reps": 2, "hold_s": 30.0}),
        start.model_copy(update={"reps": 3, "hold_s": 30.0}),
        start.model_copy(update={"reps": 4, "hold_s": 30.0}),
    ]


def _pnf_steps(base: Dose) -> list[Dose]:
    return [
        base.model_copy(update={"reps": reps, "hold_s": hold})
        for reps, hold in ((2, 10.0), (2, 20.0), (3, 20.0), (3, 30.0), (4, 30.0))
    ]


def _directional_steps(base: Dose) -> list[Dose]:
    return [base.model_copy(update={"load_note": note}) for note in DIRECTIONAL_NOTES]


def _round_half(x: float) -> float:
    return math.floor(x * 2.0 + 0.5) / 2.0


def _walking_steps(base: Dose) -> list[Dose]:
    start = base.duration_min or 10.0
    minutes = [_round_half(start * 0.5), _round_half(start * 0.75), start]
    while minutes[-1] < WALKING_MAX_MIN:
        grown = max(minutes[-1] + 1.0, _round_half(minutes[-1] * (1.0 + WALKING_GROWTH)))
        minutes.append(min(grown, WALKING_MAX_MIN))
    return [
        base.model_copy(
            update={
                "duration_min": m,
                "load_note": "quota-based: walk the planned time, not until pain",
            }
        )
        for m in _unique(minutes)
    ]


def _unique(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v > out[-1]:
            out.append(v)
    return out


@functools.lru_cache(maxsize=1024)
def _ladder(exercise: Exercise) -> tuple[DoseLadder, int]:
    family = family_of(exercise)
    base = _base(exercise, family)
    steps: list[Dose]
    if family == "motor_control_isometric":
        steps = _isometric_steps(base)
    elif family in ("motor_control_dynamic", "mobility"):
        steps = _dynamic_steps(base)
    elif family == "strength":
        steps = _strength_steps(base)
    elif family == "static_stretch":
        steps = _stretch_steps(base)
    elif family == "pnf_met":
        steps = _pnf_steps(base)
    elif family == "directional":
        steps = _directional_steps(base)
    elif family == "walking":
        steps = _walking_steps(base)
    else:  # education, manual_therapy: the library dose is the only step
        steps = [base]
    ladder = DoseLadder(family=family, steps=tuple(steps))
    if family == "walking":
        start = next(i for i, s in enumerate(steps) if s.duration_min == base.duration_min)
    elif family == "static_stretch":
        start = ladder.index_of(base.model_copy(update={"sets": 1}))
    elif family in ("directional", "education", "manual_therapy"):
        start = 0
    else:
        start = ladder.index_of(base)
    return ladder, start


def ladder_for(exercise: Exercise) -> DoseLadder:
    """The dose ladder of an exercise (clinical reference §6.3).

    Families and steps (one variable per step):

    * ``motor_control_isometric`` (big three, planks, bracing): hold 5 -> 8 -> 10 s (longer
      default holds: 50 % -> 75 % -> 100 %), then reps per set +2, then sets up to 4.
    * ``motor_control_dynamic`` and ``mobility`` (dead bug, heel slides; non-directional
      mobility, PROJECT DEFAULT): one set fewer, then +2 reps up to 12, then 3 sets, then the
      slower tempo "3 s out / 3 s back".
    * ``strength``: 1 -> 2 -> 3 sets, then +2 reps up to 12, then load +2–10 % by the 2-for-2
      rule; timed holds (carries, wall sit): 1 -> 3 sets, then +10 s steps.
    * ``static_stretch``: 2 × 20 s -> 2 × 30 s -> 3 × 30 s -> 4 × 30 s.
    * ``pnf_met``: (reps × stretch) 2 × 10 s -> 2 × 20 -> 3 × 20 -> 3 × 30 -> 4 × 30 s; range,
      not force.
    * ``directional``: comfortable range -> larger range -> clinician overpressure; then the
      upright version (``progression_ids[0]``).
    * ``walking``: 50 % and 75 % of the start (regressions), the start, then +~10 % a week up
      to 30 min (PROJECT DEFAULT cap).
    * ``education``, ``manual_therapy``: one step (the library dose).

    Parameters
    ----------
    exercise
        A library entry.

    Returns
    -------
    DoseLadder

    References
    ----------
    .. [1] Clinical reference §6.3 (McGill-style holds [S32]; ACSM 2009 [S23]; ACSM 2011
       flexibility [S24]; MDT practice [S35]; graded activity [S28]).
    """
    return _ladder(exercise)[0]


def starting_dose(exercise: Exercise) -> Dose:
    """The starting dose of an exercise: the ladder step nearest to its library default.

    Static stretches start at one set; directional exercises at the comfortable range; walking
    at the library time (below current tolerance).
    """
    ladder, start = _ladder(exercise)
    return ladder.steps[start]


def _tempo_seconds(tempo: str | None) -> float | None:
    if not tempo:
        return None
    numbers = [float(n) for n in re.findall(r"(\d+(?:\.\d+)?)\s*s\b", tempo)]
    return sum(numbers) if numbers else None


def session_minutes(dose: Dose) -> float:
    """Time estimate of one session of an item, minutes, rest included.

    Timed items (``duration_min`` without reps): ``duration_min × sets``. Otherwise each
    repetition takes ``hold_s + 2 s`` (holds), the seconds named in ``tempo``, or 3 s; work =
    sets × reps × rep time (× 2 per side), plus ``extra_side_sets`` more sets of one side;
    rest = ``rest_s`` after every set and side but the last; plus 20 s to set up (PROJECT
    DEFAULT constants above).
    """
    sides = 2 if dose.per_side else 1
    if dose.extra_side_sets:
        one_side = dose.model_copy(update={"per_side": False, "extra_side_sets": 0})
        extra_s = (session_minutes(one_side) * 60.0 - SETUP_S + one_side.rest_s) / one_side.sets
        return (
            session_minutes(dose.model_copy(update={"extra_side_sets": 0}))
            + dose.extra_side_sets * extra_s / 60.0
        )
    if dose.reps is None and dose.duration_min is not None:
        return float(dose.duration_min * dose.sets)
    if dose.reps is None:
        rep_s = (dose.hold_s or DYNAMIC_REP_S) + (HOLD_TRANSITION_S if dose.hold_s else 0.0)
        work_s = dose.sets * sides * rep_s
    else:
        if dose.hold_s is not None:
            rep_s = dose.hold_s + HOLD_TRANSITION_S
        else:
            rep_s = _tempo_seconds(dose.tempo) or DYNAMIC_REP_S
        work_s = dose.sets * sides * dose.reps * rep_s
    if dose.duration_min is not None:
        work_s += dose.duration_min * 60.0 * dose.sets
    rest_total_s = dose.rest_s * max(0, dose.sets * sides - 1)
    return (work_s + rest_total_s + SETUP_S) / 60.0


def describe_dose(dose: Dose) -> str:
    """Plain-language dose, e.g. ``"1 set × 6 reps per side, 10 s hold, daily"``."""
    parts: list[str] = []
    sets = f"{dose.sets} set{'s' if dose.sets != 1 else ''}"
    timed = dose.duration_min is not None
    if dose.reps is not None:
        side = " per side" if dose.per_side else ""
        parts.append(f"{sets} × {dose.reps} rep{'s' if dose.reps != 1 else ''}{side}")
    elif not (timed and dose.sets == 1):
        parts.append(sets)
    if timed:
        each = " each" if dose.sets > 1 or dose.reps is not None else ""
        parts.append(f"{dose.duration_min:g} min{each}")
    if dose.hold_s is not None:
        parts.append(f"{dose.hold_s:g} s hold")
    if dose.tempo:
        parts.append(f"tempo: {dose.tempo}")
    if dose.extra_side_sets:
        extra = dose.extra_side_sets
        parts.append(f"+{extra} set{'s' if extra != 1 else ''} on the weaker side")
    several = dose.sets > 1 or dose.per_side
    if several and dose.rest_s > 0 and (dose.reps is not None or dose.hold_s is not None):
        parts.append(f"rest {dose.rest_s:g} s")
    if dose.load_note:
        parts.append(dose.load_note)
    if dose.days_per_week == 7:
        parts.append("daily")
    elif dose.days_per_week == 1:
        parts.append("once a week")
    else:
        parts.append(f"{dose.days_per_week} days/week")
    return ", ".join(parts)
