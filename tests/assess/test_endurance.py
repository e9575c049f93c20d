"""McGill endurance battery: norms, ratio flags at their thresholds, partial data, low endurance."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrehab.assess.endurance import (
    NORMS,
    PUBLISHED_RATIOS,
    RATIO_NAMES,
    SOURCE,
    EnduranceResult,
    EnduranceSettings,
    EnduranceTest,
    EnduranceTimes,
    evaluate_endurance,
    findings_from,
    times_from_mapping,
)
from backrehab.assess.findings import Domain, Severity
from backrehab.errors import InvalidResponseError

RATIO_CODES = {"flexor_extensor_imbalance", "side_bridge_asymmetry", "lateral_extensor_imbalance"}


def _check(result: EnduranceResult, code: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.checks if c.code == code)


def _balanced(**overrides: float | str | None) -> EnduranceTimes:
    """A battery that meets every McGill target (ratios 0.8, 1.0, 0.6, 0.6), sex unknown."""
    values: dict[str, float | str | None] = {
        "flexor_s": 80.0,
        "extensor_s": 100.0,
        "side_left_s": 60.0,
        "side_right_s": 60.0,
    }
    values.update(overrides)
    return EnduranceTimes(**values)  # type: ignore[arg-type]


# --- norms --------------------------------------------------------------------------------


@pytest.mark.parametrize("sex", ["male", "female"])
def test_norm_means_reproduce_the_published_ratios(sex: str) -> None:
    """McGill 1999 §3.2 means give the published group ratios within 0.02 (men 144/146 = 0.99)."""
    n = NORMS[sex]  # type: ignore[index]
    result = evaluate_endurance(
        EnduranceTimes(
            flexor_s=n[EnduranceTest.FLEXOR].mean_s,
            extensor_s=n[EnduranceTest.EXTENSOR].mean_s,
            side_left_s=n[EnduranceTest.SIDE_BRIDGE_LEFT].mean_s,
            side_right_s=n[EnduranceTest.SIDE_BRIDGE_RIGHT].mean_s,
        )
    )
    for name in RATIO_NAMES:
        assert result.ratio(name) == pytest.approx(PUBLISHED_RATIOS[sex][name], abs=0.02), name  # type: ignore[index]


def test_norm_table_values() -> None:
    """The norm constants are the §3.2 table (spot checks of both sexes and SDs)."""
    assert NORMS["male"][EnduranceTest.EXTENSOR].mean_s == 146
    assert NORMS["male"][EnduranceTest.FLEXOR].sd_s == 76
    assert NORMS["female"][EnduranceTest.EXTENSOR].mean_s == 189
    assert NORMS["female"][EnduranceTest.SIDE_BRIDGE_RIGHT].mean_s == 72
    assert NORMS["female"][EnduranceTest.SIDE_BRIDGE_LEFT].mean_s == 77


def test_balanced_battery_has_no_flag_and_normal_findings() -> None:
    """A battery within every target flags nothing; its findings are all normal ratio findings."""
    result = evaluate_endurance(_balanced())
    assert result.flag_codes == ()
    assert result.flex_ext == pytest.approx(0.8)
    assert result.rl_sb == pytest.approx(1.0)
    assert result.sb_ext_right == pytest.approx(0.6)
    assert result.sb_ext_left == pytest.approx(0.6)
    findings = findings_from(result)
    assert {f.code for f in findings} == {f"endurance.{c}" for c in RATIO_CODES}
    assert all(f.severity is Severity.NORMAL for f in findings)
    assert findings_from(result, include_normal=False) == []


# --- each flag just below / at / just above its threshold -------------------------------------


@pytest.mark.parametrize(("flexor_s", "flagged"), [(99.0, False), (100.0, False), (101.0, True)])
def test_flexor_extensor_imbalance_threshold(flexor_s: float, flagged: bool) -> None:
    """flex_ext > 1.00 flags: 0.99 and 1.00 do not, 1.01 does (mild)."""
    result = evaluate_endurance(_balanced(flexor_s=flexor_s))
    check = _check(result, "flexor_extensor_imbalance")
    assert check.flagged is flagged
    assert check.severity is (Severity.MILD if flagged else Severity.NORMAL)
    assert ("flexor_extensor_imbalance" in result.flag_codes) is flagged


@pytest.mark.parametrize(
    ("right_s", "flagged", "weaker"),
    [
        (104.0, False, "none"),
        (105.0, False, "none"),  # 1.05 is inside 0.95–1.05 despite float rounding
        (106.0, True, "left"),
        (96.0, False, "none"),
        (95.0, False, "none"),
        (94.0, True, "right"),
    ],
)
def test_side_bridge_asymmetry_threshold(right_s: float, flagged: bool, weaker: str) -> None:
    """|right/left - 1| > 0.05 flags, the weaker side named; 0.95 and 1.05 themselves do not."""
    result = evaluate_endurance(_balanced(side_right_s=right_s, side_left_s=100.0, extensor_s=200))
    check = _check(result, "side_bridge_asymmetry")
    assert check.flagged is flagged
    assert check.side == weaker


@pytest.mark.parametrize(
    ("left_s", "right_s", "flagged", "side"),
    [
        (74.0, 60.0, False, "none"),
        (75.0, 75.0, False, "none"),
        (76.0, 60.0, True, "left"),
        (60.0, 76.0, True, "right"),
        (76.0, 76.0, True, "bilateral"),
    ],
)
def test_lateral_extensor_imbalance_threshold(
    left_s: float, right_s: float, flagged: bool, side: str
) -> None:
    """max(side bridge/extension) > 0.75 flags, naming the side(s) over; 0.75 itself does not."""
    result = evaluate_endurance(
        EnduranceTimes(extensor_s=100.0, side_left_s=left_s, side_right_s=right_s)
    )
    check = _check(result, "lateral_extensor_imbalance")
    assert check.flagged is flagged
    assert check.side == side
    assert check.value == pytest.approx(max(left_s, right_s) / 100.0)


@pytest.mark.parametrize(
    ("overrides", "code", "severity"),
    [
        ({"flexor_s": 125.0}, "flexor_extensor_imbalance", Severity.MILD),
        ({"flexor_s": 126.0}, "flexor_extensor_imbalance", Severity.MODERATE),
        ({"side_right_s": 69.0}, "side_bridge_asymmetry", Severity.MILD),
        ({"side_right_s": 70.0}, "side_bridge_asymmetry", Severity.MODERATE),
        (
            {"side_left_s": 100.0, "side_right_s": 100.0},
            "lateral_extensor_imbalance",
            Severity.MILD,
        ),
        (
            {"side_left_s": 101.0, "side_right_s": 101.0},
            "lateral_extensor_imbalance",
            Severity.MODERATE,
        ),
    ],
)
def test_ratio_severity_grading(overrides: dict[str, float], code: str, severity: Severity) -> None:
    """PROJECT DEFAULT grading: mild just over the target, moderate beyond 1.25 / 0.15 / 1.00."""
    result = evaluate_endurance(_balanced(**overrides))
    assert _check(result, code).severity is severity


def test_thresholds_come_from_settings() -> None:
    """A stricter flexor/extensor target (0.9) flags a 0.95 ratio that the default allows."""
    times = _balanced(flexor_s=95.0)
    assert evaluate_endurance(times).flag_codes == ()
    strict = EnduranceSettings(flex_ext_max=0.9)
    assert evaluate_endurance(times, settings=strict).flag_codes == ("flexor_extensor_imbalance",)


def test_settings_must_be_ordered() -> None:
    """A moderate limit below the flag limit is refused."""
    with pytest.raises(ValueError, match="flex_ext_moderate"):
        EnduranceSettings(flex_ext_max=1.5)


# --- partial battery and zero times --------------------------------------------------------


def test_partial_battery_computes_only_what_it_can() -> None:
    """Only side bridges: rl_sb is computed; the extensor ratios are None with the reason."""
    result = evaluate_endurance(EnduranceTimes(side_left_s=50.0, side_right_s=60.0))
    assert result.rl_sb == pytest.approx(1.2)
    assert result.flex_ext is None
    assert result.sb_ext_right is None
    assert result.sb_ext_left is None
    assert set(result.not_computed) == {"flex_ext", "sb_ext_right", "sb_ext_left"}
    assert "extensor_s missing" in result.not_computed["sb_ext_left"]
    assert "flexor_s" in result.not_computed["flex_ext"]
    assert [c.code for c in result.checks] == ["side_bridge_asymmetry"]
    assert result.flag_codes == ("side_bridge_asymmetry",)


def test_one_side_bridge_still_gives_the_lateral_check() -> None:
    """Extensor and one side bridge: the lateral/extensor check uses that side alone."""
    result = evaluate_endurance(EnduranceTimes(extensor_s=100.0, side_right_s=80.0))
    check = _check(result, "lateral_extensor_imbalance")
    assert check.value == pytest.approx(0.8)
    assert check.side == "right"
    assert result.rl_sb is None


def test_empty_battery_gives_no_checks() -> None:
    """No time at all: every ratio is None with a reason and there is no finding."""
    result = evaluate_endurance(EnduranceTimes())
    assert set(result.not_computed) == set(RATIO_NAMES)
    assert result.checks == ()
    assert findings_from(result) == []


def test_zero_extensor_time_does_not_crash() -> None:
    """Extensor 0 s: flex_ext and both side/extensor ratios are None and the result says why."""
    result = evaluate_endurance(_balanced(extensor_s=0.0))
    assert result.flex_ext is None
    assert result.sb_ext_right is None
    assert result.sb_ext_left is None
    assert "extensor_s is 0 s" in result.not_computed["flex_ext"]
    assert "undefined" in result.not_computed["sb_ext_left"]
    assert result.rl_sb == pytest.approx(1.0)


def test_zero_left_side_bridge_leaves_rl_sb_undefined() -> None:
    """Left side bridge 0 s: rl_sb is None (not infinite) with the reason."""
    result = evaluate_endurance(_balanced(side_left_s=0.0))
    assert result.rl_sb is None
    assert "side_left_s is 0 s" in result.not_computed["rl_sb"]
    assert result.sb_ext_left == 0.0


# --- low endurance (PROJECT DEFAULT) -------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "extensor_s", "flagged"),
    [
        ("male", 73.0, False),  # 50 % of 146
        ("male", 72.9, True),
        ("female", 94.5, False),  # 50 % of 189
        ("female", 94.0, True),
        ("female", 80.0, True),  # not low for a man, low for a woman
        ("male", 80.0, False),
    ],
)
def test_low_endurance_uses_the_sex_matched_mean(
    sex: str, extensor_s: float, flagged: bool
) -> None:
    """A time below 50 % of the sex-matched §3.2 mean flags low endurance for that test."""
    result = evaluate_endurance(EnduranceTimes(extensor_s=extensor_s, sex=sex))  # type: ignore[arg-type]
    check = _check(result, "low_endurance.extensor")
    assert check.flagged is flagged
    assert check.unit == "s"
    assert check.threshold == pytest.approx(NORMS[sex][EnduranceTest.EXTENSOR].mean_s / 2)  # type: ignore[index]


def test_low_endurance_grading_and_side() -> None:
    """Below 25 % of the mean is moderate; a side-bridge finding carries its side."""
    result = evaluate_endurance(
        EnduranceTimes(side_left_s=20.0, side_right_s=40.0, flexor_s=144.0, sex="male")
    )
    left = _check(result, "low_endurance.side_bridge_left")  # 20 < 24.25 = 25 % of 97
    right = _check(result, "low_endurance.side_bridge_right")  # 40 < 47 = 50 % of 94
    assert (left.severity, left.side) == (Severity.MODERATE, "left")
    assert (right.severity, right.side) == (Severity.MILD, "right")
    assert _check(result, "low_endurance.flexor").flagged is False
    assert result.percent_of_norm[EnduranceTest.FLEXOR] == pytest.approx(100.0)


def test_without_sex_there_is_no_norm_comparison_and_the_result_says_so() -> None:
    """sex None: no low-endurance check even for tiny times, and a note explains why."""
    result = evaluate_endurance(_balanced(flexor_s=1.0, extensor_s=2.0))
    assert not any(c.code.startswith("low_endurance") for c in result.checks)
    assert result.norm_sex is None
    assert result.percent_of_norm == {}
    assert any("Sex not given" in n for n in result.notes)


# --- findings -----------------------------------------------------------------------------


def test_findings_codes_units_sides_and_source() -> None:
    """Flagged checks become endurance findings with stable codes, units, sides, norm and source."""
    times = EnduranceTimes(
        flexor_s=120.0, extensor_s=100.0, side_left_s=80.0, side_right_s=60.0, sex="female"
    )
    findings = {f.code: f for f in findings_from(evaluate_endurance(times), include_normal=False)}
    assert set(findings) == {
        "endurance.flexor_extensor_imbalance",
        "endurance.side_bridge_asymmetry",
        "endurance.lateral_extensor_imbalance",
    }  # every time is over half the female mean: no low-endurance finding
    asym = findings["endurance.side_bridge_asymmetry"]
    assert asym.side == "right"
    assert asym.unit == "ratio"
    assert asym.value == pytest.approx(0.75)
    lateral = findings["endurance.lateral_extensor_imbalance"]
    assert lateral.side == "left"
    assert "0.75" in lateral.norm
    for f in findings.values():
        assert f.domain is Domain.ENDURANCE
        assert (
            f.source == SOURCE == "McGill trunk endurance battery; McGill, Childs & Liebenson 1999"
        )
        assert f.severity in (Severity.MILD, Severity.MODERATE)


def test_low_endurance_finding_code_and_unit() -> None:
    """A low flexor time gives endurance.low_endurance.flexor in seconds with the threshold."""
    result = evaluate_endurance(EnduranceTimes(flexor_s=30.0, sex="male"))
    (finding,) = findings_from(result)
    assert finding.code == "endurance.low_endurance.flexor"
    assert finding.unit == "s"
    assert finding.value == 30.0
    assert finding.side == "none"
    assert finding.evidence["threshold"] == pytest.approx(72.0)
    assert "72 s" in finding.norm


def test_result_round_trips_through_json() -> None:
    """An endurance result survives JSON, so it can be stored with the assessment."""
    result = evaluate_endurance(_balanced(sex="male", side_left_s=0.0))
    assert EnduranceResult.model_validate_json(result.model_dump_json()) == result


# --- scale invariance (property) ---------------------------------------------------------

_tenths = st.one_of(st.none(), st.integers(min_value=0, max_value=6000).map(lambda t: t / 10))


@given(
    flexor=_tenths,
    extensor=_tenths,
    left=_tenths,
    right=_tenths,
    k=st.floats(min_value=0.01, max_value=100.0, allow_nan=False, allow_infinity=False),
)
def test_ratio_flags_are_scale_invariant(
    flexor: float | None, extensor: float | None, left: float | None, right: float | None, k: float
) -> None:
    """Multiplying every time by k > 0 changes no ratio, ratio flag, severity or side."""

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * k

    base = evaluate_endurance(
        EnduranceTimes(flexor_s=flexor, extensor_s=extensor, side_left_s=left, side_right_s=right)
    )
    times_k = EnduranceTimes(
        flexor_s=scaled(flexor),
        extensor_s=scaled(extensor),
        side_left_s=scaled(left),
        side_right_s=scaled(right),
    )
    other = evaluate_endurance(times_k)

    def summary(r: EnduranceResult) -> list[tuple[str, bool, Severity, str]]:
        return [(c.code, c.flagged, c.severity, c.side) for c in r.checks if c.code in RATIO_CODES]

    assert summary(other) == summary(base)
    assert set(other.not_computed) == set(base.not_computed)
    for name in RATIO_NAMES:
        a, b = base.ratio(name), other.ratio(name)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --- input validation --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["flexor_s", "extensor_s", "side_left_s", "side_right_s"])
@pytest.mark.parametrize("bad", [-1.0, -0.1, "60", "abc", True, math.nan, math.inf])
def test_bad_time_is_invalid_response_naming_the_field(field: str, bad: object) -> None:
    """A negative, non-finite or non-numeric time raises InvalidResponseError naming the field."""
    with pytest.raises(InvalidResponseError, match=field):
        EnduranceTimes(**{field: bad})  # type: ignore[arg-type]
    with pytest.raises(InvalidResponseError, match=field):
        times_from_mapping({field: bad})


def test_bad_sex_and_unknown_key_are_refused() -> None:
    """An unknown sex value or an unknown key is an InvalidResponseError naming it."""
    with pytest.raises(InvalidResponseError, match="sex"):
        EnduranceTimes(sex="f")  # type: ignore[arg-type]
    with pytest.raises(InvalidResponseError, match="plank_s"):
        times_from_mapping({"plank_s": 60.0})


def test_times_from_mapping_accepts_ints_and_missing_keys() -> None:
    """Integer seconds are accepted; missing tests are None."""
    times = times_from_mapping({"flexor_s": 60, "sex": "female"})
    assert times.flexor_s == 60.0
    assert times.extensor_s is None
    assert times.sex == "female"


# --- the test enum ------------------------------------------------------------------------


def test_endurance_test_enum_names_and_aliases() -> None:
    """Four tests; biering_sorensen is the extensor test; video hold names map to them."""
    assert [t.value for t in EnduranceTest] == [
        "flexor",
        "extensor",
        "side_bridge_left",
        "side_bridge_right",
    ]
    assert EnduranceTest("biering_sorensen") is EnduranceTest.EXTENSOR
    assert EnduranceTest.from_hold_test("side_bridge", "left") is EnduranceTest.SIDE_BRIDGE_LEFT
    assert EnduranceTest.from_hold_test("biering_sorensen") is EnduranceTest.EXTENSOR
    assert EnduranceTest.SIDE_BRIDGE_RIGHT.times_field == "side_right_s"
    with pytest.raises(InvalidResponseError, match="plank"):
        EnduranceTest.from_hold_test("plank")
    with pytest.raises(InvalidResponseError, match="side_bridge"):
        EnduranceTest.from_hold_test("side_bridge")
