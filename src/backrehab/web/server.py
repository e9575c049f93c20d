"""Run the web app with uvicorn (``backrehab serve``): settings from the options and the
environment, optional demo clinic, and the banner with the address (and the demo logins).

Behind TLS: run ``backrehab serve --host 127.0.0.1`` behind a reverse proxy that terminates
HTTPS (nginx, Caddy) and forwards ``X-Forwarded-Proto``; set ``BACKREHAB_ENVIRONMENT=production``,
``BACKREHAB_SECRET_KEY`` and ``BACKREHAB_SESSION_COOKIE_SECURE=true``. Browsers give the camera
only to ``https://`` pages (and to ``http://localhost``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from backrehab.db import migrate
from backrehab.db.session import make_engine, session_scope
from backrehab.web.settings import Settings

logger = logging.getLogger(__name__)


def prepare(settings: Settings, *, demo: bool) -> list[str]:
    """Migrate the database and, with ``demo``, seed the demo clinic if it is empty; returns
    the lines to print."""
    migrate.upgrade(settings.database_url)
    lines: list[str] = []
    if demo:
        from backrehab.web.services.demo import DEMO_PATIENTS, is_seeded, seed_demo

        engine = make_engine(settings.database_url)
        try:
            with session_scope(engine) as session:
                seeded = is_seeded(session)
                lines = seed_demo(session) if not seeded else []
            if seeded:
                from backrehab.web.services.demo import CLINICIAN_EMAIL, DEMO_PASSWORD

                lines = [
                    f"Database already holds data; demo logins (if it is the demo): "
                    f"{CLINICIAN_EMAIL}, {', '.join(d.email for d in DEMO_PATIENTS)} / "
                    f"{DEMO_PASSWORD}"
                ]
        finally:
            engine.dispose()
    return lines


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | None = None,
    demo: bool = False,
    echo: Any = print,
) -> None:
    """Start the server (blocks until stopped)."""
    import uvicorn

    from backrehab.web.app import create_app

    overrides: dict[str, Any] = {"run_migrations": False}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    settings = Settings(**overrides)
    if data_dir is not None and "BACKREHAB_DATABASE_URL" not in _env():
        settings = settings.model_copy(
            update={"database_url": f"sqlite:///{Path(data_dir) / 'backrehab.sqlite3'}"}
        )
    for line in prepare(settings, demo=demo):
        echo(line)
    echo(f"backrehab is running at http://{host}:{port}/ (Ctrl+C to stop)")
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
