"""The clinician's patient list and what needs their attention: review flags and other pending
proposals, red sessions in the last two weeks, questionnaires past their due date, and the last
logged day. A few grouped queries on indexed columns, ranked by attention, paged; the ranking is
cached per clinic under its database revision (:mod:`backrehab.db.revisions`) and the day, so it
is recomputed exactly when a patient, log, proposal or questionnaire of the clinic changes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Final

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backrehab.db.models import Patient, ProposalRecord, QuestionnaireResponse, SessionLogRecord
from backrehab.db.revisions import clinic_revision

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


def _rank(reds: int, pending: int, flags: int, overdue: bool) -> int:
    """Attention order: review flags, red sessions, proposals, due questionnaires, the rest."""
    if flags:
        return 0
    if reds:
        return 1
    if pending:
        return 2
    return 3 if overdue else 4


def _attention_counts(
    session: Session, clinic_id: int, since: dt.date
) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Red sessions since ``since`` and (pending proposals, review flags), per patient."""
    in_clinic = select(Patient.id).where(Patient.clinic_id == clinic_id)
    reds = {
        int(pid): int(n)
        for pid, n in session.execute(
            select(SessionLogRecord.patient_id, func.count())
            .where(SessionLogRecord.zone == "red", SessionLogRecord.date >= since)
            .where(SessionLogRecord.patient_id.in_(in_clinic))
            .group_by(SessionLogRecord.patient_id)
        ).all()
    }
    is_flag = case((ProposalRecord.action == "flag_review", 1), else_=0)
    pending = {
        int(pid): (int(n), int(flags or 0))
        for pid, n, flags in session.execute(
            select(ProposalRecord.patient_id, func.count(), func.sum(is_flag))
            .where(ProposalRecord.status == "pending")
            .where(ProposalRecord.patient_id.in_(in_clinic))
            .group_by(ProposalRecord.patient_id)
        ).all()
    }
    return reds, pending


def _last_dates(session: Session, ids: list[int]) -> dict[int, tuple[object, object]]:
    """Last questionnaire and last logged day of the given patients. ``max()`` of a correlated
    sub-select is one index seek per row (a GROUP BY would scan each patient's year of logs)."""
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
    rows = session.execute(select(Patient.id, last_q, last_log).where(Patient.id.in_(ids)))
    return {int(pid): (q, log) for pid, q, log in rows.all()}


Ranked = list[tuple[int, str, int, str, int, int, int, bool]]
"""(rank, ref, patient id, name, red sessions, pending, review flags, questionnaire overdue)."""

_CACHE: dict[tuple[int, str], tuple[int, dt.date, Ranked]] = {}
_PAGES: dict[tuple[int, str, int, int], tuple[int, dt.date, Dashboard]] = {}
_CACHE_LOCK = threading.Lock()


def _ranking(session: Session, clinic_id: int, today: dt.date) -> Ranked:
    reds, pending = _attention_counts(
        session, clinic_id, today - dt.timedelta(days=RED_WINDOW_DAYS)
    )
    people = session.execute(
        select(Patient.id, Patient.ref, Patient.display_name, Patient.questionnaire_due_on).where(
            Patient.clinic_id == clinic_id
        )
    ).all()
    ranked: Ranked = []
    for pid, ref, name, due_on in people:
        n_pending, n_flags = pending.get(pid, (0, 0))
        due = _as_date(due_on)
        overdue = due is None or due < today
        red = reds.get(pid, 0)
        rank = _rank(red, n_pending, n_flags, overdue)
        ranked.append((rank, ref, pid, name, red, n_pending, n_flags, overdue))
    ranked.sort()
    return ranked


def _cached_ranking(session: Session, clinic_id: int, today: dt.date, revision: int) -> Ranked:
    """The ranking, reused while the clinic's revision and the day are unchanged."""
    key = (clinic_id, str(session.get_bind().engine.url))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == revision and hit[1] == today:
        return hit[2]
    ranked = _ranking(session, clinic_id, today)
    with _CACHE_LOCK:
        _CACHE[key] = (revision, today, ranked)
    return ranked


def clinic_dashboard(
    session: Session, *, clinic_id: int, today: dt.date, page: int = 1, page_size: int = PAGE_SIZE
) -> Dashboard:
    """The clinic's patients, most in need of attention first (then by reference).

    Grouped queries on indexed columns give the attention counts (red sessions of the last two
    weeks through the zone-date index, pending proposals); the due dates come with the patient
    list; the ranking is done in Python; the dates shown are read for the page's rows only.
    """
    revision = clinic_revision(session, clinic_id)
    if revision is None:
        return Dashboard(rows=[], total=0, attention=0, page=1, pages=1)
    page_key = (clinic_id, str(session.get_bind().engine.url), page, page_size)
    with _CACHE_LOCK:
        hit = _PAGES.get(page_key)
    if hit is not None and hit[0] == revision and hit[1] == today:
        return hit[2]
    ranked = _cached_ranking(session, clinic_id, today, revision)
    total = len(ranked)
    attention = sum(1 for r in ranked if r[0] < 4)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    shown = ranked[(page - 1) * page_size : page * page_size]
    dates = _last_dates(session, [r[2] for r in shown])
    rows = [
        PatientRow(
            id=pid,
            ref=ref,
            display_name=name,
            red_sessions=red,
            pending_proposals=n_pending,
            review_flags=n_flags,
            last_questionnaire=_as_date(dates[pid][0]),
            questionnaire_overdue=overdue,
            last_session=_as_date(dates[pid][1]),
        )
        for _, ref, pid, name, red, n_pending, n_flags, overdue in shown
    ]
    board = Dashboard(rows=rows, total=total, attention=attention, page=page, pages=pages)
    if page_key[2] == page:  # only real pages are kept (no entry per made-up page number)
        with _CACHE_LOCK:
            _PAGES[page_key] = (revision, today, board)
    return board
