"""The steps end to end: assessment -> plan -> logged sessions of the plan's doses -> §6.2
proposals on the plan's own ladders -> approved proposals become plan versions -> calendar and
adherence of the new plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from backrehab.assess.findings import Assessment
from backrehab.exercises import load_library
from backrehab.plan import (
    Dose,
    PlanHistory,
    describe_dose,
    generate_plan,
    ladder_for,
    plan_to_ics,
)
from backrehab.progress import (
    ProposalQueue,
    SessionLog,
    adherence,
    apply_proposal,
    prescribed_from_dose,
    propose_for_plan,
    schedule_from_plan,
    typed_log,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "assessments"
START = dt.date(2026, 1, 5)  # a Monday
T0 = dt.datetime(2026, 1, 4, 12, 0, tzinfo=dt.UTC)
EXERCISE = "bird_dog_single_limb"


def _history() -> PlanHistory:
    text = (EXAMPLES / "high_risk_flexion_intolerant.json").read_text(encoding="utf-8")
    plan = generate_plan(Assessment.from_json(text), budget_min=30)
    assert not plan.blocked
    return PlanHistory.start(plan, author="dr.lee", now=T0)


def _day_logs(history: PlanHistory, n: int, pain: int) -> list[SessionLog]:
    """Full-dose logs on day ``n`` of the bird dog and the walk, at the current plan's doses
    (the other items are not logged, so only these two progress)."""
    day = START + dt.timedelta(days=n)
    logs = []
    for item in history.current.items:
        if item.exercise_id not in (EXERCISE, "walking_program"):
            continue
        assert day.strftime("%a").lower() in item.schedule.days
        rx = prescribed_from_dose(item.dose)
        logs.append(
            typed_log(
                exercise_id=item.exercise_id,
                date=day,
                prescribed=rx,
                done_sets=rx.sets,
                done_reps=rx.reps,
                pain_before=1,
                pain_during_max=pain,
                pain_after=pain,
                next_morning_pain=1,
                usual_pain=1,
                form_pass_rate=1.0,
            )
        )
    return logs


def _run(pains: list[int]) -> tuple[PlanHistory, list[SessionLog]]:
    """Log each day, propose on the plan's ladders, auto-apply (the clinician approves flags)."""
    history = _history()
    queue: ProposalQueue[Dose] = ProposalQueue(
        auto_progression=True, clock=lambda: T0 + dt.timedelta(days=len(pains) + 1)
    )
    logs: list[SessionLog] = []
    for n, pain in enumerate(pains):
        logs += _day_logs(history, n, pain)
        day = START + dt.timedelta(days=n)
        for proposal in propose_for_plan(logs, history.current, day):
            stored = queue.submit(proposal)
            if stored.status == "pending":
                stored = queue.approve(stored.proposal_id, "dr.lee")
            history = apply_proposal(history, stored, now=T0 + dt.timedelta(days=n + 1))
    return history, logs


def test_green_days_advance_the_plan_one_rung_per_two_sessions() -> None:
    """Four green days move the bird dog two rungs up its own ladder, as two plan versions."""
    history, _ = _run([1, 1, 1, 1])
    ladder = ladder_for(load_library().get(EXERCISE))
    first = history.versions[0].plan.item(EXERCISE)
    now = history.current.item(EXERCISE)
    assert first is not None
    assert now is not None
    assert ladder.index_of(now.dose) == ladder.index_of(first.dose) + 2
    mine = [v for v in history.versions if v.exercise_id == EXERCISE]
    assert [v.action for v in mine] == ["redose", "redose"]
    assert all(v.author == "auto-progression" for v in mine)
    assert max(history.current.daily_minutes.values()) <= history.current.budget_min


def test_a_red_day_steps_the_plan_back_and_two_flag_review() -> None:
    """After two greens and an advance, a red day steps back; a second red is a review flag
    that the clinician approved, so the plan steps back again."""
    history, _ = _run([1, 1, 7, 7])
    ladder = ladder_for(load_library().get(EXERCISE))
    first = history.versions[0].plan.item(EXERCISE)
    now = history.current.item(EXERCISE)
    assert first is not None
    assert now is not None
    assert ladder.index_of(now.dose) == ladder.index_of(first.dose) - 1
    mine = [v for v in history.versions if v.exercise_id == EXERCISE]
    assert [v.author for v in mine] == ["auto-progression", "auto-progression", "dr.lee"]
    assert "flag review" in mine[-1].reason


def test_the_progressed_plan_exports_and_measures_adherence() -> None:
    """The progressed plan still exports a calendar with the new dose; adherence counts days
    with a log against the plan's seven session days a week."""
    history, logs = _run([1, 1, 1, 1])
    plan = history.current
    item = plan.item(EXERCISE)
    assert item is not None
    text = plan_to_ics(plan, start=START, weeks=2, now=T0)
    assert describe_dose(item.dose).split(",")[0] in text.replace("\r\n ", "")
    summary = adherence(
        logs, schedule_from_plan(plan, start=START), until=START + dt.timedelta(days=3)
    )
    assert (summary.done, summary.planned) == (4, 4)
