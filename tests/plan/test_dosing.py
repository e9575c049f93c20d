"""Dose ladders of clinical reference §6.3: families, steps, starting doses, session minutes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from backrehab.exercises import load_library
from backrehab.plan.dosing import (
    DIRECTIONAL_NOTES,
    LADDER_FAMILIES,
    SLOW_TEMPO,
    STRENGTH_LOAD_NOTE,
    Dose,
    DoseLadder,
    days_per_week_from,
    describe_dose,
    family_of,
    ladder_for,
    session_minutes,
    starting_dose,
)

LIBRARY = load_library()
_LADDER_FIELDS = ("sets", "reps", "hold_s", "duration_min", "tempo", "load_note")


@pytest.mark.parametrize(
    ("exercise_id", "family"),
    [
        ("bird_dog_single_limb", "motor_control_isometric"),
        ("side_bridge_knees", "motor_control_isometric"),
        ("front_plank", "motor_control_isometric"),
        ("abdominal_bracing", "motor_control_isometric"),
        ("dead_bug", "motor_control_dynamic"),
        ("heel_slide", "motor_control_dynamic"),
        ("glute_bridge", "strength"),
        ("suitcase_carry", "strength"),
        ("hamstring_stretch_supine_strap", "static_stretch"),
        ("mt_pnf_contract_relax_hamstring", "pnf_met"),
        ("mt_muscle_energy_technique", "pnf_met"),
        ("prone_press_up", "directional"),
        ("double_knee_to_chest", "directional"),
        ("walking_program", "walking"),
        ("cat_camel", "mobility"),
        ("edu_pain_neuroscience", "education"),
        ("mt_lumbar_pa_mobilization", "manual_therapy"),
    ],
)
def test_family_of_library_entries(exercise_id: str, family: str) -> None:
    """Each §6.3 family is recognised from category, camera rep type and dose."""
    assert family_of(LIBRARY.get(exercise_id)) == family
    assert ladder_for(LIBRARY.get(exercise_id)).family == family


def test_every_library_exercise_has_a_ladder_containing_its_start() -> None:
    """Every entry gets a ladder of a known family, and its starting dose is one of the steps."""
    for exercise in LIBRARY:
        ladder = ladder_for(exercise)
        assert ladder.family in LADDER_FAMILIES
        assert starting_dose(exercise) in ladder.steps


def test_steps_change_one_variable_at_a_time() -> None:
    """Consecutive steps of every ladder differ in exactly one dose variable (§6.2)."""
    for exercise in LIBRARY:
        steps = ladder_for(exercise).steps
        for lower, upper in itertools.pairwise(steps):
            changed = [f for f in _LADDER_FIELDS if getattr(lower, f) != getattr(upper, f)]
            assert len(changed) == 1, (exercise.id, lower, upper)


def test_isometric_ladder_follows_section_6_3() -> None:
    """Big-three ladder: holds 5 -> 8 -> 10 s, then +2 reps, then 2-4 sets; start at 10 s."""
    exercise = LIBRARY.get("bird_dog_single_limb")
    steps = ladder_for(exercise).steps
    assert [s.hold_s for s in steps[:3]] == [5.0, 8.0, 10.0]
    assert steps[3].reps == steps[2].reps + 2
    assert [s.sets for s in steps[3:]] == [1, 2, 3, 4]
    assert max(s.hold_s or 0 for s in steps) == 10.0
    start = starting_dose(exercise)
    assert (start.sets, start.reps, start.hold_s, start.per_side) == (1, 6, 10.0, True)
    assert start.days_per_week == 7


def test_dynamic_ladder_reps_to_12_then_sets_then_tempo() -> None:
    """Dead-bug family: +2 reps to 12, then 3 sets, then the slower tempo, then progression."""
    steps = ladder_for(LIBRARY.get("heel_slide")).steps
    assert [(s.sets, s.reps) for s in steps] == [(1, 10), (2, 10), (2, 12), (3, 12), (3, 12)]
    assert steps[-1].tempo == SLOW_TEMPO
    assert starting_dose(LIBRARY.get("heel_slide")) == steps[1]


def test_strength_ladder_sets_reps_then_load() -> None:
    """Strength: 1 -> 3 sets, reps up to 12, then load +2-10 % by the 2-for-2 rule."""
    steps = ladder_for(LIBRARY.get("glute_bridge")).steps
    assert [s.sets for s in steps[:3]] == [1, 2, 3]
    assert steps[-2].reps == 12
    assert steps[-1].load_note == STRENGTH_LOAD_NOTE
    assert starting_dose(LIBRARY.get("glute_bridge")).days_per_week == 3


def test_stretch_and_pnf_ladders() -> None:
    """Static stretch 2 × 20 s -> 2 × 30 -> 3 × 30 -> 4 × 30; PNF grows range, not force."""
    stretch = ladder_for(LIBRARY.get("hamstring_stretch_supine_strap")).steps
    assert [(s.reps, s.hold_s) for s in stretch] == [(2, 20.0), (2, 30.0), (3, 30.0), (4, 30.0)]
    pnf = ladder_for(LIBRARY.get("mt_pnf_contract_relax_hamstring")).steps
    assert all(s.load_note == "increase range, not force" for s in pnf)
    assert [s.reps for s in pnf] == [2, 2, 3, 3, 4]


def test_directional_ladder_and_top_moves_to_progression() -> None:
    """Directional: comfortable -> larger range -> overpressure; at the top advance gives None."""
    exercise = LIBRARY.get("prone_press_up")
    ladder = ladder_for(exercise)
    assert [s.load_note for s in ladder.steps] == list(DIRECTIONAL_NOTES)
    assert ladder.advance(ladder.steps[-1]) is None
    assert exercise.progression_ids[0] == "standing_extension"


def test_walking_ladder_adds_about_ten_percent() -> None:
    """Walking starts at the library 10 min and grows ~10 % (at least 1 min) a step to 30 min."""
    ladder = ladder_for(LIBRARY.get("walking_program"))
    start = starting_dose(LIBRARY.get("walking_program"))
    assert start.duration_min == 10.0
    minutes = [s.duration_min or 0.0 for s in ladder.steps]
    upper = minutes[minutes.index(10.0) :]
    assert upper[-1] == 30.0
    for a, b in itertools.pairwise(upper[:-1]):  # the last step is the 30-min cap
        assert 1.0 <= b - a <= max(1.0, 0.1 * a + 0.5)


def test_advance_and_step_back_walk_the_whole_ladder() -> None:
    """From the start, advance reaches the top then returns None; step_back reaches the bottom."""
    for exercise in LIBRARY:
        ladder = ladder_for(exercise)
        dose: Dose | None = starting_dose(exercise)
        seen = 0
        while dose is not None:
            last, dose = dose, ladder.advance(dose)
            seen += 1
        assert ladder.index_of(last) == len(ladder.steps) - 1
        dose = starting_dose(exercise)
        while dose is not None:
            last, dose = dose, ladder.step_back(dose)
        assert ladder.index_of(last) == 0
        assert seen <= len(ladder.steps)


def test_advance_keeps_days_per_week_and_index_of_is_nearest() -> None:
    """Ladder moves keep the scheduled days; index_of finds the nearest step for odd doses."""
    exercise = LIBRARY.get("side_bridge_knees")
    ladder = ladder_for(exercise)
    start = starting_dose(exercise).model_copy(update={"days_per_week": 5})
    up = ladder.advance(start)
    assert up is not None
    assert up.days_per_week == 5
    assert (up.reps, up.hold_s) == (start.reps + 2 if start.reps else None, 10.0)
    odd = start.model_copy(update={"hold_s": 7.0})
    assert ladder.steps[ladder.index_of(odd)].hold_s == 8.0


def test_ladder_needs_a_step() -> None:
    """An empty ladder is refused."""
    with pytest.raises(ValueError, match="at least one step"):
        DoseLadder(family="strength", steps=())


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", 7),
        ("3x/week", 3),
        ("3-5x/week", 4),
        ("2-3x/week", 3),
        ("2x/week", 2),
        ("every 2-3 h while symptoms centralise", 7),
        ("several times daily if it centralises", 7),
        ("per visit", 1),
        (None, 7),
    ],
)
def test_days_per_week_from_library_frequency(text: str | None, days: int) -> None:
    """Library frequency texts map to sessions per week (ranges: middle, rounded half up)."""
    assert days_per_week_from(text) == days


def test_session_minutes_worked_examples() -> None:
    """Holds take hold + 2 s a rep, rest after every set and side but the last, +20 s set-up."""
    holds = Dose(sets=1, reps=6, hold_s=10.0, rest_s=10.0)
    assert session_minutes(holds) == pytest.approx((6 * 12 + 20) / 60)
    sides = Dose(sets=1, reps=5, hold_s=10.0, rest_s=10.0, per_side=True)
    assert session_minutes(sides) == pytest.approx((2 * 5 * 12 + 10 + 20) / 60)
    dynamic = Dose(sets=2, reps=10, rest_s=45.0)
    assert session_minutes(dynamic) == pytest.approx((2 * 10 * 3 + 45 + 20) / 60)
    assert session_minutes(Dose(sets=1, duration_min=10.0)) == 10.0


@given(
    sets=st.integers(1, 5),
    reps=st.integers(1, 20),
    hold=st.one_of(st.none(), st.floats(1.0, 60.0)),
    per_side=st.booleans(),
)
def test_session_minutes_grow_with_volume(
    sets: int, reps: int, hold: float | None, per_side: bool
) -> None:
    """More sets or reps never take less time, and a session always takes some time."""
    base = Dose(sets=sets, reps=reps, hold_s=hold, per_side=per_side)
    more_sets = base.model_copy(update={"sets": sets + 1})
    more_reps = base.model_copy(update={"reps": reps + 1})
    assert session_minutes(base) > 0
    assert session_minutes(more_sets) > session_minutes(base)
    assert session_minutes(more_reps) > session_minutes(base)


def test_dose_is_frozen_and_strict() -> None:
    """Dose is immutable, forbids unknown fields and checks ranges."""
    dose = Dose(sets=1, reps=6)
    with pytest.raises(ValidationError):
        dose.sets = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Dose(sets=1, colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Dose(sets=1, days_per_week=8)


def test_describe_dose_plain_words() -> None:
    """The dose text names sets, reps, side, hold and days."""
    text = describe_dose(starting_dose(LIBRARY.get("side_bridge_knees")))
    assert text.startswith("1 set × 5 reps per side, 10 s hold")
    assert text.endswith("daily")
    assert describe_dose(Dose(sets=1, duration_min=15.0, days_per_week=1)) == "15 min, once a week"
