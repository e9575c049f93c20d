"""Repository functions: keyword-only, they ``flush()`` and never ``commit()``.

The caller (a CLI command, a web request, :func:`~backrehab.db.session.session_scope`) owns the
transaction. Documents are validated by their Pydantic model before they are stored and again
when they are read back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.assess.findings import Assessment, Finding
from backrehab.db.models import (
    ROLES,
    AssessmentRecord,
    AuditEntry,
    Clinic,
    FindingRecord,
    Outcome,
    Patient,
    PlanRecord,
    PlanVersionRecord,
    QuestionnaireResponse,
    SessionLogRecord,
    User,
)
from backrehab.errors import BackrehabError, ConfigError, InvalidResponseError
from backrehab.plan.history import PlanHistory, PlanVersion
from backrehab.progress.logs import SessionLog

_T = TypeVar("_T")
_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


class NotFoundError(BackrehabError, LookupError):
    """A record asked for by id does not exist."""


def _document(model: Assessment | PlanVersion | SessionLog) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json")
    return data


def _get(session: Session, cls: type[_T], ident: int, what: str) -> _T:
    row = session.get(cls, ident)
    if row is None:
        raise NotFoundError(f"No {what} with id {ident}.")
    return row


# --- clinics, users, patients -----------------------------------------------------------------


def create_clinic(session: Session, *, name: str) -> Clinic:
    """A new clinic named ``name`` (unique)."""
    if not name.strip():
        raise InvalidResponseError("clinic: a name is required")
    clinic = Clinic(name=name.strip())
    session.add(clinic)
    session.flush()
    return clinic


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (at least :data:`MIN_PASSWORD_LENGTH` characters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidResponseError(f"password: use at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Whether ``password`` matches the user's stored hash."""
    try:
        return _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    clinic_id: int | None = None,
    display_name: str = "",
) -> User:
    """A new user; only the argon2 hash of ``password`` is stored."""
    if role not in ROLES:
        raise InvalidResponseError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidResponseError(f"email: {email!r} is not an e-mail address")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        clinic_id=clinic_id,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, *, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or None."""
    stmt = select(User).where(User.email == email.strip().lower())
    return session.scalars(stmt).one_or_none()


def end_sessions(session: Session, *, user: User) -> int:
    """End every session of ``user`` (on every device): their session epoch is incremented in
    the database, so every token made before no longer signs them in. Returns the new epoch.

    The increment is done by the database (``session_epoch + 1``), so two concurrent calls both
    count and neither can restore an epoch the other ended.
    """
    user.session_epoch = User.session_epoch + 1
    session.flush()
    return user.session_epoch


def create_patient(
    session: Session,
    *,
    clinic_id: int,
    ref: str,
    clinician_id: int | None = None,
    user_id: int | None = None,
    display_name: str = "",
) -> Patient:
    """A new patient of ``clinic_id``; ``clinician_id`` must be a clinician's user id."""
    if not ref.strip():
        raise InvalidResponseError("patient: a reference is required")
    if clinician_id is not None:
        clinician = _get(session, User, clinician_id, "user")
        if clinician.role != "clinician":
            raise ConfigError(f"User {clinician_id} is a {clinician.role}, not a clinician.")
    patient = Patient(
        clinic_id=clinic_id,
        ref=ref.strip(),
        clinician_id=clinician_id,
        user_id=user_id,
        display_name=display_name,
    )
    session.add(patient)
    session.flush()
    return patient


def get_patient(session: Session, *, patient_id: int) -> Patient:
    """The patient with this id (:class:`NotFoundError` otherwise)."""
    return _get(session, Patient, patient_id, "patient")


# --- assessments and questionnaires -----------------------------------------------------------


def finding_rows(findings: Iterable[Finding]) -> list[FindingRecord]:
    """One queryable row per finding, in document order."""
    return [
        FindingRecord(
            position=i,
            code=f.code,
            domain=f.domain.value,
            severity=f.severity.value,
            title=f.title,
            value=f.value,
            unit=f.unit,
            side=f.side,
            confidence=f.confidence,
        )
        for i, f in enumerate(findings)
    ]


def add_assessment(
    session: Session, *, patient_id: int, assessment: Assessment
) -> AssessmentRecord:
    """Store the whole assessment document and one queryable row per finding."""
    record = AssessmentRecord(
        patient_id=patient_id,
        assessed_at=assessment.created_at,
        schema_version=assessment.schema_version,
        document=_document(assessment),
        findings=finding_rows(assessment.findings),
    )
    session.add(record)
    session.flush()
    return record


