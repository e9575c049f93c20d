"""Media store: content-addressed files, deduplication, verification, atomic writes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.db.media import MediaStore, add_media, read_media
from backrehab.db.models import Media
from backrehab.errors import MediaError, MediaReadError

DATA = b"\x00\x01fake video bytes" * 1000


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_same_bytes_stored_once(tmp_path: Path) -> None:
    """Identical bytes are stored once, under media/<ab>/<sha256>."""
    store = MediaStore.in_data_dir(tmp_path)
    digest = store.put(DATA)
    assert store.put(DATA) == digest == hashlib.sha256(DATA).hexdigest()
    assert _files(tmp_path) == [tmp_path / "media" / digest[:2] / digest]
    assert store.get(digest) == DATA


def test_media_rows_reference_the_hash(session: Session, tmp_path: Path) -> None:
    """A Media row names the hash; the bytes are on disk, never in the database."""
    store = MediaStore(tmp_path / "media")
    first = add_media(session, store=store, data=DATA, content_type="video/mp4", original_name="a")
    second = add_media(session, store=store, data=DATA, original_name="b")
    session.commit()
    rows = session.scalars(select(Media).order_by(Media.id)).all()
    assert [r.sha256 for r in rows] == [first.sha256, second.sha256]
    assert rows[0].size_bytes == len(DATA)
    assert len(_files(tmp_path / "media")) == 1
    assert read_media(store, rows[1]) == DATA


def test_corrupted_file_is_detected(tmp_path: Path) -> None:
    """A file changed on disk is reported as corrupt; a missing one as missing."""
    store = MediaStore(tmp_path)
    digest = store.put(DATA)
    path = store.path_for(digest)
    path.write_bytes(DATA[:-1] + b"X")
    with pytest.raises(MediaReadError, match="corrupt"):
        store.get(digest)
    path.unlink()
    with pytest.raises(MediaReadError, match="missing"):
        store.get(digest)
    with pytest.raises(MediaReadError, match="Invalid media reference"):
        store.get("../../etc/passwd")


def test_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails half-way leaves neither a partial file nor a temporary one."""
    store = MediaStore(tmp_path)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(MediaError, match="Could not save"):
        store.put(DATA)
    assert _files(tmp_path) == []
    assert not store.exists(hashlib.sha256(DATA).hexdigest())
    monkeypatch.undo()
    assert store.get(store.put(DATA)) == DATA
