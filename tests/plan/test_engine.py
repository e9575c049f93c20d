"""The plan engine end to end: examples, order, reasons, budget, JSON, guards and properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backrehab.assess.findings import Assessment, Finding
from backrehab.assess.red_flags import EMERGENCY_TEXT, MESSAGES
from backrehab.errors import ConfigError
from backrehab.exercises import load_library
from backrehab.plan import (
    WEEKDAYS,
    PatientContext,
    Plan,
    PlanFileError,
    generate_plan,
    load_rules,
    parse_rules,
)
from backrehab.plan.engine import GUARD_RED_FLAG, GUARD_SUITABILITY, home_minutes_by_day
from backrehab.plan.schedule import SlotRequest, min_days, place_all, place_one, spread_pattern
from tests.plan import EXAMPLES, assessment, finding, red_flag, startback

LIBRARY = load_library()
RULES = load_rules()


def load_example(name: str) -> Assessment:
    """One of the shipped example assessments."""
    return Assessment.from_json((EXAMPLES / name).read_text(encoding="utf-8"))


# -- the shipped examples ---------------------------------------------------------------------
def test_low_risk_example_gives_self_management_within_budget() -> None:
    """low_risk.json: not blocked; education and walking; every day within 20 min."""
    plan = generate_plan(load_example("low_risk.json"))
    assert not plan.blocked
    assert {"edu_reassurance_stay_active", "walking_program"} <= set(plan.exercise_ids())
    assert max(plan.daily_minutes.values()) <= 20.0
    assert plan.context.exercise_time == "07:30"


def test_high_risk_flexion_intolerant_example() -> None:
    """high_risk_flexion_intolerant.json: extension series, weak-side bridge, clinic items, no
    'avoid' items for flexion intolerance, psychologically informed education."""
    plan = generate_plan(load_example("high_risk_flexion_intolerant.json"))
    assert not plan.blocked
    ids = set(plan.exercise_ids())
    assert {"prone_press_up", "edu_pain_neuroscience", "mt_soft_tissue_mobilization"} <= ids
    side_bridge = plan.item("side_bridge_knees")
    assert side_bridge is not None
    assert side_bridge.side == "left"
    assert side_bridge.dose.extra_side_sets == 1
    for item in plan.items:
        assert LIBRARY.get(item.exercise_id).suitability["flexion_intolerant"] != "avoid"
    assert plan.safety_level == "review"


def test_red_flag_example_is_blocked() -> None:
    """red_flag_emergency.json: blocked with the emergency message and no items."""
    plan = generate_plan(load_example("red_flag_emergency.json"))
    assert plan.blocked
    assert plan.message == EMERGENCY_TEXT
    assert plan.items == ()
    assert "saddle_numbness" in plan.triggers


# -- order, reasons, JSON ---------------------------------------------------------------------
def test_items_are_sorted_by_priority_rule_order_and_id() -> None:
    """Items come in (priority, rule order, exercise id) order."""
    plan = generate_plan(load_example("high_risk_flexion_intolerant.json"), budget_min=60)
    keys = [i.sort_key() for i in plan.items]
    assert keys == sorted(keys)
    assert plan.items[0].priority == 1


def test_every_item_says_why() -> None:
    """Each item has reasons naming known rule ids, their family, title and source."""
    plan = generate_plan(load_example("high_risk_flexion_intolerant.json"), budget_min=60)
    known = set(RULES.ids())
    for item in plan.items:
        assert item.reasons
        for reason in item.reasons:
            assert reason.rule_id in known
            assert reason.source
            assert reason.title
    bird = plan.item("bird_dog_single_limb")
    assert bird is not None
    assert "endurance.flexor_extensor_imbalance" in bird.reasons[-1].findings


def test_plan_json_round_trip_and_validation() -> None:
    """A plan survives JSON; a malformed or inconsistent document is a PlanFileError."""
    plan = generate_plan(load_example("high_risk_flexion_intolerant.json"))
    assert Plan.from_json(plan.to_json()) == plan
    with pytest.raises(PlanFileError, match="Invalid plan document"):
        Plan.from_json("{not json")
    monday = json.dumps(plan.daily_minutes["mon"])
    tampered = plan.to_json().replace(f'"mon": {monday}', '"mon": 2.0', 1)
    assert tampered != plan.to_json()
    with pytest.raises(PlanFileError, match="daily_minutes"):
        Plan.from_json(tampered)


# -- budget and schedule ----------------------------------------------------------------------
def test_small_budget_defers_lower_priority_items_with_reasons() -> None:
    """A 6-min budget keeps the highest-priority items and defers the rest, saying why."""
    a = assessment(startback("medium"), context={"clinic_days": ["mon"]})
    plan = generate_plan(a, budget_min=6)
    assert plan.deferred
    assert all("budget" in d.reason for d in plan.deferred)
    assert max(plan.daily_minutes.values()) <= 6.0
    wide = generate_plan(a, budget_min=60)
    assert len(wide.deferred) < len(plan.deferred)
    assert wide.budget_min == 60


def test_fewer_days_when_the_week_is_full() -> None:
    """An item that fits on at least 2/3 of its days is kept on fewer days, recorded as such."""
    rules = parse_rules(
        "rules:\n- id: test.add\n  family: startback\n  title: t\n  source: s\n  add:\n"
        "  - {exercise: walking_program, priority: 1}\n"
        "  - {exercise: edu_flare_up_plan, priority: 1}\n"
        "  - {exercise: bird_dog_single_limb, priority: 2}\n"
    )
    plan = generate_plan(assessment(), rules=rules, budget_min=15)
    bird = plan.item("bird_dog_single_limb")
    assert bird is not None
    assert len(bird.schedule.days) == 5
    assert bird.dose.days_per_week == 5
    assert [(d.exercise_id, d.outcome) for d in plan.deferred] == [
        ("bird_dog_single_limb", "fewer_days")
    ]


def test_budget_comes_from_option_then_context_then_default() -> None:
    """--budget-min beats the context's budget, which beats the 20-min default; bad values fail."""
    a = assessment(startback("low"), context={"budget_min": 30})
    assert generate_plan(a).budget_min == 30
    assert generate_plan(a, budget_min=25).budget_min == 25
    assert generate_plan(assessment(startback("low"))).budget_min == 20
    with pytest.raises(ConfigError, match="budget"):
        generate_plan(a, budget_min=0)
    with pytest.raises(ConfigError, match="budget"):
        generate_plan(a, budget_min=1000)


