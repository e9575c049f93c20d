"""Rule families pinned with minimal assessments, and the rules-file loader and validation."""

from __future__ import annotations

from typing import Any

import pytest

from backrehab.assess.red_flags import EMERGENCY_TEXT, URGENT_TEXT
from backrehab.errors import InvalidResponseError
from backrehab.exercises import load_library
from backrehab.exercises.schema import PATIENT_GROUPS
from backrehab.plan import (
    PatientContext,
    Plan,
    RulesError,
    context_from_mapping,
    describe_dose,
    generate_plan,
    load_rules,
    parse_rules,
    session_minutes,
)
from backrehab.plan.rules import RULE_FAMILIES, FindingMatcher
from tests.plan import assessment, finding, red_flag, startback

LIBRARY = load_library()
RULES = load_rules()


def plan_of(*findings: Any, context: dict[str, Any] | None = None, **kw: Any) -> Plan:
    """The plan of an assessment with these findings and context."""
    return generate_plan(assessment(*findings, context=context), **kw)


def rule_ids(plan: Plan, exercise_id: str) -> tuple[str, ...]:
    """Rule ids behind one item (empty if the item is absent)."""
    item = plan.item(exercise_id)
    return item.rule_ids if item is not None else ()


# -- the rules file ---------------------------------------------------------------------------
def test_packaged_rules_have_stable_unique_ids_and_cover_every_family() -> None:
    """The packaged file loads, ids are unique and dotted, and the spec's families are covered."""
    ids = RULES.ids()
    assert len(set(ids)) == len(ids)
    families = {r.family for r in RULES.rules}
    for needed in (
        "red_flags",
        "startback",
        "intolerance",
        "directional",
        "endurance",
        "movement",
        "posture",
        "ergonomics",
        "manual_therapy",
        "education",
    ):
        assert needed in families
    assert families <= set(RULE_FAMILIES)
    for stable in (
        "red_flag.emergency",
        "red_flag.urgent",
        "startback.self_management",
        "startback.exercise_programme",
        "startback.psychologically_informed",
        "intolerance.flexion",
        "intolerance.extension",
        "irritability.acute",
        "endurance.side_bridge_asymmetry",
        "ergonomics.workstation_advice",
    ):
        assert stable in ids
    assert all(r.source and r.title for r in RULES.rules)


def test_packaged_rules_name_only_library_exercises_and_filter_every_group() -> None:
    """Every exercise a rule names exists; each suitability group has an exclusion rule."""
    RULES.check_library(LIBRARY)
    covered = {r.exclude_unsuitable for r in RULES.rules if r.exclude_unsuitable}
    assert covered == set(PATIENT_GROUPS)
    assert {r.block for r in RULES.rules if r.block} == {"emergency", "urgent"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [", "not valid YAML"),
        ("rules: {}", "'rules:' list"),
        ("colour: red\nrules: []", "unknown top-level keys"),
        ("schema_version: 2\nrules: []", "schema_version"),
        ("rules:\n- {id: a.b, family: startback, title: t, source: s}", "rule 'a.b'"),
        (
            "rules:\n- {id: a.b, family: nope, title: t, source: s, notice: x}",
            "family",
        ),
        (
            "rules:\n- {id: a.b, family: startback, title: t, source: s, notice: x}\n"
            "- {id: a.b, family: startback, title: t, source: s, notice: y}",
            "appears twice",
        ),
        ("rules:\n- {id: a.b, id: c.d}", "not valid YAML"),
        (
            "rules:\n- {id: NoDots, family: startback, title: t, source: s, notice: x}",
            "id",
        ),
    ],
)
def test_invalid_rules_files_are_refused(text: str, message: str) -> None:
    """Bad YAML, unknown keys, rules without actions, bad families and repeated ids fail clearly."""
    with pytest.raises(RulesError, match=message):
        parse_rules(text, "test.yaml")


def test_rule_naming_unknown_exercise_is_refused() -> None:
    """A rule that adds an exercise the library lacks is refused, naming the rule."""
    rules = parse_rules(
        "rules:\n- id: test.unknown\n  family: startback\n  title: t\n  source: s\n"
        "  add: [{exercise: moon_walk}]\n"
    )
    with pytest.raises(RulesError, match=r"test\.unknown.*moon_walk"):
        rules.check_library(LIBRARY)


