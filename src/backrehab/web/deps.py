"""Request dependencies: the database session, settings, the signed-in user, role checks, CSRF
and the one place where a patient's record is looked up for a request (ownership checked and the
access written to the audit log)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.db.media import MediaStore
from backrehab.db.models import ROLES, AnalysisJob, Media, Patient, User
from backrehab.db.repository import NotFoundError
from backrehab.errors import BackrehabError
from backrehab.web.errors import status_for
from backrehab.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    AuthenticationError,
    PermissionDeniedError,
    check_csrf,
    read_token,
)
from backrehab.web.services.actor import ROUTE_INFO_KEY, Actor, audit
from backrehab.web.services.jobs import JobRunner
from backrehab.web.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

MAX_ID = 2_147_483_647
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record id")]
"""A record id in a URL (a 32-bit positive integer, as every backend stores it)."""


@dataclass(frozen=True, slots=True)
class UserView:
    """What pages show of the signed-in user (safe to read after the session has closed)."""

    id: int
    email: str
    role: str
    display_name: str


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back on error.

    A request that touched a patient's record (see :func:`patient_access`) leaves one audit row
    with its outcome, written after the commit or the rollback, so refused and failed requests
    are audited too. Every audit entry the request's services write names its route.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    session.info[ROUTE_INFO_KEY] = f"{request.method} {route_template(request)}"
    outcome: int | str = "ok"
    try:
        yield session
        session.commit()
    except BackrehabError as exc:
        session.rollback()
        outcome = status_for(exc)
        raise
    except RequestValidationError:
        session.rollback()
        outcome = 422
        raise
    except BaseException:
        session.rollback()
        outcome = "error"
        raise
    finally:
        try:
            access = getattr(request.state, "audit_access", None)
            if access is not None:
                record_audit(session, **access, detail_outcome=outcome)
                session.commit()
        finally:
            session.close()


def get_store(request: Request) -> MediaStore:
    """The media store of the app's data directory."""
    store: MediaStore = request.app.state.store
    return store


