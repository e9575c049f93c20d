"""Logged sessions and what follows from them: the §6.2 zone of each day, one proposal per
exercise after each logged day, and the clinician's decisions on those proposals.

Proposals are applied to the plan only when a clinician approves them, or at once where the
clinician enabled auto-progression for the patient (never for a review flag). A proposal that
cannot be applied (the plan changed, the budget is full) stays pending with the reason, for the
clinician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.coach.run import CoachReport
from backrehab.db.models import AnalysisJob, Patient, ProposalRecord, SessionLogRecord
from backrehab.db.repository import NotFoundError
from backrehab.errors import InvalidResponseError
from backrehab.plan.dosing import Dose
from backrehab.plan.engine import Plan
from backrehab.plan.history import PlanEditError
from backrehab.progress.decisions import Proposal, ProposalQueue, assess_sessions
from backrehab.progress.logs import (
    SessionLog,
    log_from_coach,
    session_log_from_mapping,
    typed_log,
    with_next_morning,
)
from backrehab.progress.plan_link import apply_proposal, prescribed_from_dose, propose_for_plan
from backrehab.web.services import plans
from backrehab.web.services.actor import SYSTEM, Actor, audit

DECISION_WINDOW_DAYS: Final = 42
"""Days of logs before a session that its decision reads (two weeks of trend, streaks)."""


def _records(
    session: Session, patient: Patient, *, since: dt.date | None = None
) -> list[SessionLogRecord]:
    stmt = select(SessionLogRecord).where(SessionLogRecord.patient_id == patient.id)
    if since is not None:
        stmt = stmt.where(SessionLogRecord.date >= since)
    return list(session.scalars(stmt.order_by(SessionLogRecord.date, SessionLogRecord.id)))


def logs(session: Session, patient: Patient, *, since: dt.date | None = None) -> list[SessionLog]:
    """The patient's session logs (from ``since``), by date."""
    return [SessionLog.model_validate(r.document) for r in _records(session, patient, since=since)]


def _plan(session: Session, patient: Patient) -> Plan:
    plan = plans.current_plan(session, patient)
    if plan is None:
        raise InvalidResponseError("session: there is no plan yet; ask your clinician")
    if plan.blocked:
        raise InvalidResponseError(f"session: the plan is on hold: {plan.message}")
    return plan


def _coach_report(result: dict[str, Any]) -> CoachReport:
    """The :class:`CoachReport` of a stored ``CoachReport.to_json_dict()`` (its extra
    ``rom_deg`` per repetition dropped)."""
    data = {k: v for k, v in result.items() if k in CoachReport.model_fields}
    data["per_rep"] = [
        {k: v for k, v in rep.items() if k != "rom_deg"} for rep in data.get("per_rep", [])
    ]
    return CoachReport.model_validate(data)


def _merge(old: SessionLog, new: SessionLog) -> SessionLog:
    """Two entries of one exercise on one day as one log: the sets add up, the worst pain and
    effort count, the first pain-before stays."""
    data = old.model_dump()
    data.update(
        done=(*old.done, *new.done),
        source="coach" if "coach" in (old.source, new.source) else "typed",
        rpe=max((v for v in (old.rpe, new.rpe) if v is not None), default=None),
        pain_during_max=max(old.pain_during_max, new.pain_during_max),
        pain_after=max(old.pain_after, new.pain_after),
        symptom_change=_worse_symptoms(old.symptom_change, new.symptom_change),
        new_neuro_symptoms=old.new_neuro_symptoms or new.new_neuro_symptoms,
        notes="\n".join(n for n in (old.notes, new.notes) if n)[:2000],
    )
    for key in ("form_pass_rate", "rom_deg"):
        values = [v for v in (getattr(old, key), getattr(new, key)) if v is not None]
        data[key] = round(sum(values) / len(values), 4) if values else None
    return session_log_from_mapping(data)


def _worse_symptoms(a: str, b: str) -> str:
    order = ("centralised", "unchanged", "peripheralised")
    return max(a, b, key=order.index)


def _proposals(session: Session, patient: Patient) -> list[ProposalRecord]:
    stmt = (
        select(ProposalRecord)
        .where(ProposalRecord.patient_id == patient.id)
        .order_by(ProposalRecord.session_date, ProposalRecord.id)
    )
    return list(session.scalars(stmt))


def load_proposal(record: ProposalRecord) -> Proposal[Dose]:
    """The validated proposal of a stored row."""
    return Proposal[Dose].model_validate(record.document)