def test_finding_matcher_conditions() -> None:
    """Matchers check code wildcards, severity range, sides, evidence and confidence."""
    m = FindingMatcher(
        code="endurance.low_endurance.side_bridge_*",
        min_severity="mild",  # type: ignore[arg-type]
        sides=("left",),
        min_confidence=0.5,
    )
    assert m.matches(finding("endurance.low_endurance.side_bridge_left", side="left"))
    assert not m.matches(finding("endurance.low_endurance.side_bridge_left", "normal", side="left"))
    assert not m.matches(finding("endurance.low_endurance.side_bridge_right", side="right"))
    assert not m.matches(
        finding("endurance.low_endurance.side_bridge_left", side="left", confidence=0.2)
    )
    e = FindingMatcher(code="psychosocial.startback_risk", evidence={"risk": ("medium", "high")})
    assert e.matches(startback("high"))
    assert not e.matches(startback("low"))


def test_context_validation_and_implied_groups() -> None:
    """Unknown context fields are refused; a directional preference implies the intolerance."""
    with pytest.raises(InvalidResponseError, match="patient context"):
        context_from_mapping({"favourite_colour": "red"})
    with pytest.raises(InvalidResponseError, match="clinic_days"):
        context_from_mapping({"clinic_days": ["someday"]})
    ctx = PatientContext(directional_preference="extension", acute_high_irritability=True)
    assert ctx.groups() == ("flexion_intolerant", "acute_high_irritability")
    assert PatientContext(directional_preference="flexion").groups() == ("extension_intolerant",)
    assert PatientContext(clinic_days=("fri", "mon")).clinic_days == ("mon", "fri")


# -- red flags (§9) --------------------------------------------------------------------------
def test_emergency_red_flag_blocks_with_the_emergency_message() -> None:
    """Emergency: blocked, the §9.1 message, no items, the rule id and triggers recorded."""
    plan = plan_of(red_flag("emergency", "saddle_numbness"), startback("high"))
    assert plan.blocked
    assert plan.message == EMERGENCY_TEXT
    assert plan.items == ()
    assert plan.fired_rules == ("red_flag.emergency",)
    assert plan.triggers == ("saddle_numbness",)


def test_urgent_red_flag_blocks_and_emergency_wins() -> None:
    """Urgent blocks with the §9.2 message; with both tiers the emergency message is shown."""
    urgent = plan_of(red_flag("urgent", "cancer_history"), startback("low"))
    assert urgent.blocked
    assert urgent.message == URGENT_TEXT
    both = plan_of(red_flag("emergency", "major_trauma"), red_flag("urgent", "thoracic_pain"))
    assert both.message == EMERGENCY_TEXT
    assert set(both.triggers) == {"major_trauma", "thoracic_pain"}


def test_review_red_flag_allows_the_plan_with_a_notice() -> None:
    """Routine review: the plan is built, a notice is added and the flare-up plan is included."""
    plan = plan_of(red_flag("review", "inflammatory_features"), startback("low"))
    assert not plan.blocked
    assert "red_flag.review" in [n.rule_id for n in plan.notices]
    assert "education.flare_up_after_review" in rule_ids(plan, "edu_flare_up_plan")


def test_missing_red_flag_screen_gives_a_notice() -> None:
    """Without any red-flag finding the plan says the screen must be run first."""
    from backrehab.assess.findings import Assessment

    plan = generate_plan(Assessment(findings=(startback("low"),)))
    assert plan.safety_level == "not_screened"
    assert "red_flag.not_screened" in [n.rule_id for n in plan.notices]


# -- STarT Back (§1.3) ------------------------------------------------------------------------
def test_startback_low_gives_education_and_self_management_only() -> None:
    """Low risk: reassurance, flare-up plan and walking; no exercise programme."""
    plan = plan_of(startback("low"))
    assert set(plan.exercise_ids()) == {
        "edu_reassurance_stay_active",
        "edu_flare_up_plan",
        "walking_program",
    }
    assert all("startback.self_management" in i.rule_ids for i in plan.items)


