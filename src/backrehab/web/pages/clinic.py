"""The clinician's pages: the patient list with what needs attention, a new patient, the
assessment (questionnaires, red flags, endurance, uploads), the plan with its reasons and edits,
progress, proposals, and the exports."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from backrehab.assess.questionnaires import INSTRUMENTS
from backrehab.db.models import AnalysisJob, Patient, User
from backrehab.errors import BackrehabError, InvalidResponseError
from backrehab.exercises import load_library
from backrehab.plan.dosing import Dose
from backrehab.plan.rules import DIRECTIONS
from backrehab.plan.schedule import WEEKDAYS
from backrehab.web.deps import (
    CsrfDep,
    PatientDep,
    RunnerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    require_role,
)
from backrehab.web.pages import questionnaire
from backrehab.web.pages.forms import red_flag_answers, red_flag_questions
from backrehab.web.pages.render import redirect, render
from backrehab.web.services import (
    assessments,
    dashboard,
    fhir,
    jobs,
    patients,
    plans,
    progress,
    sessions,
)
from backrehab.web.services.actor import Actor, audit_list_read
from backrehab.web.uploads import read_upload

StaffUser = Annotated[User, Depends(require_role("clinician", "admin"))]

router = APIRouter(
    prefix="/clinic", dependencies=[CsrfDep, Depends(require_role("clinician", "admin"))]
)

RESPONSES = ("centralises", "reduces", "no_effect", "increases", "peripheralises")


def _url(patient: Patient, tail: str = "") -> str:
    return f"/clinic/patients/{patient.id}{tail}"


def _jobs(request: Request, patient: Patient, session: Any) -> list[AnalysisJob]:
    stmt = (
        select(AnalysisJob)
        .where(AnalysisJob.patient_id == patient.id, AnalysisJob.kind != "coach")
        .order_by(AnalysisJob.id.desc())
        .limit(20)
    )
    return list(session.scalars(stmt))


@router.get("")
def dashboard_page(
    request: Request, session: SessionDep, user: StaffUser, page: int = 1
) -> Response:
    """The clinic's patients, most in need of attention first (the read is audited, naming the
    patients of the page)."""
    board = dashboard.clinic_dashboard(
        session, clinic_id=user.clinic_id or -1, today=dt.date.today(), page=page
    )
    if user.clinic_id is not None:
        shown = [row.id for row in board.rows]
        audit_list_read(session, Actor.of(user), user.clinic_id, shown, page=board.page)
    return render(request, "clinic/dashboard.html", {"board": board})


@router.get("/patients/new")
def new_patient_page(request: Request, user: StaffUser) -> Response:
    """The new-patient form."""
    return render(request, "clinic/patient_new.html", {"form": {}})


@router.post("/patients/new")
async def new_patient_submit(request: Request, session: SessionDep, user: StaffUser) -> Response:
    """Create the patient (and their login); back to the form with the problem if invalid."""
    form = dict((await request.form()).items())
    sex = str(form.get("sex") or "") or None
    try:
        patient = patients.new_patient(
            session,
            Actor.of(user),
            clinic_id=user.clinic_id or -1,
            clinician_id=user.id if user.role == "clinician" else None,
            ref=str(form.get("ref", "")),
            display_name=str(form.get("display_name", "")),
            sex=sex,  # type: ignore[arg-type]
            employed=form.get("employed") == "yes",
            email=str(form.get("email") or "") or None,
            password=str(form.get("password") or "") or None,
        )
    except BackrehabError as exc:
        session.rollback()
        form.pop("password", None)
        return render(
            request, "clinic/patient_new.html", {"form": form, "error": exc.user_message}, 422
        )
    return redirect(_url(patient), f"Patient {patient.ref} created.")


def _patient_context(session: Any, patient: Patient) -> dict[str, Any]:
    record = assessments.latest_assessment(session, patient)
    document = assessments.load(record) if record is not None else None
    found = plans.history(session, patient)
    return {
        "patient": patient,
        "assessment": document,
        "assessment_record": record,
        "history": found,
        "plan": found.current if found else None,
        "pending": [
            (row, sessions.load_proposal(row))
            for row in sessions.proposals(session, patient, status="pending")
        ],
    }


@router.get("/patients/{patient_id}")
def patient_page(request: Request, patient: PatientDep, session: SessionDep) -> Response:
    """One patient: attention items, findings, plan summary, settings."""
    context = _patient_context(session, patient)
    context.update(
        directions=DIRECTIONS,
        responses=RESPONSES,
        weekdays=WEEKDAYS,
        patient_ctx=patient.context or {},
    )
    return render(request, "clinic/patient.html", context)


@router.post("/patients/{patient_id}/settings")
async def settings_submit(
    request: Request, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Save auto-progression, the questionnaire interval and the plan context."""
    form = await request.form()
    responses = {
        d: str(form.get(f"rm_{d}")) for d in DIRECTIONS if form.get(f"rm_{d}") in RESPONSES
    }
    budget = str(form.get("budget_min") or "").strip()
    interval = str(form.get("questionnaire_interval_days") or "").strip()
    context = {
        "intolerances": [i for i in ("flexion_intolerant", "extension_intolerant") if form.get(i)],
        "acute_high_irritability": bool(form.get("acute_high_irritability")),
        "directional_preference": str(form.get("directional_preference") or "") or None,
        "repeated_movements": responses,
        "clinic_days": [d for d in WEEKDAYS if form.get(f"clinic_{d}")],
        "exercise_time": str(form.get("exercise_time") or "18:00"),
        "clinic_time": str(form.get("clinic_time") or "10:00"),
        "budget_min": float(budget) if _is_number(budget) else None,
        "excluded_exercises": [
            e.strip() for e in str(form.get("excluded_exercises") or "").split(",") if e.strip()
        ],
    }
    if budget and not _is_number(budget):
        raise InvalidResponseError(f"daily budget: {budget!r} is not a number of minutes")
    if interval and not interval.isdigit():
        raise InvalidResponseError(f"questionnaire interval: {interval!r} is not a number of days")
    patients.update_settings(
        session,
        Actor.of(user),
        patient,
        auto_progression=form.get("auto_progression") == "yes",
        questionnaire_interval_days=int(interval) if interval else None,
        context=context,
    )
    assessments.refresh_context(session, patient)
    return redirect(_url(patient), "Settings saved.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- assessment ------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/assessment")
