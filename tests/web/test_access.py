"""Role and ownership checks on every route, for every role, and the audit of patient data.

The policy of each route is declared below; a route of the app missing from the table fails the
test, so a new route cannot ship without one. WebSocket routes are walked too. "ok" means the
request got past the access checks and did what valid input does: a 2xx or 3xx, or, where the walk
sends no valid body, exactly the status declared in :data:`INVALID_WALK_INPUT` (a 422, or a 404
for a made-up proposal id); never a 5xx. "mine" accepts a 404 (or 422) for data the signed-in user
simply does not have. Another patient's record is a 404 even where a clinician-only route would
say 403 to the patient themself: nothing tells that the record exists.

Every route except the few of :data:`NO_PATIENT_DATA` reads or writes patient data, and each
request it lets in must leave an audit entry naming the route and the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pytest
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.routing import Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from backrehab.db import make_engine
from backrehab.db.models import AuditEntry, Patient
from backrehab.web.assets import assets_status
from backrehab.web.services import plans
from backrehab.web.services.actor import Actor
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
SOCKET_P1 = ("refused", "ok", "refused", "refused", "refused", "refused")
"""A socket only patient P1 may open, on a set of their own programme."""

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
    ("WS", "/ws/coach"): SOCKET_P1,
}

NO_PATIENT_DATA: Final = frozenset(
    {
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/docs/oauth2-redirect"),
        ("GET", "/redoc"),
        ("GET", "/healthz"),
        ("POST", "/api/v1/login"),
        ("POST", "/api/v1/logout"),
        ("GET", "/api/v1/me"),  # the signed-in user's own account
        ("GET", "/api/v1/exercises"),
        ("GET", "/api/v1/exercises/{exercise_id}"),
        ("GET", "/"),  # a redirect to the role's home page
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("GET", "/clinic/patients/new"),  # the empty form
    }
)
"""The routes that read and write no patient's data. Every other route is audited: a new route
is checked for an audit entry until it is listed here."""

INVALID_WALK_INPUT: Final[dict[tuple[str, str], int]] = {
    ("POST", "/api/v1/login"): 422,
    ("POST", "/api/v1/patients/{patient_id}/questionnaires"): 422,
    ("POST", "/api/v1/patients/{patient_id}/red-flags"): 422,
    ("POST", "/api/v1/patients/{patient_id}/endurance"): 422,
    ("POST", "/api/v1/patients/{patient_id}/media"): 422,
    # the assessment the walk started just before is still empty
    ("POST", "/api/v1/patients/{patient_id}/plan"): 422,
    ("POST", "/api/v1/patients/{patient_id}/plan/items"): 422,
    ("POST", "/api/v1/patients/{patient_id}/plan/items/{exercise_id}/remove"): 422,
    ("PUT", "/api/v1/patients/{patient_id}/plan/items/{exercise_id}/dose"): 422,
    ("POST", "/api/v1/patients/{patient_id}/sessions"): 422,
    ("POST", "/api/v1/patients/{patient_id}/next-morning"): 422,
    ("POST", "/api/v1/patients/{patient_id}/proposals/{proposal_id}/approve"): 404,
    ("POST", "/api/v1/patients/{patient_id}/proposals/{proposal_id}/reject"): 404,
    ("POST", "/login"): 422,
    ("POST", "/clinic/patients/{patient_id}/questionnaires/{instrument}"): 422,
    ("POST", "/clinic/patients/{patient_id}/red-flags"): 422,
    ("POST", "/clinic/patients/{patient_id}/endurance"): 422,
    ("POST", "/clinic/patients/{patient_id}/upload"): 422,
    ("POST", "/clinic/patients/{patient_id}/plan/generate"): 422,  # as the API's, above
    ("POST", "/clinic/patients/{patient_id}/plan/add"): 422,
    ("POST", "/clinic/patients/{patient_id}/plan/items/{exercise_id}/remove"): 422,
    ("POST", "/clinic/patients/{patient_id}/plan/items/{exercise_id}/dose"): 422,
    ("POST", "/clinic/patients/{patient_id}/proposals/{proposal_id}/{decision}"): 404,
    ("POST", "/me/exercises/{exercise_id}/log"): 422,
    ("POST", "/me/exercises/{exercise_id}/record"): 422,
    ("POST", "/me/next-morning"): 422,
    ("POST", "/me/questionnaires/{instrument}"): 422,
}
"""Routes the walk calls without a valid body (an empty form or JSON object, a made-up proposal
id), and the status the roles it lets in must get. Every other route is called with valid input
(no body needed, or one of :data:`VALID_BODIES`) and must answer 2xx or 3xx."""


def _slug(role: str) -> str:
    return role.replace("_", "-")


VALID_BODIES: Final[dict[tuple[str, str], Callable[[str], dict[str, Any]]]] = {
    ("POST", "/api/v1/patients"): lambda role: {"ref": f"walk-api-{_slug(role)}"},
    ("POST", "/clinic/patients/new"): lambda role: {"ref": f"walk-page-{_slug(role)}"},
}
"""Bodies that make the walk's request valid, by role (writes without a patient in the URL)."""

