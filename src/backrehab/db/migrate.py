"""Run the Alembic migrations programmatically (``backrehab db upgrade``).

``alembic.ini`` and ``migrations/`` live at the repository root; the package is installed
editable from the repository, so they are found relative to this file. ``$BACKREHAB_MIGRATIONS_DIR``
may point at another directory that holds both.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from backrehab.db.session import database_url
from backrehab.errors import ConfigError


def project_root() -> Path:
    """The directory holding ``alembic.ini`` and ``migrations/`` (:class:`ConfigError` if none)."""
    env = os.environ.get("BACKREHAB_MIGRATIONS_DIR")
    candidates = [Path(env)] if env else list(Path(__file__).resolve().parents)
    for root in candidates:
        if (root / "alembic.ini").is_file() and (root / "migrations" / "env.py").is_file():
            return root
    searched = env or str(Path(__file__).resolve().parent)
    raise ConfigError(
        "Database migrations not found: run from a source checkout of backrehab (pip install -e .) "
        "or set BACKREHAB_MIGRATIONS_DIR to the directory holding alembic.ini and migrations/.",
        detail=f"searched {searched} and its parents",
    )


def alembic_config(url: str | None = None, *, root: Path | None = None) -> Config:
    """An Alembic config for ``url`` (default: :func:`~backrehab.db.session.database_url`)."""
    base = root if root is not None else project_root()
    if not (base / "alembic.ini").is_file() or not (base / "migrations" / "env.py").is_file():
        raise ConfigError(
            "Database migrations not found.", detail=f"no alembic.ini and migrations/ in {base}"
        )
    config = Config(str(base / "alembic.ini"))
    config.set_main_option("script_location", str(base / "migrations"))
    # Passed as an attribute, not an option: the ini parser would interpolate '%' in passwords.
    config.attributes["url"] = database_url(url)
    return config


def upgrade(url: str | None = None, *, revision: str = "head", root: Path | None = None) -> None:
    """Migrate the database at ``url`` to ``revision`` (default: the latest)."""
    command.upgrade(alembic_config(url, root=root), revision)
