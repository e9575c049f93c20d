"""Keeping the main person when the tracker jumps to somebody else."""

from __future__ import annotations

import numpy as np

from backrehab.pose.person import main_person_mask
from tests.synth import Posture, frame_arrays


def _track(n: int, scale: float, centre: tuple[float, float]) -> np.ndarray:
    image, _ = frame_arrays(Posture(), yaw_deg=0.0, scale_px=scale, centre_px=centre)
    return np.repeat(image[None], n, axis=0)


def test_short_intrusion_by_another_person_is_dropped() -> None:
    """Ten frames of a smaller person elsewhere, between frames of the main person, are dropped."""
    main = _track(30, 300.0, (320.0, 240.0))
    other = _track(10, 120.0, (80.0, 300.0))
    image = np.concatenate([main, other, main])
    t = np.arange(len(image)) / 30.0
    keep = main_person_mask(image, t)
    assert keep[:30].all()
    assert not keep[30:40].any()
    assert keep[40:].all()


def test_long_segment_after_a_camera_cut_is_kept() -> None:
    """A long stretch from another camera framing (same person) is not dropped."""
    image = np.concatenate(
        [
            _track(30, 300.0, (320.0, 240.0)),
            _track(150, 120.0, (80.0, 300.0)),
            _track(30, 300.0, (320.0, 240.0)),
        ]
    )
    keep = main_person_mask(image, np.arange(len(image)) / 30.0)
    assert keep.all()


def test_missing_frames_stay_missing_and_never_count() -> None:
    """Frames without a person are never marked as the main person."""
    image = _track(20, 300.0, (320.0, 240.0))
    image[5:8] = np.nan
    keep = main_person_mask(image, np.arange(20) / 30.0)
    assert not keep[5:8].any()
    assert keep[:5].all()
    assert keep[8:].all()
