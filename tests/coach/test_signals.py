"""Coach signals: view-independent geometry, one side standing in for an unseen one, batches."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.coach.signals import SIGNALS, Body, compute_signals, signal_named
from backrehab.pose.angles import ANGLES, _compute
from backrehab.pose.landmarks import Landmark as L
from tests.synth import Posture, sequence_of


def _trunk_body(tilt_deg: float, heading_deg: float) -> Body:
    """Hips at the origin, shoulders 0.5 m away along a trunk tilted ``tilt_deg`` from up
    towards the horizontal direction ``heading_deg`` (world y down)."""
    world = np.full((1, 33, 3), np.nan)
    t, h = np.radians(tilt_deg), np.radians(heading_deg)
    trunk = 0.5 * np.array([np.sin(t) * np.cos(h), -np.cos(t), np.sin(t) * np.sin(h)])
    across = 0.15 * np.array([-np.sin(h), 0.0, np.cos(h)])
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        world[0, int(L[f"{side}_HIP"])] = sign * across
        world[0, int(L[f"{side}_SHOULDER"])] = trunk + sign * across
    return Body(world)


@given(st.floats(0.0, 180.0), st.floats(-180.0, 180.0))
def test_trunk_from_vertical_is_the_tilt_whichever_way_the_person_faces(
    tilt: float, heading: float
) -> None:
    """Upright 0, lying 90, head down 180, for any heading relative to the camera."""
    value = signal_named("trunk_from_vertical")(_trunk_body(tilt, heading))
    assert abs(float(value[0]) - tilt) < 1e-6


def test_a_both_sides_signal_uses_the_side_that_is_seen() -> None:
    """With the left knee unseen, max and mean knee flexion are the right knee's, silently;
    with both unseen they are NaN."""
    seq = sequence_of([Posture(knee_flexion=60.0)], yaw_deg=90.0)
    world = seq.world_m.copy()
    world[:, int(L.LEFT_KNEE)] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = compute_signals(Body(world), ["max_knee_flexion", "mean_knee_flexion"])
        right = float(signal_named("right_knee_flexion")(Body(world))[0])
        world[:, int(L.RIGHT_KNEE)] = np.nan
        gone = compute_signals(Body(world), ["max_knee_flexion"])
    assert right == np.float64(values["max_knee_flexion"][0]) == values["mean_knee_flexion"][0]
    assert abs(right - 60.0) < 1.0
    assert np.isnan(gone["max_knee_flexion"][0])


def test_a_batch_equals_the_signals_one_by_one() -> None:
    """compute_signals gives what each signal gives alone, for every registry signal."""
    seq = sequence_of(
        [Posture(knee_flexion=k, hip_flexion=k, trunk_inclination=k / 3) for k in (0, 40, 90)],
        yaw_deg=30.0,
    )
    batch = compute_signals(Body(seq.world_m), [*SIGNALS, "left_knee_fppa"])
    for name, values in batch.items():
        np.testing.assert_allclose(values, signal_named(name)(Body(seq.world_m)), err_msg=name)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1.0, 1.0) | st.just(float("nan")), min_size=2 * 33 * 3, max_size=2 * 33 * 3)
)
def test_per_side_angles_computed_in_pairs_equal_each_side_alone(values: list[float]) -> None:
    """Left and right angles computed in one pass on the mirrored points are exactly the
    angle table's kernel applied to each side on its own (NaN landmarks included)."""
    world = np.array(values).reshape(2, 33, 3)
    body = Body(world)
    for spec in ANGLES:
        if spec.side == "both":
            continue
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", category=RuntimeWarning)
            alone = _compute(spec, body.pts, body.frame, "world")
            paired = signal_named(spec.name)(body)
        assert np.array_equal(paired, alone, equal_nan=True), spec.name
