"""Clinically important change (clinical reference section 2: Ostelo et al. 2008 thresholds,
30 % flag only beyond the minimal detectable change)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrehab.assess.mcid import (
    DEFAULT_MCID_THRESHOLDS,
    McidThreshold,
    is_important_change,
)
from backrehab.errors import ConfigError, InvalidResponseError

RANGES = {"odi": 100.0, "rmdq": 24.0, "nprs": 10.0, "psfs": 10.0}


def test_nprs_3_to_2_is_33_percent_but_not_important() -> None:
    """NPRS 3 -> 2 is a 33 % drop inside the measurement error: not important (section 2)."""
    change = is_important_change("nprs", 3, 2)
    assert change.delta == 1.0
    assert change.percent == pytest.approx(100 / 3)
    assert not change.by_absolute
    assert not change.by_percent
    assert not change.important_improvement
    assert not change.important_worsening


def test_odi_40_to_30_is_important_by_absolute() -> None:
    """ODI 40 -> 30 improves by 10 points = MCID: important by the absolute rule (25 % only)."""
    change = is_important_change("odi", 40, 30)
    assert change.delta == 10.0
    assert change.percent == 25.0
    assert change.by_absolute
    assert not change.by_percent
    assert change.important_improvement


def test_odi_20_to_13_is_35_percent_but_inside_mdc() -> None:
    """ODI 20 -> 13 is 35 % but delta 7 < MDC 10: neither flag, not important."""
    change = is_important_change("odi", 20, 13)
    assert change.delta == 7.0
    assert change.percent == 35.0
    assert not change.by_absolute
    assert not change.by_percent
    assert not change.important_improvement


def test_odi_40_to_28_meets_both_flags() -> None:
    """ODI 40 -> 28 (12 points, 30 %) meets the absolute and the relative rule."""
    change = is_important_change("odi", 40, 28)
    assert change.percent == 30.0
    assert change.by_absolute
    assert change.by_percent
    assert change.important_improvement


def test_relative_flag_counts_when_mdc_is_below_mcid() -> None:
    """With a custom table (ODI MCID 15, MDC 6), 20 -> 13 is important by percent alone."""
    table = dict(DEFAULT_MCID_THRESHOLDS)
    table["odi"] = dataclasses.replace(table["odi"], mcid_abs=15.0, mdc_abs=6.0)
    change = is_important_change("odi", 20, 13, thresholds=table)
    assert not change.by_absolute
    assert change.by_percent
    assert change.important_improvement
    assert change.mcid_abs == 15.0
    assert change.mdc_abs == 6.0


def test_relative_flag_needs_30_percent() -> None:
    """With MDC below the change, 29 % is not enough for the relative flag."""
    table = {"odi": dataclasses.replace(DEFAULT_MCID_THRESHOLDS["odi"], mcid_abs=50.0, mdc_abs=5.0)}
    assert not is_important_change("odi", 100, 71, thresholds=table).by_percent
    assert is_important_change("odi", 100, 70, thresholds=table).by_percent


def test_psfs_improvement_is_an_increase() -> None:
    """PSFS is higher-is-better: 3 -> 5 is a +2 improvement (important), 5 -> 3 a worsening."""
    better = is_important_change("psfs", 3, 5)
    assert better.direction == "higher_is_better"
    assert better.delta == 2.0
    assert better.percent == pytest.approx(200 / 3)
    assert better.important_improvement
    assert not better.important_worsening
    worse = is_important_change("psfs", 5, 3)
    assert worse.delta == -2.0
    assert not worse.important_improvement
    assert worse.important_worsening


def test_lower_is_better_direction() -> None:
    """ODI, RMDQ and NPRS improve when the score falls."""
    for name in ("odi", "rmdq", "nprs"):
        change = is_important_change(name, 8, 4)
        assert change.direction == "lower_is_better"
        assert change.delta == 4.0


def test_psfs_single_activity_needs_3_points() -> None:
    """A single PSFS activity needs 3 points (MDC90), the mean 2 points."""
    assert not is_important_change("psfs", 3, 5, single_activity=True).important_improvement
    change = is_important_change("psfs", 3, 6, single_activity=True)
    assert change.important_improvement
    assert change.single_activity
    assert change.mcid_abs == 3.0
    assert is_important_change("psfs", 6, 3, single_activity=True).important_worsening


def test_single_activity_for_other_instruments_is_config_error() -> None:
    """single_activity applies to the PSFS only."""
    with pytest.raises(ConfigError, match="ODI"):
        is_important_change("odi", 40, 30, single_activity=True)


def test_baseline_zero_has_no_percent() -> None:
    """With a zero baseline the percent change is undefined (None); only the absolute rule works."""
    pain = is_important_change("nprs", 0, 3)
    assert pain.percent is None
    assert not pain.by_percent
    assert pain.important_worsening
    function = is_important_change("psfs", 0, 4)
    assert function.percent is None
    assert function.by_absolute
    assert function.important_improvement


@pytest.mark.parametrize(
    ("instrument", "baseline", "follow_up", "worse"),
    [
        ("rmdq", 10, 15, True),
        ("rmdq", 10, 14, False),
        ("odi", 30, 40, True),
        ("odi", 30, 39.9, False),
        ("nprs", 4, 6, True),
        ("nprs", 4, 5, False),
    ],
)
def test_worsening_uses_the_absolute_threshold(
    instrument: str, baseline: float, follow_up: float, worse: bool
) -> None:
    """Worsening is important when the score moves the wrong way by at least the MCID."""
    change = is_important_change(instrument, baseline, follow_up)
    assert change.important_worsening is worse
    assert not change.important_improvement


def test_one_decimal_scores_compare_exactly() -> None:
    """ODI 33.3 -> 23.3 is exactly 10 points (binary round-off would put it just below)."""
    change = is_important_change("odi", 33.3, 23.3)
    assert change.delta == 10.0
    assert change.by_absolute
    assert is_important_change("odi", 23.3, 33.3).important_worsening


def test_result_records_thresholds_and_source() -> None:
    """The result names the thresholds used and their source."""
    change = is_important_change("ODI", 40, 30)
    assert change.instrument == "odi"
    assert change.relative_pct == 30.0
    assert "Ostelo" in change.source


@pytest.mark.parametrize("name", ["fabq", "startback", "sf36", ""])
def test_unknown_instrument_is_refused(name: str) -> None:
    """Instruments without thresholds raise InvalidResponseError listing the known ones."""
    with pytest.raises(InvalidResponseError) as info:
        is_important_change(name, 1, 1)
    for known in RANGES:
        assert known in str(info.value)


@pytest.mark.parametrize(
    ("instrument", "baseline", "follow_up", "fragment"),
    [
        ("odi", 101, 50, "ODI baseline"),
        ("odi", 50, -1, "ODI follow-up"),
        ("rmdq", 25, 3, "RMDQ baseline"),
        ("nprs", 5, 11, "NPRS follow-up"),
        ("psfs", 10.5, 3, "PSFS baseline"),
        ("nprs", "5", 3, "NPRS baseline"),
        ("nprs", 5, True, "NPRS follow-up"),
        ("odi", float("nan"), 3, "ODI baseline"),
        ("odi", 3, float("inf"), "ODI follow-up"),
        ("odi", None, 3, "ODI baseline"),
    ],
)
def test_bad_values_are_refused(
    instrument: str, baseline: Any, follow_up: Any, fragment: str
) -> None:
    """Scores out of the instrument's range or not numbers raise InvalidResponseError."""
    with pytest.raises(InvalidResponseError, match=fragment):
        is_important_change(instrument, baseline, follow_up)


