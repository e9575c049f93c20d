"""Pages both roles use: the status box of a background analysis (polled by HTMX) and stored
photos such as analysis overlays (only for someone who may see the patient)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backrehab.db.media import read_media
from backrehab.db.models import AnalysisJob, Media
from backrehab.db.repository import NotFoundError
from backrehab.web.deps import RecordId, SessionDep, StoreDep, UserDep, visible_record
from backrehab.web.pages.render import render

router = APIRouter()


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: RecordId, session: SessionDep, user: UserDep) -> Response:
    """The status box of one analysis (it polls itself until the job has finished)."""
    job, patient = visible_record(session, user, AnalysisJob, job_id, "analysis job")
    return render(request, "partials/job.html", {"job": job, "patient": patient})


@router.get("/media/{media_id}")
def media_file(media_id: RecordId, session: SessionDep, store: StoreDep, user: UserDep) -> Response:
    """A stored photo (uploads and overlays), with its checked content type."""
    media, _ = visible_record(session, user, Media, media_id, "media")
    if media.content_type not in ("image/png", "image/*"):
        raise NotFoundError("Only photos can be shown here.")
    data = read_media(store, media)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    if data[:4] == b"RIFF":
        kind = "image/webp"
    return Response(data, media_type=kind, headers={"Cache-Control": "private, no-store"})
