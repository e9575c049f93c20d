"""Rendering pages: the Jinja2 environment (autoescaped), the CSRF cookie every form echoes,
one-shot flash messages, and the error page.

Templates live in ``backrehab/web/templates``; every page gets ``user``, ``csrf_token``,
``flash`` and ``nav`` besides its own context.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from backrehab import __version__
from backrehab.plan.dosing import describe_dose
from backrehab.web import charts
from backrehab.web.security import CSRF_COOKIE, new_csrf_token

TEMPLATES_DIR: Final = Path(__file__).resolve().parents[1] / "templates"
FLASH_COOKIE: Final = "backrehab_flash"


def _date(value: dt.date | dt.datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value is not None else "—"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


@cache
def environment() -> Environment:
    """The page templates (autoescaped HTML)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date=_date, pct=_pct, num=_num, dose=describe_dose)
    env.globals.update(
        version=__version__,
        line_chart=lambda *a, **k: Markup(charts.line_chart(*a, **k)),
        bar_chart=lambda *a, **k: Markup(charts.bar_chart(*a, **k)),
    )
    return env


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (created on first use and set as a cookie)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = new_csrf_token()
        request.state.new_csrf = token
    return token


def _finish(request: Request, response: Response) -> Response:
    new = getattr(request.state, "new_csrf", None)
    if new is not None and not request.cookies.get(CSRF_COOKIE):
        settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE,
            new,
            httponly=True,
            samesite=settings.session_cookie_samesite,
            secure=settings.session_cookie_secure,
            path="/",
        )
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """Render ``template`` with the page globals; sets the CSRF cookie when new."""
    user = getattr(request.state, "user", None)
    flash = unquote(request.cookies.get(FLASH_COOKIE, ""))[:300]
    page = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token(request),
        "flash": flash,
        "today": dt.date.today(),
        **(context or {}),
    }
    html = environment().get_template(template).render(page)
    return _finish(request, HTMLResponse(html, status_code=status))


def render_error(request: Request, message: str, status: int) -> Response:
    """The error page, or just the message box for an HTMX request."""
    if request.headers.get("hx-request"):
        html = environment().get_template("partials/error.html").render(message=message)
        return HTMLResponse(html, status_code=status)
    return render(request, "error.html", {"message": message, "status": status}, status)


def redirect(url: str, flash: str | None = None) -> Response:
    """A 303 redirect (after a POST), optionally with a one-shot message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash[:300]), httponly=True, path="/", max_age=60)
    return response
