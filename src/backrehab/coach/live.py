"""The live coach: camera or video frames in, skeleton, count, hold timer and cue out, in real time.

Each frame: MediaPipe pose -> :class:`~backrehab.coach.stream.LiveCoach` (the browser coach's
engine: One-Euro filtered world landmarks, the spec's signals, the same engine as offline). Shows
an OpenCV window, or writes the annotated video (headless). The time the coach logic takes per
frame (pose excluded) is measured and reported in ms.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from backrehab.coach.specs import MovementSpec
from backrehab.coach.stream import LiveCoach, LiveState
from backrehab.config import ExtractionConfig
from backrehab.errors import MediaReadError

RgbImage = npt.NDArray[np.uint8]


class LiveSummary(BaseModel):
    """What a live session did, with the measured cost of the coach logic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise: str
    frames: int
    reps: int
    partial_reps: int
    total_hold_s: float
    coach_ms_mean: float
    coach_ms_p95: float
    frames_per_s: float
    paused_fraction: float
    output: str | None


def _camera_frames(index: int) -> Iterator[tuple[float, RgbImage]]:
    import cv2

    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        raise MediaReadError(f"Camera {index} cannot be opened: is it connected and free?")
    start = time.perf_counter()
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                return
            rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            yield time.perf_counter() - start, rgb
    finally:
        cap.release()


def _video_frames(path: Path) -> tuple[float, Iterator[tuple[float, RgbImage]]]:
    """The video's frame rate and its frames (checked before the first frame is read)."""
    from backrehab.pose.media import VideoReader, open_media

    media = open_media(path, max_file_mb=ExtractionConfig().max_file_mb)
    if media.media_type != "video":
        raise MediaReadError(f"{path.name} is a photo; the coach needs a video or a camera.")
    with VideoReader(media.path) as probe:
        fps = probe.fps

    def frames() -> Iterator[tuple[float, RgbImage]]:
        with VideoReader(media.path) as reader:
            for _, t_s, rgb in reader.frames():
                yield t_s, rgb

    return fps, frames()


def run_live(
    spec: MovementSpec,
    *,
    camera: int | None = None,
    video: Path | None = None,
    show_window: bool = True,
    output: Path | None = None,
    min_visibility: float = 0.5,
    on_frame: Callable[[int], None] | None = None,
) -> LiveSummary:
    """Coach one exercise live from a camera, or from a video as if it were live.

    Parameters
    ----------
    spec
        The exercise's movement spec.
    camera, video
        Exactly one source: a camera index, or a video file (processed frame by frame, causally,
        exactly as a camera stream).
    show_window
        Show an OpenCV window (press q or Esc to stop). False for headless use.
    output
        Write the annotated video here (MP4).
    min_visibility
        Landmarks below this are treated as unseen; the coach then pauses and asks the user to
        adjust the camera rather than cue on guesses.
    """
    import cv2

    from backrehab.pose.extract import PoseEstimator
    from backrehab.pose.overlay import draw_pose

    if (camera is None) == (video is None):
        raise ValueError("give exactly one of camera or video")
    if camera is not None:
        out_fps, frames = 30.0, _camera_frames(camera)
    else:
        assert video is not None
        out_fps, frames = _video_frames(video)
    coach = LiveCoach(spec, min_visibility=min_visibility)
    writer: Any = None
    started = time.perf_counter()
    with PoseEstimator(static_image=False, settings=ExtractionConfig()) as estimator:
        try:
            for t_s, rgb in frames:
                found = estimator.process(rgb)
                if found is None:
                    image = np.full((33, 3), np.nan)
                    vis = np.zeros(33)
                    state = coach.step(t_s, None, None)
                else:
                    image, vis, raw_world = found
                    state = coach.step(t_s, raw_world, vis)
                if show_window or output is not None:
                    drawn = draw_pose(
                        rgb,
                        image,
                        vis,
                        caption=_caption(spec, coach, state),
                        min_visibility=min_visibility,
                    )
                    bgr = cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR)
                    if output is not None:
                        if writer is None:
                            h, w = bgr.shape[:2]
                            writer = cv2.VideoWriter(
                                str(output), cv2.VideoWriter.fourcc(*"mp4v"), out_fps, (w, h)
                            )
                            if not writer.isOpened():
                                raise MediaReadError(f"Cannot write the video {output}.")
                        writer.write(bgr)
                    if show_window:
                        cv2.imshow(f"backrehab coach - {spec.exercise_id}", bgr)
                        if cv2.waitKey(1) & 0xFF in (27, ord("q")):
                            break
                if on_frame is not None:
                    on_frame(coach.frames)
        finally:
            if writer is not None:
                writer.release()
            if show_window:
                cv2.destroyAllWindows()
    report = coach.finish()
    elapsed = time.perf_counter() - started
    costs = coach.costs_ms
    n = report.frames
    return LiveSummary(
        exercise=spec.exercise_id,
        frames=n,
        reps=report.reps,
        partial_reps=report.partial_reps,
        total_hold_s=report.total_hold_s,
        coach_ms_mean=round(float(np.mean(costs)), 4) if costs else 0.0,
        coach_ms_p95=round(float(np.percentile(costs, 95)), 4) if costs else 0.0,
        frames_per_s=round(n / elapsed, 2) if elapsed > 0 else 0.0,
        paused_fraction=round(1.0 - report.measurable_fraction, 4) if n else 0.0,
        output=str(output) if output is not None else None,
    )


def _caption(spec: MovementSpec, coach: LiveCoach, state: LiveState) -> str:
    if state.status in ("paused", "adjust_camera"):
        return f"{state.message}\n(no form cues while the camera cannot see you)"
    engine = coach.engine
    if spec.kind == "reps":
        head = f"{spec.exercise_id}: {state.reps} reps"
    else:
        head = f"{spec.exercise_id}: hold {state.hold_s:4.1f} s (total {state.total_hold_s:.0f} s)"
    lines = [head, engine.status]
    if state.cue:
        lines.append(f"Cue: {state.cue}")
    if state.message and state.message != engine.status:
        lines.append(state.message)
    return "\n".join(lines)