def test_home_education_is_split_into_parts() -> None:
    """A 20-min education module at home becomes 4 parts of 5 min on 4 days."""
    plan = generate_plan(assessment(startback("high")), budget_min=60)
    edu = plan.item("edu_pain_neuroscience")
    assert edu is not None
    assert (edu.setting, edu.dose.duration_min, len(edu.schedule.days)) == ("home", 5.0, 4)
    assert edu.dose.load_note is not None
    assert "3 sessions" in edu.dose.load_note


def test_schedule_times_come_from_the_context() -> None:
    """Home items start at exercise_time, clinic items at clinic_time."""
    ctx = {"clinic_days": ["tue"], "exercise_time": "07:15", "clinic_time": "11:00"}
    plan = generate_plan(assessment(startback("medium"), context=ctx), budget_min=60)
    for item in plan.items:
        assert item.schedule.time_of_day == ("07:15" if item.setting == "home" else "11:00")


def test_spread_pattern_and_placement() -> None:
    """Days spread over the week; placement respects the budget and rotates to free days."""
    assert spread_pattern(7) == (0, 1, 2, 3, 4, 5, 6)
    assert spread_pattern(3) == (0, 2, 5)
    assert spread_pattern(1) == (0,)
    assert min_days(7) == 5
    placements, loads = place_all(
        [SlotRequest("a", 8.0, 3), SlotRequest("b", 8.0, 3), SlotRequest("c", 8.0, 7)], 10.0
    )
    assert set(placements[0].days).isdisjoint(placements[1].days)
    assert placements[2].dropped
    assert max(loads.values()) <= 10.0
    assert place_one(SlotRequest("big", 11.0, 1), dict.fromkeys(WEEKDAYS, 0.0), 10.0) == ()


# -- guards ---------------------------------------------------------------------------------
def test_engine_guards_hold_without_the_safety_rules() -> None:
    """A rule file without filters or block rules still never prescribes 'avoid' items and
    still blocks on an emergency red flag."""
    rules = parse_rules(
        "rules:\n- id: test.add\n  family: directional\n  title: t\n  source: s\n  add:\n"
        "  - {exercise: single_knee_to_chest}\n  - {exercise: glute_bridge}\n"
    )
    plan = generate_plan(assessment(context={"intolerances": ["flexion_intolerant"]}), rules=rules)
    assert plan.exercise_ids() == ("glute_bridge",)
    assert plan.excluded[0].rule_id == GUARD_SUITABILITY
    blocked = generate_plan(assessment(red_flag("emergency", "saddle_numbness")), rules=rules)
    assert blocked.blocked
    assert blocked.fired_rules == (GUARD_RED_FLAG,)


# -- properties -----------------------------------------------------------------------------
_CODES: tuple[str, ...] = (
    "psychosocial.fear_avoidance",
    "pain.nprs",
    "disability.odi",
    "endurance.flexor_extensor_imbalance",
    "endurance.side_bridge_asymmetry",
    "endurance.lateral_extensor_imbalance",
    "endurance.low_endurance.flexor",
    "endurance.low_endurance.extensor",
    "endurance.low_endurance.side_bridge_left",
    "endurance.low_endurance.side_bridge_right",
    "movement.squat.dynamic_valgus",
    "movement.squat.trunk_lean",
    "movement.squat.depth",
    "movement.squat.asymmetry",
    "movement.hinge.hip_contribution",
    "movement.hinge.knee_dominant",
    "movement.single_leg_stance.pelvic_drop",
    "movement.single_leg_stance.trunk_lean",
    "movement.single_leg_stance.sway",
    "posture.knee_alignment",
    "posture.forward_head",
    "posture.trunk_inclination",
    "posture.trunk_lateral_lean",
    "posture.pelvic_obliquity",
    "posture.knee_flexion",
    "ergonomics.rula",
    "ergonomics.reba",
)
_SEVERITIES = ("normal", "mild", "moderate", "severe")
_SIDES = ("left", "right", "bilateral", "none")
_DIRECTIONS = ("extension", "flexion", "lateral", "rotation")
_RESPONSES = ("centralises", "reduces", "no_effect", "increases", "peripheralises")


