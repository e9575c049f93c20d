"""Body yaw and view labels from world landmarks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrehab.pose.view import (
    View,
    body_yaw_deg,
    classify_view,
    dominant_view,
    frontal_offset_deg,
    sagittal_offset_deg,
    view_factor,
)
from tests.synth import Posture, sequence_of


@given(yaw=st.floats(-179.5, 180.0))
def test_yaw_recovers_the_posed_direction(yaw: float) -> None:
    """The estimated yaw equals the yaw the synthetic person was turned by."""
    seq = sequence_of([Posture(knee_flexion=30, hip_flexion=20)], yaw_deg=yaw)
    estimate = body_yaw_deg(seq.world_m)[0]
    assert ((estimate - yaw + 180) % 360 - 180) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("yaw", "view"),
    [
        (0, View.FRONT),
        (40, View.FRONT),
        (-44, View.FRONT),
        (90, View.LEFT_SIDE),
        (-90, View.RIGHT_SIDE),
        (180, View.BACK),
        (-150, View.BACK),
        (120, View.LEFT_SIDE),
        (np.nan, View.UNKNOWN),
    ],
)
def test_classify_view(yaw: float, view: View) -> None:
    """Yaw maps to the nearest of front, back, left side and right side."""
    assert classify_view(np.array([yaw])) == [view]


def test_smoothing_does_not_average_across_the_back_seam() -> None:
    """A person seen from the back, jittering around ±180°, stays 'back' after smoothing."""
    yaws = [179.0, -179.0, 178.0, -177.0, 179.5, -178.5, 177.0, -179.0, 179.0]
    seq = sequence_of([Posture()] * len(yaws), yaw_deg=yaws)
    smoothed = body_yaw_deg(seq.world_m, fps=30.0, smoothing_s=0.2)
    assert np.all(np.abs(smoothed) > 170.0)
    assert set(classify_view(smoothed)) == {View.BACK}


def test_smoothing_removes_a_single_frame_glitch() -> None:
    """One frame of a wrong yaw inside a side view is smoothed away."""
    yaws = [90.0] * 7 + [10.0] + [90.0] * 7
    seq = sequence_of([Posture()] * len(yaws), yaw_deg=yaws)
    smoothed = body_yaw_deg(seq.world_m, fps=30.0, smoothing_s=0.2)
    assert classify_view(smoothed)[7] is View.LEFT_SIDE


def test_offsets_and_dominant_view() -> None:
    """Offsets measure the distance to a pure side or front view; the mode wins."""
    yaw = np.array([0.0, 90.0, -135.0])
    np.testing.assert_allclose(sagittal_offset_deg(yaw), [90.0, 0.0, 45.0])
    np.testing.assert_allclose(frontal_offset_deg(yaw), [0.0, 90.0, 45.0])
    assert dominant_view([View.FRONT, View.UNKNOWN, View.BACK, View.BACK]) is View.BACK
    assert dominant_view([View.UNKNOWN]) is View.UNKNOWN


def test_view_factor_is_the_cosine_of_the_median_offset() -> None:
    """Square on gives 1, 60 deg off 0.5, side-on 0; NaN frames are ignored; no yaw at all is 0."""
    assert view_factor(np.array([0.0, 0.0, 5.0])) == pytest.approx(1.0, abs=1e-3)
    assert view_factor(np.array([60.0, np.nan, 60.0])) == pytest.approx(0.5)
    assert view_factor(np.array([90.0])) == pytest.approx(0.0, abs=1e-12)
    assert view_factor(np.array([np.nan, np.nan])) == pytest.approx(0.0, abs=1e-12)