def test_default_table_values() -> None:
    """The default table holds the section 2 numbers (MCID / MDC / 30 %)."""
    expected = {"odi": (10, 10), "rmdq": (5, 5), "nprs": (2, 2), "psfs": (2, 2)}
    for name, (mcid, mdc) in expected.items():
        spec = DEFAULT_MCID_THRESHOLDS[name]
        assert (spec.mcid_abs, spec.mdc_abs, spec.relative_pct) == (mcid, mdc, 30.0)
        assert spec.source


def test_default_table_is_read_only() -> None:
    """The default thresholds cannot be changed in place."""
    with pytest.raises(TypeError):
        DEFAULT_MCID_THRESHOLDS["odi"] = DEFAULT_MCID_THRESHOLDS["nprs"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_MCID_THRESHOLDS["odi"].mcid_abs = 5.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"mcid_abs": 0.0},
        {"mdc_abs": -1.0},
        {"mcid_abs": 200.0},
        {"relative_pct": 0.0},
        {"scale_max": -5.0},
        {"single_activity_mcid_abs": 3.0},
    ],
)
def test_bad_thresholds_are_config_error(changes: dict[str, Any]) -> None:
    """Inconsistent threshold settings raise ConfigError."""
    with pytest.raises(ConfigError, match="ODI"):
        dataclasses.replace(DEFAULT_MCID_THRESHOLDS["odi"], **changes)


def test_custom_threshold_table_adds_instruments() -> None:
    """A custom table can add an instrument of its own."""
    table = {
        "fabq_pa": McidThreshold(
            label="FABQ PA",
            scale_min=0,
            scale_max=24,
            lower_is_better=True,
            mcid_abs=5,
            mdc_abs=5,
            relative_pct=30,
            source="test",
        )
    }
    assert is_important_change("fabq_pa", 20, 14, thresholds=table).important_improvement


@given(st.data())
def test_improvement_and_worsening_exclude_each_other(data: st.DataObject) -> None:
    """A change is never both an important improvement and an important worsening, and
    swapping baseline and follow-up negates the change."""
    name = data.draw(st.sampled_from(sorted(RANGES)))
    top = RANGES[name]
    baseline = data.draw(st.floats(0, top))
    follow_up = data.draw(st.floats(0, top))
    forward = is_important_change(name, baseline, follow_up)
    backward = is_important_change(name, follow_up, baseline)
    assert not (forward.important_improvement and forward.important_worsening)
    assert forward.delta == -backward.delta
    assert forward.important_improvement == (forward.by_absolute or forward.by_percent)
    assert forward.by_absolute == backward.important_worsening
    if forward.by_percent:
        assert forward.delta >= forward.mdc_abs
