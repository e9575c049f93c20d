"""Engine settings and schema-level guarantees: WAL, foreign keys, UTC datetimes, rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from backrehab.db import make_engine, session_scope
from backrehab.db.models import AuditEntry, Clinic, Patient
from backrehab.db.session import database_url
from backrehab.errors import ConfigError


def test_sqlite_has_wal_and_foreign_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every SQLite connection is in WAL mode with foreign keys enforced."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('wal') / 'nested' / 'db.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_database_url_defaults_and_postgres_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """The URL falls back to SQLite in the data directory; postgres URLs use psycopg 3."""
    monkeypatch.delenv("BACKREHAB_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BACKREHAB_DATA_DIR", "/srv/backrehab")
    assert database_url() == "sqlite:////srv/backrehab/backrehab.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@h/db")
    assert database_url() == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    with pytest.raises(ConfigError):
        make_engine("not a url")


def test_foreign_key_violation_is_refused(session: Session) -> None:
    """A patient pointing at a clinic that does not exist is refused by the database."""
    session.add(Patient(clinic_id=987654, ref="p-1"))
    with pytest.raises(IntegrityError):
        session.flush()


def _write_then_fail(engine: Engine) -> None:
    with session_scope(engine) as sess:
        sess.add(Clinic(name="Rolled back"))
        sess.flush()
        raise RuntimeError("boom")


def _write_then_violate(engine: Engine) -> None:
    with session_scope(engine) as sess:
        sess.add(Clinic(name="Also rolled back"))
        sess.flush()
        sess.add(Patient(clinic_id=987654, ref="orphan"))
        sess.flush()


def test_failed_transaction_leaves_nothing(engine: Engine) -> None:
    """An error inside session_scope rolls back everything written in it."""
    with pytest.raises(RuntimeError, match="boom"):
        _write_then_fail(engine)
    with pytest.raises(IntegrityError):
        _write_then_violate(engine)
    with session_scope(engine) as sess:
        assert sess.scalar(select(func.count()).select_from(Clinic)) == 0
    with session_scope(engine) as sess:
        sess.add(Clinic(name="Kept"))
    with session_scope(engine) as sess:
        assert sess.scalars(select(Clinic.name)).all() == ["Kept"]


def test_datetimes_come_back_in_utc(session: Session) -> None:
    """Aware datetimes are stored and returned as UTC; naive ones are refused."""
    paris = timezone(timedelta(hours=1))
    entry = AuditEntry(
        at=datetime(2026, 1, 5, 10, 30, tzinfo=paris),
        actor="a",
        action="view",
        entity="patient",
        entity_id="1",
        detail={},
    )
    session.add(entry)
    session.flush()
    session.expire_all()
    stored = session.scalars(select(AuditEntry)).one()
    assert stored.at == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert stored.at.utcoffset() == timedelta(0)
    session.add(
        AuditEntry(
            at=datetime(2026, 1, 5, 10, 30),  # naive on purpose
            actor="a",
            action="view",
            entity="patient",
            entity_id="2",
            detail={},
        )
    )
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
