"""Sign-in and sign-out pages, and the front door that sends each role to its home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from backrehab.errors import BackrehabError
from backrehab.web.api.auth import (
    authenticate,
    clear_login_cookies,
    set_login_cookies,
    sign_out_everywhere,
)
from backrehab.web.deps import CsrfDep, SessionDep, SettingsDep, user_from_cookie
from backrehab.web.errors import status_for
from backrehab.web.pages.render import redirect, render
from backrehab.web.security import CSRF_COOKIE, check_csrf

router = APIRouter()


def home_for(role: str) -> str:
    """The home page of a role."""
    return "/me" if role == "patient" else "/clinic"


def _safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/")
def front(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Signed in: the role's home page; otherwise the sign-in page."""
    user = user_from_cookie(request, session, settings)
    return redirect(home_for(user.role) if user else "/login")


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": _safe_next(next) or ""})


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the credentials; on success set the cookies and go to the role's home page."""
    try:
        check_csrf(request.cookies.get(CSRF_COOKIE), csrf_token)
        user = authenticate(request, session, email, password)
    except BackrehabError as exc:
        session.commit()  # keep the audit of the attempt; nothing else was written
        status = status_for(exc)
        return render(
            request,
            "login.html",
            {"error": exc.user_message, "email": email, "next": _safe_next(next) or ""},
            status,
        )
    response = redirect(_safe_next(next) or home_for(user.role))
    set_login_cookies(request, response, settings, user)
    return response


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Sign out everywhere: every session of the user ends on the server (this browser, a copy
    of its cookie, their other devices) and the cookies are cleared. The CSRF token must match:
    no other site can sign you out."""
    user = user_from_cookie(request, session, settings)
    if user is not None:
        sign_out_everywhere(session, user)
    response = redirect("/login", "You are signed out on every device.")
    clear_login_cookies(response, settings)
    return response
