"""Red-flag screen: tiers, precedence, the age rule, plan blocking, findings and input parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from backrehab.assess.findings import Domain, Severity
from backrehab.assess.red_flags import (
    AGE_TRIGGER_ID,
    EMERGENCY_TEXT,
    QUESTION_IDS,
    QUESTIONS,
    REVIEW_TEXT,
    TIERS,
    URGENT_TEXT,
    PlanBlockedError,
    RedFlagIntake,
    RedFlagSettings,
    SafetyResult,
    findings_from,
    intake_from_mapping,
    require_plan_allowed,
    screen,
)
from backrehab.errors import BackrehabError, ConfigError, InvalidResponseError

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
EMERGENCY_IDS = [q.id for q in QUESTIONS if q.tier == "emergency"]
URGENT_IDS = [q.id for q in QUESTIONS if q.tier == "urgent"]
REVIEW_IDS = [q.id for q in QUESTIONS if q.tier == "review"]


def _screen(**answers: object) -> SafetyResult:
    return screen(RedFlagIntake.model_validate(answers), now=NOW)


# --- the question table -------------------------------------------------------------------


def test_intake_fields_match_the_question_table() -> None:
    """RedFlagIntake has one field per QUESTIONS id, in table order, plus age and new episode."""
    fields = list(RedFlagIntake.model_fields)
    assert fields == [*QUESTION_IDS, "age_years", "new_episode"]
    assert tuple(q.id for q in QUESTIONS) == QUESTION_IDS


def test_question_table_ids_tiers_and_texts_are_well_formed() -> None:
    """Ids are unique snake_case; tiers come grouped emergency, urgent, review; texts are set."""
    assert len(set(QUESTION_IDS)) == len(QUESTION_IDS)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", qid) for qid in QUESTION_IDS)
    tier_rank = [TIERS.index(q.tier) for q in QUESTIONS]
    assert tier_rank == sorted(tier_rank)
    assert {q.tier for q in QUESTIONS} == set(TIERS)
    for q in QUESTIONS:
        assert q.question.endswith("?"), q.id
        assert len(q.reason) > 10, q.id
    assert AGE_TRIGGER_ID not in QUESTION_IDS


def test_every_answer_defaults_to_no() -> None:
    """A blank intake answers no to every question, has no age and is not a new episode."""
    intake = RedFlagIntake()
    assert intake.answered_yes() == ()
    assert intake.age_years is None
    assert intake.new_episode is False


@pytest.mark.parametrize(
    "qid",
    ["new_bladder_dysfunction", "saddle_numbness", "bilateral_sciatica", "cancer_history"],
)
def test_brief_ids_exist(qid: str) -> None:
    """The ids named in the specification are question ids."""
    assert qid in QUESTION_IDS


# --- tiers ------------------------------------------------------------------------------


def test_no_answer_gives_none_and_allows_the_plan() -> None:
    """No yes answer: level none, plan allowed, no trigger, empty message."""
    result = _screen()
    assert result.level == "none"
    assert result.allow_plan is True
    assert result.triggers == ()
    assert result.message == ""


@pytest.mark.parametrize("qid", EMERGENCY_IDS)
def test_each_emergency_item_alone_is_an_emergency(qid: str) -> None:
    """Any single §9.1 answer gives emergency, blocks the plan and shows the emergency text."""
    result = _screen(**{qid: True})
    assert result.level == "emergency"
    assert result.allow_plan is False
    assert result.message == EMERGENCY_TEXT
    assert result.triggers == (qid,)


@pytest.mark.parametrize("qid", URGENT_IDS)
def test_each_urgent_item_alone_is_urgent(qid: str) -> None:
    """Any single §9.2 answer gives urgent, blocks the plan and shows the urgent text."""
    result = _screen(**{qid: True})
    assert result.level == "urgent"
    assert result.allow_plan is False
    assert result.message == URGENT_TEXT
    assert result.triggers == (qid,)


@pytest.mark.parametrize("qid", REVIEW_IDS)
def test_each_review_item_alone_is_review_and_allows_the_plan(qid: str) -> None:
    """Any single §9.3 answer gives review, allows the plan and shows the review text."""
    result = _screen(**{qid: True})
    assert result.level == "review"
    assert result.allow_plan is True
    assert result.message == REVIEW_TEXT
    assert result.triggers == (qid,)


def test_message_texts_are_the_reference_wording() -> None:
    """Emergency and urgent texts are the §9 wording word for word."""
    assert EMERGENCY_TEXT == (
        "Seek emergency care now (call emergency services / go to the emergency department)"
    )
    assert URGENT_TEXT == (
        "See your doctor or clinician within 24–48 hours before starting exercises"
    )


# --- precedence -------------------------------------------------------------------------


def test_emergency_beats_urgent_and_review_and_all_triggers_are_kept() -> None:
    """Emergency + urgent + review answers: level emergency, every trigger listed in table order."""
    result = _screen(inflammatory_features=True, thoracic_pain=True, saddle_numbness=True)
    assert result.level == "emergency"
    assert result.message == EMERGENCY_TEXT
    assert result.triggers == ("saddle_numbness", "thoracic_pain", "inflammatory_features")
    assert result.triggers_in("urgent") == ("thoracic_pain",)


def test_urgent_beats_review() -> None:
    """Urgent + review answers: level urgent, plan blocked."""
    result = _screen(no_improvement_4_weeks=True, unexplained_weight_loss=True)
    assert result.level == "urgent"
    assert result.allow_plan is False
    assert result.triggers == ("unexplained_weight_loss", "no_improvement_4_weeks")


# --- the age rule (PROJECT DEFAULT) ----------------------------------------------------------


@pytest.mark.parametrize("age", [19, 51, 70])
def test_age_outside_range_with_new_episode_alone_is_review(age: int) -> None:
    """Age < 20 or > 50 with a new episode and nothing else: a review trigger, plan allowed."""
    result = _screen(age_years=age, new_episode=True)
    assert result.level == "review"
    assert result.allow_plan is True
    assert result.triggers == (AGE_TRIGGER_ID,)
    assert result.trigger_tiers == {AGE_TRIGGER_ID: "review"}


def test_age_rule_with_another_urgent_item_is_urgent() -> None:
    """Age 60, new episode and thoracic pain: the age trigger counts as urgent (§9.2 place)."""
    result = _screen(age_years=60, new_episode=True, thoracic_pain=True)
    assert result.level == "urgent"
    assert result.trigger_tiers[AGE_TRIGGER_ID] == "urgent"
    assert result.triggers == ("thoracic_pain", AGE_TRIGGER_ID)


def test_age_rule_with_only_a_review_item_stays_review() -> None:
    """Age 60 with a new episode and a review item: still review (age needs an urgent item)."""
    result = _screen(age_years=60, new_episode=True, inflammatory_features=True)
    assert result.level == "review"
    assert result.triggers == (AGE_TRIGGER_ID, "inflammatory_features")


@pytest.mark.parametrize(("age", "new_episode"), [(35, True), (20, True), (50, True), (70, False)])
def test_age_rule_does_not_fire(age: int, new_episode: bool) -> None:
    """Age 20-50 (bounds included), or no new episode: the age rule gives nothing."""
    result = _screen(age_years=age, new_episode=new_episode)
    assert result.level == "none"
    assert result.triggers == ()


def test_missing_age_is_noted() -> None:
    """Without an age the age rule is not applied and a note says so."""
    result = _screen(new_episode=True)
    assert result.level == "none"
    assert any("Age not given" in n for n in result.notes)


def test_age_rule_is_configurable() -> None:
    """With a 55 upper age, 52 is fine; with AHCPR's setting, age alone is urgent."""
    intake = RedFlagIntake(age_years=52, new_episode=True)
    assert screen(intake, settings=RedFlagSettings(age_max_years=55), now=NOW).level == "none"
    strict = screen(intake, settings=RedFlagSettings(age_alone_level="urgent"), now=NOW)
    assert strict.level == "urgent"
    assert strict.allow_plan is False


