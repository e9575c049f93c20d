"""Repository functions: users and patients, assessments, logs, outcomes, plans, audit."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backrehab.assess.findings import Assessment, Domain, Finding, Severity
from backrehab.db import repository as repo
from backrehab.db.models import Clinic, FindingRecord, Patient, User
from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.plan import PlanHistory
from backrehab.progress.logs import typed_log
from tests.plan.test_history import base_plan

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _clinic_and_clinician(session: Session) -> tuple[Clinic, User]:
    clinic = repo.create_clinic(session, name="Back Clinic")
    clinician = repo.create_user(
        session,
        email="Dr.Lee@Example.org",
        password="correct horse battery",
        role="clinician",
        clinic_id=clinic.id,
    )
    return clinic, clinician


def _patient(session: Session) -> Patient:
    clinic, clinician = _clinic_and_clinician(session)
    return repo.create_patient(session, clinic_id=clinic.id, ref="P-001", clinician_id=clinician.id)


def _assessment() -> Assessment:
    findings = (
        Finding(
            code="disability.odi",
            domain=Domain.DISABILITY,
            severity=Severity.MODERATE,
            title="Moderate disability",
            value=32.0,
            unit="percent",
            source="ODI v2.1a",
            evidence={"items": [3, 2, 1]},
        ),
        Finding(
            code="posture.forward_head",
            domain=Domain.POSTURE,
            severity=Severity.MILD,
            title="Forward head posture",
            value=8.5,
            unit="deg",
            confidence=0.8,
        ),
        Finding(
            code="safety.red_flags",
            domain=Domain.SAFETY,
            severity=Severity.NORMAL,
            title="No red flags",
        ),
    )
    return Assessment(
        created_at=T0,
        patient_ref="P-001",
        findings=findings,
        results={"odi": {"score": 32, "answers": [3, 2, 1, None]}},
        settings={"view": "side", "ratio": 0.5},
    )


def test_password_hashes_are_argon2_and_verify(session: Session) -> None:
    """Passwords are stored only as argon2id hashes that verify the right password only."""
    _clinic_and_clinician(session)
    session.expire_all()
    stored = repo.get_user_by_email(session, email="dr.lee@example.org")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in stored.password_hash
    assert repo.verify_password(stored, "correct horse battery")
    assert not repo.verify_password(stored, "wrong password")
    with pytest.raises(InvalidResponseError, match="password"):
        repo.create_user(session, email="x@example.org", password="short", role="admin")
    with pytest.raises(InvalidResponseError, match="role"):
        repo.create_user(session, email="y@example.org", password="long enough", role="root")


def test_end_sessions_increments_the_epoch_in_the_database(session: Session) -> None:
    """A new user is at session epoch 0; each :func:`end_sessions` adds one to the stored epoch
    (in SQL: a loaded, stale copy does not undo another request's increment) and returns it."""
    _clinic_and_clinician(session)
    user = repo.get_user_by_email(session, email="dr.lee@example.org")
    assert user is not None
    assert user.session_epoch == 0
    assert repo.end_sessions(session, user=user) == 1
    # a write the loaded user does not know of (as another request's would be)
    session.execute(
        update(User).where(User.id == user.id).values(session_epoch=5),
        execution_options={"synchronize_session": False},
    )
    assert user.session_epoch == 1
    assert repo.end_sessions(session, user=user) == 6
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.session_epoch == 6


def test_patient_has_a_clinician(session: Session) -> None:
    """A patient links to its clinic and clinician; a non-clinician cannot be the clinician."""
    patient = _patient(session)
    session.expire_all()
    stored = repo.get_patient(session, patient_id=patient.id)
    clinician = session.get(User, stored.clinician_id)
    assert clinician is not None
    assert clinician.role == "clinician"
    admin = repo.create_user(
        session, email="admin@example.org", password="long enough", role="admin"
    )
    with pytest.raises(ConfigError, match="not a clinician"):
        repo.create_patient(session, clinic_id=stored.clinic_id, ref="P-2", clinician_id=admin.id)
    with pytest.raises(IntegrityError):
        repo.create_patient(session, clinic_id=stored.clinic_id, ref="P-001")


def test_assessment_round_trips(session: Session) -> None:
    """An assessment comes back equal, with one findings row per finding."""
    patient = _patient(session)
    assessment = _assessment()
    record = repo.add_assessment(session, patient_id=patient.id, assessment=assessment)
    session.commit()
    session.expire_all()
    assert repo.list_assessments(session, patient_id=patient.id) == [assessment]
    rows = session.scalars(
        select(FindingRecord)
        .where(FindingRecord.assessment_id == record.id)
        .order_by(FindingRecord.position)
    ).all()
    assert [r.code for r in rows] == [f.code for f in assessment.findings]
    assert rows[1].severity == "mild"
    assert rows[1].value == pytest.approx(8.5)
    assert rows[2].value is None


def test_session_logs_outcomes_and_questionnaires(session: Session) -> None:
    """Session logs, outcome values and questionnaire answers are stored and read back."""
    patient = _patient(session)
    log = typed_log(
        exercise_id="side_bridge",
        date="2025-01-07",
        prescribed={"sets": 2, "reps": 8, "hold_s": 10},
        done_sets=2,
        done_reps=8,
        done_hold_s=10,
        pain_before=2,
        pain_during_max=3,
        pain_after=2,
    )
    repo.add_session_log(session, patient_id=patient.id, log=log)
    repo.add_outcome(
        session, patient_id=patient.id, measure="odi", date=dt.date(2025, 1, 1), value=32
    )
    repo.add_outcome(
        session, patient_id=patient.id, measure="odi", date=dt.date(2025, 2, 1), value=20
    )
    repo.add_questionnaire(
        session,
        patient_id=patient.id,
        instrument="startback",
        taken_on=dt.date(2025, 1, 1),
        answers={"q1": True, "q9": 3},
        score=4,
    )
    session.commit()
    session.expire_all()
    assert repo.list_session_logs(session, patient_id=patient.id) == [log]
    values = [o.value for o in repo.list_outcomes(session, patient_id=patient.id, measure="odi")]
    assert values == [32.0, 20.0]


def test_plan_versions_round_trip(session: Session) -> None:
    """Plan versions are stored in order and rebuild the same PlanHistory; gaps are refused."""
    patient = _patient(session)
    history = PlanHistory.start(base_plan(), author="dr.lee", now=T0)
    plan = repo.create_plan(session, patient_id=patient.id)
    repo.save_plan_version(session, plan_id=plan.id, version=history.latest)
    session.commit()
    session.expire_all()
    assert repo.get_plan_history(session, plan_id=plan.id) == history
    with pytest.raises(ConfigError, match="version 1"):
        repo.save_plan_version(session, plan_id=plan.id, version=history.latest)


def test_audit_log_records_actor_action_entity(session: Session) -> None:
    """Audit entries keep who did what to which record, with details, in order."""
    patient = _patient(session)
    repo.record_audit(
        session,
        actor="dr.lee@example.org",
        action="view",
        entity="patient",
        entity_id=patient.id,
    )
    repo.record_audit(
        session,
        actor="dr.lee@example.org",
        action="update",
        entity="patient",
        entity_id=patient.id,
        detail={"field": "display_name"},
    )
    repo.record_audit(session, actor="admin", action="create", entity="clinic", entity_id=1)
    session.commit()
    entries = repo.list_audit(session, entity="patient", entity_id=patient.id)
    assert [(e.actor, e.action, e.entity, e.entity_id) for e in entries] == [
        ("dr.lee@example.org", "view", "patient", str(patient.id)),
        ("dr.lee@example.org", "update", "patient", str(patient.id)),
    ]
    assert entries[1].detail == {"field": "display_name"}
    assert entries[0].at.tzinfo is not None
    assert session.scalar(select(func.count()).select_from(type(entries[0]))) == 3
