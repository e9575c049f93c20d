"""Wiring between a treatment plan and the progress layer: log the plan's doses, decide on the
plan's own §6.3 ladders, and apply approved proposals to the plan history.

Input: a :class:`~backrehab.plan.engine.Plan` (or :class:`~backrehab.plan.history.PlanHistory`),
session logs and decided :class:`~backrehab.progress.decisions.Proposal` objects. Output: the
:class:`PrescribedDose` to log for an item, one :class:`ExerciseTrack` per home item, the
proposals of a logged day, a new plan-history version per applied proposal, and the adherence
:class:`Schedule` of the plan's week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from backrehab.exercises import ExerciseLibrary, load_library
from backrehab.plan.dosing import Dose, describe_dose, ladder_for
from backrehab.plan.engine import Plan, PlanItem
from backrehab.plan.history import PlanEditError, PlanHistory
from backrehab.progress.decisions import (
    DEFAULT_DECISION_SETTINGS,
    DecisionSettings,
    ExerciseTrack,
    Proposal,
    propose_day,
)
from backrehab.progress.logs import PrescribedDose, SessionLog
from backrehab.progress.patient_data import Schedule

__all__ = [
    "apply_proposal",
    "prescribed_from_dose",
    "propose_for_plan",
    "schedule_from_plan",
    "track_for",
    "tracks_for",
]


def prescribed_from_dose(dose: Dose) -> PrescribedDose:
    """The :class:`PrescribedDose` a session log records for a plan :class:`Dose`.

    Sets, reps, hold and per-side are copied. A timed item without reps (a walk, an education
    part) is one repetition held for ``duration_min`` (so a 9-min walk of 10 planned is 90 %
    done). Everything else (extra weaker-side sets, tempo, range or load note, the length of a
    timed bout with reps) goes into ``label``, so two different rungs never log as the same
    dose and the §6.2 green streak restarts after every dose change.
    """
    label_parts: list[str] = []
    if dose.reps is None and dose.duration_min is not None:
        reps, hold_s = 1, dose.duration_min * 60.0
    else:
        reps, hold_s = dose.reps or 1, dose.hold_s or 0.0
        if dose.duration_min is not None:
            label_parts.append(f"{dose.duration_min:g} min")
    if dose.extra_side_sets:
        label_parts.append(f"+{dose.extra_side_sets} set(s) on the weaker side")
    if dose.tempo:
        label_parts.append(f"tempo: {dose.tempo}")
    if dose.load_note:
        label_parts.append(dose.load_note)
    return PrescribedDose(
        sets=dose.sets,
        reps=reps,
        hold_s=round(hold_s, 3),
        per_side=dose.per_side,
        label="; ".join(label_parts)[:300] or None,
    )


def track_for(item: PlanItem, library: ExerciseLibrary | None = None) -> ExerciseTrack[Dose]:
    """The decision track of a plan item: its current dose on its own §6.3 ladder, with the
    library's progression and regression ids (used at the top and bottom of the ladder) and the
    exercises the item replaced (their red sessions continue its red streak)."""
    lib = library if library is not None else load_library()
    exercise = lib.get(item.exercise_id)
    return ExerciseTrack(
        exercise_id=item.exercise_id,
        dose=item.dose,
        ladder=ladder_for(exercise),
        progression_ids=tuple(exercise.progression_ids),
        regression_ids=tuple(exercise.regression_ids),
        replaced_ids=item.replaces,
    )


def tracks_for(plan: Plan, library: ExerciseLibrary | None = None) -> list[ExerciseTrack[Dose]]:
    """One track per home item of the plan, in plan order (clinic items are not self-logged).

    Raises
    ------
    PlanEditError
        The plan is blocked by a red flag (there is nothing to progress).
    """
    if plan.blocked:
        raise PlanEditError(f"This plan is blocked by a red flag: {plan.message}.")
    lib = library if library is not None else load_library()
    return [track_for(item, lib) for item in plan.items if item.setting == "home"]


def propose_for_plan(
    logs: Iterable[SessionLog],
    plan: Plan,
    day: dt.date,
    *,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
    library: ExerciseLibrary | None = None,
) -> list[Proposal[Dose]]:
    """The §6.2 proposals after ``day`` for every home item of ``plan`` logged that day, on the
    plan's ladders (run after each logged day; submit them to a
    :class:`~backrehab.progress.decisions.ProposalQueue`)."""
    return propose_day(logs, tracks_for(plan, library), day, settings)


def _summary(proposal: Proposal[Dose]) -> str:
    last = proposal.reasons[-1].message if proposal.reasons else proposal.action
    how = "auto-progression" if proposal.status == "auto_applied" else "approved"
    return (
        f"{proposal.action.replace('_', ' ')} after the {proposal.zone} session of "
        f"{proposal.session_date.isoformat()} ({last}); proposal {proposal.proposal_id} {how}"
        f" by {proposal.decided_by}"
    )


def apply_proposal(
    history: PlanHistory,
    proposal: Proposal[Dose],
    *,
    library: ExerciseLibrary | None = None,
    now: dt.datetime | None = None,
) -> PlanHistory:
    """The plan history after an approved or auto-applied proposal.

    ``advance``/``step_back`` re-dose the item to the proposed rung (one version);
    ``switch_to_progression``/``switch_to_regression`` remove the item and add the new
    exercise at its starting dose with the same priority and setting (two versions);
    ``repeat`` changes nothing (the same history is returned). An approved ``flag_review``
    applies its suggestion (the step back or the regression), if any. The author of each new
    version is the proposal's ``decided_by``; the reason names the proposal, the zone and the
    rule. Edits keep the plan history's checks (daily budget, suitability of §6.4, no edit of a
    blocked plan), so nothing is changed silently.

    Raises
    ------
    PlanEditError
        The proposal is pending or rejected; the item is not in the current plan, or its dose
        changed since the session (the proposal is stale); or the history refuses the edit.
    """
    if not proposal.applied or not proposal.decided_by:
        raise PlanEditError(
            f"Proposal {proposal.proposal_id} is {proposal.status}: only proposals a clinician "
            "approved, or that auto-progression applied, change the plan."
        )
    plan = history.current
    item = plan.item(proposal.exercise_id)
    if item is None:
        raise PlanEditError(
            f"Proposal {proposal.proposal_id}: '{proposal.exercise_id}' is not in the current "
            f"plan (version {history.latest.version})."
        )
    if item.dose != proposal.current_dose:
        raise PlanEditError(
            f"Proposal {proposal.proposal_id} is stale: the plan's dose of "
            f"'{proposal.exercise_id}' is now {describe_dose(item.dose)}, not "
            f"{describe_dose(proposal.current_dose)} as at the session."
        )
    who, why = proposal.decided_by, _summary(proposal)
    if proposal.proposed_exercise_id is not None:
        target = proposal.proposed_exercise_id
        removed = history.remove(
            item.exercise_id, author=who, reason=f"switch to {target}: {why}", now=now
        )
        return removed.add(
            target,
            author=who,
            reason=f"replaces {item.exercise_id}: {why}",
            setting=item.setting,
            priority=item.priority,
            library=library,
            now=now,
            replaces=(item.exercise_id, *item.replaces),
        )
    if proposal.proposed_dose is None or proposal.proposed_dose == item.dose:
        return history
    return history.redose(item.exercise_id, proposal.proposed_dose, author=who, reason=why, now=now)


def schedule_from_plan(plan: Plan, *, start: dt.date, end: dt.date | None = None) -> Schedule:
    """The adherence :class:`Schedule` of a plan: planned session days per week = weekdays with
    at least one home item."""
    days = {d for item in plan.items if item.setting == "home" for d in item.schedule.days}
    return Schedule(start=start, end=end, sessions_per_week=len(days))