def get_runner(request: Request) -> JobRunner:
    """The background job runner."""
    runner: JobRunner = request.app.state.runner
    return runner


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session; committed before the response is sent (a redirect never races its
own write)."""
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[MediaStore, Depends(get_store)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def user_for_token(session: Session, key: bytes, token: str) -> User:
    """The active user a session token signs in, the one check of every way in (pages, API,
    the coach's WebSocket).

    Raises
    ------
    AuthenticationError
        ("Please sign in.", HTTP 401) for a tampered, malformed (the earlier format without a
        session epoch included) or expired token, a missing or deactivated user, or a session
        that has ended: the token's epoch is not the user's current ``session_epoch`` (they
        signed out, on this device or another).
    """
    claims = read_token(key, token)
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("Please sign in.", detail="no such active user")
    if user.session_epoch != claims.epoch:
        raise AuthenticationError("Please sign in.", detail="session ended")
    return user


def user_from_cookie(request: Request, session: Session, settings: Settings) -> User | None:
    """The active user of the session cookie, or None (no cookie; a bad, expired or ended
    session: see :func:`user_for_token`)."""
    token = request.cookies.get(settings.session_cookie_name)
    if not token:
        return None
    try:
        return user_for_token(session, request.app.state.secret_key, token)
    except AuthenticationError:
        return None


def current_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    """The signed-in user (:class:`AuthenticationError`, HTTP 401, otherwise)."""
    user = user_from_cookie(request, session, settings)
    if user is None:
        raise AuthenticationError("Please sign in.")
    request.state.user = UserView(
        id=user.id, email=user.email, role=user.role, display_name=user.display_name
    )
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency giving the current user if their role is one of ``roles`` (else 403)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def dependency(user: UserDep) -> User:
        if user.role not in roles:
            raise PermissionDeniedError("You do not have permission to do this.")
        return user

    return dependency


StaffDep = Annotated[User, Depends(require_role("clinician", "admin"))]
AdminDep = Annotated[User, Depends(require_role("admin"))]
PatientUserDep = Annotated[User, Depends(require_role("patient"))]


async def verify_csrf(request: Request) -> None:
    """State-changing requests of a signed-in browser must echo the CSRF cookie (header or form
    field). Without a session cookie there is no ambient authority to abuse: the route's own
    authentication answers (401)."""
    settings: Settings = request.app.state.settings
    if request.method not in UNSAFE_METHODS or not request.cookies.get(
        settings.session_cookie_name
    ):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    check_csrf(request.cookies.get(CSRF_COOKIE), sent)


CsrfDep = Depends(verify_csrf)


def visible_patient(session: Session, user: User, patient_id: int) -> Patient:
    """The patient if ``user`` may see them; one :class:`NotFoundError` otherwise, so that
    other clinics' patients are indistinguishable from missing ones."""
    patient = session.get(Patient, patient_id)
    allowed = patient is not None and (
        patient.user_id == user.id
        if user.role == "patient"
        else user.clinic_id is not None and patient.clinic_id == user.clinic_id
    )
    if patient is None or not allowed:
        raise NotFoundError(f"No patient with id {patient_id}.")
    return patient


def route_template(request: Request) -> str:
    """The matched route's full path template, e.g. ``/api/v1/patients/{patient_id}``."""
    route = request.scope.get("route")
    paths: dict[int, str] | None = getattr(request.app.state, "route_paths", None)
    if paths is None:
        from fastapi.routing import iter_route_contexts

        paths = {
            id(c.original_route): c.path or "" for c in iter_route_contexts(request.app.routes)
        }
        request.app.state.route_paths = paths
    return paths.get(id(route), getattr(route, "path", request.url.path))


def _audit_access(request: Request, session: Session, user: User, patient: Patient) -> None:
    """Note the access; the app writes it to the audit log with the response status, in its own
    transaction, so refused and failed requests are audited too."""
    request.state.audit_access = {
        "actor": user.email,
        "action": "write" if request.method in UNSAFE_METHODS else "read",
        "patient_id": patient.id,
        "route": f"{request.method} {route_template(request)}",
    }


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    patient_id: int,
    route: str,
    detail_outcome: int | str,
) -> None:
    """Write the noted access of a request."""
    from backrehab.db.repository import record_audit as add_entry

    add_entry(
        session,
        actor=actor,
        action=action,
        entity="patient",
        entity_id=patient_id,
        detail={"route": route, "outcome": detail_outcome},
    )


def patient_access(
    patient_id: RecordId, request: Request, session: SessionDep, user: UserDep
) -> Patient:
    """The patient of the URL, visible to the signed-in user (else 404); the access is audited."""
    patient = visible_patient(session, user, patient_id)
    _audit_access(request, session, user, patient)
    return patient


PatientDep = Annotated[Patient, Depends(patient_access)]


def own_patient(request: Request, session: SessionDep, user: PatientUserDep) -> Patient:
    """The patient record of the signed-in patient user; the access is audited."""
    patient = session.scalars(select(Patient).where(Patient.user_id == user.id)).first()
    if patient is None:
        raise NotFoundError("Your login is not linked to a patient record; ask your clinician.")
    _audit_access(request, session, user, patient)
    return patient


OwnPatientDep = Annotated[Patient, Depends(own_patient)]


def actor(user: UserDep) -> Actor:
    """The signed-in user as an :class:`Actor`."""
    return Actor.of(user)


ActorDep = Annotated[Actor, Depends(actor)]


_RecordT = TypeVar("_RecordT", AnalysisJob, Media)


def visible_record(
    session: Session, user: User, cls: type[_RecordT], record_id: int, what: str
) -> tuple[_RecordT, Patient]:
    """A job or media row of a patient the user may see, and that patient, with the read
    audited; one :class:`NotFoundError` otherwise (hidden and missing look the same)."""
    record = session.get(cls, record_id)
    missing = NotFoundError(f"No {what} with id {record_id}.")
    if record is None or record.patient_id is None:
        raise missing
    try:
        patient = visible_patient(session, user, record.patient_id)
    except NotFoundError:
        raise missing from None
    entity = "analysis_job" if cls is AnalysisJob else "media"
    audit(session, Actor.of(user), "read", entity, record.id, patient_id=patient.id)
    return record, patient
