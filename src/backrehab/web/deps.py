"""Request dependencies: the database session, the signed-in user and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backrehab.db.models import ROLES, Patient, User
from backrehab.db.repository import NotFoundError
from backrehab.db.session import session_scope
from backrehab.web.security import AuthenticationError, PermissionDeniedError, read_token
from backrehab.web.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back on error."""
    with session_scope(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    """The active user named by the signed session cookie (:class:`AuthenticationError`)."""
    token = request.cookies.get(settings.session_cookie_name)
    if not token:
        raise AuthenticationError("Please sign in.")
    user_id = read_token(request.app.state.secret_key, token)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("Please sign in.", detail=f"user {user_id} missing or inactive")
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
