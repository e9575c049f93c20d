"""The clinician's patient list and what needs their attention: review flags and other pending
proposals, red sessions in the last two weeks, questionnaires past their due date, and the last
logged day. One query with correlated sub-selects on indexed columns, sorted by attention, paged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from backrehab.db.models import Patient, ProposalRecord, QuestionnaireResponse, SessionLogRecord

RED_WINDOW_DAYS: Final = 14
PAGE_SIZE: Final = 50


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of the dashboard."""

    id: int
    ref: str
    display_name: str
    red_sessions: int
    pending_proposals: int
    review_flags: int
    last_questionnaire: dt.date | None
    questionnaire_overdue: bool
    last_session: dt.date | None

    @property
    def needs_attention(self) -> bool:
        """Anything for the clinician to look at."""
        return bool(self.red_sessions or self.pending_proposals or self.questionnaire_overdue)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """One page of rows and the totals of the whole clinic."""

    rows: list[PatientRow]
    total: int
    attention: int
    page: int
    pages: int


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _count(*where: object) -> object:
    return select(func.count()).where(*where).correlate(Patient).scalar_subquery()  # type: ignore[arg-type]


def clinic_dashboard(
    session: Session, *, clinic_id: int, today: dt.date, page: int = 1, page_size: int = PAGE_SIZE
) -> Dashboard:
    """The clinic's patients, most in need of attention first (then by reference)."""
    since = today - dt.timedelta(days=RED_WINDOW_DAYS)
    reds = _count(
        SessionLogRecord.patient_id == Patient.id,
        SessionLogRecord.date >= since,
        SessionLogRecord.zone == "red",
    )
    pending = _count(ProposalRecord.patient_id == Patient.id, ProposalRecord.status == "pending")
    flags = _count(
        ProposalRecord.patient_id == Patient.id,
        ProposalRecord.status == "pending",
        ProposalRecord.action == "flag_review",
    )
    last_q = (
        select(func.max(QuestionnaireResponse.taken_on))
        .where(QuestionnaireResponse.patient_id == Patient.id)
        .correlate(Patient)
        .scalar_subquery()
    )
    last_log = (
        select(func.max(SessionLogRecord.date))
        .where(SessionLogRecord.patient_id == Patient.id)
        .correlate(Patient)
        .scalar_subquery()
    )
    overdue = or_(Patient.questionnaire_due_on.is_(None), Patient.questionnaire_due_on < today)
    base = (
        select(
            Patient.id,
            Patient.ref,
            Patient.display_name,
            reds.label("reds"),  # type: ignore[attr-defined]
            pending.label("pending"),  # type: ignore[attr-defined]
            flags.label("flags"),  # type: ignore[attr-defined]
            last_q.label("last_q"),
            last_log.label("last_log"),
            case((overdue, 1), else_=0).label("overdue"),
        )
        .where(Patient.clinic_id == clinic_id)
        .subquery()
    )
    attention = or_(base.c.reds > 0, base.c.pending > 0, base.c.overdue > 0)
    total = session.scalar(select(func.count()).select_from(base)) or 0
    n_attention = session.scalar(select(func.count()).select_from(base).where(attention)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rank = case(
        (base.c.flags > 0, 0),
        (base.c.reds > 0, 1),
        (base.c.pending > 0, 2),
        (base.c.overdue > 0, 3),
        else_=4,
    )
    rows = session.execute(
        select(base).order_by(rank, base.c.ref).offset((page - 1) * page_size).limit(page_size)
    ).all()
    out = [
        PatientRow(
            id=r.id,
            ref=r.ref,
            display_name=r.display_name,
            red_sessions=int(r.reds or 0),
            pending_proposals=int(r.pending or 0),
            review_flags=int(r.flags or 0),
            last_questionnaire=_as_date(r.last_q),
            questionnaire_overdue=bool(r.overdue),
            last_session=_as_date(r.last_log),
        )
        for r in rows
    ]
    return Dashboard(rows=out, total=total, attention=n_attention, page=page, pages=pages)
