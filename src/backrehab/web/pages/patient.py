"""The patient's pages: today's routine, one exercise (cues, dose, log it by hand or record it
with the webcam), the next-morning check, questionnaires when due, own progress, the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from backrehab.assess.questionnaires import INSTRUMENTS
from backrehab.coach.specs import all_specs
from backrehab.db.models import AnalysisJob, Patient, User
from backrehab.db.repository import NotFoundError
from backrehab.errors import BackrehabError, InvalidResponseError
from backrehab.exercises import load_library
from backrehab.plan.ics import plan_to_ics
from backrehab.plan.schedule import WEEKDAYS
from backrehab.web.deps import (
    CsrfDep,
    OwnPatientDep,
    RunnerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    require_role,
)
from backrehab.web.pages import questionnaire
from backrehab.web.pages.render import redirect, render
from backrehab.web.services import jobs, plans, progress, sessions
from backrehab.web.services.actor import Actor
from backrehab.web.uploads import read_upload

PatientUser = Annotated[User, Depends(require_role("patient"))]

router = APIRouter(prefix="/me", dependencies=[CsrfDep, Depends(require_role("patient"))])

PATIENT_QUESTIONNAIRES = ("odi", "nprs", "rmdq", "psfs", "fabq", "startback")


def _int(form: Any, name: str, *, required: bool = True) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidResponseError(f"{name.replace('_', ' ')}: please give a number")
        return None
    if not raw.lstrip("-").isdigit():
        raise InvalidResponseError(f"{name.replace('_', ' ')}: {raw!r} is not a whole number")
    return int(raw)


FORM_REPORTS = {"all": 1.0, "most": 0.8, "half": 0.5, "few": 0.2}
"""The patient's own report of their form -> share of repetitions done well."""


def _form_rate(form: Any) -> float | None:
    value = str(form.get("form_report") or "")
    if value and value not in FORM_REPORTS:
        raise InvalidResponseError(f"form: {value!r} is not one of {', '.join(FORM_REPORTS)}")
    return FORM_REPORTS.get(value)


def _today_items(plan: Any, day: dt.date) -> list[Any]:
    weekday = WEEKDAYS[day.weekday()]
    return [i for i in plan.items if i.setting == "home" and weekday in i.schedule.days]


def _logged_today(session: Any, patient: Patient, day: dt.date) -> dict[str, Any]:
    return {log.exercise_id: log for log in sessions.logs(session, patient, since=day)}


@router.get("")
def home(request: Request, patient: OwnPatientDep, session: SessionDep) -> Response:
    """Today's routine, the next-morning question and a due questionnaire."""
    today = dt.date.today()
    plan = plans.current_plan(session, patient)
    due = patient.questionnaire_due_on is not None and patient.questionnaire_due_on <= today
    context = {
        "patient": patient,
        "plan": plan,
        "items": _today_items(plan, today) if plan and not plan.blocked else [],
        "programme": [i for i in plan.items if i.setting == "home"] if plan else [],
        "logged": _logged_today(session, patient, today),
        "morning_day": sessions.pending_next_morning(session, patient, today),
        "questionnaire_due": due,
        "camera": set(all_specs()),
    }
    return render(request, "patient/home.html", context)


def _exercise_context(session: Any, patient: Patient, exercise_id: str) -> dict[str, Any]:
    plan = plans.current_plan(session, patient)
    item = plan.item(exercise_id) if plan and not plan.blocked else None
    if item is None or item.setting != "home":
        raise NotFoundError(f"{exercise_id!r} is not in your home programme.")
    return {
        "patient": patient,
        "item": item,
        "exercise": load_library().get(exercise_id),
        "camera": exercise_id in all_specs(),
        "today": dt.date.today(),
    }


@router.get("/exercises/{exercise_id}")
def exercise_page(
    request: Request,
    exercise_id: str,
    patient: OwnPatientDep,
    session: SessionDep,
    job: int | None = None,
) -> Response:
    """One exercise: how to do it, the dose, and the log form (prefilled from a camera set)."""
    context = _exercise_context(session, patient, exercise_id)
    if job is not None:
        found = session.get(AnalysisJob, job)
        if found is None or found.patient_id != patient.id or found.kind != "coach":
            raise InvalidResponseError(f"camera set {job} is not one of yours")
        context["job"] = found
    return render(request, "patient/exercise.html", context)


