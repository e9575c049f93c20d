"""Questionnaire scoring on the worked examples of the clinical reference (section 1), plus
properties over random answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from backrehab.assess.findings import Domain, Severity
from backrehab.assess.items import ITEM_TEXTS, item_texts
from backrehab.assess.questionnaires import (
    INSTRUMENTS,
    FabqResult,
    NprsResult,
    OdiResult,
    PsfsResult,
    QuestionnaireSettings,
    RmdqResult,
    StartBackResult,
    check_version,
    findings_from,
    nprs_band,
    odi_band,
    parse_answers,
    result_to_json_dict,
    score_fabq,
    score_instrument,
    score_nprs,
    score_odi,
    score_psfs,
    score_rmdq,
    score_startback,
)
from backrehab.errors import ConfigError, InvalidResponseError

ITEM_COUNTS = {"odi": 10, "rmdq": 24, "startback": 9, "fabq": 16}
BAND_ORDER = ["minimal", "moderate", "severe", "very severe", "bed-bound or exaggerated"]


def names_item(message: str, item: int) -> bool:
    """True when the error message names exactly this 1-based item number."""
    return re.search(rf"\bitem {item}\b", message) is not None


# --------------------------------------------------------------------------------------------
# ODI
# --------------------------------------------------------------------------------------------


def test_odi_all_answered_16_of_50_is_32_percent() -> None:
    """Scoring sheet example [S1]: raw 16 of 50 gives 32.0 %, moderate disability."""
    result = score_odi([2, 2, 2, 2, 2, 2, 1, 1, 1, 1])
    assert result.raw_sum == 16
    assert result.answered == 10
    assert result.percent == 32.0
    assert result.score == 32.0
    assert result.band == "moderate"
    assert result.valid
    assert result.instrument == "odi"
    assert result.version == "ODI v2.1a"
    assert "Fairbank" in result.reference


def test_odi_missing_section_8_16_of_45_rounds_half_up_to_35_6() -> None:
    """Section 8 missing drops it from the denominator: 16/45 = 35.56 -> 35.6 (not 35.5)."""
    result = score_odi([2, 2, 2, 2, 2, 2, 2, None, 1, 1])
    assert result.answered == 9
    assert result.section_scores[7] is None
    assert result.percent == 35.6
    assert result.percent_unrounded == pytest.approx(35.5555555, abs=1e-6)
    assert result.band == "moderate"


def test_odi_one_decimal_rounding_of_repeating_value() -> None:
    """3 of 45 = 6.667 % is reported as 6.7 %."""
    result = score_odi([1, 1, 1, 0, 0, 0, 0, None, 0, 0])
    assert result.percent == 6.7


def test_odi_multiple_ticks_take_the_highest() -> None:
    """Several ticked statements in one section score the highest of them (rule 2)."""
    result = score_odi([(1, 3), 0, 0, 0, 0, 0, 0, 0, 0, [4, 2]])
    assert result.section_scores[0] == 3
    assert result.section_scores[9] == 4
    assert result.raw_sum == 7
    assert result.answers[0] == (1, 3)


def test_odi_empty_tick_list_is_missing() -> None:
    """A section given as an empty list of ticks counts as not answered."""
    result = score_odi([[], 1, 1, 1, 1, 1, 1, 1, 1, 1])
    assert result.section_scores[0] is None
    assert result.answered == 9


def test_odi_seven_of_ten_answered_is_invalid() -> None:
    """Fewer than the project-default 8 answered sections: no percentage and no band."""
    result = score_odi([1, 1, 1, 1, 1, 1, 1, None, None, None])
    assert not result.valid
    assert result.answered == 7
    assert result.raw_sum == 7
    assert result.percent is None
    assert result.percent_unrounded is None
    assert result.band is None
    assert result.score is None


def test_odi_eight_of_ten_answered_is_valid() -> None:
    """Exactly 8 answered sections is enough under the project default."""
    result = score_odi([1, 1, 1, 1, 1, 1, 1, 1, None, None])
    assert result.valid
    assert result.percent == 20.0


def test_odi_min_answered_is_a_keyword_argument() -> None:
    """Lowering ``min_answered`` to 7 makes the 7-of-10 example valid."""
    result = score_odi([1, 1, 1, 1, 1, 1, 1, None, None, None], min_answered=7)
    assert result.valid
    assert result.min_answered == 7
    assert result.percent == 20.0


@pytest.mark.parametrize("bad", [0, 11, True])
def test_odi_bad_min_answered_is_config_error(bad: Any) -> None:
    """``min_answered`` outside 1-10 (or not an int) is a ConfigError."""
    with pytest.raises(ConfigError, match="min_answered"):
        score_odi([0] * 10, min_answered=bad)


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.4, "minimal"),
        (20.5, "moderate"),
        (21, "moderate"),
        (40, "moderate"),
        (40.5, "severe"),
        (41, "severe"),
        (60, "severe"),
        (61, "very severe"),
        (80, "very severe"),
        (80.49, "very severe"),
        (81, "bed-bound or exaggerated"),
        (100, "bed-bound or exaggerated"),
    ],
)
def test_odi_band_edges_after_half_up_rounding(percent: float, band: str) -> None:
    """Bands 0-20/21-40/41-60/61-80/81-100 apply to the percentage rounded half-up (20.5 -> 21)."""
    assert odi_band(percent) == band


@pytest.mark.parametrize(
    ("answers", "percent", "band"),
    [
        ([1] * 10, 20.0, "minimal"),
        ([2] + [1] * 9, 22.0, "moderate"),
        ([2] * 10, 40.0, "moderate"),
        ([3] + [2] * 9, 42.0, "severe"),
        ([3] * 10, 60.0, "severe"),
        ([4] + [3] * 9, 62.0, "very severe"),
        ([4] * 10, 80.0, "very severe"),
        ([5] + [4] * 9, 82.0, "bed-bound or exaggerated"),
        ([1] * 9 + [None], 20.0, "minimal"),
    ],
)
def test_odi_scored_band_edges(answers: list[int | None], percent: float, band: str) -> None:
    """Scored answers at the band boundaries land in the expected band."""
    result = score_odi(answers)
    assert result.percent == percent
    assert result.band == band


@pytest.mark.parametrize("bad", [-1, 101, "x", None, float("nan")])
def test_odi_band_refuses_bad_percentages(bad: Any) -> None:
    """odi_band refuses values outside 0-100 and non-numbers."""
    with pytest.raises(InvalidResponseError, match="ODI"):
        odi_band(bad)


@pytest.mark.parametrize(
    ("item", "value", "fragment"),
    [
        (3, 7, "out of range 0-5"),
        (1, -1, "out of range 0-5"),
        (5, "3", "not a whole number"),
        (10, 2.0, "not a whole number"),
        (2, True, "yes/no"),
        (4, (1, 9), "out of range 0-5"),
    ],
)
def test_odi_bad_answers_name_the_item(item: int, value: Any, fragment: str) -> None:
    """A bad ODI answer raises InvalidResponseError naming the instrument and item."""
    answers: list[Any] = [0] * 10
    answers[item - 1] = value
    with pytest.raises(InvalidResponseError) as info:
        score_odi(answers)
    message = str(info.value)
    assert message.startswith(f"ODI item {item}:")
    assert fragment in message


def test_odi_error_message_format() -> None:
    """The message reads like the project example: 'ODI item 3: answer 7 is out of range 0-5'."""
    with pytest.raises(InvalidResponseError) as info:
        score_odi([0, 0, 7, 0, 0, 0, 0, 0, 0, 0])
    assert str(info.value) == "ODI item 3: answer 7 is out of range 0-5"


@pytest.mark.parametrize(("count", "item"), [(0, 1), (9, 10), (11, 11)])
def test_odi_wrong_count_names_the_item(count: int, item: int) -> None:
    """Too few or too many ODI answers name the first missing or extra item."""
    with pytest.raises(InvalidResponseError) as info:
        score_odi([0] * count)
    assert names_item(str(info.value), item)


def test_odi_refuses_a_string() -> None:
    """A string instead of a list of answers is refused."""
    with pytest.raises(InvalidResponseError, match="ODI item 1"):
        score_odi("0123456789")  # type: ignore[arg-type]


def test_result_models_are_frozen() -> None:
    """Results cannot be changed after scoring."""
    result = score_odi([0] * 10)
    with pytest.raises(ValidationError):
        result.percent = 50.0  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# RMDQ
# --------------------------------------------------------------------------------------------


def test_rmdq_counts_ticks() -> None:
    """Score = number of ticks; True and 1 tick, False, 0 and None do not."""
    answers: list[bool | int | None] = [False] * 24
    answers[0] = True
    answers[2] = 1
    answers[4] = True
    answers[5] = None
    answers[6] = 0
    answers[23] = True
    result = score_rmdq(answers)
    assert result.score == 4
    assert result.ticked_items == (1, 3, 5, 24)
    assert result.instrument == "rmdq"
    assert result.answers[5] is None
    assert result.answers[0] is True


def test_rmdq_extremes() -> None:
    """No tick scores 0 and all ticks score 24."""
    assert score_rmdq([None] * 24).score == 0
    assert score_rmdq([True] * 24).score == 24


@pytest.mark.parametrize("bad", [2, -1, 0.5, 1.0, "yes"])
def test_rmdq_bad_tick_names_the_item(bad: Any) -> None:
    """A value that is not a tick raises an error naming RMDQ and the item."""
    answers: list[Any] = [0] * 24
    answers[11] = bad
    with pytest.raises(InvalidResponseError, match=r"^RMDQ item 12:"):
        score_rmdq(answers)


# --------------------------------------------------------------------------------------------
# STarT Back
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "psychosocial", "risk"),
    [
        pytest.param([0] * 9, 0, 0, "low", id="total 0 low"),
        pytest.param([1, 1, 1, 0, 0, 0, 0, 0, 0], 3, 0, "low", id="total 3 low"),
        pytest.param([0, 0, 0, 0, 1, 1, 0, 0, 3], 3, 3, "low", id="total 3 psych 3 low"),
        pytest.param([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 0, "medium", id="total 4 psych 0 medium"),
        pytest.param([1, 0, 0, 0, 1, 1, 0, 0, 4], 4, 3, "medium", id="total 4 psych 3 medium"),
        pytest.param([1, 1, 1, 1, 1, 1, 1, 0, 0], 7, 3, "medium", id="total 7 psych 3 medium"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 1, 0], 4, 4, "high", id="psych 4 high"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 1, 4], 5, 5, "high", id="psych 5 high"),
        pytest.param([1] * 8 + [4], 9, 5, "high", id="total 9 high"),
    ],
)
def test_startback_risk_branches(
    answers: list[int], total: int, psychosocial: int, risk: str
) -> None:
    """Hill 2008: total <= 3 low; else psychosocial <= 3 medium; else high."""
    result = score_startback(answers)
    assert result.total == total
    assert result.score == total
    assert result.psychosocial == psychosocial
    assert result.risk == risk


@pytest.mark.parametrize(("level", "scored"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_startback_item_9_scores_only_very_much_or_extremely(level: int, scored: int) -> None:
    """Item 9 (bothersomeness 0-4) scores 1 only for 3 (very much) or 4 (extremely)."""
    result = score_startback([0] * 8 + [level])
    assert result.item_scores[8] == scored
    assert result.total == scored
    assert result.psychosocial == scored
    assert result.answers[8] == level


def test_startback_accepts_bools_for_agree_items() -> None:
    """Items 1-8 accept True/False as agree/disagree."""
    result = score_startback([True, False, True, True, True, False, False, False, 0])
    assert result.total == 4
    assert result.risk == "medium"


@pytest.mark.parametrize(
    ("item", "value", "fragment"),
    [
        (4, None, "missing"),
        (9, None, "missing"),
        (2, 2, "out of range 0-1"),
        (9, 5, "out of range 0-4"),
        (9, True, "yes/no"),
        (6, "1", "not a whole number"),
    ],
)
def test_startback_bad_or_missing_answers_are_refused(item: int, value: Any, fragment: str) -> None:
    """Missing, mistyped or out-of-range STarT Back answers name the item."""
    answers: list[Any] = [0] * 9
    answers[item - 1] = value
    with pytest.raises(InvalidResponseError) as info:
        score_startback(answers)
    assert str(info.value).startswith(f"STarT Back item {item}:")
    assert fragment in str(info.value)


# --------------------------------------------------------------------------------------------
# NPRS
# --------------------------------------------------------------------------------------------


def test_nprs_mean_of_three() -> None:
    """Current, best and worst give the mean of three; score is the current pain."""
    result = score_nprs(5, 2, 8)
    assert result.score == 5
    assert result.mean_of_three == 5.0
    assert result.band == "moderate"


def test_nprs_mean_is_unrounded() -> None:
    """The mean of three keeps its full value (4 + 2 + 7) / 3."""
    assert score_nprs(4, 2, 7).mean_of_three == pytest.approx(13 / 3)


def test_nprs_mean_needs_all_three() -> None:
    """Without best or worst there is no mean of three."""
    assert score_nprs(5).mean_of_three is None
    assert score_nprs(5, best=2).mean_of_three is None
    assert score_nprs(5, worst=8).mean_of_three is None


def test_nprs_current_above_worst_is_accepted() -> None:
    """best <= current <= worst is not enforced (a rare but real report)."""
    result = score_nprs(7, 3, 6)
    assert result.current == 7
    assert result.worst == 6


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "none"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_nprs_bands(value: int, band: str) -> None:
    """Project-default display bands: 0 none, 1-3 mild, 4-6 moderate, 7-10 severe."""
    assert score_nprs(value).band == band
    assert nprs_band(value) == band


def test_nprs_band_cutoffs_are_configurable() -> None:
    """Band cut-offs are keyword arguments and recorded in the result."""
    result = score_nprs(4, mild_max=4, moderate_max=7)
    assert result.band == "mild"
    assert (result.mild_max, result.moderate_max) == (4, 7)


@pytest.mark.parametrize(
    ("args", "item"),
    [
        ((11,), 1),
        ((-1,), 1),
        ((5.0,), 1),
        ((None,), 1),
        ((5, -1), 2),
        ((5, "2"), 2),
        ((5, 2, 11), 3),
        ((5, 2, True), 3),
    ],
)
def test_nprs_bad_ratings_name_the_item(args: tuple[Any, ...], item: int) -> None:
    """Ratings must be whole numbers 0-10; the error names current (1), best (2) or worst (3)."""
    with pytest.raises(InvalidResponseError, match=rf"^NPRS item {item}:"):
        score_nprs(*args)


def test_nprs_bad_cutoffs_are_config_error() -> None:
    """Band cut-offs out of order are a ConfigError."""
    with pytest.raises(ConfigError, match="NPRS"):
        score_nprs(5, mild_max=6, moderate_max=4)


# --------------------------------------------------------------------------------------------
# PSFS
# --------------------------------------------------------------------------------------------


def test_psfs_score_is_mean_of_ratings() -> None:
    """PSFS score = mean rating; activity texts are stored (stripped)."""
    result = score_psfs([("walk the dog", 4), (" lift my child ", 2), ("sit at work", 6.5)])
    assert result.score == pytest.approx(12.5 / 3)
    assert result.activities == (
        ("walk the dog", 4.0),
        ("lift my child", 2.0),
        ("sit at work", 6.5),
    )


def test_psfs_accepts_one_to_five_activities() -> None:
    """One activity and five activities are both accepted."""
    assert score_psfs([("run", 3)]).score == 3.0
    assert score_psfs([(f"a{i}", i) for i in range(5)]).score == 2.0


@pytest.mark.parametrize(
    ("activities", "item"),
    [
        ([], 1),
        ([(f"a{i}", 5) for i in range(6)], 6),
        ([("walk", 4), ("", 3)], 2),
        ([("walk", 4), ("   ", 3)], 2),
        ([("walk", 11)], 1),
        ([("walk", -0.5)], 1),
        ([("walk", 4), ("run", "5")], 2),
        ([("walk", True)], 1),
        ([("walk", float("nan"))], 1),
        ([("walk", 4, 5)], 1),
        (["walk=4"], 1),
    ],
)
def test_psfs_bad_activities_name_the_item(activities: list[Any], item: int) -> None:
    """Counts outside 1-5, blank text and ratings outside 0-10 name the activity number."""
    with pytest.raises(InvalidResponseError, match=rf"^PSFS item {item}:"):
        score_psfs(activities)


# --------------------------------------------------------------------------------------------
# FABQ
# --------------------------------------------------------------------------------------------

FABQ_WORKED = [1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1, 2]


def test_fabq_subscales_on_a_worked_vector() -> None:
    """PA = items 2+3+4+5 = 14; W = items 6+7+9+10+11+12+15 = 6+0+2+3+4+5+1 = 21."""
    result = score_fabq(FABQ_WORKED)
    assert result.physical_activity == 14
    assert result.score == 14
    assert result.work == 21
    assert result.elevated_pa is False
    assert result.elevated_work is False


def test_fabq_unscored_items_do_not_count() -> None:
    """Items 1, 8, 13, 14 and 16 add to neither scale."""
    answers = [0] * 16
    for item in (1, 8, 13, 14, 16):
        answers[item - 1] = 6
    result = score_fabq(answers)
    assert result.physical_activity == 0
    assert result.work == 0


def test_fabq_item_11_is_in_the_work_scale() -> None:
    """Item 11 belongs to the work scale (a commercial page wrongly calls it a distractor)."""
    answers = [0] * 16
    answers[10] = 5
    assert score_fabq(answers).work == 5


def test_fabq_maximum_scores() -> None:
    """All answers 6 give PA 24 and W 42, both elevated."""
    result = score_fabq([6] * 16)
    assert result.physical_activity == 24
    assert result.work == 42
    assert result.elevated_pa
    assert result.elevated_work


@pytest.mark.parametrize(("pa", "elevated"), [(14, False), (15, True)])
def test_fabq_pa_flag_is_above_14(pa: int, elevated: bool) -> None:
    """FABQ physical activity is elevated only above 14 (project default)."""
    answers = [0] * 16
    answers[1:5] = [6, 6, 2, 0] if pa == 14 else [6, 6, 3, 0]
    result = score_fabq(answers)
    assert result.physical_activity == pa
    assert result.elevated_pa is elevated


@pytest.mark.parametrize(("work", "elevated"), [(29, False), (30, True)])
def test_fabq_work_flag_is_above_29(work: int, elevated: bool) -> None:
    """FABQ work is elevated only above 29 (project default)."""
    answers = [0] * 16
    for item, value in zip((6, 7, 9, 10, 11), (6, 6, 6, 6, work - 24), strict=True):
        answers[item - 1] = value
    result = score_fabq(answers)
    assert result.work == work
    assert result.elevated_work is elevated


def test_fabq_cutoffs_are_keyword_arguments() -> None:
    """Raising the PA cut-off to 15 (the other published value) un-flags a PA of 15."""
    answers = [0] * 16
    answers[1:5] = [6, 6, 3, 0]
    result = score_fabq(answers, pa_cutoff=15)
    assert not result.elevated_pa
    assert result.pa_cutoff == 15


def test_fabq_not_employed_work_is_none() -> None:
    """When not employed, the work scale is None (not 0) and its flag is None."""
    result = score_fabq(FABQ_WORKED, employed=False)
    assert result.work is None
    assert result.elevated_work is None
    assert result.physical_activity == 14


def test_fabq_not_employed_may_skip_work_items() -> None:
    """A patient without work may leave items 6-16 blank."""
    result = score_fabq([1, 2, 3, 4, 5] + [None] * 11, employed=False)
    assert result.physical_activity == 14
    assert result.work is None


def test_fabq_missing_item_is_refused() -> None:
    """An employed patient's missing item is refused, naming the item."""
    answers: list[int | None] = list(FABQ_WORKED)
    answers[9] = None
    with pytest.raises(InvalidResponseError, match=r"^FABQ item 10: answer missing"):
        score_fabq(answers)