def test_startback_medium_adds_the_exercise_programme() -> None:
    """Medium risk: the low-risk package plus the motor-control programme."""
    plan = plan_of(startback("medium"), budget_min=40)
    assert {"edu_reassurance_stay_active", "walking_program"} <= set(plan.exercise_ids())
    for exercise_id in ("mcgill_curl_up", "side_bridge_knees", "bird_dog_single_limb"):
        assert "startback.exercise_programme" in rule_ids(plan, exercise_id)
    assert "startback.exercise_programme" in plan.fired_rules
    assert plan.item("edu_pain_neuroscience") is None
    tight = plan_of(startback("medium"))  # 20 min: what does not fit is deferred, with why
    placed = set(tight.exercise_ids()) | {d.exercise_id for d in tight.deferred}
    assert {"mcgill_curl_up", "side_bridge_knees", "bird_dog_single_limb"} <= placed


def test_startback_high_adds_psychologically_informed_items() -> None:
    """High risk: medium package plus pain neuroscience and graded activity, with a notice."""
    plan = plan_of(startback("high"), budget_min=60)
    assert "startback.psychologically_informed" in rule_ids(plan, "edu_pain_neuroscience")
    assert "startback.psychologically_informed" in rule_ids(plan, "edu_pacing_graded_activity")
    assert "startback.psychologically_informed" in rule_ids(plan, "walking_program")
    assert "startback.exercise_programme" in rule_ids(plan, "side_bridge_knees")
    assert "startback.psychologically_informed" in [n.rule_id for n in plan.notices]


def test_startback_not_scored_gives_baseline_and_notice() -> None:
    """No STarT Back finding: self-management baseline and a notice to score it."""
    plan = plan_of()
    assert set(plan.exercise_ids()) == {"edu_reassurance_stay_active", "walking_program"}
    assert "startback.not_scored" in [n.rule_id for n in plan.notices]


def test_elevated_fear_avoidance_adds_pain_education() -> None:
    """FABQ elevated (moderate or worse) adds pain neuroscience and pacing education."""
    plan = plan_of(startback("low"), finding("psychosocial.fear_avoidance", "moderate"))
    assert "psychosocial.fear_avoidance" in rule_ids(plan, "edu_pain_neuroscience")
    calm = plan_of(startback("low"), finding("psychosocial.fear_avoidance", "normal"))
    assert calm.item("edu_pain_neuroscience") is None


# -- directional preference and intolerance (§6.4) ------------------------------------------
def test_extension_preference_with_centralisation_gets_the_extension_series() -> None:
    """Extension preference + centralising: press-up included (a 'test' item), with a caution."""
    plan = plan_of(
        startback("low"),
        context={
            "directional_preference": "extension",
            "repeated_movements": {"extension": "centralises"},
        },
    )
    item = plan.item("prone_press_up")
    assert item is not None
    assert "directional.extension.centralising" in item.rule_ids
    assert item.reasons[0].context == (
        "directional_preference=extension",
        "repeated_movements.extension=centralises",
    )
    assert any("'test'" in c for c in item.cautions)


def test_extension_preference_untested_withholds_the_series() -> None:
    """Extension preference without a centralising response: no extension series, a notice."""
    plan = plan_of(startback("low"), context={"directional_preference": "extension"})
    assert plan.item("prone_press_up") is None
    assert "directional.extension.untested" in [n.rule_id for n in plan.notices]


TEST_RULES = """
rules:
  - id: test.add_extension_and_flexion
    family: directional
    title: add directional items for the test
    source: test
    add:
      - {exercise: prone_lying, priority: 1}
      - {exercise: single_knee_to_chest, priority: 1}
      - {exercise: glute_bridge, priority: 2}
  - id: intolerance.flexion
    family: intolerance
    title: flexion filter
    source: test
    when: {context: {groups: [flexion_intolerant]}}
    exclude_unsuitable: flexion_intolerant
  - id: intolerance.extension
    family: intolerance
    title: extension filter
    source: test
    when: {context: {groups: [extension_intolerant]}}
    exclude_unsuitable: extension_intolerant
"""


def test_flexion_intolerance_drops_avoid_and_untested_test_items() -> None:
    """Flexion-intolerant: knee-to-chest ('avoid') and prone lying ('test', untested) left out."""
    rules = parse_rules(TEST_RULES)
    plan = plan_of(context={"intolerances": ["flexion_intolerant"]}, rules=rules)
    assert plan.exercise_ids() == ("glute_bridge",)
    reasons = {e.exercise_id: (e.rule_id, e.reason) for e in plan.excluded}
    assert reasons["single_knee_to_chest"][0] == "intolerance.flexion"
    assert "avoid" in reasons["single_knee_to_chest"][1]
    assert reasons["prone_lying"][0] == "intolerance.flexion"
    assert "centralising" in reasons["prone_lying"][1]


