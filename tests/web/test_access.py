"""Role and ownership checks on every route, for every role, and the audit of patient data.

The policy of each route is declared below; a route of the app missing from the table fails the
test, so a new route cannot ship without one. "ok" means the request got past the access checks
(no 401/403, and no 404 hiding the walk's own patient, job or media; an empty body may well be a
422, and a made-up proposal id a 404); "mine" accepts a 404 for data the
signed-in user simply does not have. Another patient's record is a 404 even where a clinician-only
route would say 403 to the patient themself: nothing tells that the record exists.
"""

from __future__ import annotations

from typing import Final

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.db import make_engine
from backrehab.db.models import AuditEntry
from tests.web.apps import App

ROLES: Final = ("anonymous", "patient", "other_patient", "clinician", "other_clinician", "admin")

# Expected outcome per role, in the order of ROLES.
PUBLIC = ("ok",) * 6
SIGNED_IN = ("401", "ok", "ok", "ok", "ok", "ok")
STAFF = ("401", "403", "403", "ok", "ok", "ok")
STAFF_OF_P1 = ("401", "403", "404", "ok", "404", "ok")
P1_OR_STAFF = ("401", "ok", "404", "ok", "404", "ok")
PAGE_STAFF = ("login", "403", "403", "ok", "ok", "ok")
PAGE_STAFF_OF_P1 = ("login", "403", "403", "ok", "404", "ok")
PAGE_SELF = ("login", "ok", "mine", "403", "403", "403")
PAGE_P1_OR_STAFF = ("login", "ok", "404", "ok", "404", "ok")