def test_empty_age_range_is_a_config_error() -> None:
    """age_min_years above age_max_years is refused."""
    with pytest.raises(ConfigError):
        screen(RedFlagIntake(), settings=RedFlagSettings(age_min_years=60, age_max_years=50))


# --- time stamp -------------------------------------------------------------------------


def test_screened_at_is_injected_and_converted_to_utc() -> None:
    """A given time with another offset is stored as the same instant in UTC."""
    local = datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    result = screen(RedFlagIntake(), now=local)
    assert result.screened_at == NOW
    assert result.screened_at.utcoffset() == timedelta(0)


def test_screened_at_defaults_to_now_in_utc() -> None:
    """Without a time the screen is stamped with the current UTC time."""
    before = datetime.now(UTC)
    result = screen(RedFlagIntake())
    assert before <= result.screened_at <= datetime.now(UTC)
    assert result.screened_at.tzinfo is not None


def test_naive_time_is_refused() -> None:
    """A time without timezone is a ConfigError."""
    with pytest.raises(ConfigError, match="timezone"):
        screen(RedFlagIntake(), now=datetime(2024, 1, 1))


def test_result_round_trips_through_json() -> None:
    """A safety result survives JSON, so it can be logged and stored."""
    result = _screen(thoracic_pain=True, age_years=60, new_episode=True)
    assert SafetyResult.model_validate_json(result.model_dump_json()) == result


# --- plan blocking ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "text"), [("saddle_numbness", EMERGENCY_TEXT), ("thoracic_pain", URGENT_TEXT)]
)
def test_require_plan_allowed_raises_with_the_message(qid: str, text: str) -> None:
    """Emergency and urgent results raise PlanBlockedError carrying the text to show."""
    result = _screen(**{qid: True})
    with pytest.raises(PlanBlockedError) as info:
        require_plan_allowed(result)
    assert info.value.user_message == text
    assert info.value.level == result.level
    assert info.value.triggers == (qid,)
    assert isinstance(info.value, BackrehabError)