def test_test_item_allowed_with_a_recorded_centralising_response() -> None:
    """A 'test' item stays when the movement in its direction was recorded as centralising."""
    rules = parse_rules(TEST_RULES)
    ctx = {"intolerances": ["flexion_intolerant"], "repeated_movements": {"extension": "reduces"}}
    plan = plan_of(context=ctx, rules=rules)
    assert "prone_lying" in plan.exercise_ids()
    assert "single_knee_to_chest" not in plan.exercise_ids()


def test_extension_intolerance_never_prescribes_extension_avoid_items() -> None:
    """Extension-intolerant: prone lying is 'avoid' even when extension centralises."""
    rules = parse_rules(TEST_RULES)
    ctx = {
        "intolerances": ["extension_intolerant"],
        "repeated_movements": {"extension": "centralises"},
    }
    plan = plan_of(context=ctx, rules=rules)
    assert "prone_lying" not in plan.exercise_ids()
    assert {"single_knee_to_chest", "glute_bridge"} <= set(plan.exercise_ids())
    bridge = plan.item("glute_bridge")
    assert bridge is not None
    assert any("caution" in c for c in bridge.cautions)


def test_flexion_preference_gets_the_flexion_series_and_short_walks() -> None:
    """Flexion preference: pelvic tilt and knee-to-chest; walking set to short bouts."""
    plan = plan_of(startback("low"), context={"directional_preference": "flexion"})
    assert "directional.flexion.series" in rule_ids(plan, "posterior_pelvic_tilt")
    assert "directional.flexion.series" in rule_ids(plan, "single_knee_to_chest")
    assert plan.item("double_knee_to_chest") is None  # 'test' without a centralising response
    walk = plan.item("walking_program")
    assert walk is not None
    assert walk.dose.duration_min == 5.0


def test_peripheralising_direction_is_never_prescribed() -> None:
    """Flexion peripheralises: flexion-biased items are excluded by the peripheralising rule."""
    plan = plan_of(
        startback("low"),
        context={
            "directional_preference": "flexion",
            "repeated_movements": {"flexion": "peripheralises"},
        },
    )
    assert plan.item("posterior_pelvic_tilt") is None
    assert "movement.peripheralising" in {e.rule_id for e in plan.excluded}


def test_lateral_preference_gets_rotation_mobility() -> None:
    """Lateral/rotation preference adds lower-trunk rotation and a side-glide notice."""
    plan = plan_of(startback("low"), context={"directional_preference": "lateral"})
    assert "directional.lateral" in rule_ids(plan, "lower_trunk_rotation")
    assert "directional.lateral" in [n.rule_id for n in plan.notices]


def test_acute_irritability_starts_one_step_down_and_filters() -> None:
    """Acute, highly irritable: isometrics start at 8 s holds; 'avoid' items for it are out."""
    plan = plan_of(startback("medium"), context={"acute_high_irritability": True}, budget_min=60)
    bird = plan.item("bird_dog_single_limb")
    assert bird is not None
    assert bird.dose.hold_s == 8.0
    assert "irritability.start_low" in bird.rule_ids
    for item in plan.items:
        assert LIBRARY.get(item.exercise_id).suitability["acute_high_irritability"] != "avoid"


def test_severe_pain_starts_one_step_down() -> None:
    """Severe current pain (NPRS) moves the exercise doses one step down."""
    plan = plan_of(startback("medium"), finding("pain.nprs", "severe"), budget_min=60)
    curl = plan.item("mcgill_curl_up")
    assert curl is not None
    assert curl.dose.hold_s == 8.0
    assert "pain.severe.start_low" in curl.rule_ids


# -- endurance (§3.3) -------------------------------------------------------------------------
def test_side_bridge_asymmetry_targets_the_weaker_side() -> None:
    """Side-bridge asymmetry (left weaker): side bridge on the knees, side left, one extra set
    for the left side in the dose and in the booked minutes."""
    plan = plan_of(
        startback("low"), finding("endurance.side_bridge_asymmetry", "moderate", side="left")
    )
    item = plan.item("side_bridge_knees")
    assert item is not None
    assert item.side == "left"
    assert "endurance.side_bridge_asymmetry" in item.rule_ids
    assert "Target side: left." in item.notes
    assert item.reasons[0].findings == ("endurance.side_bridge_asymmetry",)
    assert item.dose.extra_side_sets == 1
    assert "+1 set on the weaker side" in describe_dose(item.dose)
    both_sides = item.dose.model_copy(update={"extra_side_sets": 0})
    assert item.schedule.minutes > round(session_minutes(both_sides), 2)
    assert item.schedule.minutes == round(session_minutes(item.dose), 2)


