"""Adherence: sessions done vs planned per ISO week and overall, and dose completion.

Input: session logs and a :class:`~backrehab.progress.patient_data.Schedule`. Output: an
:class:`AdherenceSummary`. A *session* is a day with at least one exercise logged. Week
adherence = ``min(done, planned) / planned`` (extra sessions do not make up for missed ones);
overall = the sum of those capped counts over the sum of planned sessions. Dose completion =
``Σ min(done volume, prescribed volume) / Σ prescribed volume`` over the logs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from backrehab.progress.logs import SessionLog
from backrehab.progress.patient_data import PatientData, Schedule

__all__ = [
    "AdherenceSummary",
    "WeekAdherence",
    "adherence",
    "adherence_for",
    "iso_week",
    "planned_sessions",
]


class WeekAdherence(BaseModel):
    """One ISO week.

    Attributes
    ----------
    week
        ISO week label ``YYYY-Www``.
    monday
        First day of the week.
    planned, done
        Planned session days and days with a log (inside the schedule's range).
    adherence
        ``min(done, planned) / planned``; None when nothing was planned.
    dose_completion
        Completed share of the prescribed volume of the week's logs; None without logs.
    exercise_logs
        Number of exercise logs in the week.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    week: str
    monday: dt.date
    planned: int
    done: int
    adherence: float | None
    dose_completion: float | None
    exercise_logs: int


class AdherenceSummary(BaseModel):
    """Every week plus the overall figures (same definitions, summed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date
    end: dt.date
    weeks: tuple[WeekAdherence, ...]
    planned: int
    done: int
    adherence: float | None
    dose_completion: float | None


def iso_week(day: dt.date) -> str:
    """``2025-W03`` for a day in ISO week 3 of ISO year 2025."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def planned_sessions(schedule: Schedule, monday: dt.date, start: dt.date, end: dt.date) -> int:
    """Planned sessions of the week starting ``monday``, pro rata for the days inside
    ``start``-``end``, unless the schedule overrides the week."""
    label = iso_week(monday)
    if label in schedule.weeks:
        return schedule.weeks[label]
    first = max(monday, start)
    last = min(monday + dt.timedelta(days=6), end)
    days = (last - first).days + 1
    if days <= 0:
        return 0
    return _round_half_up(Decimal(schedule.sessions_per_week * days) / 7)


def _completion(logs: list[SessionLog]) -> float | None:
    prescribed = sum(log.prescribed.volume for log in logs)
    if not logs or prescribed <= 0:
        return None
    done = sum(min(log.volume_done, log.prescribed.volume) for log in logs)
    return done / prescribed


def adherence(
    logs: Iterable[SessionLog], schedule: Schedule, *, until: dt.date | None = None
) -> AdherenceSummary:
    """Adherence per ISO week and overall, from ``schedule.start`` to ``schedule.end`` (or
    ``until``, or the last log day). Logs outside that range are ignored."""
    items = list(logs)
    end = schedule.end or until or max((log.date for log in items), default=schedule.start)
    end = max(end, schedule.start)
    inside = [log for log in items if schedule.start <= log.date <= end]
    monday = schedule.start - dt.timedelta(days=schedule.start.weekday())
    weeks = []
    while monday <= end:
        sunday = monday + dt.timedelta(days=6)
        mine = [log for log in inside if monday <= log.date <= sunday]
        planned = planned_sessions(schedule, monday, schedule.start, end)
        done = len({log.date for log in mine})
        weeks.append(
            WeekAdherence(
                week=iso_week(monday),
                monday=monday,
                planned=planned,
                done=done,
                adherence=min(done, planned) / planned if planned else None,
                dose_completion=_completion(mine),
                exercise_logs=len(mine),
            )
        )
        monday += dt.timedelta(days=7)
    planned_total = sum(w.planned for w in weeks)
    capped = sum(min(w.done, w.planned) for w in weeks)
    return AdherenceSummary(
        start=schedule.start,
        end=end,
        weeks=tuple(weeks),
        planned=planned_total,
        done=sum(w.done for w in weeks),
        adherence=capped / planned_total if planned_total else None,
        dose_completion=_completion(inside),
    )


def adherence_for(data: PatientData) -> AdherenceSummary:
    """Adherence of a PATIENT_DATA document (up to ``as_of`` or its last session)."""
    until = data.as_of or max((s.date for s in data.sessions), default=None)
    return adherence(data.sessions, data.schedule, until=until)
