"""Pose estimation with MediaPipe Pose (BlazePose Full, bundled in the ``mediapipe==0.10.21``
wheel).

Input: a photo or video path and an :class:`~backrehab.config.ExtractionConfig`. Output: a
:class:`~backrehab.pose.sequence.PoseSequence` (pixels of the upright frame, world metres,
visibility). This is the only module that imports MediaPipe, and it does so lazily.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np

from backrehab.config import ExtractionConfig
from backrehab.errors import NoPersonError
from backrehab.pose.landmarks import N_LANDMARKS
from backrehab.pose.media import (
    MediaFile,
    RgbImage,
    VideoReader,
    ensure_has_frames,
    open_media,
    read_photo,
)
from backrehab.pose.person import main_person_mask
from backrehab.pose.posefile import PoseCache
from backrehab.pose.sequence import FloatArray, PoseSequence, SourceInfo

logger = logging.getLogger(__name__)

MEDIAPIPE_VERSION: Final = "0.10.21"
BACKEND: Final = f"mediapipe {MEDIAPIPE_VERSION} solutions.pose"
MODEL: Final = "BlazePose Full (model_complexity=1)"
#: Estimator identity folded into the cache key (a new model never reuses old poses).
_ESTIMATOR: Final = f"{BACKEND} / {MODEL}"

#: ``on_progress(frames_done, frames_total)``; total is an estimate for some containers.
ProgressCallback = Callable[[int, int], None]


def _mediapipe_pose() -> Any:
    """Import MediaPipe's pose solution (slow, noisy C++ logging kept to errors)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import mediapipe as mp

    if mp.__version__ != MEDIAPIPE_VERSION:
        logger.warning(
            "mediapipe %s found; results were validated with %s", mp.__version__, MEDIAPIPE_VERSION
        )
    return mp.solutions.pose


class PoseEstimator:
    """A MediaPipe Pose graph for one photo or one video/stream (tracking between frames).

    Parameters
    ----------
    static_image
        True for unrelated photos (detector on every image), False for video and live streams.
    settings
        Confidence thresholds; the model is always BlazePose Full.
    """

    def __init__(self, *, static_image: bool, settings: ExtractionConfig) -> None:
        solution = _mediapipe_pose()
        self._pose = solution.Pose(
            static_image_mode=static_image,
            model_complexity=1,
            smooth_landmarks=False,  # we filter with a zero-phase low-pass afterwards
            enable_segmentation=False,
            min_detection_confidence=settings.min_detection_confidence,
            min_tracking_confidence=settings.min_tracking_confidence,
        )

    def close(self) -> None:
        """Free the graph."""
        self._pose.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def process(self, rgb: RgbImage) -> tuple[FloatArray, FloatArray, FloatArray] | None:
        """Landmarks of one upright RGB frame: image (33, 3) px, visibility (33,), world (33, 3) m.

        Returns None when no person is found.
        """
        height, width = rgb.shape[:2]
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        marks = result.pose_landmarks.landmark
        image = np.array([(m.x * width, m.y * height, m.z * width) for m in marks], dtype=float)
        visibility = np.array([m.visibility for m in marks], dtype=float)
        world = np.array(
            [(m.x, m.y, m.z) for m in result.pose_world_landmarks.landmark], dtype=float
        )
        return image, visibility, world


def _source(
    media: MediaFile,
    *,
    fps: float,
    width: int,
    height: int,
    rotation: int,
    settings: ExtractionConfig,
) -> SourceInfo:
    return SourceInfo(
        file_name=media.path.name,
        sha256=media.sha256,
        kind=media.media_type,
        fps=fps,
        frame_width_px=width,
        frame_height_px=height,
        rotation_deg=rotation,
        frame_stride=settings.frame_stride if media.media_type == "video" else 1,
        backend=BACKEND,
        model=MODEL,
        settings_fingerprint=settings_key(settings),
    )


def settings_key(settings: ExtractionConfig) -> str:
    """The settings part of the pose-cache key: extraction settings and estimator identity."""
    return settings.fingerprint(_ESTIMATOR)


def _check_detected(
    fraction: float, detected: int, n: int, name: str, settings: ExtractionConfig
) -> None:
    """Refuse a video whose person shows in no frame, or in fewer than the configured share."""
    if fraction == 0.0:
        raise NoPersonError(
            f"No person found in any of the {n} frames of {name}. "
            "Film the whole body, well lit, from 2-3 m.",
            detected_fraction=0.0,
        )
    if fraction < settings.min_detected_fraction:
        raise NoPersonError(
            f"A person was found in only {fraction:.0%} of the frames of "
            f"{name} ({detected} of {n}); at least "
            f"{settings.min_detected_fraction:.0%} is needed.",
            detected_fraction=fraction,
        )


