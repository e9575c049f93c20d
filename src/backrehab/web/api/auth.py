"""Sign in and out with a signed, HttpOnly session cookie; ``/me`` names the signed-in user.

Signing out signs out everywhere: it ends every session of the user on the server (their
session epoch, see :func:`backrehab.db.repository.end_sessions`), so a copied cookie, or the
user's other devices, no longer sign in.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from backrehab.db.models import User
from backrehab.db.repository import end_sessions, get_user_by_email, verify_password
from backrehab.web.deps import CsrfDep, SessionDep, SettingsDep, UserDep
from backrehab.web.schemas import ERROR_RESPONSES, LoginRequest, LoginResponse, UserRead
from backrehab.web.security import (
    CSRF_COOKIE,
    AuthenticationError,
    LoginRateLimiter,
    make_token,
    new_csrf_token,
)
from backrehab.web.services.actor import Actor, audit
from backrehab.web.settings import Settings

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)

GENERIC_LOGIN_FAILURE = "Wrong e-mail address or password."


def authenticate(request: Request, session: SessionDep, email: str, password: str) -> User:
    """The user with these credentials (rate limited per e-mail and client address, and per
    client address)."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(email, client)
    user = get_user_by_email(session, email=email)
    if user is None or not user.is_active or not verify_password(user, password):
        limiter.fail(email, client)
        raise AuthenticationError(GENERIC_LOGIN_FAILURE)
    limiter.reset(email, client)
    audit(session, Actor.of(user), "login", "user", user.id)
    return user


def set_login_cookies(request: Request, response: Response, settings: Settings, user: User) -> str:
    """Set the session cookie and a fresh CSRF cookie; returns the CSRF token."""
    token = make_token(
        request.app.state.secret_key,
        user.id,
        epoch=user.session_epoch,
        max_age_s=settings.session_max_age_s,
    )
    common = {
        "max_age": settings.session_max_age_s,
        "secure": settings.session_cookie_secure,
        "samesite": settings.session_cookie_samesite,
        "path": "/",
        "httponly": True,
    }
    response.set_cookie(settings.session_cookie_name, token, **common)  # type: ignore[arg-type]
    csrf = new_csrf_token()
    response.set_cookie(CSRF_COOKIE, csrf, **common)  # type: ignore[arg-type]
    return csrf


def clear_login_cookies(response: Response, settings: Settings) -> None:
    """Remove the session and CSRF cookies."""
    for name in (settings.session_cookie_name, CSRF_COOKIE):
        response.delete_cookie(
            name,
            path="/",
            httponly=True,
            secure=settings.session_cookie_secure,
            samesite=settings.session_cookie_samesite,
        )


@router.post("/login", responses={401: {"description": GENERIC_LOGIN_FAILURE}})
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LoginResponse:
    """Check the credentials and set the session cookie; the reply carries the CSRF token."""
    user = authenticate(request, session, body.email, body.password)
    csrf = set_login_cookies(request, response, settings, user)
    return LoginResponse(**UserRead.model_validate(user).model_dump(), csrf_token=csrf)


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every session of ``user``, on every device, and audit it."""
    end_sessions(session, user=user)
    audit(session, Actor.of(user), "logout", "user", user.id, everywhere=True)


@router.post("/logout", status_code=204, dependencies=[CsrfDep])
def logout(response: Response, session: SessionDep, settings: SettingsDep, user: UserDep) -> None:
    """Sign out everywhere: end every session of the user (this cookie, a copy of it, their
    other devices) and clear the session cookie."""
    sign_out_everywhere(session, user)
    clear_login_cookies(response, settings)


@router.get("/me")
def me(user: UserDep) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)