def test_weak_sides_on_both_sides_get_no_extra_set() -> None:
    """Low side-bridge times on both sides target both sides: no one-sided extra set."""
    plan = plan_of(
        startback("low"),
        finding("endurance.low_endurance.side_bridge_left", "mild", side="left"),
        finding("endurance.low_endurance.side_bridge_right", "mild", side="right"),
    )
    item = plan.item("side_bridge_knees")
    assert item is not None
    assert item.side == "bilateral"
    assert item.dose.extra_side_sets == 0


def test_extra_side_sets_need_a_side_from_the_finding() -> None:
    """A rule asking for extra weaker-side sets without side: from_finding is refused."""
    text = (
        "rules:\n- id: t.x\n  family: endurance\n  title: t\n  source: s\n  add:\n"
        "  - {exercise: side_bridge_knees, extra_side_sets: 1}\n"
    )
    with pytest.raises(RulesError, match="extra_side_sets"):
        parse_rules(text)


@pytest.mark.parametrize(
    ("code", "exercise_id", "rule_id"),
    [
        (
            "endurance.flexor_extensor_imbalance",
            "bird_dog_single_limb",
            "endurance.extensor_deficit",
        ),
        (
            "endurance.lateral_extensor_imbalance",
            "bird_dog_single_limb",
            "endurance.extensor_deficit",
        ),
        ("endurance.low_endurance.extensor", "bird_dog_single_limb", "endurance.extensor_deficit"),
        ("endurance.low_endurance.flexor", "mcgill_curl_up", "endurance.low_flexor"),
        (
            "endurance.low_endurance.side_bridge_right",
            "side_bridge_knees",
            "endurance.low_side_bridge",
        ),
    ],
)
def test_endurance_deficit_gets_the_targeted_exercise(
    code: str, exercise_id: str, rule_id: str
) -> None:
    """Each weak group gets its motor-control exercise; a normal result adds nothing."""
    plan = plan_of(startback("low"), finding(code, "mild"))
    assert rule_id in rule_ids(plan, exercise_id)
    normal = plan_of(startback("low"), finding(code, "normal"))
    assert normal.item(exercise_id) is None


# -- posture and movement ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "side", "exercise_id", "rule_id"),
    [
        ("movement.squat.dynamic_valgus", "right", "clamshell", "movement.knee_valgus"),
        ("movement.squat.trunk_lean", "none", "sit_to_stand", "movement.squat_trunk_lean"),
        ("movement.squat.depth", "none", "sit_to_stand", "movement.squat_trunk_lean"),
        ("movement.squat.asymmetry", "bilateral", "single_leg_stance", "movement.squat_asymmetry"),
        ("movement.hinge.hip_contribution", "none", "hip_hinge_dowel", "movement.hinge_pattern"),
        ("movement.hinge.knee_dominant", "none", "hip_hinge_dowel", "movement.hinge_pattern"),
        (
            "movement.single_leg_stance.pelvic_drop",
            "left",
            "side_lying_hip_abduction",
            "movement.single_leg_control",
        ),
        (
            "movement.single_leg_stance.sway",
            "left",
            "single_leg_stance",
            "movement.single_leg_sway",
        ),
        ("posture.knee_alignment", "left", "clamshell", "posture.knee_valgus"),
        ("posture.forward_head", "none", "thoracic_open_book", "posture.forward_head"),
        (
            "posture.trunk_inclination",
            "none",
            "hip_flexor_stretch_half_kneeling",
            "posture.trunk_inclination",
        ),
        ("posture.pelvic_obliquity", "left", "side_lying_hip_abduction", "posture.lateral_shift"),
        ("posture.knee_flexion", "none", "hamstring_stretch_supine_strap", "posture.knees_bent"),
    ],
)
def test_posture_and_movement_findings_map_to_drills(
    code: str, side: str, exercise_id: str, rule_id: str
) -> None:
    """Each flagged posture or movement finding adds its drill, citing the rule and finding."""
    plan = plan_of(
        startback("low"), finding(code, "mild", side=side, confidence=0.8), budget_min=60
    )
    item = plan.item(exercise_id)
    assert item is not None
    reason = next(r for r in item.reasons if r.rule_id == rule_id)
    assert code in reason.findings


