"""The stillest stretch of a video, for judging static posture from video (clinical reference §4.2).

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` of a video and the window length (s).
Output: the same analysis cut to the stillest window, with its motion (RMS landmark movement in
trunk lengths); a video in which the person never keeps still is refused.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from backrehab.errors import PoseQualityError
from backrehab.pose.angles import AngleSeries
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult

FloatArray = npt.NDArray[np.float64]

#: Landmarks whose movement counts: head, trunk and legs (the hands may move in a still stance).
_BODY: tuple[L, ...] = (
    L.LEFT_EAR,
    L.RIGHT_EAR,
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_HIP,
    L.RIGHT_HIP,
    L.LEFT_KNEE,
    L.RIGHT_KNEE,
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
)
#: A window counts only when at least this many of those landmarks are seen throughout it.
MIN_LANDMARKS = 6


class StillSettings(BaseModel):
    """How long and how still a stretch of video must be (PROJECT DEFAULT, §4.2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_s: float = Field(1.0, gt=0, description="§4.2: average >= 30 frames (about 1 s)")
    max_motion_trunk_lengths: float = Field(
        0.03,
        gt=0,
        description="RMS movement of head, trunk and leg landmarks within the window, in trunk "
        "lengths (about 1.5 cm for a 50 cm trunk)",
    )


@dataclass(frozen=True, slots=True)
class StillWindow:
    """The chosen window: frames ``[start, stop)``, its times (s) and its motion."""

    start: int
    stop: int
    start_s: float
    end_s: float
    motion_trunk_lengths: float


def _trunk_length_px(result: AnalysisResult) -> float:
    pts = result.cleaned.image_px[:, :, :2]
    mid_shoulder = (pts[:, int(L.LEFT_SHOULDER)] + pts[:, int(L.RIGHT_SHOULDER)]) / 2.0
    mid_hip = (pts[:, int(L.LEFT_HIP)] + pts[:, int(L.RIGHT_HIP)]) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return float(np.nanmedian(np.linalg.norm(mid_shoulder - mid_hip, axis=1)))


def window_motion(result: AnalysisResult, frames: int) -> FloatArray:
    """RMS movement (trunk lengths) of the body landmarks in every window of ``frames`` frames.

    Entry ``k`` is the window starting at frame ``k``: the root mean square, over the landmarks
    seen in every frame of the window and both image axes, of the deviation from the window's
    mean position, divided by the median trunk length. A window in which fewer than
    :data:`MIN_LANDMARKS` of the head, trunk and leg landmarks are seen throughout is NaN (a
    seated person's feet or the far ankle may be hidden).
    """
    n = result.cleaned.n_frames
    pts = result.cleaned.image_px[:, [int(p) for p in _BODY], :2]  # (N, K, 2)
    if frames < 2 or n < frames:
        return np.full(max(n - frames + 1, 0), np.nan)
    trunk = _trunk_length_px(result)
    finite = np.isfinite(pts).all(axis=2)  # (N, K)
    x = np.where(finite[:, :, None], pts, 0.0)

    def window_sum(a: FloatArray) -> FloatArray:
        c = np.concatenate((np.zeros((1, *a.shape[1:])), np.cumsum(a, axis=0)))
        return np.asarray(c[frames:] - c[:-frames], dtype=np.float64)

    mean = window_sum(x) / frames
    var = np.maximum(window_sum(x * x) / frames - mean * mean, 0.0).sum(axis=2) / 2.0  # (W, K)
    complete = window_sum(finite.astype(np.float64)) >= frames - 0.5  # (W, K)
    count = complete.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt(np.where(complete, var, 0.0).sum(axis=1) / count)
    if not np.isfinite(trunk) or trunk <= 0:
        return np.full(rms.shape, np.nan)
    return np.where(count >= MIN_LANDMARKS, rms / trunk, np.nan)


def find_still_window(result: AnalysisResult, settings: StillSettings | None = None) -> StillWindow:
    """The stillest window of ``settings.window_s`` in a video.

    Raises
    ------
    PoseQualityError
        The video is shorter than the window, the body is never fully visible for a whole
        window, or it moves more than ``max_motion_trunk_lengths`` in every window.

    References
    ----------
    Clinical reference §4.2 (quiet standing, average >= 30 frames over a still window).
    """
    s = settings or StillSettings()
    t = result.cleaned.t_s
    rate = result.cleaned.sample_rate_hz
    frames = max(2, round(s.window_s * rate)) if rate > 0 else 0
    name = result.raw.source.file_name
    if frames == 0 or result.cleaned.n_frames < frames:
        raise PoseQualityError(
            f"{name} is too short to judge posture: it needs at least {s.window_s:g} s of the "
            "person keeping still (or use a photo)."
        )
    motion = window_motion(result, frames)
    if not np.isfinite(motion).any():
        raise PoseQualityError(
            f"In {name} the head, trunk and legs are never all visible for {s.window_s:g} s: "
            "film the whole body, or use a photo."
        )
    best = int(np.nanargmin(motion))
    value = float(motion[best])
    if value > s.max_motion_trunk_lengths:
        raise PoseQualityError(
            f"The person moves throughout {name}: posture is judged on quiet standing or sitting. "
            f"Film at least {s.window_s:g} s of keeping still, or use a photo.",
            detail=f"stillest {s.window_s:g} s window moves {value:.3f} trunk lengths (RMS), "
            f"limit {s.max_motion_trunk_lengths:g}",
        )
    return StillWindow(
        start=best,
        stop=best + frames,
        start_s=round(float(t[best]), 3),
        end_s=round(float(t[best + frames - 1]), 3),
        motion_trunk_lengths=round(value, 4),
    )


def take_frames(result: AnalysisResult, start: int, stop: int) -> AnalysisResult:
    """The analysis restricted to frames ``[start, stop)`` (cleaned and filtered as a whole)."""
    sl = slice(start, stop)
    a = result.angles
    angles = AngleSeries(
        t_s=a.t_s[sl],
        names=a.names,
        values_deg={k: v[sl] for k, v in a.values_deg.items()},
        reliability={k: v[sl] for k, v in a.reliability.items()},
        yaw_deg=a.yaw_deg[sl],
    )
    return AnalysisResult(
        raw=result.raw.take(sl),
        cleaned=result.cleaned.take(sl),
        cleaning=result.cleaning,
        views=result.views[sl],
        angles=angles,
        config=result.config,
    )


def still_part(
    result: AnalysisResult, settings: StillSettings | None = None
) -> tuple[AnalysisResult, StillWindow | None]:
    """A photo as it is; a video cut to its stillest window (with the window chosen)."""
    if result.raw.source.kind == "photo" or result.raw.n_frames == 1:
        return result, None
    window = find_still_window(result, settings)
    return take_frames(result, window.start, window.stop), window
