"""Clinic revisions: every ORM flush that adds, changes or deletes a clinic's patients, session
logs, proposals or questionnaires bumps ``clinics.revision`` in the same transaction.

A reader can then cache anything computed from those tables under ``(clinic, revision)``: the
cache is invalidated by the database itself, across processes, and cannot be forgotten by a
write path (the hook is on every session). Bulk Core inserts bypass it (only used to seed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from backrehab.db.models import (
    Clinic,
    Patient,
    ProposalRecord,
    QuestionnaireResponse,
    SessionLogRecord,
)

_PER_PATIENT = (SessionLogRecord, ProposalRecord, QuestionnaireResponse)


def _touched(session: Session) -> tuple[set[int], set[int]]:
    clinics: set[int] = set()
    patients: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Patient) and obj.clinic_id is not None:
            clinics.add(obj.clinic_id)
        elif isinstance(obj, _PER_PATIENT) and obj.patient_id is not None:
            patients.add(obj.patient_id)
    return clinics, patients


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context: Any, _instances: Any) -> None:
    clinics, patients = _touched(session)
    if not clinics and not patients:
        return
    with session.no_autoflush:
        if patients:
            rows = session.execute(
                select(Patient.clinic_id).where(Patient.id.in_(patients)).distinct()
            )
            clinics.update(cid for (cid,) in rows if cid is not None)
        if clinics:
            session.execute(
                update(Clinic)
                .where(Clinic.id.in_(clinics))
                .values(revision=Clinic.revision + 1)
                .execution_options(synchronize_session=False)
            )


def clinic_revision(session: Session, clinic_id: int) -> int | None:
    """The clinic's current revision (None: no such clinic)."""
    return session.scalar(select(Clinic.revision).where(Clinic.id == clinic_id))
