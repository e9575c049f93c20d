"""Content-addressed media files: bytes on disk under their SHA-256, never in the database.

Layout: ``<root>/<first two hex digits>/<sha256>`` (root is usually ``DATA_DIR/media``). Files are
written to a temporary name in the same directory, flushed to disk and renamed into place, so a
reader never sees a partial file. Identical bytes are stored once. Reading checks the hash again.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from backrehab.db.models import Media
from backrehab.errors import MediaError, MediaReadError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


class MediaStore:
    """Media files under ``root``, named by the SHA-256 of their content."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str]) -> MediaStore:
        """The store at ``data_dir/media``."""
        return cls(Path(data_dir) / "media")

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it exists)."""
        if not _SHA256.match(sha256):
            raise MediaReadError(
                "Invalid media reference.", detail=f"{sha256!r} is not a SHA-256 hex digest"
            )
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether a file with this hash is stored."""
        return self.path_for(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its SHA-256."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{digest[:8]}-", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except OSError as exc:
            Path(tmp_name).unlink(missing_ok=True)
            raise MediaError(
                "Could not save the media file; check free disk space and permissions.",
                detail=f"{target}: {exc}",
            ) from exc
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes, after checking that they still hash to ``sha256``."""
        path = self.path_for(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise MediaReadError(
                "The media file is missing from the data directory.", detail=str(path)
            ) from exc
        except OSError as exc:
            raise MediaReadError("The media file cannot be read.", detail=f"{path}: {exc}") from exc
        actual = sha256_hex(data)
        if actual != sha256:
            raise MediaReadError(
                "The media file is corrupt: its content no longer matches its checksum.",
                detail=f"{path}: expected sha256 {sha256}, found {actual}",
            )
        return data


def add_media(
    session: Session,
    *,
    store: MediaStore,
    data: bytes,
    patient_id: int | None = None,
    content_type: str = "application/octet-stream",
    original_name: str = "",
) -> Media:
    """Store ``data`` in ``store`` and add a :class:`Media` row naming its hash (flushes)."""
    digest = store.put(data)
    row = Media(
        patient_id=patient_id,
        sha256=digest,
        size_bytes=len(data),
        content_type=content_type,
        original_name=original_name,
    )
    session.add(row)
    session.flush()
    return row


def read_media(store: MediaStore, media: Media) -> bytes:
    """The verified bytes of a :class:`Media` row."""
    return store.get(media.sha256)
