"""The stillest stretch of a video: found where the person keeps still, refused otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from backrehab.assess.still import (
    StillSettings,
    find_still_window,
    still_part,
    take_frames,
    window_motion,
)
from backrehab.errors import PoseQualityError
from backrehab.pose.pipeline import analyze_sequence
from tests.synth import Posture, photo_of, sequence_of

FPS = 10.0


def _squats(seconds: float, period_s: float = 1.0) -> list[Posture]:
    """Continuous squatting (knees 0-90°) for ``seconds``."""
    n = round(seconds * FPS)
    phase = np.arange(n) / FPS * 2 * np.pi / period_s
    knee = 45.0 * (1 - np.cos(phase))
    return [Posture(hip_flexion=k * 0.8, knee_flexion=k, trunk_inclination=k / 3) for k in knee]


def test_still_window_is_found_in_the_standing_part() -> None:
    """Squatting 3 s, standing still 2 s, squatting 3 s: the window lies in the still 2 s."""
    postures = _squats(3.0) + [Posture()] * 20 + _squats(3.0)
    result = analyze_sequence(sequence_of(postures, yaw_deg=0.0, fps=FPS))
    window = find_still_window(result)
    assert window.start_s >= 3.0 - 1e-9
    assert window.end_s <= 5.0 + 1e-9  # frame 50 (5.0 s) still stands: the next squat starts at 0°
    assert window.stop - window.start == 10  # 1 s at 10 fps
    assert window.motion_trunk_lengths < 0.001


def test_moving_throughout_is_refused_with_the_reason() -> None:
    """A video of nothing but squats has no still second: PoseQualityError saying so."""
    result = analyze_sequence(sequence_of(_squats(6.0), yaw_deg=0.0, fps=FPS))
    with pytest.raises(PoseQualityError, match="moves throughout"):
        find_still_window(result)


def test_video_shorter_than_the_window_is_refused() -> None:
    """Half a second of video cannot give a 1 s still window."""
    result = analyze_sequence(sequence_of([Posture()] * 5, yaw_deg=0.0, fps=FPS))
    with pytest.raises(PoseQualityError, match="too short"):
        find_still_window(result)


def test_window_length_and_motion_limit_are_configurable() -> None:
    """A 3 s window does not fit in 2 s of standing between squats; a lax limit accepts it."""
    postures = _squats(3.0) + [Posture()] * 20 + _squats(3.0)
    result = analyze_sequence(sequence_of(postures, yaw_deg=0.0, fps=FPS))
    with pytest.raises(PoseQualityError, match="moves throughout"):
        find_still_window(result, StillSettings(window_s=3.0))
    lax = find_still_window(result, StillSettings(window_s=3.0, max_motion_trunk_lengths=1.0))
    assert lax.stop - lax.start == 30


def test_motion_grows_with_movement() -> None:
    """A body swaying 2 cm has a smaller window motion than one swaying 10 cm."""

    def swaying(amplitude_m: float) -> float:
        seq = sequence_of([Posture()] * 30, yaw_deg=0.0, fps=FPS)
        shift = amplitude_m * np.sin(np.arange(30) / FPS * 2 * np.pi)
        image = seq.image_px.copy()
        image[:, :, 0] += shift[:, None] * 300.0  # synth scale: 300 px per metre
        motion = window_motion(analyze_sequence(seq.replace(image_px=image)), 10)
        return float(np.nanmax(motion))

    assert 0 < swaying(0.02) < swaying(0.10)


def test_hidden_landmarks_in_one_frame_void_only_that_landmark() -> None:
    """A seated person's hidden ankles do not stop the motion being measured on the rest."""
    seq = sequence_of([Posture()] * 20, yaw_deg=0.0, fps=FPS)
    visibility = seq.visibility.copy()
    visibility[:, [27, 28]] = 0.0  # both ankles hidden throughout
    motion = window_motion(analyze_sequence(seq.replace(visibility=visibility)), 10)
    assert np.isfinite(motion).all()


def test_photo_passes_through_and_take_frames_cuts_every_array() -> None:
    """A photo is used as it is; take_frames keeps angles, views and times in step."""
    photo = photo_of(Posture(), 0.0)
    same, window = still_part(photo)
    assert same is photo
    assert window is None
    result = analyze_sequence(sequence_of([Posture()] * 20, yaw_deg=0.0, fps=FPS))
    part = take_frames(result, 5, 15)
    assert part.cleaned.n_frames == part.raw.n_frames == len(part.views) == 10
    assert part.angles.t_s.shape == (10,)
    assert all(v.shape == (10,) for v in part.angles.values_deg.values())
