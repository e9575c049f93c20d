"""Reading an uploaded file into memory with the size limit enforced while reading (a huge
upload is refused after ``limit + 1`` bytes, not after it has all arrived)."""

from __future__ import annotations

from fastapi import UploadFile

from backrehab.errors import MediaTooLargeError
from backrehab.web.services.jobs import UploadLimits

CHUNK_BYTES = 1 << 20


async def read_upload(file: UploadFile, limits: UploadLimits) -> bytes:
    """The bytes of ``file``, at most the larger of the limits (the type limit is checked by
    content afterwards)."""
    limit = max(limits.photo_bytes, limits.video_bytes)
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise MediaTooLargeError(f"upload: the file is over the {limit / 1e6:g} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)