def assessment_page(request: Request, patient: PatientDep, session: SessionDep) -> Response:
    """Questionnaires, red flags, endurance and camera analyses of the current assessment."""
    context = _patient_context(session, patient)
    context.update(
        instruments=INSTRUMENTS,
        red_flags=red_flag_questions(),
        kinds={k: v for k, v in jobs.KINDS.items() if k != "coach"},
        jobs=_jobs(request, patient, session),
    )
    return render(request, "clinic/assessment.html", context)


@router.post("/patients/{patient_id}/assessments/new")
def new_assessment(patient: PatientDep, session: SessionDep, user: StaffUser) -> Response:
    """Start a reassessment (earlier assessments are kept)."""
    assessments.start_assessment(session, Actor.of(user), patient)
    return redirect(_url(patient, "/assessment"), "A new assessment was started.")


@router.get("/patients/{patient_id}/questionnaires/{instrument}")
def questionnaire_page(request: Request, instrument: str, patient: PatientDep) -> Response:
    """A questionnaire form (our own paraphrased items)."""
    questionnaire.check_instrument(instrument, INSTRUMENTS)
    url = _url(patient, f"/questionnaires/{instrument}")
    return questionnaire.form_page(
        request, patient, instrument, action=url, back=_url(patient, "/assessment")
    )