@st.composite
def findings_strategy(draw: st.DrawFn) -> list[Finding]:
    """Random findings of the codes the assessment produces, plus STarT Back and red flags."""
    out: list[Finding] = []
    for code in draw(st.lists(st.sampled_from(_CODES), max_size=10, unique=True)):
        out.append(
            finding(
                code,
                draw(st.sampled_from(_SEVERITIES)),
                side=draw(st.sampled_from(_SIDES)),
                confidence=draw(st.floats(0.0, 1.0)),
                advice="Keep the work close.",
            )
        )
    risk = draw(st.sampled_from(("none", "low", "medium", "high")))
    if risk != "none":
        out.append(startback(risk))
    for level in draw(st.lists(st.sampled_from(("none", "review", "urgent")), max_size=2)):
        out.insert(0, red_flag(level, "some_trigger"))
    return out


@st.composite
def context_strategy(draw: st.DrawFn) -> dict[str, Any]:
    """Random patient contexts (intolerances, irritability, preference, responses, clinic)."""
    return {
        "intolerances": draw(
            st.lists(st.sampled_from(("flexion_intolerant", "extension_intolerant")), unique=True)
        ),
        "acute_high_irritability": draw(st.booleans()),
        "directional_preference": draw(st.sampled_from((None, "none", *_DIRECTIONS))),
        "repeated_movements": draw(
            st.dictionaries(st.sampled_from(_DIRECTIONS), st.sampled_from(_RESPONSES))
        ),
        "clinic_days": draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=3)),
        "excluded_exercises": draw(
            st.lists(st.sampled_from(("walking_program", "clamshell", "mcgill_curl_up")))
        ),
    }


_PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(findings=findings_strategy(), ctx=context_strategy(), budget=st.floats(3.0, 60.0))
def test_property_avoid_never_prescribed_and_test_only_if_centralising(
    findings: list[Finding], ctx: dict[str, Any], budget: float
) -> None:
    """No generated plan holds an 'avoid' item for one of the patient's groups, a 'test' item
    without a centralising response, or a movement recorded as peripheralising."""
    plan = generate_plan(assessment(*findings, context=ctx), budget_min=budget)
    context = PatientContext.model_validate(ctx)
    for item in plan.items:
        exercise = LIBRARY.get(item.exercise_id)
        for group in context.groups():
            level = exercise.suitability[group]
            assert level != "avoid", (item.exercise_id, group)
            if level == "test":
                assert context.favourable(exercise.directional_bias), (item.exercise_id, group)
        assert exercise.directional_bias not in context.peripheralising()


@_PROPERTY
@given(
    findings=findings_strategy(),
    ctx=context_strategy(),
    level=st.sampled_from(("emergency", "urgent")),
)
def test_property_emergency_and_urgent_red_flags_always_block(
    findings: list[Finding], ctx: dict[str, Any], level: str
) -> None:
    """With an emergency or urgent red flag the plan is blocked, with its message, no items."""
    plan = generate_plan(assessment(red_flag(level, "x"), *findings, context=ctx))
    assert plan.blocked
    assert plan.items == ()
    expected = "emergency" if level == "emergency" else plan.safety_level
    assert plan.message == MESSAGES[expected]  # type: ignore[index]


@_PROPERTY
@given(findings=findings_strategy(), ctx=context_strategy(), budget=st.floats(1.0, 90.0))
def test_property_daily_home_minutes_never_exceed_the_budget(
    findings: list[Finding], ctx: dict[str, Any], budget: float
) -> None:
    """Every weekday's home minutes stay within the budget, and the plan reports them right."""
    plan = generate_plan(assessment(*findings, context=ctx), budget_min=budget)
    minutes = home_minutes_by_day(plan.items)
    assert plan.daily_minutes == minutes
    for item in plan.items:
        if item.setting == "home":
            assert item.schedule.days
    loads = dict.fromkeys(WEEKDAYS, 0.0)
    for item in plan.items:
        if item.setting == "home":
            for day in item.schedule.days:
                loads[day] += item.schedule.minutes
    assert max(loads.values()) <= budget + 1e-6


@_PROPERTY
@given(findings=findings_strategy(), ctx=context_strategy())
def test_property_same_input_same_plan(findings: list[Finding], ctx: dict[str, Any]) -> None:
    """Generating twice from the same assessment gives byte-identical JSON."""
    a = assessment(*findings, context=ctx)
    first = generate_plan(a).to_json()
    second = generate_plan(Assessment.from_json(a.to_json())).to_json()
    assert first == second
