"""A patient's progress from the database: the PATIENT_DATA document of the progress layer
(outcomes by date, endurance, session logs, the plan's schedule), the PDF/HTML report, and the
series the progress pages chart.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.db.models import Outcome, Patient, PlanVersionRecord
from backrehab.db.revisions import clinic_revision
from backrehab.errors import InvalidResponseError
from backrehab.progress.adherence import AdherenceSummary, adherence_for
from backrehab.progress.outcomes import OutcomeTrend, outcome_trends
from backrehab.progress.patient_data import (
    EnduranceRecord,
    OutcomeRecord,
    PatientData,
    Schedule,
)
from backrehab.progress.plan_link import schedule_from_plan
from backrehab.progress.report import weekly_pain, write_report
from backrehab.web.services import plans, sessions

QUESTIONNAIRE_MEASURES: Final = ("odi", "rmdq", "nprs", "psfs", "fabq_pa", "fabq_w")
_INTEGER_MEASURES: Final = frozenset({"rmdq", "fabq_pa", "fabq_w"})
_ENDURANCE_PREFIX: Final = "endurance."


def _outcomes(session: Session, patient: Patient) -> list[Outcome]:
    stmt = (
        select(Outcome).where(Outcome.patient_id == patient.id).order_by(Outcome.date, Outcome.id)
    )
    return list(session.scalars(stmt))


def _plan_start(session: Session, patient: Patient) -> dt.date | None:
    record = plans.plan_record(session, patient)
    if record is None:
        return None
    first = session.scalars(
        select(PlanVersionRecord.changed_at)
        .where(PlanVersionRecord.plan_id == record.id)
        .order_by(PlanVersionRecord.version)
        .limit(1)
    ).first()
    return first.date() if first is not None else None


def patient_data(
    session: Session, patient: Patient, *, as_of: dt.date | None = None
) -> PatientData:
    """The PATIENT_DATA document of a patient (see ``docs/progress.md``).

    Raises
    ------
    InvalidResponseError
        No questionnaire has been scored yet (the report needs a baseline).
    """
    by_day: dict[dt.date, dict[str, float]] = defaultdict(dict)
    endurance: dict[dt.date, dict[str, float]] = defaultdict(dict)
    for row in _outcomes(session, patient):
        if row.measure in QUESTIONNAIRE_MEASURES:
            value: float = round(row.value) if row.measure in _INTEGER_MEASURES else row.value
            by_day[row.date][row.measure] = value
        elif row.measure.startswith(_ENDURANCE_PREFIX):
            endurance[row.date][row.measure.removeprefix(_ENDURANCE_PREFIX)] = row.value
    if not by_day:
        raise InvalidResponseError(
            "progress: no questionnaire has been scored yet; the baseline comes from the first one"
        )
    records = [OutcomeRecord(date=d, **v) for d, v in sorted(by_day.items())]
    logs = sessions.logs(session, patient)
    plan = plans.current_plan(session, patient)
    start = _plan_start(session, patient) or records[0].date
    if logs:
        start = min(start, logs[0].date)
    schedule = (
        schedule_from_plan(plan, start=start)
        if plan is not None and not plan.blocked
        else Schedule(start=start, sessions_per_week=0)
    )
    return PatientData(
        patient_ref=patient.ref,
        sex=patient.sex,
        as_of=as_of or dt.date.today(),
        auto_progression=patient.auto_progression,
        schedule=schedule,
        baseline=records[0],
        follow_ups=tuple(records[1:]),
        sessions=tuple(logs),
        endurance=tuple(EnduranceRecord(date=d, **v) for d, v in sorted(endurance.items())),
    )


def report_bytes(session: Session, patient: Patient, *, fmt: str = "pdf") -> bytes:
    """The progress report as PDF (or self-contained HTML) bytes."""
    if fmt not in ("pdf", "html"):
        raise InvalidResponseError(f"report: format {fmt!r} is not pdf or html")
    data = patient_data(session, patient)
    with tempfile.TemporaryDirectory(prefix="backrehab-report-") as tmp:
        path = write_report(data, Path(tmp) / f"report.{fmt}", debug=False)
        return path.read_bytes()


@dataclass(frozen=True, slots=True)
class ProgressView:
    """What a progress page shows: trends with MCID marks, weekly pain, adherence, zones."""

    trends: dict[str, OutcomeTrend]
    weekly_pain: list[tuple[dt.date, float]]
    adherence: AdherenceSummary | None
    recent: list[dict[str, Any]]
    missing: str


_VIEWS: dict[tuple[int, str], tuple[int, dt.date, ProgressView]] = {}
_VIEWS_LOCK = threading.Lock()
_MAX_VIEWS = 2000


def progress_view(
    session: Session, patient: Patient, *, today: dt.date | None = None
) -> ProgressView:
    """The progress page's content (cached under the clinic's revision and the day: recomputed
    exactly when the clinic's data change); ``missing`` says what is not there yet."""
    day = today or dt.date.today()
    revision = clinic_revision(session, patient.clinic_id)
    key = (patient.id, str(session.get_bind().engine.url))
    with _VIEWS_LOCK:
        hit = _VIEWS.get(key)
    if revision is not None and hit is not None and hit[0] == revision and hit[1] == day:
        return hit[2]
    view = _progress_view(session, patient, today=day)
    if revision is not None:
        with _VIEWS_LOCK:
            if len(_VIEWS) >= _MAX_VIEWS:
                _VIEWS.clear()
            _VIEWS[key] = (revision, day, view)
    return view


def _progress_view(session: Session, patient: Patient, *, today: dt.date) -> ProgressView:
    """Compute the progress page's content."""
    recent_logs = sessions.logs(
        session, patient, since=(today or dt.date.today()) - dt.timedelta(days=28)
    )
    recent = [
        {
            "date": log.date,
            "exercise_id": log.exercise_id,
            "worst_pain": log.worst_pain,
            "completion": log.dose_completion,
            "source": log.source,
        }
        for log in recent_logs[-20:]
    ]
    try:
        data = patient_data(session, patient, as_of=today)
    except InvalidResponseError as exc:
        return ProgressView({}, [], None, recent, exc.user_message)
    return ProgressView(
        trends=outcome_trends(data),
        weekly_pain=weekly_pain(data),
        adherence=adherence_for(data),
        recent=recent,
        missing="",
    )
