"""Patients and their assessment: list, create, read, settings; questionnaires, the red-flag
screen, endurance times, and photo/video uploads analysed in the background."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy import select

from backrehab.db.models import AnalysisJob, Patient
from backrehab.db.repository import NotFoundError
from backrehab.errors import InvalidResponseError
from backrehab.web.deps import (
    ActorDep,
    CsrfDep,
    PatientDep,
    RecordId,
    RunnerDep,
    SessionDep,
    SettingsDep,
    StaffDep,
    StoreDep,
    UserDep,
    visible_record,
)
from backrehab.web.schemas import (
    ERROR_RESPONSES,
    EnduranceIn,
    JobRead,
    PatientCreate,
    PatientRead,
    PatientSettings,
    QuestionnaireIn,
    RedFlagsIn,
)
from backrehab.web.services import assessments, jobs, patients
from backrehab.web.services.actor import Actor, audit_list_read
from backrehab.web.uploads import read_upload

router = APIRouter(
    prefix="/patients", tags=["patients"], dependencies=[CsrfDep], responses=ERROR_RESPONSES
)
jobs_router = APIRouter(prefix="/jobs", tags=["analysis"], responses=ERROR_RESPONSES)


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
    found = list(session.scalars(stmt))
    clinic_id = found[0].clinic_id if found and user.role == "patient" else user.clinic_id
    if clinic_id is not None:
        audit_list_read(session, Actor.of(user), clinic_id, [p.id for p in found])
    return [PatientRead.model_validate(p) for p in found]


@router.post("", status_code=201)
def create_patient(body: PatientCreate, session: SessionDep, user: StaffDep) -> PatientRead:
    """A new patient of the clinician's clinic (with their own login if e-mail and password)."""
    if user.clinic_id is None:
        raise InvalidResponseError("patient: your account belongs to no clinic")
    patient = patients.new_patient(
        session,
        Actor.of(user),
        clinic_id=user.clinic_id,
        clinician_id=user.id if user.role == "clinician" else None,
        ref=body.ref,
        display_name=body.display_name,
        sex=body.sex,
        employed=body.employed,
        email=body.email,
        password=body.password,
    )
    return PatientRead.model_validate(patient)


@router.get("/{patient_id}")
def read_patient(patient: PatientDep) -> PatientRead:
    """One patient (404 when missing or not visible to the user)."""
    return PatientRead.model_validate(patient)


@router.patch("/{patient_id}/settings")
def change_settings(
    body: PatientSettings, patient: PatientDep, session: SessionDep, user: StaffDep
) -> PatientRead:
    """Change auto-progression, questionnaire interval, sex, employment or the plan context."""
    patients.update_settings(
        session,
        Actor.of(user),
        patient,
        auto_progression=body.auto_progression,
        questionnaire_interval_days=body.questionnaire_interval_days,
        sex=body.sex,
        employed=body.employed,
        context=body.context,
    )
    return PatientRead.model_validate(patient)


@router.get("/{patient_id}/assessment")
def read_assessment(patient: PatientDep, session: SessionDep, user: StaffDep) -> dict[str, Any]:
    """The newest assessment document (findings, raw results, settings)."""
    record = assessments.latest_assessment(session, patient)
    if record is None:
        raise NotFoundError("This patient has no assessment yet.")
    return {"id": record.id, "document": record.document, "parts": sorted(record.parts)}


@router.post("/{patient_id}/assessments", status_code=201)
def start_assessment(
    patient: PatientDep, session: SessionDep, actor: ActorDep, user: StaffDep
) -> dict[str, Any]:
    """Start a new (re)assessment; earlier ones are kept unchanged."""
    record = assessments.start_assessment(session, actor, patient)
    return {"id": record.id, "document": record.document, "parts": []}


@router.post("/{patient_id}/questionnaires", status_code=201)
def score_questionnaire(
    body: QuestionnaireIn, patient: PatientDep, session: SessionDep, actor: ActorDep
) -> dict[str, Any]:
    """Score and store a questionnaire (clinicians, or the patient for themself)."""
    return assessments.score_questionnaire(
        session,
        actor,
        patient,
        instrument=body.instrument,
        answers=body.answers,
        taken_on=body.taken_on,
    )


@router.post("/{patient_id}/red-flags", status_code=201)
def screen_red_flags(
    body: RedFlagsIn, patient: PatientDep, session: SessionDep, user: StaffDep
) -> dict[str, Any]:
    """The red-flag screen (every question answered); emergency and urgent block the plan."""
    return assessments.screen_red_flags(session, Actor.of(user), patient, answers=body.answers)


@router.post("/{patient_id}/endurance", status_code=201)
def endurance(
    body: EnduranceIn, patient: PatientDep, session: SessionDep, user: StaffDep
) -> dict[str, Any]:
    """The McGill endurance battery from typed hold times."""
    times = body.model_dump(exclude={"measured_on"})
    return assessments.endurance_times(
        session, Actor.of(user), patient, times_s=times, measured_on=body.measured_on
    )


@router.post("/{patient_id}/media", status_code=202)
async def upload_media(
    patient: PatientDep,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="A photo or a video")],
    kind: Annotated[str, Form(description="posture, screen, hold, ergonomics or coach")],
    param: Annotated[str, Form(description="view, test, method or exercise id of the kind")],
) -> JobRead:
    """Upload a photo or video and queue its analysis (poll ``/jobs/{id}``).

    Staff upload assessment media; a patient uploads only exercise sets (``coach``).
    """
    if actor.role == "patient" and kind != "coach":
        raise InvalidResponseError("upload: patients can only upload recordings of their sets")
    data = await read_upload(file, settings.upload_limits)
    spec = jobs.KINDS.get(kind)
    params = {spec.param: param} if spec is not None else {}
    job = jobs.enqueue_upload(
        session,
        actor,
        store,
        patient=patient,
        kind=kind,
        params=params,
        data=data,
        filename=file.filename or "",
        limits=settings.upload_limits,
    )
    session.commit()
    runner.submit(job.id)
    session.refresh(job)
    return JobRead.model_validate(job)


@jobs_router.get("/{job_id}")
def read_job(job_id: RecordId, session: SessionDep, user: UserDep) -> JobRead:
    """A background analysis: status, progress, result or error (404 if not yours to see)."""
    job, _ = visible_record(session, user, AnalysisJob, job_id, "analysis job")
    return JobRead.model_validate(job)
