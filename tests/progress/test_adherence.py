"""Adherence: session days done vs planned per ISO week and overall, and dose completion."""

from __future__ import annotations

import datetime as dt

import pytest

from backrehab.progress.adherence import adherence, adherence_for, iso_week, planned_sessions
from backrehab.progress.logs import PrescribedDose
from backrehab.progress.patient_data import Schedule, patient_data_from_mapping
from tests.progress import DAY0, day, make_log

RX = PrescribedDose(sets=2, reps=10)


def test_weekly_and_overall_adherence() -> None:
    """3 planned per week: 3 done in week 1, 1 in week 2 -> 100 %, 33 %; overall 4/6."""
    logs = [make_log(n, prescribed=RX) for n in (0, 2, 4, 9)]
    result = adherence(logs, Schedule(start=DAY0, end=day(13), sessions_per_week=3))
    assert [(w.week, w.planned, w.done) for w in result.weeks] == [
        ("2025-W02", 3, 3),
        ("2025-W03", 3, 1),
    ]
    assert result.weeks[0].adherence == 1.0
    assert result.weeks[1].adherence == pytest.approx(1 / 3)
    assert result.adherence == pytest.approx(4 / 6)
    assert (result.planned, result.done) == (6, 4)


def test_extra_sessions_do_not_make_up_missed_ones() -> None:
    """Week adherence is capped at 100 % and the overall uses the capped counts."""
    logs = [make_log(n, prescribed=RX) for n in (0, 1, 2, 3, 4)]
    result = adherence(logs, Schedule(start=DAY0, end=day(13), sessions_per_week=3))
    assert result.weeks[0].done == 5
    assert result.weeks[0].adherence == 1.0
    assert result.adherence == pytest.approx(3 / 6)


def test_several_exercises_on_one_day_are_one_session() -> None:
    """A session is a day: two exercises logged on one day count once."""
    logs = [make_log(0), make_log(0, exercise_id="glute_bridge")]
    result = adherence(logs, Schedule(start=DAY0, end=day(6), sessions_per_week=2))
    assert result.weeks[0].done == 1
    assert result.weeks[0].exercise_logs == 2


def test_dose_completion_is_done_over_prescribed_volume() -> None:
    """Dose completion = sum(min(done, prescribed)) / sum(prescribed) over the logs."""
    logs = [
        make_log(0, prescribed=RX, done_reps=5),  # 10 of 20
        make_log(1, prescribed=RX, done_reps=12),  # 24 of 20, counted 20
    ]
    result = adherence(logs, Schedule(start=DAY0, end=day(6), sessions_per_week=2))
    assert result.dose_completion == pytest.approx(30 / 40)
    assert result.weeks[0].dose_completion == pytest.approx(30 / 40)


def test_partial_weeks_are_planned_pro_rata() -> None:
    """Starting on a Wednesday with 5/week: 5 of 7 days -> round(3.57) = 4 planned."""
    start = dt.date(2025, 1, 8)
    schedule = Schedule(start=start, end=dt.date(2025, 1, 19), sessions_per_week=5)
    result = adherence([], schedule)
    assert [w.planned for w in result.weeks] == [4, 5]
    assert result.adherence == 0.0
    assert result.dose_completion is None


def test_week_overrides_win() -> None:
    """A week planned explicitly (holiday) uses the override."""
    schedule = Schedule(start=DAY0, end=day(13), sessions_per_week=3, weeks={"2025-W03": 0})
    result = adherence([make_log(0)], schedule)
    assert [w.planned for w in result.weeks] == [3, 0]
    assert result.weeks[1].adherence is None
    assert planned_sessions(schedule, day(7), DAY0, day(13)) == 0


def test_logs_outside_the_schedule_are_ignored() -> None:
    """Logs before the start or after the end are not counted."""
    logs = [make_log(-3), make_log(0), make_log(20)]
    result = adherence(logs, Schedule(start=DAY0, end=day(6), sessions_per_week=3))
    assert result.done == 1


def test_open_schedule_runs_to_until_or_the_last_log() -> None:
    """Without an end, adherence counts up to ``until`` (else the last log)."""
    schedule = Schedule(start=DAY0, sessions_per_week=2)
    assert len(adherence([make_log(8)], schedule).weeks) == 2
    assert len(adherence([make_log(8)], schedule, until=day(27)).weeks) == 4


def test_adherence_for_patient_data_uses_as_of() -> None:
    """adherence_for counts planned sessions up to the document's as_of date."""
    data = patient_data_from_mapping(
        {
            "patient_ref": "P-2",
            "as_of": "2025-01-19",
            "schedule": {"start": "2025-01-06", "sessions_per_week": 2},
            "baseline": {"date": "2025-01-06", "nprs": 5},
            "sessions": [make_log(0).model_dump(mode="json")],
        }
    )
    result = adherence_for(data)
    assert (result.planned, result.done) == (4, 1)


def test_iso_week_labels_across_the_new_year() -> None:
    """ISO weeks: 30 Dec 2024 is in 2025-W01."""
    assert iso_week(dt.date(2024, 12, 30)) == "2025-W01"
    assert iso_week(dt.date(2025, 1, 5)) == "2025-W01"
    assert iso_week(DAY0) == "2025-W02"
