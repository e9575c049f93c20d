"""The live-coach WebSocket (``/ws/coach``) and its page (``/me/exercises/{id}/live``).

The browser sends one landmark frame per processed camera frame (``backrehab.coach.wire``); the
server steps the same coach engine as ``backrehab reps`` (``backrehab.coach.stream.LiveCoach``)
and answers every frame with the state (count, hold, cue). Only a signed-in patient may connect,
to a set of their own plan; the Origin must be this site; a reconnect with the set's id picks the
set up where it was. Limits: 16 KB a message, 60 frames/s (a burst of 90); a malformed message
gets an error frame, a flood closes the socket (1008).

A refused socket is accepted first, then gets an error frame and is closed with a 44xx code
(:data:`CLOSE_UNAUTHORISED` and the others): closing before accepting would reach the browser as
an HTTP 403 and a bare 1006, without the reason. The page's script stops retrying on these codes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backrehab.coach.specs import spec_for
from backrehab.coach.wire import MAX_MESSAGE_BYTES, WireFinish, WireFormatError, decode_message
from backrehab.db.models import Patient
from backrehab.db.repository import NotFoundError
from backrehab.db.session import session_scope
from backrehab.errors import BackrehabError
from backrehab.web.assets import assets_status
from backrehab.web.deps import CsrfDep, OwnPatientDep, SessionDep, require_role, user_for_token
from backrehab.web.pages.render import render, render_error
from backrehab.web.security import AuthenticationError, PermissionDeniedError
from backrehab.web.services import live as live_sets
from backrehab.web.services import plans
from backrehab.web.services.actor import Actor, audit

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

FRAMES_PER_S: Final = 60.0
BURST: Final = 90.0
MAX_REFUSED: Final = 200
LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

CLOSE_UNAUTHORISED: Final = 4401
"""Not signed in (or the session has ended)."""
CLOSE_FORBIDDEN: Final = 4403
"""Another site's page, a user who is not a patient, or another patient's set."""
CLOSE_NOT_FOUND: Final = 4404
"""The exercise is not in the patient's home programme, or the coach cannot follow it."""
CLOSE_GONE: Final = 4410
"""The set to resume is no longer on the server (restarted, idle too long, or replaced)."""
CLOSE_INSECURE: Final = 4426
"""Plain ``ws://`` to a host other than this machine where HTTPS is required."""
CLOSE_POLICY: Final = 1008
"""Too many frames."""
CLOSE_BUSY: Final = 1013
"""The server holds too many live sets: try again later."""
MAX_REASON_BYTES: Final = 123
"""A WebSocket close reason is at most 123 bytes of UTF-8."""


INSECURE_PAGE_MESSAGE: Final = (
    "The live coach needs a secure connection: open this page with https:// (browsers only "
    "give the camera to secure pages, and the body points you send must be encrypted). Ask your "
    "clinic to enable HTTPS; on the server's own machine http://localhost works too."
)
INSECURE_SOCKET_MESSAGE: Final = "Use a secure connection (https:// and wss://)."
RESUME_FAILED_MESSAGE: Final = (
    "The set in progress could not be resumed (the server was restarted or the set ended). "
    "Start a new set."
)


def _host(value: str) -> str:
    return urlsplit(f"//{value}").hostname or ""


def insecure(scheme: str, host_header: str, https_required: bool) -> bool:
    """Whether a camera page or socket must be refused: plain HTTP to a host other than this
    machine, where HTTPS is required (browsers give the camera to secure pages only)."""
    return https_required and scheme in ("http", "ws") and _host(host_header) not in LOCAL_HOSTS


@router.get(
    "/me/exercises/{exercise_id}/live", dependencies=[CsrfDep, Depends(require_role("patient"))]
)
def live_page(
    request: Request, exercise_id: str, patient: OwnPatientDep, session: SessionDep
) -> Response:
    """The live coach page: camera set-up check, skeleton, count, hold timer, cue, summary."""
    settings = request.app.state.settings
    if insecure(request.url.scheme, request.headers.get("host", ""), settings.https_required):
        return render_error(request, INSECURE_PAGE_MESSAGE, 400)
    status = assets_status()
    if not status.ok:
        return render_error(
            request,
            f"The live coach is not installed on this server: {status.message}",
            503,
        )
    live_sets.check_exercise(session, patient, exercise_id)
    plan = plans.current_plan(session, patient)
    assert plan is not None
    item = plan.item(exercise_id)
    spec = spec_for(exercise_id)
    from backrehab.exercises import load_library

    view = load_library().get(exercise_id).camera_check.view
    side_view = bool(view and "side" in str(view)) or bool(getattr(spec, "needs_side_view", False))
    return render(request, "patient/live.html", {"item": item, "side_view": side_view})


