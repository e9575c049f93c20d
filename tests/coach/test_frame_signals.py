"""The live coach's one-frame float signals equal the array signals, NaN for NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backrehab.coach.frame_signals import (
    FRAME_SIGNALS,
    OneFrame,
    _div,
    frame_features,
    frame_signal,
    frame_yaw_deg,
)
from backrehab.coach.run import compute_features, spec_signal_names, yaw_deg
from backrehab.coach.signals import SIGNALS, Body, compute_signals
from backrehab.coach.specs import all_specs
from backrehab.coach.wire import read_stream
from backrehab.pose.angles import ANGLES
from backrehab.pose.landmarks import Landmark as L
from tests.coach.streams import DEMO_STREAM

NAMES = list(SIGNALS) + [a.name for a in ANGLES] + [f"{a.name}_3d" for a in ANGLES]
TOLERANCE = 1e-9  # numpy's vector loops may round the last bit unlike scalar arithmetic


_SIGNED = [a.name for a in ANGLES if a.method == "sagittal_signed"]


def _at_the_wrap(world: np.ndarray) -> bool:
    """A signed sagittal angle at exactly +-180 deg (segments exactly antiparallel): its sign
    is rounding noise, and numpy's summation order may round it the other way."""
    batch = compute_signals(Body(world[None]), _SIGNED)
    return any(abs(abs(float(batch[n][0])) - 180.0) < 1e-6 for n in _SIGNED)


def _assert_same(world: np.ndarray) -> None:
    batch = compute_signals(Body(world[None]), NAMES)
    frame = OneFrame(world.tolist())
    for name in NAMES:
        expected, got = float(batch[name][0]), frame_signal(name)(frame)
        assert got == pytest.approx(expected, abs=TOLERANCE, nan_ok=True), name
    expected_yaw = float(yaw_deg(world[None])[0])
    assert frame_yaw_deg(world.tolist()) == pytest.approx(expected_yaw, abs=TOLERANCE, nan_ok=True)


def test_the_registries_name_the_same_signals() -> None:
    """Every array signal has its one-frame twin, and no other."""
    assert set(FRAME_SIGNALS) == set(SIGNALS)


coordinates = st.floats(-2.0, 2.0, allow_nan=False, width=64)


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.float64, (33, 3), elements=coordinates),
    st.lists(st.integers(0, 32), max_size=8),
)
def test_random_bodies_with_unseen_landmarks(world: np.ndarray, unseen: list[int]) -> None:
    """Any body, with any landmarks unseen (NaN): each signal and the yaw equal the array
    version within 1e-9, NaN exactly where it gives NaN."""
    world = world.copy()
    world[unseen] = np.nan
    assume(not _at_the_wrap(world))
    _assert_same(world)


def test_at_the_wrap_both_read_180() -> None:
    """Exactly antiparallel segments: both paths read 180 deg in magnitude (+ or -)."""
    world = np.zeros((33, 3))
    world[int(L.RIGHT_SHOULDER)] = (0.0, 0.9451639916307637, 0.6132752121867886)
    world[int(L.RIGHT_HIP)] = (1.9453125, 0.0, 0.0)
    assert _at_the_wrap(world)
    batch = compute_signals(Body(world[None]), _SIGNED)
    frame = OneFrame(world.tolist())
    for name in _SIGNED:
        expected, got = float(batch[name][0]), frame_signal(name)(frame)
        if abs(abs(expected) - 180.0) < 1e-6:
            assert abs(got) == pytest.approx(180.0, abs=1e-6), name
        else:
            assert got == pytest.approx(expected, abs=TOLERANCE, nan_ok=True), name


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (L.LEFT_HIP, L.RIGHT_HIP),  # no hip width: the body axes are undefined
        (L.LEFT_KNEE, L.LEFT_HIP),  # a zero-length thigh
        (L.LEFT_SHOULDER, L.LEFT_ELBOW),  # a zero-length upper arm
    ],
)
def test_degenerate_bodies(first: L, second: L) -> None:
    """Two landmarks on the same spot (0/0 in the formulas) give what numpy gives, no error."""
    world = np.random.default_rng(int(first) * 33 + int(second)).normal(0.0, 0.4, (33, 3))
    world[int(second)] = world[int(first)]
    _assert_same(world)
    world[:] = 0.0
    _assert_same(world)


def test_every_spec_over_a_recorded_stream() -> None:
    """For every exercise spec, the features of each frame of the real recorded stream equal
    the batch features of the whole stream."""
    frames = read_stream(DEMO_STREAM)
    world = np.stack([f.world_m for f in frames if f.world_m is not None])
    for spec in all_specs().values():
        batch = compute_features(world, spec)
        names = spec_signal_names(spec)
        for i in range(0, len(world), 7):
            single = frame_features(world[i].tolist(), spec, names)
            assert single.keys() == batch.keys(), spec.exercise_id
            for name, value in single.items():
                expected = float(batch[name][i])
                assert value == pytest.approx(expected, abs=TOLERANCE, nan_ok=True), name


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(1.0, 2.0, 0.5), (1.0, 0.0, math.inf), (-1.0, 0.0, -math.inf), (1.0, -0.0, -math.inf)],
)
def test_division_follows_numpy(a: float, b: float, expected: float) -> None:
    """x/0 is a signed infinity as in numpy, not a ZeroDivisionError."""
    with np.errstate(divide="ignore"):
        assert _div(a, b) == expected == float(np.float64(a) / np.float64(b))


@pytest.mark.parametrize(("a", "b"), [(0.0, 0.0), (math.nan, 0.0), (math.nan, 1.0)])
def test_undefined_division_is_nan(a: float, b: float) -> None:
    """0/0 and NaN give NaN."""
    assert math.isnan(_div(a, b))


def test_unknown_signal_is_a_key_error() -> None:
    """A name that is neither a signal nor a table angle raises KeyError."""
    with pytest.raises(KeyError):
        frame_signal("no_such_signal")
