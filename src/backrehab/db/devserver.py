"""A throwaway local PostgreSQL server for tests and benchmarks, from Debian's binaries.

``throwaway_postgres()`` runs ``initdb`` and ``pg_ctl`` in a temporary directory (as the
``postgres`` system user when we are root, since initdb refuses root), on a free localhost port,
with durability off (fast, never for real data), and removes everything when the block ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backrehab.errors import ConfigError


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``pg_ctl``, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: Path(p).parts[4])
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return ["su", "postgres", "-c", " ".join(args)]


def _run(args: list[str], *, check: bool = True) -> None:
    subprocess.run(
        _as_postgres_user(args), check=check, capture_output=True, text=True, timeout=120
    )


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a server; yields a ``postgresql+psycopg://`` URL of its ``postgres`` database.

    Raises
    ------
    ConfigError
        The Debian binaries are missing, or (as root) there is no ``postgres`` user, or the
        server does not start (the message carries its log).
    """
    bindir = pg_bindir()
    if bindir is None:
        raise ConfigError(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql, or make system-deps)"
        )
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ConfigError("running as root and there is no 'postgres' system user") from exc
    workdir = Path(tempfile.mkdtemp(prefix="backrehab-pg-"))
    datadir, sockdir, logfile = workdir / "data", workdir / "sock", workdir / "server.log"
    sockdir.mkdir()
    if owner is not None:
        for path in (workdir, sockdir):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    try:
        _run(
            [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--no-sync"]
        )  # fmt: skip
        options = (
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run(
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(logfile), "-w",
             "-o", options, "start"]
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = logfile.read_text() if logfile.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
        raise ConfigError(
            "PostgreSQL did not start", detail=f"{exc.stderr}\n{exc.stdout}\n{log}"
        ) from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "stop"], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
