"""Logged sessions, next-morning reports, progression proposals and their approval."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backrehab.db.models import ProposalRecord
from backrehab.web.deps import ActorDep, CsrfDep, PatientDep, SessionDep, StaffDep
from backrehab.web.schemas import (
    ERROR_RESPONSES,
    DecisionIn,
    NextMorningIn,
    ProposalRead,
    SessionIn,
    SessionOut,
)
from backrehab.web.services import sessions
from backrehab.web.services.actor import Actor

router = APIRouter(
    prefix="/patients/{patient_id}",
    tags=["sessions"],
    dependencies=[CsrfDep],
    responses=ERROR_RESPONSES,
)


def _proposal(row: ProposalRecord) -> ProposalRead:
    return ProposalRead(
        id=row.id,
        proposal_id=row.proposal_id,
        exercise_id=row.exercise_id,
        session_date=row.session_date,
        zone=row.zone,
        action=row.action,
        status=row.status,
        decided_by=row.decided_by,
        document=row.document,
    )


@router.get("/sessions")
def list_sessions(patient: PatientDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every session log of the patient, by date."""
    return [log.model_dump(mode="json") for log in sessions.logs(session, patient)]


@router.post("/sessions", status_code=201)
def log_session(
    body: SessionIn, patient: PatientDep, session: SessionDep, actor: ActorDep
) -> SessionOut:
    """Log one exercise of one day; returns its §6.2 zone and the day's proposals."""
    log, zone, proposals = sessions.log_session(
        session,
        actor,
        patient,
        exercise_id=body.exercise_id,
        day=body.date,
        pain_before=body.pain_before,
        pain_during_max=body.pain_during_max,
        pain_after=body.pain_after,
        done_sets=body.done_sets,
        done_reps=body.done_reps,
        done_hold_s=body.done_hold_s,
        rpe=body.rpe,
        symptom_change=body.symptom_change,
        new_neuro_symptoms=body.new_neuro_symptoms,
        notes=body.notes,
        form_pass_rate=body.form_pass_rate,
        coach_job_id=body.coach_job_id,
    )
    return SessionOut(
        log=log.model_dump(mode="json"),
        zone=zone,
        proposals=[p.model_dump(mode="json") for p in proposals],
    )


@router.post("/next-morning")
def next_morning(
    body: NextMorningIn, patient: PatientDep, session: SessionDep, actor: ActorDep
) -> list[dict[str, Any]]:
    """Report the next-morning pain of a session day; the day is decided again."""
    proposals = sessions.report_next_morning(
        session,
        actor,
        patient,
        day=body.date,
        next_morning_pain=body.next_morning_pain,
        usual_pain=body.usual_pain,
    )
    return [p.model_dump(mode="json") for p in proposals]


@router.get("/proposals")
def list_proposals(
    patient: PatientDep, session: SessionDep, status: str | None = None
) -> list[ProposalRead]:
    """The patient's progression proposals (optionally of one status)."""
    return [_proposal(r) for r in sessions.proposals(session, patient, status=status)]


@router.post("/proposals/{proposal_id}/approve")
def approve(
    proposal_id: str, body: DecisionIn, patient: PatientDep, session: SessionDep, user: StaffDep
) -> dict[str, Any]:
    """Approve a pending proposal; it changes the plan as a new version."""
    decided = sessions.decide_proposal(
        session, Actor.of(user), patient, proposal_id, approve=True, note=body.note
    )
    return decided.model_dump(mode="json")


@router.post("/proposals/{proposal_id}/reject")
def reject(
    proposal_id: str, body: DecisionIn, patient: PatientDep, session: SessionDep, user: StaffDep
) -> dict[str, Any]:
    """Reject a pending proposal; the plan stays as it is."""
    decided = sessions.decide_proposal(
        session, Actor.of(user), patient, proposal_id, approve=False, note=body.note
    )
    return decided.model_dump(mode="json")