@router.post("/patients/{patient_id}/questionnaires/{instrument}")
async def questionnaire_submit(
    request: Request, instrument: str, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Score the questionnaire; back to the form with the item named if an answer is bad."""
    questionnaire.check_instrument(instrument, INSTRUMENTS)
    back = _url(patient, "/assessment")
    return await questionnaire.submit(
        request, session, Actor.of(user), patient, instrument,
        action=_url(patient, f"/questionnaires/{instrument}"), back=back, done=back,
    )  # fmt: skip


@router.post("/patients/{patient_id}/red-flags")
async def red_flags_submit(
    request: Request, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Run the red-flag screen."""
    form = dict((await request.form()).items())
    result = assessments.screen_red_flags(
        session, Actor.of(user), patient, answers=red_flag_answers(form)
    )
    level = result.get("level", "none")
    return redirect(_url(patient, "/assessment"), f"Red-flag screen: {level}.")


@router.post("/patients/{patient_id}/endurance")
async def endurance_submit(
    request: Request, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """The McGill battery from typed times."""
    form = await request.form()
    times: dict[str, float | None] = {}
    for field in assessments.ENDURANCE_FIELDS:
        raw = str(form.get(field) or "").strip()
        if raw and not _is_number(raw):
            raise InvalidResponseError(f"endurance: {field} {raw!r} is not a number of seconds")
        times[field] = float(raw) if raw else None
    assessments.endurance_times(session, Actor.of(user), patient, times_s=times)
    return redirect(_url(patient, "/assessment"), "Endurance battery saved.")


@router.post("/patients/{patient_id}/upload")
async def upload_submit(
    request: Request,
    patient: PatientDep,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    user: StaffUser,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
    param: Annotated[str, Form()],
) -> Response:
    """Store a photo or video and analyse it in the background."""
    if kind == "coach" or kind not in jobs.KINDS:
        raise InvalidResponseError(f"upload: {kind!r} is not an assessment analysis")
    data = await read_upload(file, settings.upload_limits)
    job = jobs.enqueue_upload(
        session,
        Actor.of(user),
        store,
        patient=patient,
        kind=kind,
        params={jobs.KINDS[kind].param: param},
        data=data,
        filename=file.filename or "",
        limits=settings.upload_limits,
    )
    session.commit()
    runner.submit(job.id)
    return redirect(_url(patient, "/assessment"), f"{jobs.KINDS[kind].title}: analysis started.")


# --- plan ------------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/plan")
def plan_page(request: Request, patient: PatientDep, session: SessionDep) -> Response:
    """The plan with every item's reasons, the edit forms and the version history."""
    context = _patient_context(session, patient)
    library = load_library()
    in_plan = set(context["plan"].exercise_ids()) if context["plan"] else set()
    context["addable"] = sorted(
        ((e.id, e.name) for e in library.exercises if e.id not in in_plan), key=lambda x: x[1]
    )
    return render(request, "clinic/plan.html", context)


@router.post("/patients/{patient_id}/plan/generate")
def plan_generate(patient: PatientDep, session: SessionDep, user: StaffUser) -> Response:
    """Generate the plan from the newest assessment."""
    history = plans.generate(session, Actor.of(user), patient)
    message = (
        f"Plan on hold: {history.current.message}"
        if history.current.blocked
        else f"Plan version {history.latest.version} generated."
    )
    return redirect(_url(patient, "/plan"), message)


def _dose_from_form(form: Any) -> Dose | None:
    fields: dict[str, Any] = {}
    for name, cast in (("sets", int), ("reps", int), ("hold_s", float), ("days_per_week", int)):
        raw = str(form.get(name) or "").strip()
        if raw:
            try:
                fields[name] = cast(raw)
            except ValueError:
                raise InvalidResponseError(f"dose: {name} {raw!r} is not a number") from None
    if not fields:
        return None
    if "sets" not in fields:
        raise InvalidResponseError("dose: give the number of sets")
    fields["per_side"] = form.get("per_side") == "yes"
    return Dose(**fields)


@router.post("/patients/{patient_id}/plan/add")
async def plan_add(
    request: Request, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Add an exercise (with the clinician's reason)."""
    form = await request.form()
    exercise_id = str(form.get("exercise_id") or "")
    reason = str(form.get("reason") or "")
    dose = _dose_from_form(form)
    allow = form.get("allow_unsuitable") == "yes"
    who = user.email
    plans.edit(
        session,
        Actor.of(user),
        patient,
        lambda h: h.add(exercise_id, author=who, reason=reason, dose=dose, allow_unsuitable=allow),
        what=f"add {exercise_id}",
    )
    return redirect(_url(patient, "/plan"), f"{exercise_id} added.")


@router.post("/patients/{patient_id}/plan/items/{exercise_id}/remove")
async def plan_remove(
    request: Request, exercise_id: str, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Remove an item (with the reason)."""
    form = await request.form()
    reason = str(form.get("reason") or "")
    who = user.email
    plans.edit(
        session,
        Actor.of(user),
        patient,
        lambda h: h.remove(exercise_id, author=who, reason=reason),
        what=f"remove {exercise_id}",
    )
    return redirect(_url(patient, "/plan"), f"{exercise_id} removed.")


@router.post("/patients/{patient_id}/plan/items/{exercise_id}/dose")
async def plan_redose(
    request: Request, exercise_id: str, patient: PatientDep, session: SessionDep, user: StaffUser
) -> Response:
    """Change an item's dose (with the reason)."""
    form = await request.form()
    dose = _dose_from_form(form)
    if dose is None:
        raise InvalidResponseError("dose: give at least the number of sets")
    reason = str(form.get("reason") or "")
    who = user.email
    plans.edit(
        session,
        Actor.of(user),
        patient,
        lambda h: h.redose(exercise_id, dose, author=who, reason=reason),
        what=f"redose {exercise_id}",
    )
    return redirect(_url(patient, "/plan"), f"{exercise_id} re-dosed.")


# --- progress, proposals, exports --------------------------------------------------------------


@router.get("/patients/{patient_id}/progress")
def progress_page(request: Request, patient: PatientDep, session: SessionDep) -> Response:
    """Outcome trends against the MCID, weekly pain, adherence and recent sessions."""
    view = progress.progress_view(session, patient)
    return render(request, "progress.html", {"patient": patient, "view": view, "staff": True})


@router.post("/patients/{patient_id}/proposals/{proposal_id}/{decision}")
async def proposal_decision(
    request: Request,
    proposal_id: str,
    decision: str,
    patient: PatientDep,
    session: SessionDep,
    user: StaffUser,
) -> Response:
    """Approve (apply to the plan) or reject a proposal."""
    if decision not in ("approve", "reject"):
        raise InvalidResponseError(f"proposal: {decision!r} is not approve or reject")
    form = await request.form()
    note = str(form.get("note") or "") or None
    sessions.decide_proposal(
        session, Actor.of(user), patient, proposal_id, approve=decision == "approve", note=note
    )
    verb = "approved and applied" if decision == "approve" else "rejected"
    return redirect(_url(patient), f"Proposal {proposal_id} {verb}.")


@router.get("/patients/{patient_id}/report.pdf")
def report_pdf(patient: PatientDep, session: SessionDep) -> Response:
    """The PDF progress report."""
    data = progress.report_bytes(session, patient, fmt="pdf")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{patient.ref}.pdf"'},
    )


@router.get("/patients/{patient_id}/fhir.json")
def fhir_json(patient: PatientDep, session: SessionDep) -> Response:
    """The FHIR R4 Bundle of the patient, as a download."""
    bundle = fhir.patient_bundle(session, patient)
    return Response(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="fhir-{patient.ref}.json"'},
    )
