"""ORM models: one class per table.

Documents produced elsewhere in the project (assessments, plan versions, session logs) are kept
whole in JSON columns, validated by their Pydantic model on the way in and out (see
:mod:`backrehab.db.repository`); the columns next to them (codes, dates, severities) exist so that
they can be queried. Media bytes never enter the database: a :class:`Media` row names the SHA-256
of a file kept by :class:`~backrehab.db.media.MediaStore`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backrehab.db.base import Base, utcnow

ROLES: tuple[str, ...] = ("admin", "clinician", "patient")
"""User roles."""

JOB_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")
"""Analysis job states."""

PROPOSAL_STATUSES: tuple[str, ...] = ("pending", "approved", "rejected", "auto_applied")
"""Progression proposal states (as in :class:`~backrehab.progress.decisions.Proposal`)."""

ZONES: tuple[str, ...] = ("green", "amber", "red")
"""Session zones of the pain-monitoring model (clinical reference §6.2)."""


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Clinic(Base):
    """A practice; users and patients belong to one."""

    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every write to the clinic's patients, logs, proposals or questionnaires
    (:mod:`backrehab.db.revisions`); the dashboard's cache is keyed by it."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    """Someone who signs in: admin, clinician or patient. Only an argon2 hash is stored."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    """Carried by every session token; incremented to end all the user's sessions at once
    (signing out signs out everywhere)."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Patient(Base):
    """A person in rehabilitation, their clinician and (optionally) their own login."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "ref", name="uq_patients_clinic_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="RESTRICT"))
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    ref: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str | None] = mapped_column(String(10))
    employed: Mapped[bool] = mapped_column(default=True)
    auto_progression: Mapped[bool] = mapped_column(default=False)
    questionnaire_interval_days: Mapped[int] = mapped_column(Integer, default=28)
    questionnaire_due_on: Mapped[dt.date | None] = mapped_column(index=True)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AssessmentRecord(Base):
    """An :class:`~backrehab.assess.findings.Assessment` document of one patient."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    assessed_at: Mapped[dt.datetime]
    schema_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    parts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    findings: Mapped[list[FindingRecord]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="FindingRecord.position",
    )


class FindingRecord(Base):
    """One finding of an assessment, as queryable columns (the document keeps the whole)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(120), index=True)
    domain: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="")
    side: Mapped[str] = mapped_column(String(20), default="none")
    confidence: Mapped[float] = mapped_column(Float)

    assessment: Mapped[AssessmentRecord] = relationship(back_populates="findings")


class QuestionnaireResponse(Base):
    """Answers to one questionnaire (ODI, STarT Back, FABQ...) and the resulting score."""

    __tablename__ = "questionnaires"
    __table_args__ = (Index("ix_questionnaires_patient_taken", "patient_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(40))
    taken_on: Mapped[dt.date]
    answers: Mapped[dict[str, Any]]
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Media(Base):
    """A photo or video; the bytes live in the media store under their SHA-256."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(20), default="upload")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AnalysisJob(Base):
    """A pose or assessment analysis of one media item, queued and run in the background."""

    __tablename__ = "analysis_jobs"
    __table_args__ = (CheckConstraint(_one_of("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), index=True
    )
    """The analysed file; None for a live set, whose video never left the patient's device."""
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class PlanRecord(Base):
    """A patient's plan; its content is in :class:`PlanVersionRecord` rows."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[PlanVersionRecord]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlanVersionRecord.version",
    )


class PlanVersionRecord(Base):
    """One :class:`~backrehab.plan.history.PlanVersion`: who, when, what, why, and the plan."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_plan_versions_plan_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[dt.datetime]
    document: Mapped[dict[str, Any]]

    plan: Mapped[PlanRecord] = relationship(back_populates="versions")


class SessionLogRecord(Base):
    """A :class:`~backrehab.progress.logs.SessionLog` (one exercise, one day)."""

    __tablename__ = "session_logs"
    __table_args__ = (
        CheckConstraint(f"zone IS NULL OR {_one_of('zone', ZONES)}", name="zone"),
        Index("ix_session_logs_patient_date", "patient_id", "date", "zone"),
        Index("ix_session_logs_zone_date", "zone", "date", "patient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    exercise_id: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date]
    source: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(10))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProposalRecord(Base):
    """A progression or regression proposal (:class:`~backrehab.progress.decisions.Proposal`)
    after a logged day, awaiting or carrying the clinician's decision."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("patient_id", "proposal_id", name="uq_proposals_patient_proposal"),
        CheckConstraint(_one_of("status", PROPOSAL_STATUSES), name="status"),
        Index("ix_proposals_patient_status", "patient_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    proposal_id: Mapped[str] = mapped_column(String(120))
    exercise_id: Mapped[str] = mapped_column(String(80))
    session_date: Mapped[dt.date]
    zone: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    document: Mapped[dict[str, Any]]
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Outcome(Base):
    """One dated outcome measure (ODI, NPRS, PSFS...)."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    measure: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which record, and when. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]
