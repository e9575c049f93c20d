"""A patient's treatment plan in the database: generate it from the newest assessment, let the
clinician edit it, and read it back; every change is a new stored version (who, when, what,
why), never an overwrite.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.db.models import Patient, PlanRecord
from backrehab.db.repository import create_plan, get_plan_history, save_plan_version
from backrehab.errors import InvalidResponseError
from backrehab.plan.engine import Plan, generate_plan
from backrehab.plan.history import PlanHistory
from backrehab.plan.rules import context_from_mapping
from backrehab.web.services.actor import Actor, audit
from backrehab.web.services.assessments import latest_assessment, load, refresh_context


def plan_record(session: Session, patient: Patient) -> PlanRecord | None:
    """The patient's plan record (their newest), or None."""
    stmt = (
        select(PlanRecord)
        .where(PlanRecord.patient_id == patient.id)
        .order_by(PlanRecord.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def history(session: Session, patient: Patient) -> PlanHistory | None:
    """Every stored version of the patient's plan, or None before the first plan."""
    record = plan_record(session, patient)
    if record is None or not record.versions:
        return None
    return get_plan_history(session, plan_id=record.id)


def current_plan(session: Session, patient: Patient) -> Plan | None:
    """The newest version's plan, or None."""
    found = history(session, patient)
    return found.current if found is not None else None


def save(
    session: Session, patient: Patient, old: PlanHistory | None, new: PlanHistory
) -> PlanHistory:
    """Store the versions of ``new`` that ``old`` does not have (``new`` must extend ``old``)."""
    record = plan_record(session, patient)
    if record is None:
        record = create_plan(session, patient_id=patient.id)
    start = len(old.versions) if old is not None else 0
    if old is not None and new.versions[:start] != old.versions:
        raise InvalidResponseError("plan: the edit does not extend the stored history")
    for version in new.versions[start:]:
        save_plan_version(session, plan_id=record.id, version=version)
    return new


def generate(
    session: Session, actor: Actor, patient: Patient, *, budget_min: float | None = None
) -> PlanHistory:
    """A plan from the newest assessment (with the patient's current context) as a new version.

    A red flag gives a blocked plan with the referral message (stored too: it is what the
    clinician and the patient must see).
    """
    refresh_context(session, patient)
    record = latest_assessment(session, patient)
    if record is None or not record.parts:
        raise InvalidResponseError(
            "plan: there is no assessment yet; score a questionnaire or the red-flag screen first"
        )
    assessment = load(record)
    plan = generate_plan(
        assessment, context=context_from_mapping(patient.context), budget_min=budget_min
    )
    old = history(session, patient)
    author = actor.email
    reason = f"generated from assessment {record.id}"
    new = (
        PlanHistory.start(plan, author=author, reason=reason)
        if old is None
        else old.regenerate(plan, author=author, reason=reason)
    )
    save(session, patient, old, new)
    audit(
        session,
        actor,
        "generate_plan",
        "patient",
        patient.id,
        blocked=plan.blocked,
        items=len(plan.items),
        version=new.latest.version,
    )
    return new


def edit(
    session: Session,
    actor: Actor,
    patient: Patient,
    change: Callable[[PlanHistory], PlanHistory],
    *,
    what: str,
) -> PlanHistory:
    """Apply one clinician edit (``change`` returns the extended history) and store it."""
    old = history(session, patient)
    if old is None:
        raise InvalidResponseError("plan: generate a plan before editing it")
    new = change(old)
    save(session, patient, old, new)
    audit(session, actor, "edit_plan", "patient", patient.id, edit=what, version=new.latest.version)
    return new