def _queue(
    session: Session, patient: Patient
) -> tuple[ProposalQueue[Dose], dict[str, ProposalRecord]]:
    rows = _proposals(session, patient)
    queue = ProposalQueue[Dose].restore(
        [load_proposal(r) for r in rows], auto_progression=patient.auto_progression
    )
    return queue, {r.proposal_id: r for r in rows}


def _write(
    session: Session, patient: Patient, rows: dict[str, ProposalRecord], proposal: Proposal[Dose]
) -> ProposalRecord:
    row = rows.get(proposal.proposal_id)
    if row is None:
        row = ProposalRecord(patient_id=patient.id, proposal_id=proposal.proposal_id)
        session.add(row)
        rows[proposal.proposal_id] = row
    row.exercise_id = proposal.exercise_id
    row.session_date = proposal.session_date
    row.zone = proposal.zone
    row.action = proposal.action
    row.status = proposal.status
    row.decided_by = proposal.decided_by
    row.decided_at = proposal.decided_at
    row.document = proposal.model_dump(mode="json")
    session.flush()
    return row


def _apply(session: Session, actor: Actor, patient: Patient, proposal: Proposal[Dose]) -> None:
    plans.edit(
        session,
        actor,
        patient,
        lambda h: apply_proposal(h, proposal),
        what=f"proposal {proposal.proposal_id}: {proposal.action}",
    )


def _decide_day(session: Session, patient: Patient, day: dt.date) -> list[Proposal[Dose]]:
    """Zones of the day's logs and their proposals (stored; auto-applied where enabled)."""
    since = day - dt.timedelta(days=DECISION_WINDOW_DAYS)
    records = _records(session, patient, since=since)
    window = [SessionLog.model_validate(r.document) for r in records]
    zones = {(a.exercise_id, a.date): a.zone for a in assess_sessions(window)}
    for record in records:
        record.zone = zones.get((record.exercise_id, record.date), record.zone)
    plan = plans.current_plan(session, patient)
    if plan is None or plan.blocked:
        return []
    upto = [log for log in window if log.date <= day]
    queue, rows = _queue(session, patient)
    out = []
    for proposal in propose_for_plan(upto, plan, day):
        old = rows.get(proposal.proposal_id)
        if old is not None and old.status != "pending":
            continue  # already decided: a later report does not reopen it
        stored = queue.submit(proposal)
        if stored.status == "auto_applied":
            try:
                _apply(session, SYSTEM, patient, stored)
            except (PlanEditError, InvalidResponseError) as exc:
                stored = proposal.model_copy(
                    update={"note": f"auto-progression could not apply it: {exc.user_message}"}
                )
        _write(session, patient, rows, stored)
        out.append(stored)
    session.flush()
    return out


