"""Transformed copies of real clips, made at test time: mirrored, rotated, zoomed out, cropped in.

Input: a video path and a transform name. Output: an MP4 in a given folder, same frame rate and
size. Nothing is stored in the repository (the clips' licences do not all allow copies).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

BgrImage = npt.NDArray[np.uint8]


def _rotate(angle_deg: float) -> Callable[[BgrImage], BgrImage]:
    def apply(frame: BgrImage) -> BgrImage:
        h, w = frame.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
        return np.asarray(cv2.warpAffine(frame, m, (w, h), borderValue=(255, 255, 255)))

    return apply


def _zoom_out(frame: BgrImage) -> BgrImage:
    """The picture at 65 % of its size in the middle of a grey frame (person further away)."""
    h, w = frame.shape[:2]
    small = cv2.resize(frame, (int(w * 0.65), int(h * 0.65)), interpolation=cv2.INTER_AREA)
    out = np.full_like(frame, 128)
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return out


def _crop_in(frame: BgrImage) -> BgrImage:
    """7 % cut off every edge and the rest scaled back up (person closer, edges lost)."""
    h, w = frame.shape[:2]
    crop = frame[int(h * 0.07) : int(h * 0.93), int(w * 0.07) : int(w * 0.93)]
    return np.asarray(cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR))


TRANSFORMS: dict[str, Callable[[BgrImage], BgrImage]] = {
    "mirror": lambda frame: np.asarray(cv2.flip(frame, 1)),
    "rotate_6": _rotate(6.0),
    "rotate_-6": _rotate(-6.0),
    "zoom_out": _zoom_out,
    "crop_in": _crop_in,
}


def transformed(video: Path, transform: str, folder: Path) -> Path:
    """``video`` with ``transform`` applied to every frame, written once into ``folder``."""
    out = folder / f"{video.stem}_{transform}.mp4"
    if out.exists():
        return out
    apply = TRANSFORMS[transform]
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer: cv2.VideoWriter | None = None
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            changed = apply(np.asarray(frame, dtype=np.uint8))
            if writer is None:
                h, w = changed.shape[:2]
                writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
            writer.write(changed)
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    if writer is None:
        raise ValueError(f"no frames read from {video}")
    return out
