"""Alembic migrations: an empty database reaches head and matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from backrehab.db import Base, make_engine, upgrade
from backrehab.db.migrate import alembic_config, project_root
from backrehab.errors import ConfigError

HEAD = "0003"
"""The newest revision."""


def test_upgrade_empty_database_matches_models(db_url: str) -> None:
    """Upgrading an empty database to head gives exactly the models' tables and columns."""
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            tables = set(inspector.get_table_names()) - {"alembic_version"}
            assert tables == set(Base.metadata.tables)
            for name, table in Base.metadata.tables.items():
                reflected = {c["name"] for c in inspector.get_columns(name)}
                assert reflected == set(table.columns.keys()), name
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == HEAD
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(tmp_path: Path) -> None:
    """Running the upgrade on an up-to-date database changes nothing and does not fail."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == HEAD
    finally:
        engine.dispose()


def test_migrations_found_from_the_package() -> None:
    """The repository's alembic.ini and migrations/ are found relative to the package."""
    root = project_root()
    assert (root / "alembic.ini").is_file()
    assert (root / "migrations" / "versions" / "0001_initial.py").is_file()


def test_missing_migrations_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without alembic.ini and migrations/ the upgrade stops with a clear ConfigError."""
    monkeypatch.setenv("BACKREHAB_MIGRATIONS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="migrations not found"):
        upgrade(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(ConfigError, match="migrations not found"):
        alembic_config("sqlite://", root=tmp_path)


def test_upgrade_from_0001_keeps_rows_and_downgrade_returns(db_url: str) -> None:
    """A database holding 0001 data upgrades to head with its rows (new columns defaulted) and
    downgrades back to 0001 cleanly."""
    from sqlalchemy import text

    from backrehab.db.migrate import alembic_config

    upgrade(db_url, revision="0001")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO clinics (id, name, created_at) VALUES (1, 'C', :t)"),
                {"t": "2026-01-01 00:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO patients (id, clinic_id, ref, display_name, created_at) "
                    "VALUES (1, 1, 'p-1', 'P', :t)"
                ),
                {"t": "2026-01-01 00:00:00+00:00"},
            )
        upgrade(db_url)
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT ref, employed, auto_progression, questionnaire_interval_days "
                    "FROM patients"
                )
            ).one()
            assert row[0] == "p-1"
            assert bool(row[1]) is True
            assert bool(row[2]) is False
            assert row[3] == 28
        from alembic import command

        command.downgrade(alembic_config(db_url), "0001")
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == "0001"
            assert conn.execute(text("SELECT count(*) FROM patients")).scalar_one() == 1
    finally:
        engine.dispose()


def test_upgrade_from_0002_gives_users_epoch_0_and_downgrade_returns(db_url: str) -> None:
    """A user stored at 0002 gets session epoch 0 at head (tokens made then carry it), a new
    user too (the model's default; the server default is gone), and downgrading to 0002 drops
    the column and keeps the users."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from backrehab.db.models import User

    upgrade(db_url, revision="0002")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, role, password_hash, is_active, "
                    "created_at) VALUES (1, 'old@a.test', '', 'clinician', 'x', :yes, :t)"
                ),
                {"t": "2026-01-01 00:00:00+00:00", "yes": True},
            )
        upgrade(db_url)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == HEAD
            assert conn.execute(text("SELECT session_epoch FROM users")).scalar_one() == 0
            columns = {c["name"]: c for c in inspect(conn).get_columns("users")}
            assert columns["session_epoch"]["nullable"] is False
            assert columns["session_epoch"]["default"] is None
        with Session(engine) as session:
            session.add(User(id=2, email="new@a.test", role="patient", password_hash="x"))
            session.commit()
            epochs = session.execute(select(User.email, User.session_epoch)).all()
            assert sorted(epochs) == [("new@a.test", 0), ("old@a.test", 0)]
        command.downgrade(alembic_config(db_url), "0002")
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == "0002"
            columns = {c["name"] for c in inspect(conn).get_columns("users")}
            assert "session_epoch" not in columns
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 2
        upgrade(db_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT sum(session_epoch) FROM users")).scalar_one() == 0
    finally:
        engine.dispose()
