"""The four steps end to end: assessment -> plan -> logged sessions -> proposals on the plan's own
dose ladder (the plan's ladders plug into the progress decisions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from backrehab.assess.findings import Assessment
from backrehab.exercises import load_library
from backrehab.plan.dosing import ladder_for
from backrehab.plan.engine import generate_plan
from backrehab.progress.decisions import ExerciseTrack, propose
from backrehab.progress.logs import PrescribedDose, typed_log

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "assessments"


def _home_exercise() -> tuple[str, object]:
    assessment = Assessment.from_json((EXAMPLES / "high_risk_flexion_intolerant.json").read_text())
    plan = generate_plan(assessment)
    assert not plan.blocked
    item = next(
        i for i in plan.items if i.setting == "home" and i.category in ("motor_control", "strength")
    )
    return item.exercise_id, item.dose


def _log(exercise_id: str, day: int, pain: int) -> object:
    return typed_log(
        exercise_id=exercise_id,
        date=dt.date(2026, 1, day),
        prescribed=PrescribedDose(sets=2, reps=8),
        done_sets=2,
        done_reps=8,
        pain_before=1,
        pain_during_max=pain,
        pain_after=pain,
        next_morning_pain=1,
        usual_pain=1,
        form_pass_rate=1.0,
    )


def test_two_green_sessions_advance_the_planned_dose_one_step() -> None:
    """Two green sessions at full dose propose the next step of the plan's own ladder."""
    exercise_id, dose = _home_exercise()
    ladder = ladder_for(load_library().get(exercise_id))
    track = ExerciseTrack(exercise_id=exercise_id, dose=dose, ladder=ladder)
    logs = [_log(exercise_id, 5, 1), _log(exercise_id, 6, 2)]
    proposal = propose(logs, track)  # type: ignore[arg-type]
    assert proposal is not None
    assert proposal.zone == "green"
    expected = ladder.advance(dose)  # type: ignore[arg-type]
    if expected is None:
        assert proposal.action == "switch_to_progression"
    else:
        assert proposal.action == "advance"
        assert proposal.proposed_dose == expected
    assert proposal.status == "pending"  # applied only when the clinician approves


def test_a_red_session_steps_back_on_the_same_ladder() -> None:
    """Pain 7 during the session proposes one step down (or the regression at the bottom)."""
    exercise_id, dose = _home_exercise()
    ladder = ladder_for(load_library().get(exercise_id))
    track = ExerciseTrack(
        exercise_id=exercise_id,
        dose=dose,
        ladder=ladder,
        regression_ids=tuple(load_library().get(exercise_id).regression_ids),
    )
    proposal = propose([_log(exercise_id, 5, 7)], track)  # type: ignore[arg-type]
    assert proposal is not None
    assert proposal.zone == "red"
    assert proposal.action in ("step_back", "switch_to_regression", "flag_review")
    assert not proposal.harder
