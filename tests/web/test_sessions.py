"""Sessions end on the server: signing out (API or page) signs the user out everywhere, so a
replayed cookie, and the user's other devices, get 401 (API), the sign-in page (pages) or 4401
(the coach's socket); tokens of the earlier format without a session epoch are a clean 401. On
SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from backrehab.db import make_engine
from backrehab.db.models import AuditEntry, User
from backrehab.web.security import make_token
from tests.web.apps import SECRET, App, csrf_of

SIGN_IN = {"error": "Please sign in."}
LOCAL = {"host": "localhost", "origin": "http://localhost"}
"""Headers of a request to this machine (the coach's socket needs no HTTPS there)."""
SOCKET = "/ws/coach?exercise=bodyweight_squat"


def _signed(payload_text: str) -> str:
    """A token of ``payload_text`` signed with the test app's key, as the app signs them."""
    payload = base64.urlsafe_b64encode(payload_text.encode("ascii")).rstrip(b"=").decode()
    mac = hmac.new(SECRET.encode(), payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _cookie(app: App, client: TestClient) -> str:
    token = client.cookies.get(app.settings.session_cookie_name)
    assert token
    return token


def _replay(app: App, token: str) -> TestClient:
    """A fresh client (another browser, or an attacker) holding only this session cookie."""
    client = app.client()
    client.cookies.set(app.settings.session_cookie_name, token)
    return client


def _user(app: App, role: str) -> tuple[int, int]:
    """(id, session epoch) of the seeded user of ``role``."""
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.email == app.world.emails[role])).one()
            return user.id, user.session_epoch
    finally:
        engine.dispose()


def _socket(client: TestClient) -> tuple[str, int | None]:
    """("open", None), or ("refused", the close code) of the coach socket."""
    try:
        with client.websocket_connect(SOCKET, headers=LOCAL) as ws:
            if ws.receive_json().get("type") != "error":
                return "open", None
            try:
                ws.receive_json()
            except WebSocketDisconnect as exc:
                return "refused", exc.code
            raise AssertionError("an error frame without a close")
    except WebSocketDisconnect as exc:
        return "refused", exc.code


def _assert_signed_out(client: TestClient, page: str) -> None:
    """The client's session is over: the API says 401 "Please sign in." and ``page`` sends it
    to the sign-in page."""
    me = client.get("/api/v1/me")
    assert me.status_code == 401
    assert me.json() == SIGN_IN
    reply = client.get(page)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/login")


def test_api_logout_ends_a_replayed_cookie(app: App) -> None:
    """After API sign-out the copied session cookie is a 401 on /api/v1/me and sends a page
    request to sign in, though its signature and expiry are still good."""
    client = app.client("clinician")
    token = _cookie(app, client)
    assert _replay(app, token).get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/logout").status_code == 204
    _assert_signed_out(_replay(app, token), "/clinic")


def test_logout_signs_out_every_device(app: App) -> None:
    """Signing out on one device ends the user's session on their other devices too, leaves
    other users signed in, and a new sign-in works again."""
    phone, laptop = app.client("patient"), app.client("patient")
    other = app.client("clinician")
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone.post("/api/v1/logout").status_code == 204
    _assert_signed_out(laptop, "/me")
    assert other.get("/api/v1/me").status_code == 200
    again = app.client("patient")
    assert again.get("/api/v1/me").json()["email"] == app.world.emails["patient"]


def test_page_logout_ends_the_session_everywhere(app: App) -> None:
    """The page's sign-out form ends the session on the server: the copied cookie and another
    device of the same user are sent to sign in and get 401 from the API; the epoch moved by
    one and the sign-out is audited."""
    browser = app.client("clinician", via_form=True)
    tablet = app.client("clinician")
    token = _cookie(app, browser)
    user_id, before = _user(app, "clinician")
    assert browser.get("/clinic").status_code == 200
    out = browser.post("/logout", data={"csrf_token": csrf_of(browser)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    for client in (_replay(app, token), tablet):
        _assert_signed_out(client, "/clinic")
    assert _user(app, "clinician") == (user_id, before + 1)
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "logout", AuditEntry.entity_id == str(user_id)
                )
            ).all()
    finally:
        engine.dispose()
    assert [r.detail.get("route") for r in rows] == ["POST /logout"]


def test_page_logout_without_a_session_changes_nothing(app: App) -> None:
    """Signing out with no (or an ended) session still goes to the sign-in page and ends
    nobody's session."""
    before = _user(app, "clinician")
    visitor = app.client()
    out = visitor.post("/logout", data={"csrf_token": csrf_of(visitor)})
    assert out.status_code == 303
    assert _user(app, "clinician") == before


def test_a_token_of_the_old_format_is_a_401(app: App) -> None:
    """A correctly signed, unexpired token of the earlier ``user id:expiry`` form (no session
    epoch) is refused with 401 "Please sign in." on the API, a redirect on pages and 4401 on the
    coach's socket, never a 5xx; so is a token whose epoch is not a number."""
    user_id, epoch = _user(app, "patient")
    expires = int(time.time()) + 3600
    current = _signed(f"{user_id}:{epoch}:{expires}")
    assert _replay(app, current).get("/api/v1/me").status_code == 200  # signed as the app signs
    assert _socket(_replay(app, current)) != ("refused", 4401)
    olds = [
        _signed(text)
        for text in (f"{user_id}:{expires}", f"{user_id}:x:{expires}", f"{user_id}:{epoch}:1:2")
    ]
    for old in olds:
        client = _replay(app, old)
        _assert_signed_out(client, "/me")
        assert _socket(client) == ("refused", 4401), old


def test_a_token_of_another_epoch_is_a_401(app: App) -> None:
    """A token made for a later epoch than the user's (or an earlier one) is refused: only the
    current epoch signs in."""
    user_id, epoch = _user(app, "patient")
    key = SECRET.encode()
    for other in (epoch - 1, epoch + 1):
        token = make_token(key, user_id, epoch=other, max_age_s=3600)
        assert _replay(app, token).get("/api/v1/me").status_code == 401


def test_logout_ends_the_coach_socket_of_a_replayed_cookie(app: App) -> None:
    """The coach's socket refuses (4401) a cookie whose session was ended by signing out
    elsewhere, and lets the same patient in before."""
    phone = app.client("patient")
    token = _cookie(app, phone)
    before: Any = _socket(_replay(app, token))
    assert before != ("refused", 4401)
    assert phone.post("/api/v1/logout").status_code == 204
    assert _socket(_replay(app, token)) == ("refused", 4401)
