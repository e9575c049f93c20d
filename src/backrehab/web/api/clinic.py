"""The whole clinic as one JSON document (admins only); importing is a server task
(``backrehab clinic import``), because it creates clinics and logins."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import Response

from backrehab.errors import InvalidResponseError
from backrehab.web.deps import AdminDep, SessionDep, StoreDep
from backrehab.web.schemas import ERROR_RESPONSES
from backrehab.web.services import clinic_io
from backrehab.web.services.actor import Actor, audit

router = APIRouter(prefix="/clinic", tags=["clinic"], responses=ERROR_RESPONSES)


@router.get("/export", response_class=Response)
def export(session: SessionDep, store: StoreDep, user: AdminDep) -> Response:
    """Every record of the admin's clinic (users with password hashes, patients, assessments,
    plans, logs, proposals, outcomes, media bytes, audit rows): a restorable backup."""
    if user.clinic_id is None:
        raise InvalidResponseError("export: your account belongs to no clinic")
    document = clinic_io.export_clinic(session, user.clinic_id, store)
    audit(session, Actor.of(user), "export", "clinic", user.clinic_id)
    return Response(
        json.dumps(document, ensure_ascii=False, sort_keys=True),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="clinic-export.json"'},
    )