POLICY: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/api/v1/login"): PUBLIC,
    ("POST", "/api/v1/logout"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/patients"): SIGNED_IN,
    ("POST", "/api/v1/patients"): STAFF,
    ("GET", "/api/v1/patients/{patient_id}"): P1_OR_STAFF,
    ("PATCH", "/api/v1/patients/{patient_id}/settings"): STAFF_OF_P1,
    ("GET", "/api/v1/patients/{patient_id}/assessment"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/assessments"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/questionnaires"): P1_OR_STAFF,
    ("POST", "/api/v1/patients/{patient_id}/red-flags"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/endurance"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/media"): P1_OR_STAFF,
    ("GET", "/api/v1/patients/{patient_id}/plan"): P1_OR_STAFF,
    ("POST", "/api/v1/patients/{patient_id}/plan"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/plan/items"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/plan/items/{exercise_id}/remove"): STAFF_OF_P1,
    ("PUT", "/api/v1/patients/{patient_id}/plan/items/{exercise_id}/dose"): STAFF_OF_P1,
    ("GET", "/api/v1/patients/{patient_id}/plan/routine.ics"): P1_OR_STAFF,
    ("GET", "/api/v1/patients/{patient_id}/sessions"): P1_OR_STAFF,
    ("POST", "/api/v1/patients/{patient_id}/sessions"): P1_OR_STAFF,
    ("POST", "/api/v1/patients/{patient_id}/next-morning"): P1_OR_STAFF,
    ("GET", "/api/v1/patients/{patient_id}/proposals"): P1_OR_STAFF,
    ("POST", "/api/v1/patients/{patient_id}/proposals/{proposal_id}/approve"): STAFF_OF_P1,
    ("POST", "/api/v1/patients/{patient_id}/proposals/{proposal_id}/reject"): STAFF_OF_P1,
    ("GET", "/api/v1/patients/{patient_id}/progress"): P1_OR_STAFF,
    ("GET", "/api/v1/patients/{patient_id}/report.pdf"): STAFF_OF_P1,
    ("GET", "/api/v1/patients/{patient_id}/fhir"): STAFF_OF_P1,
    ("GET", "/api/v1/exercises"): SIGNED_IN,
    ("GET", "/api/v1/exercises/{exercise_id}"): SIGNED_IN,
    ("GET", "/api/v1/jobs/{job_id}"): P1_OR_STAFF,
    ("GET", "/api/v1/clinic/export"): ("401", "403", "403", "403", "403", "ok"),
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ("login", "ok", "ok", "ok", "ok", "ok"),
    ("GET", "/clinic"): PAGE_STAFF,
    ("GET", "/clinic/patients/new"): PAGE_STAFF,
    ("POST", "/clinic/patients/new"): PAGE_STAFF,
    ("GET", "/clinic/patients/{patient_id}"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/settings"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/assessment"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/assessments/new"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/questionnaires/{instrument}"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/questionnaires/{instrument}"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/red-flags"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/endurance"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/upload"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/plan"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/plan/generate"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/plan/add"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/plan/items/{exercise_id}/remove"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/plan/items/{exercise_id}/dose"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/progress"): PAGE_STAFF_OF_P1,
    ("POST", "/clinic/patients/{patient_id}/proposals/{proposal_id}/{decision}"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/report.pdf"): PAGE_STAFF_OF_P1,
    ("GET", "/clinic/patients/{patient_id}/fhir.json"): PAGE_STAFF_OF_P1,
    ("GET", "/me"): PAGE_SELF,
    ("GET", "/me/exercises/{exercise_id}"): PAGE_SELF,
    ("GET", "/me/exercises/{exercise_id}/live"): PAGE_SELF,
    ("POST", "/me/exercises/{exercise_id}/log"): PAGE_SELF,
    ("POST", "/me/exercises/{exercise_id}/record"): PAGE_SELF,
    ("POST", "/me/next-morning"): PAGE_SELF,
    ("GET", "/me/questionnaires"): PAGE_SELF,
    ("GET", "/me/questionnaires/{instrument}"): PAGE_SELF,
    ("POST", "/me/questionnaires/{instrument}"): PAGE_SELF,
    ("GET", "/me/progress"): PAGE_SELF,
    ("GET", "/me/routine.ics"): PAGE_SELF,
    ("GET", "/jobs/{job_id}"): PAGE_P1_OR_STAFF,
    ("GET", "/media/{media_id}"): PAGE_P1_OR_STAFF,
}


def _routes(app: App) -> list[tuple[str, str]]:
    from backrehab.web.app import create_app

    out = []
    for context in iter_route_contexts(create_app(app.settings).routes):
        for method in sorted((context.methods or set()) - {"HEAD"}):
            out.append((method, context.path))
    # sign-out routes last: they end the session of the client that calls them
    return sorted(out, key=lambda r: r[1].endswith("/logout"))


def _url(app: App, path: str) -> str:
    w = app.world
    return path.format(
        patient_id=w.p1,
        exercise_id=w.exercise_p1,
        instrument="odi",
        proposal_id="walk@2000-01-01",  # no such proposal: deciding it changes nothing
        decision="reject",
        job_id=w.job_p1,
        media_id=w.media_p1,
    )


ACCESS_404 = ("No patient with id", "No analysis job with id", "No media with id")
"""The messages of a record hidden from the user (a 404 naming the walk's own records)."""


def _check(outcome: str, status: int, location: str, where: str) -> None:
    if outcome == "ok":
        assert status not in (401, 403), where
        assert not (status == 404 and any(m in where for m in ACCESS_404)), where
    elif outcome == "mine":
        assert status not in (401, 403), where
    elif outcome == "login":
        assert status == 303, where
        assert location.startswith("/login"), where
    else:
        assert status == int(outcome), where


def test_every_route_has_a_declared_policy(app: App) -> None:
    """Each route of the app is in the policy table, and the table names no stale route."""
    routes = {r for r in _routes(app) if not r[1].startswith("/static")}
    assert routes == set(POLICY)


def test_every_route_for_every_role(app: App) -> None:
    """Anonymous users are sent to sign in, the wrong role gets 403, another clinic's staff or
    another patient gets 404, and every access to a patient's data is in the audit log."""
    clients = {role: app.client(None if role == "anonymous" else role) for role in ROLES}
    patient_routes: list[tuple[str, str]] = []
    for method, path in _routes(app):
        if path.startswith("/static"):
            continue
        expected = POLICY[(method, path)]
        url = _url(app, path)
        for role, outcome in zip(ROLES, expected, strict=True):
            client = clients[role]
            if method == "GET":
                response = client.get(url)
            elif path.startswith("/api/"):
                response = client.request(method, url, json={})
            else:
                token = client.headers.get("X-CSRF-Token", "")
                response = client.request(method, url, data={"csrf_token": token})
            where = f"{method} {path} as {role}: {response.status_code} {_gist(response.text)}"
            _check(outcome, response.status_code, response.headers.get("location", ""), where)
            if "{patient_id}" in path and outcome == "ok" and role != "anonymous":
                patient_routes.append((method, path))
            if path.startswith("/api/") and response.status_code in (401, 403, 404):
                assert response.json()["error"], where  # every refusal says why
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            audited = {
                str(e.detail.get("route"))
                for e in session.scalars(select(AuditEntry).where(AuditEntry.entity == "patient"))
            }
    finally:
        engine.dispose()
    missing = {f"{m} {p}" for m, p in patient_routes} - audited
    assert not missing, f"patient routes without an audit entry: {sorted(missing)}"


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_other_clinics_patient_is_indistinguishable_from_a_missing_one(app: App, role: str) -> None:
    """Asking for another clinic's patient gives the same 404 as asking for no patient at all."""
    client = app.client(role)
    other = client.get(f"/api/v1/patients/{app.world.q1}")
    missing = client.get("/api/v1/patients/999999")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"].replace(str(app.world.q1), "N") == missing.json()["error"].replace(
        "999999", "N"
    )


def _gist(text: str) -> str:
    """The error message of a page or an API reply, for assertion messages."""
    import re

    found = re.search(r'role="alert">([^<]*)<', text)
    return found.group(1) if found else text[:160]
