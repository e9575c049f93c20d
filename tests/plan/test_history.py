"""Versioned plan history: add, remove, re-dose; who, when, why; immutability; JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backrehab.errors import ConfigError
from backrehab.plan import (
    Dose,
    Plan,
    PlanEditError,
    PlanFileError,
    PlanHistory,
    generate_plan,
    render_history_markdown,
)
from backrehab.plan.history import EDIT_ADD, EDIT_REDOSE, EDIT_REMOVE
from tests.plan import assessment, red_flag, startback

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def base_plan(budget: float = 40.0, **context: object) -> Plan:
    """A medium-risk plan with a generous budget."""
    return generate_plan(assessment(startback("medium"), context=dict(context)), budget_min=budget)


def started(plan: Plan | None = None) -> PlanHistory:
    """A history whose version 1 is the generated plan."""
    return PlanHistory.start(plan or base_plan(), author="dr.lee", now=T0)


def test_start_records_the_generated_plan() -> None:
    """Version 1 is the generated plan, with author, time and action 'generate'."""
    plan = base_plan()
    history = PlanHistory.start(plan, author="dr.lee", now=T0)
    assert len(history.versions) == 1
    v1 = history.latest
    assert (v1.version, v1.author, v1.timestamp, v1.action) == (1, "dr.lee", T0, "generate")
    assert history.current == plan


def test_add_creates_a_new_version_and_keeps_the_old_one() -> None:
    """Adding an item appends version 2; version 1's plan is unchanged."""
    history = started()
    before = history.current.to_json()
    edited = history.add(
        "pallof_press",
        author="dr.lee",
        reason="anti-rotation control",
        now=T0 + timedelta(hours=1),
    )
    assert len(history.versions) == 1  # the original history object is untouched
    assert history.current.to_json() == before
    assert [v.version for v in edited.versions] == [1, 2]
    v2 = edited.latest
    assert (v2.action, v2.exercise_id, v2.reason) == (
        "add",
        "pallof_press",
        "anti-rotation control",
    )
    item = edited.current.item("pallof_press")
    assert item is not None
    assert item.reasons[0].rule_id == EDIT_ADD
    assert "dr.lee" in item.reasons[0].source
    assert edited.get(1).plan.item("pallof_press") is None
    assert max(edited.current.daily_minutes.values()) <= edited.current.budget_min


def test_remove_records_why_in_the_plan() -> None:
    """Removing an item drops it and lists the removal (rule edit.remove) in excluded."""
    history = started().remove("glute_bridge", author="dr.lee", reason="hip pain", now=T0)
    plan = history.current
    assert plan.item("glute_bridge") is None
    assert (plan.excluded[-1].exercise_id, plan.excluded[-1].rule_id) == (
        "glute_bridge",
        EDIT_REMOVE,
    )
    assert "hip pain" in plan.excluded[-1].reason
    assert history.latest.dose_before is not None


def test_redose_keeps_before_and_after() -> None:
    """Re-dosing records the old and new doses and adds an edit.redose reason."""
    history = started()
    old = history.current.item("bird_dog_single_limb")
    assert old is not None
    new_dose = old.dose.model_copy(update={"reps": 8})
    edited = history.redose(
        "bird_dog_single_limb", new_dose, author="dr.lee", reason="progressing", now=T0
    )
    item = edited.current.item("bird_dog_single_limb")
    assert item is not None
    assert item.dose.reps == 8
    assert item.reasons[-1].rule_id == EDIT_REDOSE
    assert edited.latest.dose_before == old.dose
    assert edited.latest.dose_after == item.dose
    assert item.schedule.minutes > old.schedule.minutes


def test_editing_a_missing_item_is_a_clear_error() -> None:
    """Re-dosing or removing an item that is not in the plan names it and lists the items."""
    history = started()
    with pytest.raises(PlanEditError, match=r"No item 'moon_walk'.*its items are"):
        history.remove("moon_walk", author="dr.lee", reason="x", now=T0)
    with pytest.raises(PlanEditError, match="No item 'moon_walk'"):
        history.redose("moon_walk", Dose(sets=1), author="dr.lee", reason="x", now=T0)