@pytest.mark.parametrize("answers", [{}, {"no_improvement_4_weeks": True}])
def test_require_plan_allowed_passes_review_and_none(answers: dict[str, bool]) -> None:
    """Review and none results do not block the plan."""
    result = _screen(**answers)
    require_plan_allowed(result)  # must not raise
    assert result.allow_plan is True


# --- findings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "code", "severity"),
    [
        ("bilateral_sciatica", "safety.red_flag.emergency", Severity.CRITICAL),
        ("cancer_history", "safety.red_flag.urgent", Severity.SEVERE),
        ("inflammatory_features", "safety.red_flag.review", Severity.MODERATE),
    ],
)
def test_one_finding_per_tier(qid: str, code: str, severity: Severity) -> None:
    """One trigger gives one safety finding with the tier's code and severity and the evidence."""
    result = _screen(**{qid: True})
    (finding,) = findings_from(result)
    assert finding.code == code
    assert finding.severity is severity
    assert finding.domain is Domain.SAFETY
    assert finding.evidence["triggers"] == [qid]
    assert finding.evidence["message"] == result.message


def test_findings_of_several_tiers_most_severe_first() -> None:
    """Emergency, urgent and review triggers give three findings, emergency first."""
    result = _screen(
        pulsating_abdominal_mass=True, cancer_history=True, no_improvement_4_weeks=True
    )
    findings = findings_from(result)
    assert [f.code for f in findings] == [
        "safety.red_flag.emergency",
        "safety.red_flag.urgent",
        "safety.red_flag.review",
    ]
    assert findings[1].evidence["triggers"] == ["cancer_history"]
    assert all(f.evidence["message"] == EMERGENCY_TEXT for f in findings)


def test_no_trigger_gives_one_normal_none_finding() -> None:
    """A clear screen gives exactly one safety.red_flag.none finding of severity normal."""
    (finding,) = findings_from(_screen())
    assert finding.code == "safety.red_flag.none"
    assert finding.severity is Severity.NORMAL
    assert finding.evidence["triggers"] == []


# --- parsing ----------------------------------------------------------------------------


def test_intake_from_mapping_accepts_booleans_age_and_episode() -> None:
    """Known ids with booleans, an integer age and new_episode build the intake."""
    intake = intake_from_mapping(
        {"saddle_numbness": False, "thoracic_pain": True, "age_years": 44, "new_episode": True}
    )
    assert intake.answered_yes() == ("thoracic_pain",)
    assert intake.age_years == 44
    assert intake.new_episode is True


def test_intake_from_mapping_refuses_unknown_ids() -> None:
    """An unknown question id is an InvalidResponseError naming it."""
    with pytest.raises(InvalidResponseError, match=r"saddle_numbnes\b"):
        intake_from_mapping({"saddle_numbnes": True})


@pytest.mark.parametrize("answer", ["yes", 1, 0, None, "true"])
def test_intake_from_mapping_refuses_non_boolean_answers(answer: object) -> None:
    """A non-boolean answer is an InvalidResponseError naming the question id."""
    with pytest.raises(InvalidResponseError, match="bilateral_sciatica"):
        intake_from_mapping({"bilateral_sciatica": answer})


@pytest.mark.parametrize("age", [-1, 131, 40.5, "40", True])
def test_intake_from_mapping_refuses_bad_age(age: object) -> None:
    """A negative, too large, fractional, text or boolean age names age_years."""
    with pytest.raises(InvalidResponseError, match="age_years"):
        intake_from_mapping({"age_years": age})


def test_intake_from_mapping_refuses_non_boolean_new_episode() -> None:
    """new_episode must be a boolean too."""
    with pytest.raises(InvalidResponseError, match="new_episode"):
        intake_from_mapping({"new_episode": "yes"})


def test_intake_from_mapping_can_require_every_answer() -> None:
    """With require_all, an unanswered question is named in the error."""
    answers: dict[str, object] = dict.fromkeys(QUESTION_IDS, False)
    assert intake_from_mapping(answers, require_all=True).answered_yes() == ()
    del answers["thoracic_pain"]
    with pytest.raises(InvalidResponseError, match="thoracic_pain"):
        intake_from_mapping(answers, require_all=True)


def test_intake_model_is_strict_and_frozen() -> None:
    """Direct construction refuses a text answer, and an intake cannot be changed afterwards."""
    with pytest.raises(ValidationError):
        RedFlagIntake.model_validate({"saddle_numbness": "no"})
    intake = RedFlagIntake()
    with pytest.raises(ValidationError):
        intake.saddle_numbness = True  # type: ignore[misc]
