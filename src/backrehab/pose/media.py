"""Open photos and videos safely: type by content, size limit, content hash, upright frames.

Photos (JPEG, PNG, WebP) come out as upright RGB arrays with EXIF orientation applied; videos
(MP4, MOV, AVI, WebM) are decoded frame by frame with the container's rotation applied. Every
failure is a :class:`~backrehab.errors.MediaError` naming the problem.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from backrehab.errors import (
    EmptyMediaError,
    MediaReadError,
    MediaTooLargeError,
    UnsupportedMediaError,
)

RgbImage = npt.NDArray[np.uint8]
MediaType = Literal["photo", "video"]

PHOTO_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".webp"})
VIDEO_SUFFIXES: Final = frozenset({".mp4", ".m4v", ".mov", ".avi", ".webm"})
_MOV_ATOMS: Final = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")

#: EXIF orientation tag value -> clockwise rotation (degrees) that makes the pixels upright.
_EXIF_ROTATION: Final = {1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}


def sniff_media_type(head: bytes) -> MediaType | None:
    """Photo or video from the first bytes of a file, or None when the content is not known.

    Checks magic numbers (JPEG, PNG, WebP, ISO-BMFF/QuickTime, AVI, Matroska/WebM); the file name
    is never trusted for this.
    """
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video"
    if head[4:8] in _MOV_ATOMS or head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    return None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A checked media file: its path, type by content, size and SHA-256."""

    path: Path
    media_type: MediaType
    size_bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_media(path: str | os.PathLike[str], *, max_file_mb: float) -> MediaFile:
    """Check that ``path`` is a readable photo or video within the size limit.

    Raises
    ------
    MediaReadError
        Missing, not a regular file, unreadable, empty, or content that does not match a
        supported type although the name says it should.
    UnsupportedMediaError
        Neither the content nor the name is a supported photo or video type.
    MediaTooLargeError
        Larger than ``max_file_mb`` megabytes (10^6 bytes).
    """
    p = Path(path)
    if not p.exists():
        raise MediaReadError(f"File not found: {p}")
    if not p.is_file():
        raise MediaReadError(f"Not a file: {p}")
    size = p.stat().st_size
    limit_bytes = int(max_file_mb * 1_000_000)
    if size > limit_bytes:
        raise MediaTooLargeError(
            f"{p.name} is {size / 1e6:.1f} MB, over the {max_file_mb:g} MB limit.",
            detail="raise the limit with the max_file_mb setting if this is expected",
        )
    if size == 0:
        raise MediaReadError(f"{p.name} is empty (0 bytes).")
    try:
        with p.open("rb") as handle:
            head = handle.read(32)
        sha = sha256_of(p)
    except OSError as exc:
        raise MediaReadError(f"Cannot read {p.name}.", detail=str(exc)) from exc
    media_type = sniff_media_type(head)
    suffix = p.suffix.lower()
    if media_type is None:
        if suffix in PHOTO_SUFFIXES | VIDEO_SUFFIXES:
            raise MediaReadError(
                f"{p.name} is corrupt or not really a {suffix[1:].upper()} file.",
                detail=f"unrecognised content, first bytes {head[:12].hex()}",
            )
        supported = ", ".join(sorted(s[1:] for s in PHOTO_SUFFIXES | VIDEO_SUFFIXES))
        raise UnsupportedMediaError(
            f"{p.name}: unsupported file type. Use a photo or video ({supported}).",
        )
    return MediaFile(path=p, media_type=media_type, size_bytes=size, sha256=sha)


def read_photo(path: Path) -> tuple[RgbImage, int]:
    """Upright RGB pixels of a photo and the clockwise rotation applied from its EXIF orientation.

    Mirrored EXIF orientations (2, 4, 5, 7) are also undone; the returned rotation is the
    rotational part.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            orientation = int(img.getexif().get(0x0112, 1))
            upright = ImageOps.exif_transpose(img)
            if upright is None:  # pragma: no cover - only with in_place=True
                raise MediaReadError(f"Cannot orient {path.name}.")
            rgb = np.asarray(upright.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaReadError(
            f"{path.name} is corrupt or not a readable image.", detail=str(exc)
        ) from exc
    return rgb, _EXIF_ROTATION.get(orientation, 0)


class VideoReader:
    """Decode a video's frames upright, as RGB, with their timestamps.

    Use as a context manager. ``rotation_deg`` is the clockwise rotation from the container's
    display matrix, applied to every frame; ``fps`` and ``frame_count`` come from the container
    (``frame_count`` is an estimate for some formats).
    """

    def __init__(self, path: Path) -> None:
        import cv2

        self._cv2 = cv2
        self.path = path
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            raise MediaReadError(f"{path.name} is corrupt or not a readable video.")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
        self._cap = cap
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not np.isfinite(self.fps) or self.fps <= 0 or self.fps > 1000:
            cap.release()
            raise MediaReadError(f"{path.name} has no usable frame rate.", detail=f"fps={self.fps}")
        self.frame_count = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0)
        self.rotation_deg = round(float(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0)) % 360
        if self.rotation_deg not in (0, 90, 180, 270):
            self.rotation_deg = 0
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if self.rotation_deg in (90, 270):
            width, height = height, width
        self.width_px, self.height_px = width, height

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the decoder."""
        self._cap.release()

    def _upright(self, bgr: npt.NDArray[np.uint8]) -> RgbImage:
        cv2 = self._cv2
        rotate = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }.get(self.rotation_deg)
        if rotate is not None:
            bgr = cv2.rotate(bgr, rotate)
        rgb: RgbImage = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        return rgb

    def frames(self, *, stride: int = 1) -> Iterator[tuple[int, float, RgbImage]]:
        """Yield ``(frame_index, t_s, rgb)`` for every ``stride``-th frame.

        Skipped frames are only grabbed, not decoded to pixels. Timestamps come from the
        container; where it gives none or a non-increasing one, ``index / fps`` is used.
        """
        cap, cv2 = self._cap, self._cv2
        index = -1
        last_t = -np.inf
        while True:
            index += 1
            if index % stride:
                if not cap.grab():
                    return
                continue
            ok, bgr = cap.read()
            if not ok or bgr is None:
                return
            t_s = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            if not np.isfinite(t_s) or t_s <= last_t:
                t_s = index / self.fps
                if t_s <= last_t:
                    t_s = last_t + 1.0 / self.fps
            last_t = t_s
            yield index, t_s, self._upright(np.asarray(bgr, dtype=np.uint8))

    def read_frame(self, index: int) -> RgbImage | None:
        """One upright frame by index (seeks; for overlays and spot checks)."""
        self._cap.set(self._cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            return None
        return self._upright(np.asarray(bgr, dtype=np.uint8))


def ensure_has_frames(frames_seen: int, path: Path) -> None:
    """Raise :class:`EmptyMediaError` when a video yielded no frame at all."""
    if frames_seen == 0:
        raise EmptyMediaError(f"{path.name} holds no video frame that can be decoded.")