def test_fabq_missing_pa_item_is_refused_when_not_employed() -> None:
    """Physical-activity items stay required when not employed."""
    answers: list[int | None] = list(FABQ_WORKED)
    answers[2] = None
    with pytest.raises(InvalidResponseError, match=r"^FABQ item 3:"):
        score_fabq(answers, employed=False)


@pytest.mark.parametrize(("item", "value"), [(1, 7), (16, -1), (4, 3.0), (12, True)])
def test_fabq_bad_answers_name_the_item(item: int, value: Any) -> None:
    """Out-of-range or mistyped FABQ answers name the item."""
    answers: list[Any] = list(FABQ_WORKED)
    answers[item - 1] = value
    with pytest.raises(InvalidResponseError, match=rf"^FABQ item {item}:"):
        score_fabq(answers)


def test_fabq_bad_cutoff_is_config_error() -> None:
    """A cut-off outside the scale range is a ConfigError."""
    with pytest.raises(ConfigError, match="FABQ"):
        score_fabq(FABQ_WORKED, work_cutoff=50)


# --------------------------------------------------------------------------------------------
# Text input, dispatch, JSON
# --------------------------------------------------------------------------------------------


def test_parse_answers_empty_and_na_are_missing() -> None:
    """'1,2,,na,3' gives [1, 2, None, None, 3]; 'NA' in any case is missing."""
    assert parse_answers("odi", "1,2,,na,3") == [1, 2, None, None, 3]
    assert parse_answers("rmdq", "NA, 1 ,Na") == [None, 1, None]


