"""The application factory: settings, engine, media store, job runner, migrations at startup,
security headers, the request body size limit, error mapping, the JSON API, the pages and the
static files.

``create_app(settings)`` builds everything; importing this module builds nothing. Project errors
(:class:`~backrehab.errors.BackrehabError`) become 4xx: JSON ``{"error": message}`` under
``/api``, an error page (or a redirect to the sign-in page) elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backrehab import __version__
from backrehab.db import migrate
from backrehab.db.media import MediaStore
from backrehab.db.session import make_engine
from backrehab.errors import BackrehabError
from backrehab.web.api import auth, clinic, library, patients, plans, progress, sessions
from backrehab.web.errors import status_for
from backrehab.web.live_ws import router as live_router
from backrehab.web.pages import router as pages_router
from backrehab.web.pages.render import render_error
from backrehab.web.security import LoginRateLimiter
from backrehab.web.services.jobs import JobRunner
from backrehab.web.services.live import LiveRegistry
from backrehab.web.settings import Settings
from backrehab.web.uploads import BodySizeLimit, body_limit_bytes

logger = logging.getLogger(__name__)

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

CSP: Final = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Content-Security-Policy of every response: no inline script, no eval (wasm only)."""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _backrehab_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackrehabError)
    status = status_for(exc)
    logger.info("%s %s -> %d: %s", request.method, request.url.path, status, exc)
    if _is_api(request) or request.url.path.startswith("/ws/"):
        return JSONResponse({"error": exc.user_message}, status_code=status)
    if status == 401:
        target = "/login"
        if request.method == "GET":
            target += f"?next={request.url.path}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return render_error(request, exc.user_message, status)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    message = "; ".join(problems) or "The request is not valid."
    if _is_api(request):
        return JSONResponse({"error": message, "detail": exc.errors()}, status_code=422)
    return render_error(request, message, 422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (a body that does not parse, a wrong method) in our format."""
    assert isinstance(exc, StarletteHTTPException)
    message = str(exc.detail)
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)
    return render_error(request, message, exc.status_code)


SECURITY_HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
NO_STORE: Final = (b"cache-control", b"no-store")  # health data: never in shared caches
STATIC_CACHE: Final = (b"cache-control", b"public, max-age=604800")  # versioned vendored files


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers (and the caching rule) to every HTTP
    response: cheaper than a ``BaseHTTPMiddleware`` and it never buffers a body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if b"cache-control" not in present:
                    ok = message.get("status") == 200
                    headers.append(STATIC_CACHE if static and ok else NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: settings (from the environment if not given), engine, store, runner.

    Migrations to the latest revision run at startup (``settings.run_migrations``); jobs a
    stopped server left unfinished are queued again.
    """
    settings = settings if settings is not None else Settings()
    secret_key = settings.resolved_secret_key()
    engine = make_engine(settings.database_url)
    runner = JobRunner(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        mode=settings.job_mode,
        workers=settings.job_workers,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.run_migrations:
            await run_in_threadpool(migrate.upgrade, settings.database_url)
        try:
            await run_in_threadpool(runner.recover)
        except OperationalError as exc:  # the database is down: /healthz says so (503)
            logger.error("cannot re-queue unfinished jobs: database unreachable: %s", exc)
        try:
            yield
        finally:
            runner.shutdown()
            engine.dispose()

    app = FastAPI(
        title="backrehab",
        version=__version__,
        description="Clinic API: patients, assessments, plans, sessions and progress.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret_key = secret_key
    app.state.store = MediaStore(settings.media_dir)
    app.state.runner = runner
    app.state.live = LiveRegistry()
    app.state.login_limiter = LoginRateLimiter(settings.login_attempts_per_minute)
    app.add_exception_handler(BackrehabError, _backrehab_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)

    # the body limit inside the security headers, so that its 413 carries them too
    app.add_middleware(BodySizeLimit, max_bytes=body_limit_bytes(settings.upload_limits))
    app.add_middleware(SecurityHeaders)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> JSONResponse:
        """200 when the database answers, 503 otherwise."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
            logger.warning("health check: database unreachable: %s", exc)
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    for module in (auth, patients, plans, sessions, progress, library, clinic):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(patients.jobs_router, prefix="/api/v1")
    app.include_router(live_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