LIVE_EXERCISE: Final = "bodyweight_squat"
"""The exercise the walk adds to P1's plan for the live coach (the seeded plan has none the coach
follows)."""
LOCAL: Final = {"host": "localhost", "origin": "http://localhost"}
"""Headers of a request to this machine, where the camera pages need no HTTPS."""


def _routes(app: App) -> list[tuple[str, str]]:
    """(method, path) of every route; ``WS`` for a WebSocket route, ``?`` for anything else (it
    then fails the policy check) but the static files."""
    from backrehab.web.app import create_app

    out = []
    for context in iter_route_contexts(create_app(app.settings).routes):
        route, path = context.original_route, context.path or ""
        if context.methods:
            out.extend((m, path) for m in sorted(context.methods - {"HEAD"}))
        elif isinstance(route, APIWebSocketRoute | WebSocketRoute):
            out.append(("WS", path))
        elif not (isinstance(route, Mount) and path == "/static"):
            out.append(("?", path))
    # sign-out routes last: they end the session of the client that calls them
    return sorted(out, key=lambda r: r[1].endswith("/logout"))


def _url(app: App, path: str) -> str:
    w = app.world
    live = path.endswith("/live")
    return path.format(
        patient_id=w.p1,
        exercise_id=LIVE_EXERCISE if live else w.exercise_p1,
        instrument="odi",
        proposal_id="walk@2000-01-01",  # no such proposal: deciding it changes nothing
        decision="reject",
        job_id=w.job_p1,
        media_id=w.media_p1,
    )


ACCESS_404 = ("No patient with id", "No analysis job with id", "No media with id")
"""The messages of a record hidden from the user (a 404 naming the walk's own records)."""


def _ok_status(method: str, path: str) -> int | None:
    """The one status an allowed request must get, or None for any 2xx or 3xx."""
    if (method, path) == ("GET", "/me/exercises/{exercise_id}/live"):
        return 200 if assets_status().ok else 503  # 503 names the missing browser assets
    return INVALID_WALK_INPUT.get((method, path))


def _check(outcome: str, status: int, location: str, where: str, wanted: int | None) -> None:
    if outcome in ("ok", "mine"):
        assert status not in (401, 403), where
        assert status < 500 or status == wanted, where
        assert not (status == 404 and any(m in where for m in ACCESS_404)), where
    if outcome == "ok":
        if wanted is None:
            assert 200 <= status < 400, where
        else:
            assert status == wanted, where
    elif outcome == "login":
        assert status == 303, where
        assert location.startswith("/login"), where
    elif outcome != "mine":
        assert status == int(outcome), where


def _add_live_exercise(app: App) -> None:
    """Put :data:`LIVE_EXERCISE` in P1's plan (as a clinician does), for the live coach."""
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            patient = session.get_one(Patient, app.world.p1)
            staff = Actor(email=app.world.emails["clinician"], role="clinician")

            def add(history: Any) -> Any:
                return history.add(LIVE_EXERCISE, author=staff.email, reason="walk: live coach")

            plans.edit(session, staff, patient, add, what=f"add {LIVE_EXERCISE}")
            session.commit()
    finally:
        engine.dispose()


def _audit_rows(app: App) -> list[AuditEntry]:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def test_every_route_has_a_declared_policy(app: App) -> None:
    """Each route of the app (WebSocket ones too) is in the policy table, and the tables name no
    stale route."""
    routes = set(_routes(app))
    assert ("WS", "/ws/coach") in routes
    assert routes == set(POLICY)
    assert set(NO_PATIENT_DATA) <= routes
    assert set(INVALID_WALK_INPUT) | set(VALID_BODIES) <= routes