def log_session(
    session: Session,
    actor: Actor,
    patient: Patient,
    *,
    exercise_id: str,
    day: dt.date,
    pain_before: int,
    pain_during_max: int,
    pain_after: int,
    done_sets: int | None = None,
    done_reps: int | None = None,
    done_hold_s: float | None = None,
    rpe: int | None = None,
    symptom_change: str = "unchanged",
    new_neuro_symptoms: bool = False,
    notes: str = "",
    form_pass_rate: float | None = None,
    coach_job_id: int | None = None,
) -> tuple[SessionLog, str, list[Proposal[Dose]]]:
    """Log one exercise of one day (typed, or from a finished camera job), then decide the day.

    A second entry for the same exercise and day is merged into the first (sets add up).
    ``form_pass_rate`` is the patient's own report (share of repetitions done with good form)
    for a typed entry; a camera set measures it.
    Returns the stored log, its zone and the day's proposals.

    Raises
    ------
    InvalidResponseError
        The exercise is not in the plan, the day is in the future, a value is out of range
        (named), or the camera job is not a finished set of this patient and exercise.
    """
    if day > dt.date.today():
        raise InvalidResponseError(f"session: {day.isoformat()} is in the future")
    plan = _plan(session, patient)
    item = plan.item(exercise_id)
    if item is None:
        listed = ", ".join(i.exercise_id for i in plan.items if i.setting == "home") or "none"
        raise InvalidResponseError(
            f"session: {exercise_id!r} is not in the plan (home exercises: {listed})"
        )
    prescribed = prescribed_from_dose(item.dose)
    pains: dict[str, Any] = {
        "pain_before": pain_before,
        "pain_during_max": pain_during_max,
        "pain_after": pain_after,
        "rpe": rpe,
        "symptom_change": symptom_change,
        "notes": notes,
    }
    if coach_job_id is not None:
        job = session.get(AnalysisJob, coach_job_id)
        if (
            job is None
            or job.patient_id != patient.id
            or job.kind not in ("coach", "live")
            or job.status != "done"
            or job.params.get("exercise_id") != exercise_id
            or job.result is None
        ):
            raise InvalidResponseError(
                f"session: camera analysis {coach_job_id} is not a finished {exercise_id} set"
            )
        report = _coach_report(job.result)
        entry = log_from_coach(report, prescribed, date=day, **pains)
    else:
        entry = typed_log(
            exercise_id=exercise_id,
            date=day,
            prescribed=prescribed,
            done_sets=done_sets if done_sets is not None else 0,
            done_reps=done_reps if done_reps is not None else 0,
            done_hold_s=done_hold_s,
            form_pass_rate=form_pass_rate,
            **pains,
        )
    if new_neuro_symptoms:
        entry = session_log_from_mapping({**entry.model_dump(), "new_neuro_symptoms": True})
    existing = session.scalars(
        select(SessionLogRecord).where(
            SessionLogRecord.patient_id == patient.id,
            SessionLogRecord.exercise_id == exercise_id,
            SessionLogRecord.date == day,
        )
    ).first()
    if existing is not None:
        entry = _merge(SessionLog.model_validate(existing.document), entry)
        existing.document = entry.model_dump(mode="json")
        existing.source = entry.source
        record = existing
    else:
        record = SessionLogRecord(
            patient_id=patient.id,
            exercise_id=exercise_id,
            date=day,
            source=entry.source,
            document=entry.model_dump(mode="json"),
        )
        session.add(record)
    session.flush()
    proposals = _decide_day(session, patient, day)
    audit(
        session,
        actor,
        "log_session",
        "session_log",
        record.id,
        patient_id=patient.id,
        exercise_id=exercise_id,
        zone=record.zone,
    )
    return entry, record.zone or "", proposals


def report_next_morning(
    session: Session,
    actor: Actor,
    patient: Patient,
    *,
    day: dt.date,
    next_morning_pain: int,
    usual_pain: int,
) -> list[Proposal[Dose]]:
    """Add the next-morning pain to every log of ``day`` and decide that day again."""
    records = [r for r in _records(session, patient, since=day) if r.date == day]
    if not records:
        raise NotFoundError(f"next morning: nothing was logged on {day.isoformat()}")
    for record in records:
        updated = with_next_morning(
            SessionLog.model_validate(record.document), next_morning_pain, usual_pain
        )
        record.document = updated.model_dump(mode="json")
    session.flush()
    proposals = _decide_day(session, patient, day)
    audit(session, actor, "next_morning", "patient", patient.id, day=day.isoformat())
    return proposals


def pending_next_morning(session: Session, patient: Patient, today: dt.date) -> dt.date | None:
    """The most recent day before ``today`` (within 3 days) whose logs lack the next-morning
    report, or None."""
    for record in reversed(_records(session, patient, since=today - dt.timedelta(days=3))):
        if record.date < today and record.document.get("next_morning_pain") is None:
            return record.date
    return None


def proposals(
    session: Session, patient: Patient, *, status: str | None = None
) -> list[ProposalRecord]:
    """The patient's proposals (of one status), oldest session first."""
    rows = _proposals(session, patient)
    return [r for r in rows if status is None or r.status == status]


def decide_proposal(
    session: Session,
    actor: Actor,
    patient: Patient,
    proposal_id: str,
    *,
    approve: bool,
    note: str | None = None,
) -> Proposal[Dose]:
    """A clinician approves (and so applies) or rejects one pending proposal.

    Approving rejects the older pending proposals of the same exercise as superseded.
    """
    queue, rows = _queue(session, patient)
    if proposal_id not in rows:
        raise NotFoundError(f"proposal {proposal_id!r} not found for this patient")
    if approve:
        decided = queue.approve(proposal_id, actor.email, note=note)
        _apply(session, actor, patient, decided)  # a refused edit rolls the approval back
    else:
        decided = queue.reject(proposal_id, actor.email, note=note)
    changed: Sequence[Proposal[Dose]] = [
        p for p in queue.proposals if p.model_dump(mode="json") != rows[p.proposal_id].document
    ]
    for proposal in changed:
        _write(session, patient, rows, proposal)
    audit(
        session,
        actor,
        "approve_proposal" if approve else "reject_proposal",
        "patient",
        patient.id,
        proposal_id=proposal_id,
    )
    return decided
