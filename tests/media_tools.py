"""Helpers that make small media files for tests (videos, rotation metadata, corrupt files)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

_ROTATION_MATRIX = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}


def write_video(path: Path, frames_rgb: Iterable[npt.NDArray[np.uint8]], fps: float) -> Path:
    """Write RGB frames to an MP4 (mp4v)."""
    writer: cv2.VideoWriter | None = None
    for frame in frames_rgb:
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    if writer is not None:
        writer.release()
    return path


def set_mp4_rotation(path: Path, degrees: int) -> None:
    """Write a display matrix into the first track header, as phones do for portrait videos.

    ``degrees`` is the clockwise rotation a player must apply to show the video upright.
    """
    a, b, c, d = _ROTATION_MATRIX[degrees]
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    version = data[at + 4]
    offset = at + 8 + (32 if version == 1 else 20) + 8 + 8
    matrix = [a, b, 0, c, d, 0, 0, 0, 1]
    packed = b"".join(
        struct.pack(">i", int(v * (1 << 30) if k in (2, 5, 8) else v * 65536))
        for k, v in enumerate(matrix)
    )
    data[offset : offset + 36] = packed
    path.write_bytes(bytes(data))


def read_frames(path: Path, limit: int) -> list[npt.NDArray[np.uint8]]:
    """The first ``limit`` frames of a video as RGB (no rotation applied)."""
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    out = []
    while len(out) < limit:
        ok, bgr = cap.read()
        if not ok:
            break
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return out
