"""Server-rendered pages (Jinja2 + HTMX): sign-in, the clinician's pages, the patient's pages."""

from __future__ import annotations

from fastapi import APIRouter

from backrehab.web.pages.auth_pages import router as auth_router
from backrehab.web.pages.clinic import router as clinic_router
from backrehab.web.pages.patient import router as patient_router
from backrehab.web.pages.shared import router as shared_router

router = APIRouter(include_in_schema=False)
for _sub in (auth_router, clinic_router, patient_router, shared_router):
    router.include_router(_sub)