def test_parse_answers_odi_multiple_ticks() -> None:
    """'2|3' in an ODI field means both statements were ticked."""
    parsed = parse_answers("odi", "2|3,0,0,0,0,0,0,,0,0")
    assert parsed[0] == (2, 3)
    result = score_instrument("odi", parsed)
    assert isinstance(result, OdiResult)
    assert result.section_scores[0] == 3


def test_parse_answers_nprs_current_best_worst() -> None:
    """NPRS text is 'current,best,worst' with best/worst optional."""
    assert parse_answers("nprs", "6,2,8") == [6, 2, 8]
    assert parse_answers("nprs", "6,,8") == [6, None, 8]
    assert parse_answers("nprs", "6") == [6]


def test_parse_answers_psfs_pairs() -> None:
    """PSFS text is 'activity=rating;activity=rating' (last '=' splits)."""
    parsed = parse_answers("psfs", "walk the dog=4; lift child = 2.5;")
    assert parsed == [("walk the dog", 4.0), ("lift child", 2.5)]
    assert parse_answers("psfs", "a=b=3") == [("a=b", 3.0)]


@pytest.mark.parametrize(
    ("instrument", "text", "message"),
    [
        ("odi", "1,x,3", r"^ODI item 2:"),
        ("fabq", "1,2,3.5", r"^FABQ item 3:"),
        ("nprs", "1,2,3,4", r"^NPRS item 4:"),
        ("psfs", "walk=4;run", r"^PSFS item 2:"),
        ("psfs", "walk=lots", r"^PSFS item 1:"),
        ("odi", "1|,2", r"^ODI item 1:"),
    ],
)
def test_parse_answers_bad_fields_name_the_item(instrument: str, text: str, message: str) -> None:
    """Unparseable fields raise InvalidResponseError naming the item."""
    with pytest.raises(InvalidResponseError, match=message):
        parse_answers(instrument, text)