@dataclass
class _Rate:
    """A token bucket: ``rate`` per second, up to ``burst``."""

    rate: float
    burst: float
    tokens: float = 0.0
    last: float = 0.0

    def allow(self) -> bool:
        now = time.monotonic()
        if not self.last:
            self.tokens, self.last = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def _who(app: Any, cookies: dict[str, str]) -> tuple[int, str, int] | int:
    """(user id, e-mail, patient id) of a signed-in patient's cookie, else the close code:
    :data:`CLOSE_UNAUTHORISED` without a valid session, :data:`CLOSE_FORBIDDEN` for a user who
    is not a patient with a record."""
    settings = app.state.settings
    token = cookies.get(settings.session_cookie_name)
    if not token:
        return CLOSE_UNAUTHORISED
    with session_scope(app.state.engine) as session:
        try:  # signature, expiry, an active user and the session's epoch (not signed out)
            user = user_for_token(session, app.state.secret_key, token)
        except AuthenticationError:
            return CLOSE_UNAUTHORISED
        if user.role != "patient":
            return CLOSE_FORBIDDEN
        patient = session.query(Patient).filter(Patient.user_id == user.id).first()
        if patient is None:
            return CLOSE_FORBIDDEN
        return user.id, user.email, patient.id


def _check(app: Any, patient_id: int, email: str, exercise_id: str) -> None:
    with session_scope(app.state.engine) as session:
        patient = session.get_one(Patient, patient_id)
        live_sets.check_exercise(session, patient, exercise_id)


def _finish(app: Any, patient_id: int, email: str, live: live_sets.LiveSet) -> dict[str, Any]:
    report = live.coach.finish().to_json_dict()
    if live.job_id is not None:  # finished already (a second socket of the same set)
        return report
    with session_scope(app.state.engine) as session:
        patient = session.get_one(Patient, patient_id)
        actor = Actor(email=email, role="patient")
        job = live_sets.store_finished(session, actor, patient, live, report)
        live.job_id = job.id
    return report


async def _error(websocket: WebSocket, message: str) -> None:
    await websocket.send_json({"type": "error", "error": message})


def close_reason(message: str) -> str:
    """``message`` cut to fit a WebSocket close reason (123 bytes of UTF-8, whole characters)."""
    data = message.encode("utf-8")
    if len(data) <= MAX_REASON_BYTES:
        return message
    return data[: MAX_REASON_BYTES - 3].decode("utf-8", errors="ignore").rstrip() + "..."


async def _refuse(websocket: WebSocket, code: int, message: str) -> None:
    """Accept, send the error frame (with the close code) and close with ``code``: a browser
    then sees the code and the reason (a close before accepting reaches it as a bare 1006)."""
    await websocket.accept()
    await _refuse_open(websocket, code, message)


async def _refuse_open(websocket: WebSocket, code: int, message: str) -> None:
    """The error frame (with the close code), then the close, on an open socket."""
    await websocket.send_json({"type": "error", "error": message, "close_code": code})
    await websocket.close(code=code, reason=close_reason(message))


_REFUSALS: Final = {
    CLOSE_UNAUTHORISED: "Please sign in as a patient to use the live coach.",
    CLOSE_FORBIDDEN: "Only a patient can use the live coach, for their own programme.",
}