@router.post("/exercises/{exercise_id}/log")
async def log_submit(
    request: Request,
    exercise_id: str,
    patient: OwnPatientDep,
    session: SessionDep,
    user: PatientUser,
) -> Response:
    """Save a set (typed, or the camera count of ``coach_job_id``) with pain and effort."""
    form = dict((await request.form()).items())
    try:
        job_id = _int(form, "coach_job_id", required=False)
        _, zone, _proposals = sessions.log_session(
            session,
            Actor.of(user),
            patient,
            exercise_id=exercise_id,
            day=dt.date.today(),
            pain_before=_int(form, "pain_before") or 0,
            pain_during_max=_int(form, "pain_during_max") or 0,
            pain_after=_int(form, "pain_after") or 0,
            done_sets=_int(form, "done_sets", required=job_id is None),
            done_reps=_int(form, "done_reps", required=job_id is None),
            done_hold_s=float(str(form["done_hold_s"])) if form.get("done_hold_s") else None,
            rpe=_int(form, "rpe", required=False),
            symptom_change=str(form.get("symptom_change") or "unchanged"),
            new_neuro_symptoms=form.get("new_neuro_symptoms") == "yes",
            notes=str(form.get("notes") or ""),
            form_pass_rate=_form_rate(form) if job_id is None else None,
            coach_job_id=job_id,
        )
    except (BackrehabError, ValueError) as exc:
        session.rollback()
        context = _exercise_context(session, patient, exercise_id)
        message = exc.user_message if isinstance(exc, BackrehabError) else f"log: {exc}"
        context.update(error=message, values=form)
        return render(request, "patient/exercise.html", context, 422)
    advice = {
        "green": "Well done: this went well.",
        "amber": "Noted: keep the same dose next time.",
        "red": "Noted: that was too much today. Your clinician will be told; rest and ease off.",
    }.get(zone, "Saved.")
    return redirect("/me", f"Saved. {advice}")


@router.post("/exercises/{exercise_id}/record")
async def record_submit(
    request: Request,
    exercise_id: str,
    patient: OwnPatientDep,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
    user: PatientUser,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Upload a recorded set; the server counts the repetitions and checks the form."""
    _exercise_context(session, patient, exercise_id)
    data = await read_upload(file, settings.upload_limits)
    job = jobs.enqueue_upload(
        session,
        Actor.of(user),
        store,
        patient=patient,
        kind="coach",
        params={"exercise_id": exercise_id},
        data=data,
        filename=file.filename or "recording.webm",
        limits=settings.upload_limits,
    )
    session.commit()
    runner.submit(job.id)
    if request.headers.get("hx-request"):
        return Response(
            status_code=204, headers={"HX-Redirect": f"/me/exercises/{exercise_id}?job={job.id}"}
        )
    return redirect(f"/me/exercises/{exercise_id}?job={job.id}", "Counting your set…")


@router.post("/next-morning")
async def next_morning_submit(
    request: Request, patient: OwnPatientDep, session: SessionDep, user: PatientUser
) -> Response:
    """The next-morning pain after yesterday's session, and the usual morning pain."""
    form = await request.form()
    raw_day = str(form.get("day") or "")
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        raise InvalidResponseError(f"next morning: {raw_day!r} is not a date") from None
    sessions.report_next_morning(
        session,
        Actor.of(user),
        patient,
        day=day,
        next_morning_pain=_int(form, "next_morning_pain") or 0,
        usual_pain=_int(form, "usual_pain") or 0,
    )
    return redirect("/me", "Thank you: your morning report is saved.")


@router.get("/questionnaires")
def questionnaires_page(request: Request, patient: OwnPatientDep) -> Response:
    """The questionnaires a patient can fill in."""
    return render(
        request,
        "patient/questionnaires.html",
        {
            "patient": patient,
            "instruments": [i for i in PATIENT_QUESTIONNAIRES if i in INSTRUMENTS],
        },
    )


@router.get("/questionnaires/{instrument}")
def questionnaire_page(request: Request, instrument: str, patient: OwnPatientDep) -> Response:
    """One questionnaire."""
    questionnaire.check_instrument(instrument, PATIENT_QUESTIONNAIRES)
    url = f"/me/questionnaires/{instrument}"
    return questionnaire.form_page(request, patient, instrument, action=url, back="/me")


@router.post("/questionnaires/{instrument}")
async def questionnaire_submit(
    request: Request,
    instrument: str,
    patient: OwnPatientDep,
    session: SessionDep,
    user: PatientUser,
) -> Response:
    """Score and save; back to the form naming the item if an answer is missing or bad."""
    questionnaire.check_instrument(instrument, PATIENT_QUESTIONNAIRES)
    return await questionnaire.submit(
        request, session, Actor.of(user), patient, instrument,
        action=f"/me/questionnaires/{instrument}", back="/me", done="/me",
    )  # fmt: skip


@router.get("/progress")
def progress_page(request: Request, patient: OwnPatientDep, session: SessionDep) -> Response:
    """The patient's own trends and adherence."""
    view = progress.progress_view(session, patient)
    return render(request, "progress.html", {"patient": patient, "view": view, "staff": False})


@router.get("/routine.ics")
def routine_ics(patient: OwnPatientDep, session: SessionDep) -> Response:
    """The weekly routine for the patient's own calendar."""
    plan = plans.current_plan(session, patient)
    if plan is None or plan.blocked:
        raise InvalidResponseError("There is no routine to put in a calendar yet.")
    return Response(
        plan_to_ics(plan, start=dt.date.today()),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="back-routine.ics"'},
    )


__all__ = ["router", "select"]
