"""The treatment plan of a patient: read it (with every version), generate it, edit it, and the
weekly routine as an iCalendar file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from backrehab.db.repository import NotFoundError
from backrehab.plan.dosing import Dose
from backrehab.plan.ics import plan_to_ics
from backrehab.web.deps import ActorDep, CsrfDep, PatientDep, SessionDep, StaffDep
from backrehab.web.schemas import ERROR_RESPONSES, PlanAdd, PlanGenerate, PlanRedose, PlanRemove
from backrehab.web.services import plans

router = APIRouter(
    prefix="/patients/{patient_id}/plan",
    tags=["plan"],
    dependencies=[CsrfDep],
    responses=ERROR_RESPONSES,
)


def _out(history: Any) -> dict[str, Any]:
    return {
        "version": history.latest.version,
        "plan": history.current.model_dump(mode="json"),
        "versions": [
            {
                "version": v.version,
                "author": v.author,
                "timestamp": v.timestamp.isoformat(),
                "action": v.action,
                "exercise_id": v.exercise_id,
                "reason": v.reason,
            }
            for v in history.versions
        ],
    }


@router.get("")
def read_plan(patient: PatientDep, session: SessionDep) -> dict[str, Any]:
    """The current plan with its version list (clinicians and the patient)."""
    found = plans.history(session, patient)
    if found is None:
        raise NotFoundError("There is no plan for this patient yet.")
    return _out(found)


@router.post("", status_code=201)
def generate(
    body: PlanGenerate, patient: PatientDep, session: SessionDep, actor: ActorDep, user: StaffDep
) -> dict[str, Any]:
    """Generate the plan from the newest assessment (a new version if one exists)."""
    return _out(plans.generate(session, actor, patient, budget_min=body.budget_min))


@router.post("/items", status_code=201)
def add_item(
    body: PlanAdd, patient: PatientDep, session: SessionDep, actor: ActorDep, user: StaffDep
) -> dict[str, Any]:
    """Add an exercise (a new version; refused if unsuitable unless overridden with a reason)."""
    dose = Dose(**body.dose.model_dump()) if body.dose is not None else None
    new = plans.edit(
        session,
        actor,
        patient,
        lambda h: h.add(
            body.exercise_id,
            author=actor.email,
            reason=body.reason,
            dose=dose,
            priority=body.priority,
            allow_unsuitable=body.allow_unsuitable,
        ),
        what=f"add {body.exercise_id}",
    )
    return _out(new)


@router.post("/items/{exercise_id}/remove")
def remove_item(
    exercise_id: str,
    body: PlanRemove,
    patient: PatientDep,
    session: SessionDep,
    actor: ActorDep,
    user: StaffDep,
) -> dict[str, Any]:
    """Remove an item (a new version; the removal and its reason are kept)."""
    new = plans.edit(
        session,
        actor,
        patient,
        lambda h: h.remove(exercise_id, author=actor.email, reason=body.reason),
        what=f"remove {exercise_id}",
    )
    return _out(new)


@router.put("/items/{exercise_id}/dose")
def redose_item(
    exercise_id: str,
    body: PlanRedose,
    patient: PatientDep,
    session: SessionDep,
    actor: ActorDep,
    user: StaffDep,
) -> dict[str, Any]:
    """Change an item's dose (a new version, days re-fitted to the budget)."""
    dose = Dose(**body.dose.model_dump())
    new = plans.edit(
        session,
        actor,
        patient,
        lambda h: h.redose(exercise_id, dose, author=actor.email, reason=body.reason),
        what=f"redose {exercise_id}",
    )
    return _out(new)


@router.get("/routine.ics", response_class=Response)
def routine_ics(patient: PatientDep, session: SessionDep) -> Response:
    """The weekly routine as calendar events with reminders (RFC 5545)."""
    plan = plans.current_plan(session, patient)
    if plan is None:
        raise NotFoundError("There is no plan for this patient yet.")
    text = plan_to_ics(plan, start=dt.date.today())
    return Response(
        text,
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="routine-{patient.ref}.ics"'},
    )