@router.websocket("/ws/coach")
async def coach_socket(websocket: WebSocket, exercise: str = "", live: str = "") -> None:
    """Landmark frames in, coach states out (see the module docstring)."""
    app = websocket.app
    settings = app.state.settings
    host = websocket.headers.get("host", "")
    origin = websocket.headers.get("origin")
    if origin is None or urlsplit(origin).netloc != host:
        await _refuse(websocket, CLOSE_FORBIDDEN, "Cross-site connection refused.")
        return
    if insecure(websocket.url.scheme, host, settings.https_required):
        await _refuse(websocket, CLOSE_INSECURE, INSECURE_SOCKET_MESSAGE)
        return
    who = await run_in_threadpool(_who, app, dict(websocket.cookies))
    if isinstance(who, int):
        await _refuse(websocket, who, _REFUSALS[who])
        return
    _, email, patient_id = who
    registry: live_sets.LiveRegistry = app.state.live
    try:
        await run_in_threadpool(_check, app, patient_id, email, exercise)
    except PermissionDeniedError as exc:
        await _refuse(websocket, CLOSE_FORBIDDEN, exc.user_message)
        return
    except BackrehabError as exc:  # NotFoundError, or ConfigError: the coach cannot follow it
        await _refuse(websocket, CLOSE_NOT_FOUND, exc.user_message)
        return
    if live:
        try:
            current = registry.attach(live, patient_id, exercise)
        except PermissionDeniedError as exc:
            await _refuse(websocket, CLOSE_FORBIDDEN, exc.user_message)
            return
        except NotFoundError:
            await _refuse(websocket, CLOSE_GONE, RESUME_FAILED_MESSAGE)
            return
    else:
        try:
            current = registry.start(patient_id, exercise)
        except BackrehabError as exc:  # the server holds too many sets
            await _refuse(websocket, CLOSE_BUSY, exc.user_message)
            return
    await websocket.accept()
    await run_in_threadpool(_audit_start, app, email, patient_id, current, resumed=bool(live))
    state = current.coach.state
    await websocket.send_json(
        {"type": "hello", "live_id": current.live_id, "exercise": exercise,
         "state": state.to_json_dict() if state is not None else None}
    )  # fmt: skip
    rate = _Rate(FRAMES_PER_S, BURST)
    refused = 0
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            current.last_seen = time.monotonic()
            raw = message.get("text") if message.get("text") is not None else message.get("bytes")
            if raw is None:
                continue
            if not rate.allow():
                refused += 1
                if refused > MAX_REFUSED:
                    await _refuse_open(websocket, CLOSE_POLICY, "Too many frames.")
                    return
                await _error(websocket, "Too many frames: slow down (at most 60 a second).")
                continue
            tic, cpu = time.perf_counter(), time.thread_time()
            try:
                parsed = decode_message(raw, max_bytes=MAX_MESSAGE_BYTES)
                if isinstance(parsed, WireFinish):
                    report = await run_in_threadpool(_finish, app, patient_id, email, current)
                    await websocket.send_json(
                        {"type": "summary", "live_id": current.live_id, "job_id": current.job_id,
                         **{k: report[k] for k in ("reps", "partial_reps", "total_hold_s",
                                                    "form_score", "reps_left", "reps_right")}}
                    )  # fmt: skip
                    registry.drop(current.live_id)
                    await websocket.close(code=1000)
                    return
                with current.lock:
                    state = current.coach.step_wire(parsed)
            except WireFormatError as exc:
                await _error(websocket, exc.user_message)
                continue
            except BackrehabError as exc:
                await _error(websocket, exc.user_message)
                continue
            reply = state.to_json_dict()
            reply.update(
                type="state",
                seq=parsed.seq,
                server_ms=round((time.perf_counter() - tic) * 1000, 3),
                server_cpu_ms=round((time.thread_time() - cpu) * 1000, 3),
            )
            await websocket.send_json(reply)
    except WebSocketDisconnect:
        return  # the set stays in the registry: a reconnect picks it up


def _audit_start(
    app: Any, email: str, patient_id: int, current: live_sets.LiveSet, *, resumed: bool
) -> None:
    """One audit entry per socket attached to a set: ``live_start`` for a new set,
    ``live_resume`` for a reconnect to the set in progress."""
    action = "live_resume" if resumed else "live_start"
    with session_scope(app.state.engine) as session:
        audit(session, Actor(email=email, role="patient"), action, "patient", patient_id,
              exercise_id=current.exercise_id, live_id=current.live_id)  # fmt: skip