def test_unknown_instrument_lists_the_known_ones() -> None:
    """An unknown instrument name is refused with the list of known instruments."""
    for call in (lambda: parse_answers("sf36", "1"), lambda: score_instrument("sf36", [1])):
        with pytest.raises(InvalidResponseError) as info:
            call()
        message = str(info.value)
        assert "sf36" in message
        for known in INSTRUMENTS:
            assert known in message


def test_instrument_names_are_case_insensitive() -> None:
    """'ODI' and ' odi ' both name the ODI."""
    assert isinstance(score_instrument(" ODI ", [0] * 10), OdiResult)


@pytest.mark.parametrize(
    ("instrument", "text", "cls", "score"),
    [
        ("odi", "2,2,2,2,2,2,2,na,1,1", OdiResult, 35.6),
        ("rmdq", ",".join(["1"] * 5 + ["0"] * 19), RmdqResult, 5),
        ("startback", "1,1,1,1,1,1,1,1,4", StartBackResult, 9),
        ("nprs", "5,2,8", NprsResult, 5),
        ("nprs", "5", NprsResult, 5),
        ("psfs", "walk=4;lift=2;sit=6", PsfsResult, 4.0),
        ("fabq", ",".join(str(v) for v in FABQ_WORKED), FabqResult, 14),
    ],
)
def test_score_instrument_dispatches_by_name(
    instrument: str, text: str, cls: type, score: float
) -> None:
    """parse_answers + score_instrument give the instrument's own result and headline score."""
    result = score_instrument(instrument, parse_answers(instrument, text))
    assert isinstance(result, cls)
    assert result.instrument == instrument
    assert result.score == score


