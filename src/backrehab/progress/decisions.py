"""Session decisions: green/amber/red zones and the next step per exercise (reference §6.2).

Input: the session logs (all exercises, up to the decision day) and, per exercise, the current
dose and its ladder. Output: a :class:`Proposal` — advance, repeat, step back, switch exercise or
flag for clinician review — with the rule that fired and its numbers. A :class:`ProposalQueue`
holds proposals until a clinician approves or rejects them, or applies them at once when the
clinician enabled auto-progression for the patient (never a review flag).

The §6.2 logic, with the default settings::

    worst = max(pain_during_max, pain_after)
    RED   if worst >= 6 or next_morning_delta > 0 or weekly_trend > 0 or peripheralised
          (new numbness, weakness or bladder/bowel change: RED and always a review flag -
          the red-flag pathway of §9, not the traffic light)
    AMBER if 2 < worst <= 5 (and not RED)
    GREEN otherwise
    RED   -> step back one rung (at the bottom: regression_ids[0]);
             2 consecutive REDs or any peripheralisation -> flag for clinician review
    AMBER -> repeat the dose
    GREEN -> advance one rung (at the top: progression_ids[0]) when the last 2 sessions at this
             dose were GREEN, form_pass_rate >= 0.8 and the full dose was done; else repeat
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backrehab.errors import InvalidResponseError
from backrehab.progress.logs import PrescribedDose, SessionLog, SymptomChange, check_logs

__all__ = [
    "DEFAULT_DECISION_SETTINGS",
    "Action",
    "DecisionSettings",
    "ExerciseTrack",
    "LadderLike",
    "Proposal",
    "ProposalQueue",
    "Reason",
    "SessionAssessment",
    "Status",
    "Zone",
    "assess_sessions",
    "classify_zone",
    "decide",
    "propose",
    "propose_day",
    "weekly_trend",
]

Zone = Literal["green", "amber", "red"]
Action = Literal[
    "advance",
    "repeat",
    "step_back",
    "switch_to_regression",
    "switch_to_progression",
    "flag_review",
]
Status = Literal["pending", "approved", "rejected", "auto_applied"]

DoseT = TypeVar("DoseT", bound=BaseModel)

AUTO_ACTOR: Final = "auto-progression"
_EASIER: Final[frozenset[str]] = frozenset({"repeat", "step_back", "switch_to_regression"})


class LadderLike(Protocol[DoseT]):
    """A dose ladder (one rung per progression, clinical reference §6.3)."""

    def advance(self, dose: DoseT) -> DoseT | None:
        """The next harder rung; None at the top (then propose ``progression_ids[0]``)."""
        ...

    def step_back(self, dose: DoseT) -> DoseT | None:
        """The next easier rung; None at the bottom (then propose ``regression_ids[0]``)."""
        ...


class DecisionSettings(BaseModel):
    """Thresholds of §6.2 (PROJECT DEFAULT values; a clinician may change them).

    Attributes
    ----------
    green_max
        ``GREEN_MAX``: worst pain at or below this is green (default 2; §6.1 allows 3).
    red_min
        Worst pain at or above this is red (default 6); amber is in between.
    next_morning_delta_max
        Red when next-morning pain exceeds the usual by more than this (default 0).
    weekly_trend_max
        Red when the weekly trend exceeds this (default 0: any rise of the 7-day mean).
    trend_measure
        Daily pain compared week to week: ``pain_before`` (the resting level before the
        session; default) or ``worst`` (the session's worst pain). The day's value is the
        highest of its logs.
    trend_window_days
        Length of "this week" and "last week" (default 7).
    greens_to_advance
        Consecutive green sessions at the current dose needed to advance (default 2).
    form_pass_min
        Form pass rate needed to advance (default 0.8).
    dose_completion_min
        Done/prescribed volume needed to advance (default 1.0 = full dose).
    reds_to_review
        Consecutive red sessions of one exercise that flag clinician review (default 2).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    green_max: int = Field(2, ge=0, le=8)
    red_min: int = Field(6, ge=1, le=10)
    next_morning_delta_max: int = Field(0, ge=0, le=10)
    weekly_trend_max: float = Field(0.0, ge=0, le=10, allow_inf_nan=False)
    trend_measure: Literal["pain_before", "worst"] = "pain_before"
    trend_window_days: int = Field(7, ge=1, le=28)
    greens_to_advance: int = Field(2, ge=1, le=10)
    form_pass_min: float = Field(0.8, ge=0, le=1, allow_inf_nan=False)
    dose_completion_min: float = Field(1.0, gt=0, le=2, allow_inf_nan=False)
    reds_to_review: int = Field(2, ge=1, le=10)

    @model_validator(mode="after")
    def _bands(self) -> DecisionSettings:
        if not self.green_max < self.red_min:
            raise ValueError(f"green_max ({self.green_max}) must be below red_min ({self.red_min})")
        return self


DEFAULT_DECISION_SETTINGS: Final = DecisionSettings()


class Reason(BaseModel):
    """Why a zone or an action was chosen.

    Attributes
    ----------
    code
        Stable identifier, e.g. ``red.worst_pain``, ``green.advance``, ``review.two_reds``.
    rule
        The §6.2 rule that fired, as written there.
    message
        Plain sentence with the numbers.
    values
        The numbers compared (inputs and thresholds).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    rule: str
    message: str
    values: dict[str, float | int | str | None] = Field(default_factory=dict)


class SessionAssessment(BaseModel):
    """The §6.2 inputs and zone of one logged session."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise_id: str
    date: dt.date
    zone: Zone
    worst_pain: int
    pain_during_max: int
    pain_after: int
    next_morning_delta: int | None
    weekly_trend: float | None
    symptom_change: SymptomChange
    new_neuro_symptoms: bool
    form_pass_rate: float | None
    dose_completion: float
    prescribed: PrescribedDose
    reasons: tuple[Reason, ...]


class Proposal(BaseModel, Generic[DoseT]):
    """The proposed next step for one exercise after one session.

    Attributes
    ----------
    proposal_id
        ``"<exercise_id>@<date>"``.
    exercise_id, session_date
        The session the proposal follows.
    zone, action
        The §6.2 zone and the proposed action.
    reasons
        Zone reasons first, then the action's reason.
    current_dose
        The dose of the session.
    proposed_dose
        The new dose (advance, step back; the suggested step back of a review flag); the current
        dose for repeat; None when the proposal switches exercise.
    proposed_exercise_id
        The exercise to switch to (switch actions, or a review flag whose suggestion is the
        regression); None otherwise.
    status, decided_by, decided_at, note
        Approval state; who decided (a clinician, or ``auto-progression``) and when.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    proposal_id: str
    exercise_id: str
    session_date: dt.date
    zone: Zone
    action: Action
    reasons: tuple[Reason, ...]
    current_dose: DoseT
    proposed_dose: DoseT | None
    proposed_exercise_id: str | None = None
    status: Status = "pending"
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None

    @property
    def needs_review(self) -> bool:
        """A clinician must look at this exercise (never auto-applied)."""
        return self.action == "flag_review"

    @property
    def applied(self) -> bool:
        """Approved or auto-applied."""
        return self.status in ("approved", "auto_applied")

    @property
    def harder(self) -> bool:
        """The proposal raises the demand (advance or switch to the progression)."""
        return self.action in ("advance", "switch_to_progression")


@dataclass(frozen=True)
class ExerciseTrack(Generic[DoseT]):
    """One exercise of a patient's programme as the decision code needs it."""

    exercise_id: str
    dose: DoseT
    ladder: LadderLike[DoseT]
    progression_ids: tuple[str, ...] = ()
    regression_ids: tuple[str, ...] = ()
    replaced_ids: tuple[str, ...] = ()
    """Exercises this one took the place of (a switch to a regression or progression), most
    recent first: their sessions before the switch continue the §6.2 red streak."""


# ---------------------------------------------------------------------------------------------
# zones


def _day_value(log: SessionLog, settings: DecisionSettings) -> int:
    return log.pain_before if settings.trend_measure == "pain_before" else log.worst_pain


def _weekly_trend_exact(
    logs: Iterable[SessionLog], day: dt.date, settings: DecisionSettings
) -> Fraction | None:
    window = settings.trend_window_days
    daily: dict[dt.date, int] = {}
    for log in logs:
        if log.date <= day:
            value = _day_value(log, settings)
            daily[log.date] = max(value, daily.get(log.date, value))
    this = [v for d, v in daily.items() if 0 <= (day - d).days < window]
    last = [v for d, v in daily.items() if window <= (day - d).days < 2 * window]
    if not this or not last:
        return None
    return Fraction(sum(this), len(this)) - Fraction(sum(last), len(last))


def weekly_trend(
    logs: Iterable[SessionLog],
    day: dt.date,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> float | None:
    """Mean daily pain of the 7 days ending on ``day`` minus that of the 7 days before (§6.1
    rule 3, §6.2 ``weekly_trend``).

    The daily value is the ``trend_measure`` (default ``pain_before``), the highest of the
    day's logs; days without a log are left out of the means. None when either week has no
    log. Logs after ``day`` are ignored.
    """
    exact = _weekly_trend_exact(logs, day, settings)
    return None if exact is None else float(exact)


def classify_zone(
    log: SessionLog,
    trend: Fraction | float | None,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> tuple[Zone, tuple[Reason, ...]]:
    """The §6.2 zone of one session and every rule that fired.

    ``trend`` is the weekly trend on the session's day (None = not available: it cannot make
    the session red). A missing next-morning report cannot either; the reasons say so.
    """
    worst = log.worst_pain
    delta = log.next_morning_delta
    g, r = settings.green_max, settings.red_min
    reasons: list[Reason] = []
    pains = {"pain_during_max": log.pain_during_max, "pain_after": log.pain_after, "worst": worst}
    if worst >= r:
        reasons.append(
            Reason(
                code="red.worst_pain",
                rule=f"RED if worst >= {r}",
                message=f"worst pain {worst}/10 (during {log.pain_during_max}, after "
                f"{log.pain_after}) is at or above {r}",
                values={**pains, "red_min": r},
            )
        )
    if delta is not None and delta > settings.next_morning_delta_max:
        reasons.append(
            Reason(
                code="red.next_morning",
                rule=f"RED if next_morning_delta > {settings.next_morning_delta_max}",
                message=f"next-morning pain {log.next_morning_pain}/10 is {delta} above the "
                f"usual {log.usual_pain}/10",
                values={
                    "next_morning_pain": log.next_morning_pain,
                    "usual_pain": log.usual_pain,
                    "next_morning_delta": delta,
                    "limit": settings.next_morning_delta_max,
                },
            )
        )
    if trend is not None and trend > Fraction(repr(settings.weekly_trend_max)):
        value = round(float(trend), 3)
        reasons.append(
            Reason(
                code="red.weekly_trend",
                rule=f"RED if weekly_trend > {settings.weekly_trend_max:g}",
                message=f"the {settings.trend_window_days}-day mean pain rose by {value:g} "
                "points from last week",
                values={"weekly_trend": value, "limit": settings.weekly_trend_max},
            )
        )
    if log.symptom_change == "peripheralised":
        reasons.append(
            Reason(
                code="red.peripheralised",
                rule='RED if symptoms_location_change == "peripheralised"',
                message="symptoms spread further down the leg (peripheralised)",
                values={"symptom_change": log.symptom_change},
            )
        )
    if log.new_neuro_symptoms:
        reasons.append(
            Reason(
                code="red.red_flag_symptoms",
                rule="new numbness, weakness or bladder/bowel change -> red-flag pathway (§9)",
                message="new numbness, weakness, or bladder or bowel change reported: stop and "
                "run the red-flag screen (clinical reference §9) before any further exercise",
                values={"new_neuro_symptoms": "yes"},
            )
        )
    if reasons:
        zone: Zone = "red"
    elif worst > g:
        zone = "amber"
        reasons.append(
            Reason(
                code="amber.pain",
                rule=f"AMBER if {g} < worst <= {r - 1}",
                message=f"worst pain {worst}/10 is above {g} and below {r}",
                values={**pains, "green_max": g, "red_min": r},
            )
        )
    else:
        zone = "green"
        reasons.append(
            Reason(
                code="green.pain",
                rule=f"GREEN if worst <= {g}",
                message=f"worst pain {worst}/10 is at or below {g}",
                values={**pains, "green_max": g},
            )
        )
    if zone != "red":
        if delta is None:
            reasons.append(
                Reason(
                    code="info.next_morning_missing",
                    rule="next_morning_delta not yet reported",
                    message="next-morning pain not reported yet; re-run when it is",
                )
            )
        if trend is None:
            reasons.append(
                Reason(
                    code="info.weekly_trend_missing",
                    rule="weekly_trend needs a log in each of the last two weeks",
                    message="no weekly trend yet (fewer than two weeks of logs)",
                )
            )
    return zone, tuple(reasons)


def assess_sessions(
    logs: Iterable[SessionLog],
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> list[SessionAssessment]:
    """The zone of every log (sorted by date, then exercise); each log's weekly trend uses the
    logs up to its own day only."""
    ordered = check_logs(logs)
    out = []
    for log in ordered:
        trend = _weekly_trend_exact(ordered, log.date, settings)
        zone, reasons = classify_zone(log, trend, settings)
        out.append(
            SessionAssessment(
                exercise_id=log.exercise_id,
                date=log.date,
                zone=zone,
                worst_pain=log.worst_pain,
                pain_during_max=log.pain_during_max,
                pain_after=log.pain_after,
                next_morning_delta=log.next_morning_delta,
                weekly_trend=None if trend is None else float(trend),
                symptom_change=log.symptom_change,
                new_neuro_symptoms=log.new_neuro_symptoms,
                form_pass_rate=log.form_pass_rate,
                dose_completion=log.dose_completion,
                prescribed=log.prescribed,
                reasons=reasons,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# actions


def _trailing(items: Sequence[SessionAssessment], keep: Callable[[SessionAssessment], bool]) -> int:
    n = 0
    for item in reversed(items):
        if not keep(item):
            break
        n += 1
    return n


def decide(
    current: SessionAssessment,
    earlier: Sequence[SessionAssessment],
    track: ExerciseTrack[DoseT],
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> Proposal[DoseT]:
    """The §6.2 action after ``current``, a session of ``track.exercise_id`` at ``track.dose``.

    ``earlier`` holds the assessments before it (other exercises and later dates are ignored).
    Consecutive greens count only sessions at the same prescribed dose, so the count restarts
    after every dose change; consecutive reds count across doses and across a switch of exercise
    (the sessions of ``track.replaced_ids`` before this one continue the streak: a red, the
    switch to the regression, and a red again are two consecutive reds).

    Raises
    ------
    InvalidResponseError
        ``current`` belongs to another exercise.
    """
    if current.exercise_id != track.exercise_id:
        raise InvalidResponseError(
            f"decision: the session is for {current.exercise_id}, the track for {track.exercise_id}"
        )
    history = sorted(
        (a for a in earlier if a.exercise_id == current.exercise_id and a.date < current.date),
        key=lambda a: a.date,
    )
    series = [*history, current]
    reasons = list(current.reasons)
    dose = track.dose
    action: Action
    proposed: DoseT | None = dose
    proposed_id: str | None = None

    if current.new_neuro_symptoms:
        action, proposed = "flag_review", dose
        reasons.append(
            Reason(
                code="review.red_flag_pathway",
                rule="new numbness, weakness or bladder/bowel change -> red-flag pathway (§9), "
                "not the traffic light (§6.1)",
                message="clinician review and red-flag screen before the next session; the dose "
                "is not changed by this proposal",
            )
        )
    elif current.zone == "red":
        lineage = {current.exercise_id, *track.replaced_ids}
        streak = sorted(
            (a for a in earlier if a.exercise_id in lineage and a.date < current.date),
            key=lambda a: a.date,
        )
        reds = _trailing([*streak, current], lambda a: a.zone == "red")
        easier = track.ladder.step_back(dose)
        regression = track.regression_ids[0] if track.regression_ids else None
        if easier is not None:
            suggestion: Action = "step_back"
            proposed = easier
            what = "one rung down the ladder"
        elif regression is not None:
            suggestion = "switch_to_regression"
            proposed, proposed_id = None, regression
            what = f"the regression {regression}"
        else:
            suggestion = "flag_review"
            proposed = dose
            what = "nothing easier: bottom of the ladder and no regression"
        peripheral = current.symptom_change == "peripheralised"
        if peripheral or reds >= settings.reds_to_review or suggestion == "flag_review":
            action = "flag_review"
            if peripheral:
                reasons.append(
                    Reason(
                        code="review.peripheralised",
                        rule="any peripheralisation -> flag for clinician review",
                        message=f"symptoms peripheralised: clinician review; suggested: {what}",
                        values={"suggested": suggestion},
                    )
                )
            if reds >= settings.reds_to_review:
                reasons.append(
                    Reason(
                        code="review.consecutive_reds",
                        rule=f"{settings.reds_to_review} consecutive REDs -> flag for "
                        "clinician review",
                        message=f"{reds} red sessions in a row: clinician review; "
                        f"suggested: {what}",
                        values={"consecutive_reds": reds, "limit": settings.reds_to_review},
                    )
                )
            if suggestion == "flag_review":
                reasons.append(
                    Reason(
                        code="review.no_easier_option",
                        rule="RED -> drop one step (or switch to regression_ids[0])",
                        message="red session but no easier rung or regression: clinician review",
                    )
                )
        else:
            action = suggestion
            reasons.append(
                Reason(
                    code=f"red.{suggestion}",
                    rule="RED -> drop one step on the ladder (or switch to regression_ids[0])",
                    message=f"red session: {what}",
                    values={"consecutive_reds": reds},
                )
            )
    elif current.zone == "amber":
        action = "repeat"
        reasons.append(
            Reason(
                code="amber.repeat",
                rule="AMBER -> repeat the same dose",
                message="amber session: repeat the same dose",
            )
        )
    else:
        greens = _trailing(
            series, lambda a: a.zone == "green" and a.prescribed == current.prescribed
        )
        form = current.form_pass_rate
        completion = current.dose_completion
        values: dict[str, float | int | str | None] = {
            "consecutive_greens": greens,
            "greens_needed": settings.greens_to_advance,
            "form_pass_rate": form,
            "form_pass_min": settings.form_pass_min,
            "dose_completion": round(completion, 4),
            "dose_completion_min": settings.dose_completion_min,
        }
        missing = []
        if greens < settings.greens_to_advance:
            missing.append(
                f"{greens} of {settings.greens_to_advance} consecutive green sessions at this dose"
            )
        if form is None:
            missing.append("form pass rate not recorded")
        elif form < settings.form_pass_min:
            missing.append(f"form pass rate {form:.2f} below {settings.form_pass_min:g}")
        if completion < settings.dose_completion_min - 1e-9:
            missing.append(
                f"dose {100 * completion:.0f} % done, {100 * settings.dose_completion_min:.0f} "
                "% needed"
            )
        rule = (
            f"GREEN -> if GREEN on the last {settings.greens_to_advance} sessions and "
            f"form_pass_rate >= {settings.form_pass_min:g} and full dose completed: advance"
        )
        if missing:
            action = "repeat"
            reasons.append(
                Reason(
                    code="green.repeat",
                    rule=rule,
                    message="green session, not yet ready to advance: " + "; ".join(missing),
                    values=values,
                )
            )
        else:
            harder = track.ladder.advance(dose)
            if harder is not None:
                action, proposed = "advance", harder
                message = "one rung up the ladder"
            elif track.progression_ids:
                action = "switch_to_progression"
                proposed, proposed_id = None, track.progression_ids[0]
                message = f"top of the ladder: switch to {proposed_id} at its starting dose"
            else:
                action = "repeat"
                message = "top of the ladder and no progression exercise: repeat"
            reasons.append(
                Reason(
                    code=f"green.{action}",
                    rule=rule,
                    message=f"{greens} green sessions in a row, form and dose met: {message}",
                    values=values,
                )
            )
    return Proposal[DoseT](
        proposal_id=f"{current.exercise_id}@{current.date.isoformat()}",
        exercise_id=current.exercise_id,
        session_date=current.date,
        zone=current.zone,
        action=action,
        reasons=tuple(reasons),
        current_dose=dose,
        proposed_dose=proposed,
        proposed_exercise_id=proposed_id,
    )


def propose(
    logs: Iterable[SessionLog],
    track: ExerciseTrack[DoseT],
    *,
    day: dt.date | None = None,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> Proposal[DoseT] | None:
    """The proposal for ``track`` after its session on ``day`` (default: its latest session).

    Only logs up to ``day`` count. None when the exercise has no log on that day.
    """
    ordered = check_logs(logs)
    mine = [log for log in ordered if log.exercise_id == track.exercise_id]
    if day is None:
        if not mine:
            return None
        day = mine[-1].date
    upto = [log for log in ordered if log.date <= day]
    assessed = assess_sessions(upto, settings)
    current = [a for a in assessed if a.exercise_id == track.exercise_id and a.date == day]
    if not current:
        return None
    return decide(current[0], assessed, track, settings)


def propose_day(
    logs: Iterable[SessionLog],
    tracks: Iterable[ExerciseTrack[DoseT]],
    day: dt.date,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> list[Proposal[DoseT]]:
    """One proposal per track logged on ``day`` (run after each logged day)."""
    ordered = check_logs(logs)
    out = []
    for track in tracks:
        proposal = propose(ordered, track, day=day, settings=settings)
        if proposal is not None:
            out.append(proposal)
    return out


# ---------------------------------------------------------------------------------------------
# approval


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ProposalQueue(Generic[DoseT]):
    """Proposals of one patient awaiting a decision.

    ``auto_progression`` is the patient setting a clinician enables. When it is on, a submitted
    proposal is applied at once (status ``auto_applied``, decided by ``auto-progression``)
    unless it is a review flag, which always waits for a clinician; and while a review flag of
    an exercise is pending, only proposals that do not raise the demand (repeat, step back,
    switch to regression) are auto-applied for that exercise.

    Approving a proposal rejects the older pending proposals of the same exercise (note
    "superseded"); only the latest proposal of an exercise can be approved.
    """

    def __init__(
        self,
        *,
        auto_progression: bool = False,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.auto_progression = auto_progression
        self._clock = clock
        self._items: dict[str, Proposal[DoseT]] = {}

    @classmethod
    def restore(
        cls,
        proposals: Iterable[Proposal[DoseT]],
        *,
        auto_progression: bool = False,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> ProposalQueue[DoseT]:
        """A queue holding stored proposals (pending and decided) in their stored order, e.g.
        read back from a database; a repeated proposal id is an InvalidResponseError."""
        queue: ProposalQueue[DoseT] = cls(auto_progression=auto_progression, clock=clock)
        for proposal in proposals:
            if proposal.proposal_id in queue._items:
                raise InvalidResponseError(f"proposal {proposal.proposal_id!r} is stored twice")
            queue._items[proposal.proposal_id] = proposal
        return queue

    @property
    def proposals(self) -> list[Proposal[DoseT]]:
        """Every proposal, in submission order."""
        return list(self._items.values())

    def get(self, proposal_id: str) -> Proposal[DoseT]:
        """A proposal by id (InvalidResponseError when unknown)."""
        try:
            return self._items[proposal_id]
        except KeyError:
            raise InvalidResponseError(f"proposal {proposal_id!r} not found") from None

    def pending(self, exercise_id: str | None = None) -> list[Proposal[DoseT]]:
        """Pending proposals (of one exercise)."""
        return [
            p
            for p in self._items.values()
            if p.status == "pending" and exercise_id in (None, p.exercise_id)
        ]

    def review_pending(self, exercise_id: str) -> bool:
        """A review flag of this exercise awaits a clinician."""
        return any(p.needs_review for p in self.pending(exercise_id))

    def submit(self, proposal: Proposal[DoseT]) -> Proposal[DoseT]:
        """Queue a new (pending) proposal and auto-apply it where allowed; returns it as stored.

        A pending proposal with the same id (the same session, re-decided after the next-morning
        report) is replaced; a decided one cannot be.
        """
        if proposal.status != "pending":
            raise InvalidResponseError(
                f"proposal {proposal.proposal_id}: only pending proposals can be submitted"
            )
        old = self._items.get(proposal.proposal_id)
        if old is not None and old.status != "pending":
            raise InvalidResponseError(
                f"proposal {proposal.proposal_id} was already {old.status}; it cannot be replaced"
            )
        self._items.pop(proposal.proposal_id, None)
        blocked = self.review_pending(proposal.exercise_id) and proposal.action not in _EASIER
        if self.auto_progression and not proposal.needs_review and not blocked:
            proposal = proposal.model_copy(
                update={
                    "status": "auto_applied",
                    "decided_by": AUTO_ACTOR,
                    "decided_at": self._clock(),
                }
            )
        self._items[proposal.proposal_id] = proposal
        return proposal

    def _decide(
        self, proposal_id: str, status: Status, clinician: str, note: str | None
    ) -> Proposal[DoseT]:
        if not clinician.strip():
            raise InvalidResponseError("decided_by: the clinician's name is required")
        current = self.get(proposal_id)
        if current.status != "pending":
            raise InvalidResponseError(f"proposal {proposal_id} was already {current.status}")
        decided = current.model_copy(
            update={
                "status": status,
                "decided_by": clinician,
                "decided_at": self._clock(),
                "note": note,
            }
        )
        self._items[proposal_id] = decided
        return decided

    def approve(
        self, proposal_id: str, clinician: str, *, note: str | None = None
    ) -> Proposal[DoseT]:
        """A clinician approves the latest proposal of an exercise (review flags included)."""
        target = self.get(proposal_id)
        later = [
            p
            for p in self._items.values()
            if p.exercise_id == target.exercise_id and p.session_date > target.session_date
        ]
        if later:
            raise InvalidResponseError(
                f"proposal {proposal_id} is outdated: {later[-1].proposal_id} is newer"
            )
        approved = self._decide(proposal_id, "approved", clinician, note)
        for p in self.pending(target.exercise_id):
            self._decide(p.proposal_id, "rejected", clinician, f"superseded by {proposal_id}")
        return approved

    def reject(
        self, proposal_id: str, clinician: str, *, note: str | None = None
    ) -> Proposal[DoseT]:
        """A clinician rejects a pending proposal."""
        return self._decide(proposal_id, "rejected", clinician, note)
