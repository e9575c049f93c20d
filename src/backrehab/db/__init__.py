"""Storage: SQLAlchemy models, sessions, repository functions, media files and migrations."""

from __future__ import annotations

from backrehab.db import revisions as _revisions  # noqa: F401 - installs the revision hook
from backrehab.db.base import NAMING_CONVENTION, Base, UTCDateTime, utcnow
from backrehab.db.media import MediaStore, add_media, read_media
from backrehab.db.migrate import upgrade
from backrehab.db.session import database_url, default_data_dir, make_engine, session_scope

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "MediaStore",
    "UTCDateTime",
    "add_media",
    "database_url",
    "default_data_dir",
    "make_engine",
    "read_media",
    "session_scope",
    "upgrade",
    "utcnow",
]
