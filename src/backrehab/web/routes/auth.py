"""Sign in and out with a signed, HttpOnly session cookie; ``/me`` names the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backrehab.db.repository import get_user_by_email, record_audit, verify_password
from backrehab.web.deps import SessionDep, SettingsDep, UserDep
from backrehab.web.schemas import LoginRequest, UserRead
from backrehab.web.security import AuthenticationError, LoginRateLimiter, make_token

router = APIRouter(tags=["auth"])

GENERIC_LOGIN_FAILURE = "Wrong e-mail address or password."


@router.post("/login")
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> UserRead:
    """Check the credentials and set the session cookie (rate limited per e-mail and IP)."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    key = f"{body.email.strip().lower()}|{client}"
    limiter.check(key)
    user = get_user_by_email(session, email=body.email)
    if user is None or not user.is_active or not verify_password(user, body.password):
        limiter.fail(key)
        raise AuthenticationError(GENERIC_LOGIN_FAILURE)
    limiter.reset(key)
    token = make_token(request.app.state.secret_key, user.id, max_age_s=settings.session_max_age_s)
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=settings.session_max_age_s,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite=settings.session_cookie_samesite,
        path="/",
    )
    record_audit(session, actor=user.email, action="login", entity="user", entity_id=user.id)
    return UserRead.model_validate(user)


@router.post("/logout", status_code=204)
def logout(response: Response, settings: SettingsDep) -> None:
    """Clear the session cookie."""
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite=settings.session_cookie_samesite,
    )


@router.get("/me")
def me(user: UserDep) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)
