"""Request and response bodies of the JSON API (kept apart from the ORM classes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_In):
    """E-mail and password."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserRead(BaseModel):
    """The signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: str
    clinic_id: int | None


class LoginResponse(UserRead):
    """The user, and the CSRF token to send as ``X-CSRF-Token`` on state-changing requests."""

    csrf_token: str


class PatientCreate(_In):
    """A new patient; ``email`` and ``password`` create their own login."""

    ref: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    display_name: str = Field("", max_length=200)
    sex: Literal["female", "male"] | None = None
    employed: bool = True
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str | None = Field(None, min_length=8, max_length=1024)


class PatientRead(BaseModel):
    """A patient as shown to clinicians and to the patient."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    clinic_id: int
    ref: str
    display_name: str
    clinician_id: int | None
    sex: str | None
    employed: bool
    auto_progression: bool
    questionnaire_interval_days: int
    questionnaire_due_on: dt.date | None
    context: dict[str, Any]


class PatientSettings(_In):
    """Settings a clinician changes; omitted fields stay as they are."""

    auto_progression: bool | None = None
    questionnaire_interval_days: int | None = Field(None, ge=1, le=365)
    sex: Literal["female", "male"] | None = None
    employed: bool | None = None
    context: dict[str, Any] | None = None


class QuestionnaireIn(_In):
    """Answers in the ``backrehab score`` form (text), or a list (``null`` = missing)."""

    instrument: Literal["odi", "rmdq", "startback", "nprs", "psfs", "fabq"]
    answers: str | list[int | None] = Field(max_length=2000)
    taken_on: dt.date | None = None


class RedFlagsIn(_In):
    """Every red-flag question id -> yes/no, plus ``age_years`` and ``new_episode``."""

    answers: dict[str, bool | int | None]


class EnduranceIn(_In):
    """McGill battery hold times in seconds (any subset)."""

    flexor_s: float | None = Field(None, ge=0, le=3600)
    extensor_s: float | None = Field(None, ge=0, le=3600)
    side_left_s: float | None = Field(None, ge=0, le=3600)
    side_right_s: float | None = Field(None, ge=0, le=3600)
    measured_on: dt.date | None = None


class JobRead(BaseModel):
    """A background analysis: status, progress 0-1, result or the error to show."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int | None
    kind: str
    params: dict[str, Any]
    status: str
    progress: float
    error: str
    result: dict[str, Any] | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class PlanGenerate(_In):
    """Generate (or regenerate) the plan from the newest assessment."""

    budget_min: float | None = Field(None, gt=0, le=240)


class DoseIn(_In):
    """A dose (plan ladders' fields)."""

    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0, le=600)
    rest_s: float = Field(30.0, ge=0, le=600)
    per_side: bool = False
    tempo: str | None = Field(None, max_length=120)
    duration_min: float | None = Field(None, gt=0, le=240)
    load_note: str | None = Field(None, max_length=300)
    days_per_week: int = Field(7, ge=1, le=7)


class PlanAdd(_In):
    """Add an exercise to the plan."""

    exercise_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)
    reason: str = Field(min_length=1, max_length=500)
    dose: DoseIn | None = None
    priority: int = Field(3, ge=1, le=9)
    allow_unsuitable: bool = False


class PlanRemove(_In):
    """Why an item is removed."""

    reason: str = Field(min_length=1, max_length=500)


class PlanRedose(_In):
    """A new dose for an item, and why."""

    dose: DoseIn
    reason: str = Field(min_length=1, max_length=500)


class SessionIn(_In):
    """One exercise of one day, typed or from a finished camera set (``coach_job_id``)."""

    exercise_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)
    date: dt.date
    pain_before: int = Field(ge=0, le=10)
    pain_during_max: int = Field(ge=0, le=10)
    pain_after: int = Field(ge=0, le=10)
    done_sets: int | None = Field(None, ge=0, le=20)
    done_reps: int | None = Field(None, ge=0, le=500)
    done_hold_s: float | None = Field(None, ge=0, le=3600)
    rpe: int | None = Field(None, ge=0, le=10)
    symptom_change: Literal["centralised", "unchanged", "peripheralised"] = "unchanged"
    new_neuro_symptoms: bool = False
    notes: str = Field("", max_length=2000)
    form_pass_rate: float | None = Field(
        None, ge=0, le=1, description="own report: share of repetitions with good form"
    )
    coach_job_id: int | None = None


class SessionOut(BaseModel):
    """The stored log, its zone and the day's proposals."""

    log: dict[str, Any]
    zone: str
    proposals: list[dict[str, Any]]


class NextMorningIn(_In):
    """The next-morning pain after a session day, and the patient's usual morning pain."""

    date: dt.date
    next_morning_pain: int = Field(ge=0, le=10)
    usual_pain: int = Field(ge=0, le=10)


class ProposalRead(BaseModel):
    """A stored proposal."""

    id: int
    proposal_id: str
    exercise_id: str
    session_date: dt.date
    zone: str
    action: str
    status: str
    decided_by: str | None
    document: dict[str, Any]


class DecisionIn(_In):
    """An optional note with the clinician's decision."""

    note: str | None = Field(None, max_length=1000)


class ErrorBody(BaseModel):
    """Every error: the message to show (and, for invalid input, the field errors)."""

    error: str
    detail: list[dict[str, Any]] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not valid JSON or form data"},
    401: {"model": ErrorBody, "description": "Not signed in"},
    403: {"model": ErrorBody, "description": "Not allowed (role, or a missing CSRF token)"},
    404: {"model": ErrorBody, "description": "No such record, or not visible to you"},
    409: {"model": ErrorBody, "description": "Clashes with an existing record"},
    413: {"model": ErrorBody, "description": "Upload over the size limit"},
    422: {"model": ErrorBody, "description": "Invalid input; the message names the field"},
    429: {"model": ErrorBody, "description": "Too many failed sign-in attempts"},
}
"""The error replies every API route may give (documented in the OpenAPI document)."""