def test_score_instrument_passes_employment_and_settings() -> None:
    """``employed`` and the settings object reach the FABQ and ODI scorers."""
    fabq = score_instrument("fabq", FABQ_WORKED, employed=False)
    assert isinstance(fabq, FabqResult)
    assert fabq.work is None
    odi = score_instrument(
        "odi", [1] * 7 + [None] * 3, settings=QuestionnaireSettings(odi_min_answered=7)
    )
    assert isinstance(odi, OdiResult)
    assert odi.valid


@pytest.mark.parametrize("answers", [[], [1, 2, 3, 4]])
def test_score_instrument_nprs_needs_one_to_three_values(answers: list[int]) -> None:
    """NPRS by name takes 1 to 3 ratings."""
    with pytest.raises(InvalidResponseError, match=r"^NPRS item"):
        score_instrument("nprs", answers)


@pytest.mark.parametrize(
    ("instrument", "answers", "keys"),
    [
        ("odi", [2, 2, 2, 2, 2, 2, 1, 1, 1, 1], {"percent": 32.0, "band": "moderate"}),
        ("rmdq", [1] * 3 + [0] * 21, {}),
        (
            "startback",
            [0, 0, 0, 0, 1, 1, 1, 1, 0],
            {"total": 4, "psychosocial": 4, "risk": "high"},
        ),
        ("nprs", [5, 2, 8], {}),
        ("psfs", [("walk", 4)], {}),
        ("fabq", FABQ_WORKED, {"physical_activity": 14, "work": 21}),
    ],
)
def test_json_dict_has_the_cli_contract_keys(
    instrument: str, answers: list[Any], keys: dict[str, Any]
) -> None:
    """JSON output always has instrument and score, plus the per-instrument contract keys."""
    result = score_instrument(instrument, answers)
    data = result_to_json_dict(result)
    assert data["instrument"] == instrument
    assert data["score"] == result.score
    for key, value in keys.items():
        assert data[key] == value


def test_json_dict_of_invalid_odi_keeps_null_keys() -> None:
    """An invalid ODI still carries percent and band keys, as null."""
    data = result_to_json_dict(score_odi([1] * 5 + [None] * 5))
    assert data["percent"] is None
    assert data["band"] is None
    assert data["score"] is None


