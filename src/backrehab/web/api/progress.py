"""Progress of a patient: trends against the MCID, adherence, the PDF report and exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from backrehab.web.deps import PatientDep, SessionDep, StaffDep
from backrehab.web.schemas import ERROR_RESPONSES
from backrehab.web.services import fhir, progress

router = APIRouter(prefix="/patients/{patient_id}", tags=["progress"], responses=ERROR_RESPONSES)


@router.get("/progress")
def read_progress(patient: PatientDep, session: SessionDep) -> dict[str, Any]:
    """Outcome trends (marked against baseline), weekly pain, adherence, recent sessions."""
    view = progress.progress_view(session, patient)
    return {
        "missing": view.missing,
        "trends": {k: t.model_dump(mode="json") for k, t in view.trends.items()},
        "weekly_pain": [{"week": d.isoformat(), "pain": round(v, 2)} for d, v in view.weekly_pain],
        "adherence": view.adherence.model_dump(mode="json") if view.adherence else None,
        "recent": [{**r, "date": r["date"].isoformat()} for r in view.recent],
    }


@router.get("/report.pdf", response_class=Response)
def report_pdf(patient: PatientDep, session: SessionDep, user: StaffDep) -> Response:
    """The progress report (PDF: trends with MCID bands, adherence, endurance, ROM)."""
    data = progress.report_bytes(session, patient, fmt="pdf")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{patient.ref}.pdf"'},
    )


@router.get("/fhir")
def fhir_bundle(patient: PatientDep, session: SessionDep, user: StaffDep) -> dict[str, Any]:
    """The patient as a FHIR R4 Bundle: Patient, Observations, QuestionnaireResponses,
    CarePlan (validated against the FHIR models before it is sent)."""
    return fhir.patient_bundle(session, patient)
