"""Plan and progress wired together: logs of the plan's doses, proposals on the plan's ladders,
approved proposals applied to the plan history, the plan's adherence schedule."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from backrehab.assess.findings import Assessment
from backrehab.exercises import load_library
from backrehab.plan import Dose, Plan, PlanEditError, PlanHistory, generate_plan, ladder_for
from backrehab.plan.dosing import session_minutes, starting_dose
from backrehab.progress import (
    Proposal,
    ProposalQueue,
    SessionLog,
    adherence,
    apply_proposal,
    prescribed_from_dose,
    propose_for_plan,
    schedule_from_plan,
    track_for,
    tracks_for,
    typed_log,
)
from backrehab.progress.decisions import AUTO_ACTOR

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "assessments"
LIBRARY = load_library()
START = dt.date(2026, 1, 5)  # a Monday
T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
CLINICIAN = "dr.lee"


def _plan(name: str = "high_risk_flexion_intolerant", budget: float = 30.0) -> Plan:
    text = (EXAMPLES / f"{name}.json").read_text(encoding="utf-8")
    return generate_plan(Assessment.from_json(text), budget_min=budget)


def _history(budget: float = 30.0) -> PlanHistory:
    return PlanHistory.start(_plan(budget=budget), author=CLINICIAN, now=T0)


def _log(plan: Plan, exercise_id: str, n: int, pain: int, **extra: object) -> SessionLog:
    """A full-dose typed log of the plan's current dose, ``n`` days after START."""
    item = plan.item(exercise_id)
    assert item is not None
    rx = prescribed_from_dose(item.dose)
    fields: dict[str, object] = {
        "exercise_id": exercise_id,
        "date": START + dt.timedelta(days=n),
        "prescribed": rx,
        "done_sets": rx.sets,
        "done_reps": rx.reps,
        "pain_before": 1,
        "pain_during_max": pain,
        "pain_after": pain,
        "next_morning_pain": 1,
        "usual_pain": 1,
        "form_pass_rate": 1.0,
    }
    fields.update(extra)
    return typed_log(**fields)


def _proposal(logs: list[SessionLog], plan: Plan, exercise_id: str) -> Proposal[Dose]:
    day = max(log.date for log in logs if log.exercise_id == exercise_id)
    found = [p for p in propose_for_plan(logs, plan, day) if p.exercise_id == exercise_id]
    assert len(found) == 1
    return found[0]


def _clock() -> dt.datetime:
    return T0 + dt.timedelta(days=30)


def test_prescribed_dose_copies_the_plan_dose() -> None:
    """An isometric item logs its sets, reps, hold and sides; a walk logs one timed bout."""
    plan = _plan()
    bird = plan.item("bird_dog_single_limb")
    assert bird is not None
    rx = prescribed_from_dose(bird.dose)
    assert (rx.sets, rx.reps, rx.hold_s, rx.per_side) == (
        bird.dose.sets,
        bird.dose.reps,
        bird.dose.hold_s,
        bird.dose.per_side,
    )
    walk = plan.item("walking_program")
    assert walk is not None
    assert walk.dose.duration_min == 10.0
    rx_walk = prescribed_from_dose(walk.dose)
    assert (rx_walk.sets, rx_walk.reps, rx_walk.hold_s) == (1, 1, 600.0)
    nine_minutes = typed_log(
        exercise_id="walking_program",
        date=START,
        prescribed=rx_walk,
        done_sets=1,
        done_reps=1,
        done_hold_s=540.0,
        pain_before=1,
        pain_during_max=1,
        pain_after=1,
    )
    assert nine_minutes.dose_completion == pytest.approx(0.9)


def test_different_rungs_never_log_as_the_same_dose() -> None:
    """On every library ladder, two different rungs give two different logged doses."""
    for exercise in LIBRARY:
        steps = ladder_for(exercise).steps
        for a, b in itertools.combinations(steps, 2):
            if a != b:
                assert prescribed_from_dose(a) != prescribed_from_dose(b), (exercise.id, a, b)