def test_json_dict_of_unemployed_fabq_has_null_work() -> None:
    """FABQ work is null in JSON when not employed."""
    data = result_to_json_dict(score_fabq(FABQ_WORKED, employed=False))
    assert "work" in data
    assert data["work"] is None


def test_json_dict_round_trips_through_the_model() -> None:
    """The JSON dict validates back into an equal result."""
    result = score_odi([(1, 3), 2, 2, 2, 2, 2, 2, None, 1, 1])
    assert OdiResult.model_validate(result_to_json_dict(result)) == result


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "severity"),
    [
        ([1] * 10, Severity.NORMAL),
        ([2] * 10, Severity.MILD),
        ([3] * 10, Severity.MODERATE),
        ([4] * 10, Severity.SEVERE),
        ([5] * 10, Severity.SEVERE),
    ],
)
def test_odi_finding_severity_by_band(answers: list[int], severity: Severity) -> None:
    """disability.odi: minimal normal, moderate mild, severe moderate, very severe/bed-bound
    severe."""
    result = score_odi(answers)
    (finding,) = findings_from(result)
    assert finding.code == "disability.odi"
    assert finding.domain is Domain.DISABILITY
    assert finding.severity is severity
    assert finding.value == result.percent
    assert finding.unit == "percent"
    assert finding.confidence == 1.0
    assert "ODI v2.1a" in finding.source
    assert "Fairbank" in finding.source
    assert finding.norm


def test_invalid_odi_gives_no_finding() -> None:
    """An ODI with too few answered sections produces no finding."""
    assert findings_from(score_odi([1] * 7 + [None] * 3)) == []


@pytest.mark.parametrize(
    ("ticks", "severity"),
    [
        (0, Severity.NORMAL),
        (2, Severity.NORMAL),
        (3, Severity.MILD),
        (8, Severity.MILD),
        (9, Severity.MODERATE),
        (16, Severity.MODERATE),
        (17, Severity.SEVERE),
        (24, Severity.SEVERE),
    ],
)
def test_rmdq_finding_severity_cutoffs(ticks: int, severity: Severity) -> None:
    """disability.rmdq project-default cut-offs: 0-2 normal, 3-8 mild, 9-16 moderate, 17+ severe."""
    (finding,) = findings_from(score_rmdq([1] * ticks + [0] * (24 - ticks)))
    assert finding.code == "disability.rmdq"
    assert finding.severity is severity
    assert finding.value == ticks
    assert finding.unit == "points"
    assert "Roland" in finding.source


def test_rmdq_finding_cutoffs_are_configurable() -> None:
    """Custom RMDQ cut-offs in the settings change the severity."""
    settings = QuestionnaireSettings(rmdq_normal_max=4, rmdq_mild_max=10, rmdq_moderate_max=18)
    (finding,) = findings_from(score_rmdq([1] * 4 + [0] * 20), settings=settings)
    assert finding.severity is Severity.NORMAL


@pytest.mark.parametrize(
    ("answers", "severity"),
    [
        ([0] * 9, Severity.NORMAL),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], Severity.MODERATE),
        ([0, 0, 0, 0, 1, 1, 1, 1, 0], Severity.SEVERE),
    ],
)
def test_startback_finding(answers: list[int], severity: Severity) -> None:
    """psychosocial.startback_risk: low normal, medium moderate, high severe; value = total."""
    result = score_startback(answers)
    (finding,) = findings_from(result)
    assert finding.code == "psychosocial.startback_risk"
    assert finding.domain is Domain.PSYCHOSOCIAL
    assert finding.severity is severity
    assert finding.value == result.total
    assert finding.evidence["psychosocial"] == result.psychosocial
    assert "Hill" in finding.source


@pytest.mark.parametrize(
    ("current", "severity"),
    [(0, Severity.NORMAL), (2, Severity.MILD), (5, Severity.MODERATE), (9, Severity.SEVERE)],
)
def test_nprs_finding(current: int, severity: Severity) -> None:
    """pain.nprs severity follows the band; value = current pain."""
    (finding,) = findings_from(score_nprs(current, 0, 10))
    assert finding.code == "pain.nprs"
    assert finding.domain is Domain.PAIN
    assert finding.severity is severity
    assert finding.value == current
    assert finding.evidence["worst"] == 10


@pytest.mark.parametrize(
    ("rating", "severity"),
    [
        (10, Severity.NORMAL),
        (9, Severity.NORMAL),
        (8.5, Severity.MILD),
        (7, Severity.MILD),
        (6, Severity.MODERATE),
        (4, Severity.MODERATE),
        (3.5, Severity.SEVERE),
        (0, Severity.SEVERE),
    ],
)
def test_psfs_finding_lower_is_worse(rating: float, severity: Severity) -> None:
    """disability.psfs project-default cut-offs: >= 9 normal, >= 7 mild, >= 4 moderate, else
    severe."""
    (finding,) = findings_from(score_psfs([("walk", rating)]))
    assert finding.code == "disability.psfs"
    assert finding.severity is severity
    assert finding.value == rating
    assert "Stratford" in finding.source


def test_fabq_finding_elevated_pa() -> None:
    """Elevated PA gives psychosocial.fear_avoidance (moderate) with the scale in evidence."""
    answers = [0] * 16
    answers[1:5] = [6, 6, 6, 0]
    (finding,) = findings_from(score_fabq(answers))
    assert finding.code == "psychosocial.fear_avoidance"
    assert finding.severity is Severity.MODERATE
    assert finding.value == 18
    assert finding.evidence["elevated_scales"] == ["physical_activity"]
    assert "Waddell" in finding.source


