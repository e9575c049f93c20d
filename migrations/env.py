"""Alembic environment: backrehab's metadata (with its naming convention), batch mode for SQLite.

URL, first found: ``config.attributes["url"]`` (set by :func:`backrehab.db.migrate.upgrade`),
``BACKREHAB_DATABASE_URL``/``DATABASE_URL``, ``sqlalchemy.url`` in alembic.ini, else SQLite in
the data directory.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import backrehab.db.models  # noqa: F401 - registers every table on Base.metadata
from backrehab.db.base import Base
from backrehab.db.session import URL_ENV_VARS, database_url, make_engine

config = context.config

if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata  # its MetaData carries NAMING_CONVENTION


def _url() -> str:
    explicit = config.attributes.get("url")
    if explicit:
        return str(explicit)
    env = next((os.environ[n] for n in URL_ENV_VARS if os.environ.get(n)), None)
    return database_url(env or config.get_main_option("sqlalchemy.url") or None)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables
        compare_type=True,
        literal_binds=connection is None,
        dialect_opts={"paramstyle": "named"} if connection is None else {},
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database (an existing connection when one is passed in)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # batch mode copies tables; keys are checked once at the end instead
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()  # the PRAGMA above began the connection's transaction
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