def test_tracks_use_the_plan_ladders_for_home_items_only() -> None:
    """One track per home item, on the item's own ladder with the library's neighbours."""
    plan = _plan()
    tracks = tracks_for(plan, LIBRARY)
    home = [i.exercise_id for i in plan.items if i.setting == "home"]
    assert [t.exercise_id for t in tracks] == home
    bird = next(t for t in tracks if t.exercise_id == "bird_dog_single_limb")
    exercise = LIBRARY.get("bird_dog_single_limb")
    assert bird.ladder == ladder_for(exercise)
    assert bird.progression_ids == exercise.progression_ids
    assert bird.regression_ids == exercise.regression_ids
    item = plan.item("bird_dog_single_limb")
    assert item is not None
    assert track_for(item).dose == item.dose
    with pytest.raises(PlanEditError, match="blocked"):
        tracks_for(_plan("red_flag_emergency"))


def test_pending_proposal_leaves_the_plan_alone_until_approved() -> None:
    """Two green sessions propose the next rung; the plan changes only once it is approved."""
    history = _history()
    plan = history.current
    logs = [_log(plan, "bird_dog_single_limb", n, 1) for n in (0, 1)]
    queue: ProposalQueue[Dose] = ProposalQueue(clock=_clock)
    proposal = queue.submit(_proposal(logs, plan, "bird_dog_single_limb"))
    item = plan.item("bird_dog_single_limb")
    assert item is not None
    expected = ladder_for(LIBRARY.get("bird_dog_single_limb")).advance(item.dose)
    assert (proposal.action, proposal.proposed_dose, proposal.status) == (
        "advance",
        expected,
        "pending",
    )
    with pytest.raises(PlanEditError, match="pending"):
        apply_proposal(history, proposal)
    approved = queue.approve(proposal.proposal_id, CLINICIAN)
    after = apply_proposal(history, approved, now=_clock())
    assert len(after.versions) == 2
    assert len(history.versions) == 1
    version = after.latest
    assert (version.action, version.author, version.exercise_id) == (
        "redose",
        CLINICIAN,
        "bird_dog_single_limb",
    )
    assert version.dose_before == item.dose
    new_item = after.current.item("bird_dog_single_limb")
    assert new_item is not None
    assert new_item.dose == expected
    assert proposal.proposal_id in version.reason
    assert "green" in version.reason
    assert max(after.current.daily_minutes.values()) <= after.current.budget_min


def test_auto_progression_applies_without_a_clinician() -> None:
    """With auto-progression the proposal is applied at once, authored by auto-progression."""
    history = _history()
    plan = history.current
    logs = [_log(plan, "side_bridge_knees", n, 2) for n in (0, 1)]
    queue: ProposalQueue[Dose] = ProposalQueue(auto_progression=True, clock=_clock)
    stored = queue.submit(_proposal(logs, plan, "side_bridge_knees"))
    assert stored.status == "auto_applied"
    after = apply_proposal(history, stored, now=_clock())
    assert after.latest.author == AUTO_ACTOR
    assert "auto-progression" in after.latest.reason
    assert after.current.item("side_bridge_knees") != plan.item("side_bridge_knees")


def test_red_session_at_the_ladder_bottom_switches_to_the_regression() -> None:
    """A red press-up session (bottom rung) swaps in prone_on_elbows at its starting dose."""
    history = _history()
    plan = history.current
    queue: ProposalQueue[Dose] = ProposalQueue(clock=_clock)
    proposal = queue.submit(_proposal([_log(plan, "prone_press_up", 0, 7)], plan, "prone_press_up"))
    assert (proposal.zone, proposal.action) == ("red", "switch_to_regression")
    assert proposal.proposed_exercise_id == "prone_on_elbows"
    approved = queue.approve(proposal.proposal_id, CLINICIAN)
    after = apply_proposal(history, approved, now=_clock())
    assert [v.action for v in after.versions] == ["generate", "remove", "add"]
    current = after.current
    assert current.item("prone_press_up") is None
    new = current.item("prone_on_elbows")
    old = plan.item("prone_press_up")
    assert new is not None
    assert old is not None
    assert new.priority == old.priority
    assert new.setting == old.setting
    starting = starting_dose(LIBRARY.get("prone_on_elbows"))
    assert new.dose == starting.model_copy(update={"days_per_week": len(new.schedule.days)})
    assert any(e.exercise_id == "prone_press_up" for e in current.excluded)
    assert all(proposal.proposal_id in v.reason for v in after.versions[1:])
    # the regression remembers what it replaced, so a red on it continues the red streak
    assert new.replaces == ("prone_press_up",)
    assert track_for(new, LIBRARY).replaced_ids == ("prone_press_up",)
    second = _proposal(
        [_log(plan, "prone_press_up", 0, 7), _log(current, "prone_on_elbows", 1, 7)],
        current,
        "prone_on_elbows",
    )
    assert second.action == "flag_review"
    assert "review.consecutive_reds" in [r.code for r in second.reasons]


