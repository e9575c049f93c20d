"""Outcomes over time with clinically important change marked against the baseline (§2, §3.3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from backrehab.assess.endurance import EnduranceTimes, evaluate_endurance
from backrehab.assess.mcid import DEFAULT_MCID_THRESHOLDS, is_important_change
from backrehab.errors import InvalidResponseError
from backrehab.progress.outcomes import (
    endurance_ratio_series,
    mark_trend,
    outcome_trends,
    questionnaire_trends,
    rom_trends,
)
from backrehab.progress.patient_data import PatientData, patient_data_from_mapping
from tests.progress import day, make_log

D0, D1, D2 = dt.date(2025, 1, 6), dt.date(2025, 2, 3), dt.date(2025, 3, 3)


def _data(**changes: Any) -> PatientData:
    raw: dict[str, Any] = {
        "patient_ref": "P-001",
        "sex": "female",
        "schedule": {"start": "2025-01-06", "sessions_per_week": 3},
        "baseline": {"date": "2025-01-06", "odi": 40, "nprs": 6, "psfs": 3, "fabq_pa": 16},
        "follow_ups": [
            {"date": "2025-02-03", "odi": 32, "nprs": 5, "psfs": 5.5},
            {"date": "2025-03-03", "odi": 28, "nprs": 3, "psfs": 4.5, "rmdq": 6},
        ],
    }
    raw.update(changes)
    return patient_data_from_mapping(raw)


def test_questionnaires_marked_against_baseline() -> None:
    """ODI 40 -> 32 is not important, 40 -> 28 is (12 >= 10); NPRS 6 -> 3 is (3 >= 2)."""
    trends = questionnaire_trends(_data())
    odi = trends["odi"]
    assert [p.mark for p in odi.points] == ["baseline", "no_important_change", "improved"]
    assert odi.baseline.date == D0
    assert odi.latest.change is not None
    assert odi.latest.change.delta == 12.0
    assert odi.mcid_abs == 10.0
    assert [p.mark for p in trends["nprs"].points] == [
        "baseline",
        "no_important_change",
        "improved",
    ]


def test_marks_are_those_of_assess_mcid() -> None:
    """Every change equals is_important_change(measure, baseline, value) — not reimplemented."""
    for key, trend in questionnaire_trends(_data()).items():
        for p in trend.points[1:]:
            if key in DEFAULT_MCID_THRESHOLDS:
                assert p.change == is_important_change(key, trend.baseline.value, p.value)


def test_psfs_higher_is_better() -> None:
    """PSFS 3 -> 5.5 (+2.5) is an improvement; the direction comes from the MCID table."""
    psfs = questionnaire_trends(_data())["psfs"]
    assert psfs.points[1].mark == "improved"
    assert psfs.lower_is_better is False


def test_worsening_is_marked() -> None:
    """NPRS 3 -> 6 is an important worsening."""
    trend = mark_trend("nprs", [(D0, 3.0), (D1, 6.0)])
    assert trend.latest.mark == "worsened"


def test_measures_without_mcid_are_not_judged() -> None:
    """FABQ has no MCID in the reference: points are marked no_threshold, no band."""
    trend = mark_trend("fabq_pa", [(D0, 16.0), (D1, 9.0)])
    assert trend.latest.mark == "no_threshold"
    assert trend.mcid_abs is None


def test_first_recorded_value_is_the_baseline() -> None:
    """RMDQ first appears at the second follow-up: a one-point trend marked baseline."""
    rmdq = questionnaire_trends(_data())["rmdq"]
    assert [(p.date, p.mark) for p in rmdq.points] == [(D2, "baseline")]
    assert "fabq_w" not in questionnaire_trends(_data())


def test_custom_thresholds_are_passed_to_assess_mcid() -> None:
    """A clinician's own MCID table changes the marks (ODI MCID 6, Fritz & Irrgang)."""
    table = dict(DEFAULT_MCID_THRESHOLDS)
    table["odi"] = dataclasses.replace(table["odi"], mcid_abs=6.0, mdc_abs=6.0)
    odi = questionnaire_trends(_data(), thresholds=table)["odi"]
    assert odi.points[1].mark == "improved"
    assert odi.mcid_abs == 6.0


def test_mark_trend_sorts_and_refuses_empty_or_out_of_range() -> None:
    """Points are sorted by date; no points or an impossible score raise."""
    trend = mark_trend("nprs", [(D1, 2.0), (D0, 6.0)])
    assert trend.baseline.value == 6.0
    with pytest.raises(InvalidResponseError, match="no values"):
        mark_trend("nprs", [])
    with pytest.raises(InvalidResponseError, match="out of range"):
        mark_trend("nprs", [(D0, 6.0), (D1, 12.0)])


def test_endurance_ratios_come_from_assess_endurance() -> None:
    """The ratio series equal evaluate_endurance per test day; a missing test skips a ratio."""
    data = _data(
        endurance=[
            {
                "date": "2025-01-06",
                "flexor_s": 60,
                "extensor_s": 50,
                "side_left_s": 30,
                "side_right_s": 27,
            },
            {"date": "2025-03-03", "flexor_s": 90, "extensor_s": 100, "side_left_s": 60},
        ]
    )
    series = endurance_ratio_series(data)
    expected = evaluate_endurance(
        EnduranceTimes(flexor_s=60, extensor_s=50, side_left_s=30, side_right_s=27, sex="female")
    )
    assert series["flex_ext"] == [(D0, expected.flex_ext), (D2, 0.9)]
    assert series["rl_sb"] == [(D0, expected.rl_sb)]
    assert series["sb_ext_left"][-1] == (D2, 0.6)


def test_rom_from_series_and_from_the_coach() -> None:
    """ROM trends: the document's rom series plus coach.<exercise> from the logs' rom_deg."""
    logs = [
        make_log(0, exercise_id="glute_bridge", rom_deg=20.0).model_dump(mode="json"),
        make_log(2, exercise_id="glute_bridge", rom_deg=24.5).model_dump(mode="json"),
        make_log(2).model_dump(mode="json"),
    ]
    data = _data(
        sessions=logs,
        rom={
            "lumbar_flexion_deg": [
                {"date": "2025-03-03", "value": 55},
                {"date": "2025-01-06", "value": 45},
            ]
        },
    )
    trends = rom_trends(data)
    assert set(trends) == {"lumbar_flexion_deg", "coach.glute_bridge"}
    assert [p.value for p in trends["lumbar_flexion_deg"].points] == [45.0, 55.0]
    assert [(p.date, p.value) for p in trends["coach.glute_bridge"].points] == [
        (day(0), 20.0),
        (day(2), 24.5),
    ]


def test_outcome_trends_cover_every_measure() -> None:
    """outcome_trends lists questionnaires, endurance times, posture metrics and ROM."""
    data = _data(
        endurance=[{"date": "2025-01-06", "extensor_s": 50}],
        posture={"cva_proxy_deg": [{"date": "2025-01-06", "value": 44.0}]},
        rom={"lumbar_flexion_deg": [{"date": "2025-01-06", "value": 45}]},
    )
    keys = set(outcome_trends(data))
    assert {"odi", "nprs", "psfs", "fabq_pa", "rmdq"} <= keys
    assert {"endurance.extensor_s", "posture.cva_proxy_deg", "rom.lumbar_flexion_deg"} <= keys