def load_assessment(record: AssessmentRecord) -> Assessment:
    """The validated :class:`Assessment` of a stored record."""
    return Assessment.model_validate(record.document)


def list_assessments(session: Session, *, patient_id: int) -> list[Assessment]:
    """A patient's assessments, oldest first."""
    stmt = (
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient_id)
        .order_by(AssessmentRecord.assessed_at, AssessmentRecord.id)
    )
    return [load_assessment(r) for r in session.scalars(stmt)]


def add_questionnaire(
    session: Session,
    *,
    patient_id: int,
    instrument: str,
    taken_on: dt.date,
    answers: Mapping[str, Any],
    score: float | None = None,
) -> QuestionnaireResponse:
    """Store one questionnaire's answers and score."""
    row = QuestionnaireResponse(
        patient_id=patient_id,
        instrument=instrument,
        taken_on=taken_on,
        answers=dict(answers),
        score=score,
    )
    session.add(row)
    session.flush()
    return row


# --- progress --------------------------------------------------------------------------------


def add_session_log(session: Session, *, patient_id: int, log: SessionLog) -> SessionLogRecord:
    """Store one session log."""
    row = SessionLogRecord(
        patient_id=patient_id,
        exercise_id=log.exercise_id,
        date=log.date,
        source=log.source,
        document=_document(log),
    )
    session.add(row)
    session.flush()
    return row


def list_session_logs(session: Session, *, patient_id: int) -> list[SessionLog]:
    """A patient's session logs, by date."""
    stmt = (
        select(SessionLogRecord)
        .where(SessionLogRecord.patient_id == patient_id)
        .order_by(SessionLogRecord.date, SessionLogRecord.id)
    )
    return [SessionLog.model_validate(r.document) for r in session.scalars(stmt)]


def add_outcome(
    session: Session, *, patient_id: int, measure: str, date: dt.date, value: float
) -> Outcome:
    """Store one dated outcome value."""
    if not measure.strip():
        raise InvalidResponseError("outcome: a measure name is required")
    row = Outcome(patient_id=patient_id, measure=measure.strip(), date=date, value=float(value))
    session.add(row)
    session.flush()
    return row


def list_outcomes(
    session: Session, *, patient_id: int, measure: str | None = None
) -> list[Outcome]:
    """A patient's outcome values (optionally of one measure), by date."""
    stmt = select(Outcome).where(Outcome.patient_id == patient_id)
    if measure is not None:
        stmt = stmt.where(Outcome.measure == measure)
    return list(session.scalars(stmt.order_by(Outcome.date, Outcome.id)))


# --- plans -----------------------------------------------------------------------------------


def create_plan(session: Session, *, patient_id: int) -> PlanRecord:
    """An empty plan of a patient, to which versions are saved."""
    plan = PlanRecord(patient_id=patient_id)
    session.add(plan)
    session.flush()
    return plan


def save_plan_version(session: Session, *, plan_id: int, version: PlanVersion) -> PlanVersionRecord:
    """Append ``version`` to a plan; it must be exactly one more than the latest stored version."""
    plan = _get(session, PlanRecord, plan_id, "plan")
    latest = max((v.version for v in plan.versions), default=0)
    if version.version != latest + 1:
        raise ConfigError(
            f"Plan {plan_id} is at version {latest}; cannot save version {version.version}."
        )
    row = PlanVersionRecord(
        version=version.version,
        author=version.author,
        action=version.action,
        reason=version.reason,
        changed_at=version.timestamp,
        document=_document(version),
    )
    plan.versions.append(row)
    session.flush()
    return row


def get_plan_history(session: Session, *, plan_id: int) -> PlanHistory:
    """The plan's :class:`PlanHistory` (all stored versions, validated)."""
    plan = _get(session, PlanRecord, plan_id, "plan")
    if not plan.versions:
        raise NotFoundError(f"Plan {plan_id} has no saved version yet.")
    return PlanHistory(
        versions=tuple(PlanVersion.model_validate(v.document) for v in plan.versions)
    )


# --- audit -----------------------------------------------------------------------------------


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry (who did what to which record)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=dict(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(
    session: Session, *, entity: str | None = None, entity_id: int | str | None = None
) -> list[AuditEntry]:
    """Audit entries, oldest first, optionally for one entity (and id)."""
    stmt = select(AuditEntry)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    return list(session.scalars(stmt.order_by(AuditEntry.at, AuditEntry.id)))
