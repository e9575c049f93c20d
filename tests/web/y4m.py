"""A Y4M (YUV4MPEG2) video for Chromium's fake camera, made at test time from a real clip:
decoded with OpenCV, scaled, converted to I420, with still lead-in and tail frames so that a
test can press Start before the movement begins and Finish after it ends (the fake camera loops)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np


def write_y4m(
    clip: Path, out: Path, *, width: int = 640, lead_s: float = 4.0, tail_s: float = 3.0
) -> tuple[float, float]:
    """Write ``out``; returns (frames per second, seconds of movement after the lead-in)."""
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    if not frames:
        raise ValueError(f"{clip} has no frames")
    h, w = frames[0].shape[:2]
    height = round(h * width / w / 2) * 2
    rate = Fraction(fps).limit_denominator(1001)
    with out.open("wb") as fh:
        header = f"YUV4MPEG2 W{width} H{height} F{rate.numerator}:{rate.denominator} Ip A1:1"
        fh.write(header.encode() + b" C420jpeg\n")
        still_first = [frames[0]] * int(lead_s * fps)
        still_last = [frames[-1]] * int(tail_s * fps)
        for bgr in (*still_first, *frames, *still_last):
            small = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
            yuv = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420))
            fh.write(b"FRAME\n")
            fh.write(yuv.tobytes())
    return float(fps), len(frames) / float(fps)