def _extract_photo(media: MediaFile, settings: ExtractionConfig) -> PoseSequence:
    rgb, rotation = read_photo(media.path)
    height, width = rgb.shape[:2]
    with PoseEstimator(static_image=True, settings=settings) as estimator:
        found = estimator.process(rgb)
    if found is None:
        raise NoPersonError(
            f"No person found in {media.path.name}. Make sure the whole body is in the photo.",
            detected_fraction=0.0,
        )
    image, visibility, world = found
    return PoseSequence(
        t_s=np.zeros(1),
        frame_index=np.zeros(1, dtype=np.int64),
        image_px=image[None],
        visibility=visibility[None],
        world_m=world[None],
        source=_source(
            media, fps=0.0, width=width, height=height, rotation=rotation, settings=settings
        ),
    )


def _extract_video(
    media: MediaFile, settings: ExtractionConfig, on_progress: ProgressCallback | None
) -> PoseSequence:
    stride = settings.frame_stride
    times: list[float] = []
    indices: list[int] = []
    images: list[FloatArray] = []
    visibilities: list[FloatArray] = []
    worlds: list[FloatArray] = []
    missing_image = np.full((N_LANDMARKS, 3), np.nan)
    missing_vis = np.full(N_LANDMARKS, np.nan)
    with (
        VideoReader(media.path) as reader,
        PoseEstimator(static_image=False, settings=settings) as estimator,
    ):
        total = max(reader.frame_count, 1)
        for index, t_s, rgb in reader.frames(stride=stride):
            found = estimator.process(rgb)
            image, vis, world = (
                found if found is not None else (missing_image, missing_vis, missing_image)
            )
            times.append(t_s)
            indices.append(index)
            images.append(image)
            visibilities.append(vis)
            worlds.append(world)
            if on_progress is not None:
                on_progress(min(index + 1, total), total)
        ensure_has_frames(len(times), media.path)
        fps, width, height, rotation = (
            reader.fps,
            reader.width_px,
            reader.height_px,
            reader.rotation_deg,
        )
    image_px = np.stack(images)
    keep = main_person_mask(image_px, np.asarray(times), max_jump=settings.main_person_max_jump)
    dropped = int((np.isfinite(image_px[:, 0, 0]) & ~keep).sum())
    if dropped:
        logger.info(
            "%s: %d frames showed another person and were dropped", media.path.name, dropped
        )
    visibility = np.stack(visibilities)
    world_m = np.stack(worlds)
    image_px[~keep] = np.nan
    visibility[~keep] = np.nan
    world_m[~keep] = np.nan
    _check_detected(float(keep.mean()), int(keep.sum()), len(times), media.path.name, settings)
    return PoseSequence(
        t_s=np.asarray(times),
        frame_index=np.asarray(indices, dtype=np.int64),
        image_px=image_px,
        visibility=visibility,
        world_m=world_m,
        source=_source(
            media, fps=fps, width=width, height=height, rotation=rotation, settings=settings
        ),
    )


def extract_pose(
    path: str | os.PathLike[str],
    settings: ExtractionConfig | None = None,
    *,
    cache: PoseCache | None = None,
    on_progress: ProgressCallback | None = None,
) -> PoseSequence:
    """Estimate the pose in a photo or video, using the cache when it has this content.

    Parameters
    ----------
    path
        Photo (jpg, png, webp) or video (mp4, mov, avi, webm). Type is checked by content.
    settings
        Extraction settings (defaults when None).
    cache
        Where finished sequences are kept, keyed by content hash and settings fingerprint.
    on_progress
        Called after every processed video frame with (frames done, frames total).

    Raises
    ------
    MediaError
        Unreadable, corrupt, unsupported, too large or empty media.
    NoPersonError
        No person found, or in too small a fraction of the frames (the message says how many).
    """
    settings = settings or ExtractionConfig()
    media = open_media(Path(path), max_file_mb=settings.max_file_mb)
    if cache is not None:
        cached = cache.get(media.sha256, settings_key(settings))
        if cached is not None:
            logger.info("pose of %s read from cache", media.path.name)
            if cached.source.kind == "video":  # the share needed may have changed since
                fraction = cached.detected_fraction
                found = int(cached.detected.sum())
                _check_detected(fraction, found, cached.n_frames, media.path.name, settings)
            return cached.replace(source=_renamed(cached.source, media.path.name))
    if media.media_type == "photo":
        sequence = _extract_photo(media, settings)
    else:
        sequence = _extract_video(media, settings, on_progress)
    if cache is not None:
        cache.put(sequence)
    return sequence


def _renamed(source: SourceInfo, file_name: str) -> SourceInfo:
    return dataclasses.replace(source, file_name=file_name)
