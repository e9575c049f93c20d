"""The application factory: settings, engine, migrations at startup, error mapping, routers.

``create_app(settings)`` builds everything; importing this module builds nothing. Errors of the
project (:class:`~backrehab.errors.BackrehabError`) become 4xx JSON ``{"error": user_message}``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from backrehab.db import migrate
from backrehab.db.repository import NotFoundError
from backrehab.db.session import make_engine
from backrehab.errors import BackrehabError
from backrehab.web.routes import auth, patients
from backrehab.web.security import (
    AuthenticationError,
    LoginRateLimiter,
    PermissionDeniedError,
    RateLimitedError,
)
from backrehab.web.settings import Settings

logger = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[BackrehabError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (RateLimitedError, 429),
)
"""HTTP status of each error class; any other project error is a 422."""


def status_for(exc: BackrehabError) -> int:
    """The HTTP status of a project error (422 unless listed in ``_STATUS``)."""
    return next((code for cls, code in _STATUS if isinstance(exc, cls)), 422)


async def _backrehab_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BackrehabError)
    status = status_for(exc)
    logger.info("%s %s -> %d: %s", request.method, request.url.path, status, exc)
    return JSONResponse({"error": exc.user_message}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: settings (from the environment if not given), engine, key, routers.

    Migrations to the latest revision run at startup (``settings.run_migrations``).
    """
    settings = settings if settings is not None else Settings()
    secret_key = settings.resolved_secret_key()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.run_migrations:
            await run_in_threadpool(migrate.upgrade, settings.database_url)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="backrehab", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret_key = secret_key
    app.state.login_limiter = LoginRateLimiter(settings.login_attempts_per_minute)
    app.add_exception_handler(BackrehabError, _backrehab_error)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    app.include_router(auth.router, prefix="/api/v1")
    app.include_router(patients.router, prefix="/api/v1")
    return app