def test_fabq_finding_elevated_work_high_risk() -> None:
    """Work > 34 (high risk of not returning to work) makes the finding severe."""
    answers = [0] * 16
    for item in (6, 7, 9, 10, 11, 12):
        answers[item - 1] = 6
    (finding,) = findings_from(score_fabq(answers))
    assert finding.severity is Severity.SEVERE
    assert finding.value == 36
    assert finding.evidence["elevated_scales"] == ["work"]


def test_fabq_finding_not_elevated_is_normal() -> None:
    """Without an elevated scale the fear-avoidance finding is informational (normal)."""
    (finding,) = findings_from(score_fabq(FABQ_WORKED))
    assert finding.code == "psychosocial.fear_avoidance"
    assert finding.severity is Severity.NORMAL
    assert finding.evidence["elevated_scales"] == []


def test_bad_settings_are_config_error() -> None:
    """Settings out of order raise ConfigError."""
    with pytest.raises(ConfigError, match="RMDQ"):
        QuestionnaireSettings(rmdq_normal_max=10, rmdq_mild_max=5)
    with pytest.raises(ConfigError, match="PSFS"):
        QuestionnaireSettings(psfs_normal_min=5.0)
    with pytest.raises(ConfigError, match="ODI"):
        QuestionnaireSettings(odi_min_answered=11)


# --------------------------------------------------------------------------------------------
# Paraphrased item texts
# --------------------------------------------------------------------------------------------


def test_item_texts_match_item_counts() -> None:
    """Paraphrased texts exist for every instrument and item, with answer labels per scale."""
    assert set(ITEM_TEXTS) == set(INSTRUMENTS)
    for name, count in ITEM_COUNTS.items():
        assert len(item_texts(name).items) == count
    odi = item_texts("odi")
    assert all(len(item.options) == 6 for item in odi.items)
    assert len(item_texts("startback").items[8].options) == 5
    assert len(item_texts("fabq").options) == 7
    assert len(item_texts("nprs").options) == 11
    assert [item.number for item in item_texts("rmdq").items] == list(range(1, 25))


def test_item_texts_unknown_instrument() -> None:
    """Unknown instrument names are refused for item texts too."""
    with pytest.raises(InvalidResponseError, match="known instruments"):
        item_texts("sf36")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

odi_section = st.one_of(
    st.none(), st.integers(0, 5), st.lists(st.integers(0, 5), min_size=1, max_size=3)
)
odi_valid_answers = st.lists(st.integers(0, 5), min_size=10, max_size=10).flatmap(
    lambda base: st.sets(st.integers(0, 9), max_size=2).map(
        lambda missing: [None if i in missing else v for i, v in enumerate(base)]
    )
)


@given(st.lists(odi_section, min_size=10, max_size=10))
def test_odi_percent_stays_in_range(answers: list[Any]) -> None:
    """Any valid ODI answers give 0-100 % (or invalid when fewer than 8 answered)."""
    result = score_odi(answers)
    if result.valid:
        assert result.percent is not None
        assert 0.0 <= result.percent <= 100.0
        assert result.band is not None
    else:
        assert result.answered < 8
        assert result.percent is None


@given(odi_valid_answers, st.integers(0, 9), st.integers(1, 5))
def test_raising_an_odi_answer_never_lowers_the_percent(
    answers: list[int | None], index: int, step: int
) -> None:
    """Raising one answered ODI section never lowers the percentage (or the band)."""
    current = answers[index]
    if current is None:
        current = 0
        answers[index] = 0
    higher = list(answers)
    higher[index] = min(5, current + step)
    before, after = score_odi(answers), score_odi(higher)
    assert before.percent is not None
    assert after.percent is not None
    assert after.percent >= before.percent
    assert before.band is not None
    assert after.band is not None
    assert BAND_ORDER.index(after.band) >= BAND_ORDER.index(before.band)


@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(0, 1)), min_size=24, max_size=24))
def test_rmdq_score_in_range_and_monotone(answers: list[bool | int | None]) -> None:
    """RMDQ stays 0-24 and ticking one more item never lowers the score."""
    result = score_rmdq(answers)
    assert 0 <= result.score <= 24
    for index in range(24):
        ticked = list(answers)
        ticked[index] = True
        assert score_rmdq(ticked).score >= result.score


startback_answers = st.tuples(
    st.lists(st.one_of(st.booleans(), st.integers(0, 1)), min_size=8, max_size=8),
    st.integers(0, 4),
).map(lambda pair: [*pair[0], pair[1]])


@given(startback_answers)
def test_startback_scores_in_range(answers: list[Any]) -> None:
    """STarT Back total is 0-9, psychosocial 0-5 and never above the total."""
    result = score_startback(answers)
    assert 0 <= result.total <= 9
    assert 0 <= result.psychosocial <= min(5, result.total)
    assert result.risk in ("low", "medium", "high")


@given(st.lists(st.integers(0, 6), min_size=16, max_size=16), st.booleans())
def test_fabq_scores_in_range(answers: list[int], employed: bool) -> None:
    """FABQ PA is 0-24 and W 0-42 (None when not employed)."""
    result = score_fabq(answers, employed=employed)
    assert 0 <= result.physical_activity <= 24
    if employed:
        assert result.work is not None
        assert 0 <= result.work <= 42
    else:
        assert result.work is None


