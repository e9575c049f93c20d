"""Engines and transactions.

The default database is SQLite in the local data directory (``$BACKREHAB_DATA_DIR`` or
``~/.local/share/backrehab``), in WAL mode with foreign keys enforced. PostgreSQL is used when a
``postgresql://`` URL is given (``DATABASE_URL``), through psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from backrehab.errors import ConfigError

URL_ENV_VARS: tuple[str, ...] = ("BACKREHAB_DATABASE_URL", "DATABASE_URL")
"""Environment variables read for the database URL, first set wins."""


def default_data_dir() -> Path:
    """``$BACKREHAB_DATA_DIR``, else ``$XDG_DATA_HOME/backrehab`` (``~/.local/share/backrehab``)."""
    env = os.environ.get("BACKREHAB_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "backrehab"


def database_url(url: str | None = None) -> str:
    """``url``, else the first of :data:`URL_ENV_VARS` that is set, else SQLite in the data
    directory. ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``."""
    if not url:
        url = next((os.environ[n] for n in URL_ENV_VARS if os.environ.get(n)), None)
    if not url:
        return f"sqlite:///{default_data_dir() / 'backrehab.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal, enforced foreign keys and a busy timeout on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-32000")  # 32 MB of page cache per connection
        cursor.execute("PRAGMA mmap_size=268435456")  # read through the OS page cache
    finally:
        cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see :func:`database_url` for the default).

    For SQLite the parent directory is created and every connection gets WAL mode and
    ``foreign_keys=ON``. A malformed URL or a missing driver is a :class:`ConfigError`.
    """
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError as exc:
        raise ConfigError("The database URL is not valid.", detail=str(exc)) from exc
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, pool_pre_ping=not is_sqlite, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(
            f"Cannot use the database {parsed.render_as_string(hide_password=True)}: is its "
            "driver installed (pip install 'backrehab[postgres]' for PostgreSQL)?",
            detail=str(exc),
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


__all__ = [
    "URL_ENV_VARS",
    "database_url",
    "default_data_dir",
    "make_engine",
    "session_scope",
]
