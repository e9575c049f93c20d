"""Storage fixtures: every backend test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL comes from ``BACKREHAB_TEST_POSTGRES_URL`` or ``DATABASE_URL`` when set (each test
gets its own freshly created database on that server, so existing data is never touched);
otherwise a throwaway server is started from the Debian binaries (``initdb``/``pg_ctl``) in a
temporary directory on a free localhost port, and stopped at the end of the session. Without
the binaries the PostgreSQL cases skip with a visible reason, or fail when ``CI`` is set.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from backrehab.db import make_engine, upgrade
from backrehab.db.session import database_url

BACKENDS = ("sqlite", "postgres")


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: Path(p).parts[4])
    return Path(found[-1]).parent if found else None


def _as_postgres_user(args: list[str]) -> list[str]:
    """``initdb`` refuses to run as root: run the server tools as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return args
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return ["su", "postgres", "-c", " ".join(args)]


def _run(args: list[str], *, check: bool = True) -> None:
    subprocess.run(
        _as_postgres_user(args), check=check, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A ``postgresql+psycopg://`` URL of a server on which tests may create databases."""
    configured = os.environ.get("BACKREHAB_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL")
    if configured:
        yield database_url(configured)
        return
    bindir = _pg_bin()
    if bindir is None:
        _missing("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (make system-deps)")
    assert bindir is not None
    if os.geteuid() == 0:
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            _missing("running as root and there is no 'postgres' system user to run initdb")
    workdir = Path(tempfile.mkdtemp(prefix="backrehab-pg-"))
    datadir, sockdir, logfile = workdir / "data", workdir / "sock", workdir / "server.log"
    sockdir.mkdir()
    if os.geteuid() == 0:
        for path in (workdir, sockdir):
            os.chown(path, pg_user.pw_uid, pg_user.pw_gid)
    port = _free_port()
    try:
        _run(
            [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--no-sync"]
        )  # fmt: skip
        options = (
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(logfile), "-w",
             "-o", options, "start"]
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = logfile.read_text() if logfile.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr}\n{exc.stdout}\n{log}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "stop"], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


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
