"""Patients of a clinic: create one (with an optional login of their own) and change the settings
a clinician keeps for them (sex, employment, auto-progression, questionnaire interval, context).

The patient reference is pseudonymous (letters, digits, ``._-``) because it travels into
reports, calendars and exports; the display name stays in the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backrehab.db.models import Patient, QuestionnaireResponse, User
from backrehab.db.repository import create_patient, create_user, get_user_by_email
from backrehab.errors import ConflictError, InvalidResponseError
from backrehab.plan.rules import context_from_mapping
from backrehab.web.services.actor import Actor, audit

REF_PATTERN: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_INTERVAL_DAYS: Final = 365


def _check_ref(ref: str) -> str:
    ref = ref.strip()
    if not REF_PATTERN.match(ref):
        raise InvalidResponseError(
            "patient reference: use 1-64 letters, digits, dots, dashes or underscores "
            f"(a pseudonym, not a name); got {ref!r}"
        )
    return ref


def new_patient(
    session: Session,
    actor: Actor,
    *,
    clinic_id: int,
    ref: str,
    display_name: str,
    clinician_id: int | None = None,
    sex: Literal["female", "male"] | None = None,
    employed: bool = True,
    email: str | None = None,
    password: str | None = None,
) -> Patient:
    """A new patient of ``clinic_id`` and, when ``email`` and ``password`` are given, their login.

    Raises
    ------
    InvalidResponseError
        A bad reference or e-mail, a reference or e-mail already in use, or a password that is
        too short; the message names the field.
    """
    ref = _check_ref(ref)
    taken = session.scalar(
        select(func.count())
        .select_from(Patient)
        .where(Patient.clinic_id == clinic_id, Patient.ref == ref)
    )
    if taken:
        raise ConflictError(f"patient reference: {ref!r} is already used in this clinic")
    if sex not in (None, "female", "male"):
        raise InvalidResponseError(f"sex: {sex!r} is not female or male")
    user: User | None = None
    if email or password:
        if not email or not password:
            raise InvalidResponseError("login: give both an e-mail address and a password")
        if get_user_by_email(session, email=email) is not None:
            raise ConflictError(f"email: {email.strip().lower()!r} is already registered")
        user = create_user(
            session,
            email=email,
            password=password,
            role="patient",
            clinic_id=clinic_id,
            display_name=display_name.strip(),
        )
    patient = create_patient(
        session,
        clinic_id=clinic_id,
        ref=ref,
        clinician_id=clinician_id,
        user_id=user.id if user else None,
        display_name=display_name.strip(),
    )
    patient.sex = sex
    patient.employed = employed
    session.flush()
    audit(session, actor, "create", "patient", patient.id, ref=ref, login=user is not None)
    return patient


def update_settings(
    session: Session,
    actor: Actor,
    patient: Patient,
    *,
    auto_progression: bool | None = None,
    questionnaire_interval_days: int | None = None,
    sex: Literal["female", "male"] | None = None,
    employed: bool | None = None,
    context: Mapping[str, Any] | None = None,
) -> Patient:
    """Change what is given; the patient context is validated by the plan rules' model."""
    changed: dict[str, object] = {}
    if auto_progression is not None:
        patient.auto_progression = auto_progression
        changed["auto_progression"] = auto_progression
    if questionnaire_interval_days is not None:
        if not 1 <= questionnaire_interval_days <= MAX_INTERVAL_DAYS:
            raise InvalidResponseError(
                f"questionnaire interval: {questionnaire_interval_days} days is not between 1 and "
                f"{MAX_INTERVAL_DAYS}"
            )
        patient.questionnaire_interval_days = questionnaire_interval_days
        last = session.scalar(
            select(func.max(QuestionnaireResponse.taken_on)).where(
                QuestionnaireResponse.patient_id == patient.id
            )
        )
        if last is not None:
            patient.questionnaire_due_on = last + dt.timedelta(days=questionnaire_interval_days)
        changed["questionnaire_interval_days"] = questionnaire_interval_days
    if sex is not None:
        if sex not in ("female", "male"):
            raise InvalidResponseError(f"sex: {sex!r} is not female or male")
        patient.sex = sex
        changed["sex"] = sex
    if employed is not None:
        patient.employed = employed
        changed["employed"] = employed
    if context is not None:
        patient.context = context_from_mapping(context).model_dump(mode="json")
        changed["context"] = True
    session.flush()
    audit(session, actor, "update_settings", "patient", patient.id, fields=sorted(changed))
    return patient