def test_add_refuses_duplicates_unknown_and_unsuitable_items() -> None:
    """Adding an item twice, an unknown id, or an 'avoid' item without override is refused."""
    history = started(base_plan(intolerances=["flexion_intolerant"]))
    with pytest.raises(PlanEditError, match="already in the plan"):
        history.add("bird_dog_single_limb", author="a", reason="r", now=T0)
    with pytest.raises(PlanEditError, match="not in the exercise library"):
        history.add("moon_walk", author="a", reason="r", now=T0)
    with pytest.raises(PlanEditError, match=r"unsuitable.*avoid"):
        history.add("childs_pose", author="a", reason="r", now=T0)
    override = history.add(
        "childs_pose", author="a", reason="tested in clinic", allow_unsuitable=True, now=T0
    )
    item = override.current.item("childs_pose")
    assert item is not None
    assert item.cautions[0].startswith("clinician override")


def test_edits_respect_the_budget() -> None:
    """A re-dose that would push a day over the budget is refused with the reason."""
    history = started(base_plan(budget=20.0))
    walk = history.current.item("walking_program")
    assert walk is not None
    longer = walk.dose.model_copy(update={"duration_min": 25.0})
    with pytest.raises(PlanEditError, match="budget"):
        history.redose("walking_program", longer, author="a", reason="r", now=T0)


def test_add_on_given_days_and_clinic_items() -> None:
    """An item can be put on chosen days; clinic items need clinic days."""
    history = started()
    on_days = history.add(
        "clamshell", author="a", reason="r", days=["fri", "mon"], now=T0
    ).current.item("clamshell")
    assert on_days is not None
    assert on_days.schedule.days == ("mon", "fri")
    assert on_days.dose.days_per_week == 2
    with pytest.raises(PlanEditError, match="no clinic days"):
        history.add("mt_muscle_energy_technique", author="a", reason="r", now=T0)
    clinic = started(base_plan(clinic_days=["wed"])).add(
        "mt_muscle_energy_technique", author="a", reason="r", now=T0
    )
    item = clinic.current.item("mt_muscle_energy_technique")
    assert item is not None
    assert (item.setting, item.schedule.days) == ("clinic", ("wed",))


def test_blocked_plan_cannot_be_edited() -> None:
    """A red-flag-blocked plan refuses every edit, repeating the referral message."""
    blocked = generate_plan(assessment(red_flag("urgent", "cancer_history")))
    history = PlanHistory.start(blocked, author="dr.lee", now=T0)
    with pytest.raises(PlanEditError, match="blocked by a red flag"):
        history.add("clamshell", author="a", reason="r", now=T0)


def test_author_reason_and_time_are_required() -> None:
    """Empty author or reason, a naive time, or a time before the last version are refused."""
    history = started()
    with pytest.raises(PlanEditError, match="reason"):
        history.remove("glute_bridge", author="a", reason="  ", now=T0)
    with pytest.raises(PlanEditError, match="author"):
        history.remove("glute_bridge", author="", reason="r", now=T0)
    with pytest.raises(ConfigError, match="timezone"):
        history.remove("glute_bridge", author="a", reason="r", now=datetime(2026, 1, 1))
    with pytest.raises(PlanEditError, match="earlier"):
        history.remove("glute_bridge", author="a", reason="r", now=T0 - timedelta(days=1))


def test_history_json_round_trip_and_tampering() -> None:
    """A history survives JSON; renumbered versions are refused as a PlanFileError."""
    history = (
        started()
        .add("clamshell", author="a", reason="hips", now=T0 + timedelta(minutes=5))
        .remove("glute_bridge", author="b", reason="pain", now=T0 + timedelta(minutes=9))
    )
    again = PlanHistory.from_json(history.to_json())
    assert again == history
    assert [v.action for v in again.versions] == ["generate", "add", "remove"]
    tampered = history.to_json().replace('"version": 2', '"version": 7', 1)
    with pytest.raises(PlanFileError, match="plan history"):
        PlanHistory.from_json(tampered)


def test_regenerate_and_history_view() -> None:
    """A regenerated plan becomes a new 'generate' version; the view lists every version."""
    history = started().regenerate(
        base_plan(budget=30.0), author="dr.lee", reason="reassessed", now=T0 + timedelta(days=28)
    )
    assert [v.action for v in history.versions] == ["generate", "generate"]
    text = render_history_markdown(history)
    assert "| 2 |" in text
    assert "reassessed" in text
    assert "# Treatment plan" in text


def test_regenerate_refuses_another_patients_plan() -> None:
    """A plan generated for another patient cannot become a version of this history."""
    other = base_plan().model_copy(update={"patient_ref": "someone-else"})
    with pytest.raises(PlanEditError, match="someone-else"):
        started().regenerate(other, author="dr.lee", reason="reassessed", now=T0)
