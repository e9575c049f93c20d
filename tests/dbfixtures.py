"""Storage fixtures, registered by the root conftest: every backend test runs on SQLite (a
temporary file) and on PostgreSQL.

PostgreSQL comes from ``BACKREHAB_TEST_POSTGRES_URL`` or ``DATABASE_URL`` when set (each test
gets its own freshly created database on that server, so existing data is never touched);
otherwise a throwaway server is started from the Debian binaries (``initdb``/``pg_ctl``) in a
temporary directory on a free localhost port, and stopped at the end of the session. Without
the binaries the PostgreSQL cases skip with a visible reason, or fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from backrehab.db import make_engine, upgrade
from backrehab.db.devserver import throwaway_postgres
from backrehab.db.session import database_url
from backrehab.errors import ConfigError

BACKENDS = ("sqlite", "postgres")


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A ``postgresql+psycopg://`` URL of a server on which tests may create databases."""
    configured = os.environ.get("BACKREHAB_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL")
    if configured:
        yield database_url(configured)
        return
    try:
        server = throwaway_postgres()
        url = server.__enter__()
    except ConfigError as exc:
        _missing(f"{exc.user_message}: {exc.detail}" if exc.detail else exc.user_message)
        return
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server, dropped after the test."""
    name = f"backrehab_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backrehab.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; whatever is left uncommitted is rolled back."""
    with Session(engine) as sess:
        yield sess