def test_knee_valgus_side_comes_from_the_finding() -> None:
    """Dynamic valgus on the right gives a right-sided clamshell."""
    plan = plan_of(startback("low"), finding("movement.squat.dynamic_valgus", side="right"))
    clam = plan.item("clamshell")
    assert clam is not None
    assert clam.side == "right"


def test_low_confidence_camera_findings_are_ignored() -> None:
    """A posture finding below the rules' confidence floor (0.5) adds no drill."""
    plan = plan_of(startback("low"), finding("posture.forward_head", "moderate", confidence=0.3))
    assert plan.item("thoracic_open_book") is None


# -- ergonomics, manual therapy, education, clinician exclusions -------------------------------
def test_ergonomics_action_level_maps_to_workstation_advice() -> None:
    """RULA level 2 (mild): workstation advice with the level's text; level 3+: desk breaks too."""
    advice = "Bring the work closer and to elbow height."
    mild = plan_of(
        startback("low"),
        finding("ergonomics.rula", "mild", action_level=2, action="Look into it.", advice=advice),
    )
    item = mild.item("edu_lifting_and_sitting_ergonomics")
    assert item is not None
    assert "ergonomics.workstation_advice" in item.rule_ids
    assert advice in item.notes
    assert "Look into it." in item.notes
    assert mild.item("thoracic_open_book") is None
    high = plan_of(startback("low"), finding("ergonomics.reba", "severe", action_level=4))
    assert "ergonomics.movement_breaks" in rule_ids(high, "thoracic_open_book")
    fine = plan_of(startback("low"), finding("ergonomics.rula", "normal", action_level=1))
    assert fine.item("edu_lifting_and_sitting_ergonomics") is None


def test_manual_therapy_goes_in_the_clinic_sessions() -> None:
    """Medium risk with clinic days: manual therapy items in the clinic on those days."""
    plan = plan_of(startback("medium"), context={"clinic_days": ["thu", "mon"]}, budget_min=60)
    for exercise_id in ("mt_soft_tissue_mobilization", "mt_lumbar_pa_mobilization"):
        item = plan.item(exercise_id)
        assert item is not None
        assert (item.category, item.setting) == ("manual_therapy", "clinic")
        assert item.schedule.days == ("mon", "thu")
        assert "startback.manual_therapy" in item.rule_ids
    assert plan.item("mt_lumbopelvic_thrust_manipulation") is None


def test_clinic_only_items_left_out_without_clinic_days() -> None:
    """Without clinic days, clinic items are removed by manual_therapy.no_clinic_sessions."""
    plan = plan_of(startback("medium"), finding("posture.pelvic_obliquity", confidence=0.9))
    assert plan.item("mt_muscle_energy_technique") is None
    removed = {e.exercise_id: e.rule_id for e in plan.excluded}
    assert removed["mt_muscle_energy_technique"] == "manual_therapy.no_clinic_sessions"


def test_education_setting_follows_clinic_days() -> None:
    """Education is delivered in the clinic when there are clinic days, else at home in parts."""
    clinic = plan_of(startback("low"), context={"clinic_days": ["wed"]})
    edu = clinic.item("edu_reassurance_stay_active")
    assert edu is not None
    assert (edu.category, edu.setting, edu.schedule.days) == ("education", "clinic", ("wed",))
    home = plan_of(startback("low"))
    edu = home.item("edu_reassurance_stay_active")
    assert edu is not None
    assert edu.setting == "home"
    assert edu.dose.duration_min == 5.0
    assert len(edu.schedule.days) == 3  # 15 min in three 5-min parts


def test_clinician_exclusions_remove_items() -> None:
    """Exercises listed in excluded_exercises are removed by clinician.exclusions."""
    plan = plan_of(startback("low"), context={"excluded_exercises": ["walking_program"]})
    assert plan.item("walking_program") is None
    assert ("walking_program", "clinician.exclusions") in {
        (e.exercise_id, e.rule_id) for e in plan.excluded
    }
