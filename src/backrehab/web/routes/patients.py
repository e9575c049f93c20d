"""Patients: list and read (scoped by role and clinic), and generate a plan from an assessment.

Every read and write of patient data appends an audit row.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body
from sqlalchemy import select

from backrehab.assess.findings import Assessment
from backrehab.db.models import Patient
from backrehab.db.repository import record_audit
from backrehab.plan.engine import generate_plan
from backrehab.web.deps import SessionDep, StaffDep, UserDep, visible_patient
from backrehab.web.schemas import PatientRead

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("")
def list_patients(session: SessionDep, user: UserDep) -> list[PatientRead]:
    """Patients the user may see: a patient only themself, staff their clinic's patients."""
    stmt = select(Patient).order_by(Patient.id)
    if user.role == "patient":
        stmt = stmt.where(Patient.user_id == user.id)
    elif user.clinic_id is None:
        return []
    else:
        stmt = stmt.where(Patient.clinic_id == user.clinic_id)
    patients = list(session.scalars(stmt))
    for patient in patients:
        record_audit(
            session, actor=user.email, action="list", entity="patient", entity_id=patient.id
        )
    return [PatientRead.model_validate(p) for p in patients]


@router.get("/{patient_id}")
def read_patient(patient_id: int, session: SessionDep, user: UserDep) -> PatientRead:
    """One patient (404 when missing or not visible to the user)."""
    patient = visible_patient(session, user, patient_id)
    record_audit(session, actor=user.email, action="read", entity="patient", entity_id=patient.id)
    return PatientRead.model_validate(patient)


@router.post("/{patient_id}/plan")
def plan_for_patient(
    patient_id: int,
    body: Annotated[dict[str, Any], Body()],
    session: SessionDep,
    user: StaffDep,
) -> dict[str, Any]:
    """The plan generated from the posted assessment (an invalid document is a 422)."""
    patient = visible_patient(session, user, patient_id)
    assessment = Assessment.from_json(json.dumps(body))
    plan = generate_plan(assessment)
    record_audit(
        session,
        actor=user.email,
        action="generate_plan",
        entity="patient",
        entity_id=patient.id,
        detail={"blocked": plan.blocked, "items": len(plan.items)},
    )
    result: dict[str, Any] = plan.model_dump(mode="json")
    return result