def test_every_route_for_every_role(app: App) -> None:
    """Anonymous users are sent to sign in, the wrong role gets 403, another clinic's staff or
    another patient gets 404, the roles let in get what valid input gets, and every request that
    reaches a patient's data (lists, dashboard, exports, jobs, media included) is in the audit
    log, naming the route and the user."""
    _add_live_exercise(app)
    clients = {role: app.client(None if role == "anonymous" else role) for role in ROLES}
    reached: set[tuple[str, str]] = set()
    for method, path in _routes(app):
        if method == "WS":
            continue
        expected = POLICY[(method, path)]
        url = _url(app, path)
        body = VALID_BODIES.get((method, path))
        headers = LOCAL if path.endswith("/live") else None
        for role, outcome in zip(ROLES, expected, strict=True):
            client = clients[role]
            if method == "GET":
                response = client.get(url, headers=headers)
            elif path.startswith("/api/"):
                response = client.request(method, url, json=body(role) if body else {})
            else:
                token = client.headers.get("X-CSRF-Token", "")
                form = {"csrf_token": token, **(body(role) if body else {})}
                response = client.request(method, url, data=form)
            where = f"{method} {path} as {role}: {response.status_code} {_gist(response.text)}"
            wanted = _ok_status(method, path)
            _check(
                outcome, response.status_code, response.headers.get("location", ""), where, wanted
            )
            let_in = outcome in ("ok", "mine") and role != "anonymous"
            if let_in and (method, path) not in NO_PATIENT_DATA:
                reached.add((app.world.emails[role], f"{method} {path}"))
            if path.startswith("/api/") and response.status_code in (401, 403, 404):
                assert response.json()["error"], where  # every refusal says why
    audited = {(e.actor, str(e.detail.get("route"))) for e in _audit_rows(app)}
    missing = sorted(f"{route} as {who}" for who, route in reached - audited)
    assert not missing, f"patient data reached without an audit entry: {missing}"


def _socket(client: TestClient, url: str) -> tuple[str, Any]:
    """("open", the hello frame) or ("refused", the close code). A refusal may come before the
    socket is accepted, or after it: an error frame, then the close."""
    try:
        with client.websocket_connect(url, headers=dict(LOCAL)) as ws:
            first = ws.receive_json()
            if first.get("type") != "error":
                return "open", first
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return "refused", closed.value.code
    except WebSocketDisconnect as exc:
        return "refused", exc.code


def _live_starts(app: App) -> int:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            return (
                session.scalar(
                    select(func.count()).where(
                        AuditEntry.action == "live_start",
                        AuditEntry.entity == "patient",
                        AuditEntry.entity_id == str(app.world.p1),
                        AuditEntry.actor == app.world.emails["patient"],
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def test_every_websocket_route_for_every_role(app: App) -> None:
    """A WebSocket route refuses (a 44xx close code) anonymous users, staff and other patients,
    both for a new set of P1's programme and for P1's set in progress; P1 opens both, and the
    new set is in the audit log."""
    _add_live_exercise(app)
    clients = {role: app.client(None if role == "anonymous" else role) for role in ROLES}
    start = f"/ws/coach?exercise={LIVE_EXERCISE}"
    state, hello = _socket(clients["patient"], start)
    assert state == "open", hello
    urls = {"new set": start, "set in progress": f"{start}&live={hello['live_id']}"}
    sockets = [r for r in _routes(app) if r[0] == "WS"]
    assert sockets == [("WS", "/ws/coach")], "walk each new socket route here"
    for role, outcome in zip(ROLES, POLICY[("WS", "/ws/coach")], strict=True):
        for what, url in urls.items():
            before = _live_starts(app)
            state, detail = _socket(clients[role], url)
            where = f"/ws/coach ({what}) as {role}: {state} {detail}"
            if outcome == "ok":
                assert state == "open", where
                assert detail["type"] == "hello", where
                if what == "new set":
                    assert _live_starts(app) == before + 1, f"{where}: not audited"
            else:
                assert state == "refused", where
                assert 4400 <= detail < 4500, where


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