def test_repeat_changes_nothing_and_review_applies_its_suggestion() -> None:
    """An amber repeat keeps the same history; an approved review flag applies the step back."""
    history = _history()
    plan = history.current
    amber = _proposal([_log(plan, "mcgill_curl_up", 0, 4)], plan, "mcgill_curl_up")
    queue: ProposalQueue[Dose] = ProposalQueue(auto_progression=True, clock=_clock)
    stored = queue.submit(amber)
    assert (stored.action, stored.status) == ("repeat", "auto_applied")
    assert apply_proposal(history, stored) is history

    logs = [
        _log(plan, "mcgill_curl_up", 0, 4),
        _log(plan, "mcgill_curl_up", 1, 2, symptom_change="peripheralised"),
    ]
    flag = queue.submit(_proposal(logs, plan, "mcgill_curl_up"))
    assert (flag.action, flag.status) == ("flag_review", "pending")
    with pytest.raises(PlanEditError, match="pending"):
        apply_proposal(history, flag)
    approved = queue.approve(flag.proposal_id, CLINICIAN, note="seen; step back")
    after = apply_proposal(history, approved, now=_clock())
    item = after.current.item("mcgill_curl_up")
    assert item is not None
    assert item.dose == flag.proposed_dose
    assert flag.proposed_dose != flag.current_dose


def test_stale_or_foreign_proposals_are_refused() -> None:
    """A proposal made at a dose the clinician has since changed, or for a removed item, fails."""
    history = _history()
    plan = history.current
    logs = [_log(plan, "bird_dog_single_limb", n, 1) for n in (0, 1)]
    queue: ProposalQueue[Dose] = ProposalQueue(auto_progression=True, clock=_clock)
    stored = queue.submit(_proposal(logs, plan, "bird_dog_single_limb"))
    item = plan.item("bird_dog_single_limb")
    assert item is not None
    edited = history.redose(
        "bird_dog_single_limb",
        item.dose.model_copy(update={"rest_s": 20.0}),
        author=CLINICIAN,
        reason="longer rests",
        now=T0,
    )
    with pytest.raises(PlanEditError, match="stale"):
        apply_proposal(edited, stored)
    removed = history.remove("bird_dog_single_limb", author=CLINICIAN, reason="pain", now=T0)
    with pytest.raises(PlanEditError, match="not in the current plan"):
        apply_proposal(removed, stored)


def test_an_advance_over_the_budget_is_refused_not_squeezed() -> None:
    """At a 20-min budget the example week has less room than the side bridge's next rung
    needs: the advance fails with a reason naming the budget, and the plan is unchanged."""
    history = _history(budget=20.0)
    plan = history.current
    item = plan.item("side_bridge_knees")
    assert item is not None
    harder = ladder_for(LIBRARY.get("side_bridge_knees")).advance(item.dose)
    assert harder is not None
    room = plan.budget_min - max(plan.daily_minutes.values())
    assert session_minutes(harder) - item.schedule.minutes > room
    logs = [_log(plan, "side_bridge_knees", n, 1) for n in (0, 1)]
    queue: ProposalQueue[Dose] = ProposalQueue(auto_progression=True, clock=_clock)
    stored = queue.submit(_proposal(logs, plan, "side_bridge_knees"))
    assert stored.action == "advance"
    with pytest.raises(PlanEditError, match="budget"):
        apply_proposal(history, stored)
    assert len(history.versions) == 1


def test_schedule_from_plan_counts_the_plan_days() -> None:
    """The adherence schedule plans one session on each weekday that has home items."""
    low = _plan("low_risk")
    schedule = schedule_from_plan(low, start=START, end=START + dt.timedelta(days=13))
    assert schedule.sessions_per_week == 7
    logs = [_log(low, "walking_program", n, 1) for n in range(0, 14, 2)]
    summary = adherence(logs, schedule)
    assert (summary.done, summary.planned) == (7, 14)