@given(st.integers(0, 10), st.none() | st.integers(0, 10), st.none() | st.integers(0, 10))
def test_nprs_scores_in_range(current: int, best: int | None, worst: int | None) -> None:
    """NPRS score equals current and the mean stays 0-10."""
    result = score_nprs(current, best, worst)
    assert result.score == current
    if result.mean_of_three is not None:
        assert 0.0 <= result.mean_of_three <= 10.0


@given(
    st.lists(
        st.tuples(st.text(min_size=1).filter(str.strip), st.floats(0, 10)),
        min_size=1,
        max_size=5,
    )
)
def test_psfs_mean_in_range(activities: list[tuple[str, float]]) -> None:
    """PSFS mean lies between the lowest and the highest rating."""
    result = score_psfs(activities)
    ratings = [r for _, r in activities]
    assert min(ratings) - 1e-9 <= result.score <= max(ratings) + 1e-9


def _bad_value(instrument: str, item: int) -> st.SearchStrategy[Any]:
    """Values that are wrong for this item: out of range, wrong type or (where not yes/no) bool."""
    high = {"odi": 5, "rmdq": 1, "startback": 4 if item == 9 else 1, "fabq": 6}[instrument]
    yes_no = instrument == "rmdq" or (instrument == "startback" and item < 9)
    options = [
        st.integers(max_value=-1),
        st.integers(min_value=high + 1),
        st.floats(allow_nan=True),
        st.text(),
    ]
    if not yes_no:
        options.append(st.booleans())
    return st.one_of(*options)


@given(st.data())
def test_every_bad_answer_names_its_item(data: st.DataObject) -> None:
    """A wrong type or out-of-range answer anywhere raises InvalidResponseError naming the item."""
    instrument = data.draw(st.sampled_from(sorted(ITEM_COUNTS)))
    count = ITEM_COUNTS[instrument]
    answers: list[Any] = [0] * count
    item = data.draw(st.integers(1, count))
    answers[item - 1] = data.draw(_bad_value(instrument, item))
    with pytest.raises(InvalidResponseError) as info:
        score_instrument(instrument, answers)
    assert names_item(str(info.value), item)


@given(st.data())
def test_every_wrong_count_names_an_item(data: st.DataObject) -> None:
    """Too few or too many answers raise InvalidResponseError naming the first missing/extra
    item."""
    instrument = data.draw(st.sampled_from(sorted(ITEM_COUNTS)))
    count = ITEM_COUNTS[instrument]
    length = data.draw(st.integers(0, count + 5).filter(lambda n: n != count))
    with pytest.raises(InvalidResponseError) as info:
        score_instrument(instrument, [0] * length)
    assert names_item(str(info.value), min(length, count) + 1)


@given(st.text().filter(lambda s: s.strip().lower() not in INSTRUMENTS))
def test_every_unknown_instrument_is_refused(name: str) -> None:
    """Any name that is not a known instrument raises InvalidResponseError."""
    with pytest.raises(InvalidResponseError, match="known instruments"):
        score_instrument(name, [])


# -- ODI versions (§1.1: reject v1.0 and the Fritz-modified ODI at import) -------------------

ODI_ANSWERS = [1, 2, 3, 1, 2, 1, 2, None, 2, 2]


@pytest.mark.parametrize(
    "version",
    [
        None,
        "2.1a",
        "v2.1a",
        "V2.1A",
        "ODI v2.1a",
        "ODI 2.1a",
        "odi-v2.1a",
        "version 2.1a",
        "Oswestry Disability Index version 2.1a",
        " v 2.1 a ",
    ],
)
def test_odi_v2_1a_in_its_usual_spellings_is_scored(version: str | None) -> None:
    """ODI v2.1a written in any usual way (or not stated) is scored as usual: 16/45 -> 35.6 %."""
    check_version("odi", version)
    assert score_odi(ODI_ANSWERS, version=version).percent == 35.6
    result = score_instrument("odi", ODI_ANSWERS, version=version)
    assert isinstance(result, OdiResult)
    assert result.percent == 35.6


@pytest.mark.parametrize(
    ("version", "why"),
    [
        ("v1.0", "different pain-intensity statements"),
        ("1.0", "different pain-intensity statements"),
        ("ODI v1", "different pain-intensity statements"),
        ("Fritz", "Fritz-modified ODI replaces section 8"),
        ("modified ODI", "Fritz-modified ODI replaces section 8"),
        ("mODI", "Fritz-modified ODI replaces section 8"),
        ("v2.0", "only ODI v2.1a is scored"),
        ("2.1", "only ODI v2.1a is scored"),
        ("", "only ODI v2.1a is scored"),
    ],
)
def test_other_odi_versions_are_refused_with_the_reason(version: str, why: str) -> None:
    """ODI v1.0, the Fritz-modified ODI and any other version are refused, saying why."""
    for call in (
        lambda: check_version("odi", version),
        lambda: score_odi(ODI_ANSWERS, version=version),
        lambda: score_instrument("odi", ODI_ANSWERS, version=version),
    ):
        with pytest.raises(InvalidResponseError, match=re.escape(why)):
            call()


def test_a_version_for_another_instrument_or_not_text_is_refused() -> None:
    """Only the ODI has a version to check; a version for RMDQ, or a number, is refused."""
    with pytest.raises(InvalidResponseError, match="only checked for the ODI"):
        score_instrument("rmdq", [0] * 24, version="24-item")
    with pytest.raises(InvalidResponseError, match="must be text"):
        check_version("odi", 2.1)  # type: ignore[arg-type]
