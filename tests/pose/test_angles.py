"""Angles on synthetic skeletons whose angles are known analytically."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.pose.angles import (
    ANGLE_NAMES,
    ANGLES,
    Reliability,
    compute_angles,
    interior_deg,
)
from backrehab.pose.landmarks import Landmark
from backrehab.pose.view import body_yaw_deg, frontal_offset_deg
from tests.synth import Posture, sequence_of

SAGITTAL = {
    "hip_flexion": "hip_flexion",
    "knee_flexion": "knee_flexion",
    "ankle_dorsiflexion": "ankle_dorsiflexion",
    "shoulder_flexion": "shoulder_flexion",
    "elbow_flexion": "elbow_flexion",
}

postures = st.builds(
    Posture,
    hip_flexion=st.floats(-20, 120),
    knee_flexion=st.floats(0, 140),
    ankle_dorsiflexion=st.floats(-30, 30),
    shoulder_flexion=st.floats(-40, 170),
    elbow_flexion=st.floats(0, 140),
    trunk_inclination=st.floats(-20, 80),
    craniovertebral=st.floats(20, 110),
)


def _angles(posture: Posture, yaw: float):
    seq = sequence_of([posture], yaw_deg=yaw)
    return compute_angles(seq, body_yaw_deg(seq.world_m))


def _value(series, name: str) -> float:
    return float(series.values_deg[name][0])


def test_table_points_are_landmarks_and_names_unique() -> None:
    """Every angle is built from real landmarks and every name is unique (2D and 3D)."""
    for spec in ANGLES:
        assert all(isinstance(p, Landmark) for p in spec.points)
    assert len(set(ANGLE_NAMES)) == len(ANGLE_NAMES) == 2 * len(ANGLES)
    for required in (
        "left_hip_flexion",
        "right_knee_flexion",
        "left_ankle_dorsiflexion",
        "right_shoulder_flexion",
        "left_elbow_flexion",
        "trunk_inclination",
        "trunk_lateral_lean",
        "left_craniovertebral_proxy",
        "shoulder_obliquity",
        "pelvic_obliquity",
        "left_knee_fppa",
        "right_knee_fppa_3d",
    ):
        assert required in ANGLE_NAMES


@pytest.mark.parametrize("yaw", [90.0, -90.0])
def test_right_angle_gives_90(yaw: float) -> None:
    """A knee bent at a right angle measures 90° in 2D side view and in 3D."""
    a = _angles(Posture(knee_flexion=90.0, elbow_flexion=90.0), yaw)
    for name in ("left_knee_flexion", "right_knee_flexion_3d", "left_elbow_flexion_3d"):
        assert _value(a, name) == pytest.approx(90.0, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(posture=postures, yaw=st.sampled_from([90.0, -90.0]))
def test_side_view_2d_angles_match_the_posture(posture: Posture, yaw: float) -> None:
    """In a pure side view every 2D sagittal angle equals the posed angle, on both sides."""
    a = _angles(posture, yaw)
    for stem, attr in SAGITTAL.items():
        for side in ("left", "right"):
            assert _value(a, f"{side}_{stem}") == pytest.approx(getattr(posture, attr), abs=1e-6)
            assert a.reliability[f"{side}_{stem}"][0] == Reliability.SOUND
    assert _value(a, "trunk_inclination") == pytest.approx(posture.trunk_inclination, abs=1e-6)
    near = "left" if yaw > 0 else "right"
    assert _value(a, f"{near}_craniovertebral_proxy") == pytest.approx(
        posture.craniovertebral, abs=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(posture=postures, yaw=st.floats(-179.0, 179.0))
def test_3d_angles_match_the_posture_from_any_view(posture: Posture, yaw: float) -> None:
    """3D angles equal the posed angles whatever way the person faces the camera; they are
    sound except where the camera sees their plane edge-on (a sagittal angle within 30° of a
    front or back view), where they are flagged as depth-estimated."""
    a = _angles(posture, yaw)
    edge_on = frontal_offset_deg(a.yaw_deg)[0] <= 30.0
    expected = Reliability.DEPTH_ESTIMATED if edge_on else Reliability.SOUND
    for stem, attr in SAGITTAL.items():
        assert _value(a, f"left_{stem}_3d") == pytest.approx(getattr(posture, attr), abs=1e-6)
        assert a.reliability[f"left_{stem}_3d"][0] == expected
    assert _value(a, "trunk_inclination_3d") == pytest.approx(posture.trunk_inclination, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    posture=postures,
    roll_deg=st.floats(-180, 180),
    scale=st.floats(0.1, 10),
    shift=st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)),
)
def test_joint_angles_invariant_to_image_rotation_translation_scale(
    posture: Posture, roll_deg: float, scale: float, shift: tuple[float, float]
) -> None:
    """Rotating, shifting and scaling the image leaves 2D joint angles unchanged."""
    seq = sequence_of([posture], yaw_deg=90.0)
    yaw = body_yaw_deg(seq.world_m)
    base = compute_angles(seq, yaw)
    t = np.radians(roll_deg)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    moved = seq.image_px.copy()
    moved[..., :2] = moved[..., :2] @ rot.T * scale + np.asarray(shift)
    other = compute_angles(seq.replace(image_px=moved), yaw)
    for name in (
        "left_knee_flexion",
        "right_elbow_flexion",
        "left_hip_flexion",
        "right_shoulder_flexion",
        "left_ankle_dorsiflexion",
    ):
        assert _value(other, name) == pytest.approx(_value(base, name), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    posture=postures,
    axis=st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1)),
    angle=st.floats(-np.pi, np.pi),
    scale=st.floats(0.5, 2.0),
)
def test_3d_joint_angles_invariant_to_rotation_and_scale(
    posture: Posture, axis: tuple[float, float, float], angle: float, scale: float
) -> None:
    """Rotating and scaling the world coordinates leaves 3D joint angles unchanged."""
    k = np.asarray(axis)
    if np.linalg.norm(k) < 1e-3:
        k = np.array([0.0, 0.0, 1.0])
    k = k / np.linalg.norm(k)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    rot = np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx
    seq = sequence_of([posture], yaw_deg=30.0)
    yaw = body_yaw_deg(seq.world_m)
    base = compute_angles(seq, yaw)
    other = compute_angles(seq.replace(world_m=seq.world_m @ rot.T * scale), yaw)
    for name in (
        "left_knee_flexion_3d",
        "right_elbow_flexion_3d",
        "left_hip_flexion_3d",
        "right_shoulder_flexion_3d",
    ):
        assert _value(other, name) == pytest.approx(_value(base, name), abs=1e-6)


#: Angles whose sign is defined towards the person's right: mirroring negates them.
_RIGHTWARD = ("trunk_lateral_lean", "shoulder_obliquity", "pelvic_obliquity", "head_tilt")


@settings(max_examples=60, deadline=None)
@given(
    posture=postures,
    right_hip=st.floats(-20, 120),
    right_knee=st.floats(0, 140),
    medial=st.tuples(st.floats(-0.06, 0.06), st.floats(-0.06, 0.06)),
    drop=st.floats(-0.05, 0.05),
    yaw=st.floats(-179.0, 179.0),
)
def test_mirroring_swaps_left_and_right(
    posture: Posture,
    right_hip: float,
    right_knee: float,
    medial: tuple[float, float],
    drop: float,
    yaw: float,
) -> None:
    """A mirrored recording swaps every left and right angle, negates the rightward-signed ones,
    keeps the midline ones, turns the yaw to its opposite and keeps every reliability code."""
    posture = dataclasses.replace(
        posture,
        right_hip_flexion=right_hip,
        right_knee_flexion=right_knee,
        left_knee_medial_m=medial[0],
        right_knee_medial_m=medial[1],
        pelvic_drop_m=drop,
    )
    seq = sequence_of([posture], yaw_deg=yaw)
    a = compute_angles(seq, body_yaw_deg(seq.world_m))
    mirrored = seq.mirrored()
    yaw_m = body_yaw_deg(mirrored.world_m)
    assert yaw_m[0] == pytest.approx(-a.yaw_deg[0], abs=1e-6)
    m = compute_angles(mirrored, yaw_m)
    for name in ANGLE_NAMES:
        if name.startswith(("left_", "right_")):
            side, rest = name.split("_", 1)
            twin = f"{'right' if side == 'left' else 'left'}_{rest}"
            expected, code = _value(a, twin), a.reliability[twin][0]
        elif name.removesuffix("_3d") in _RIGHTWARD:
            expected, code = -_value(a, name), a.reliability[name][0]
        else:
            expected, code = _value(a, name), a.reliability[name][0]
        assert m.reliability[name][0] == code, name
        if code == Reliability.SOUND or abs(yaw) > 1e-3:
            # Square-on (yaw exactly 0) a 2D sagittal sign has no facing side to follow; those
            # values are flagged out of plane, so only their codes must agree.
            assert _value(m, name) == pytest.approx(expected, abs=1e-6), name


@pytest.mark.parametrize("yaw", [90.0, -90.0])
def test_no_flip_when_a_joint_passes_180(yaw: float) -> None:
    """An arm swept overhead and beyond passes 180° smoothly, never jumping to -180°."""
    sweep = np.linspace(0, 300, 121)
    seq = sequence_of([Posture(shoulder_flexion=f) for f in sweep], yaw_deg=yaw)
    a = compute_angles(seq, body_yaw_deg(seq.world_m))
    for name in ("left_shoulder_flexion", "right_shoulder_flexion_3d"):
        values = a.values_deg[name]
        assert np.max(np.abs(np.diff(values))) < 5.0
        np.testing.assert_allclose(values, sweep, atol=1e-6)


def test_out_of_plane_angles_are_flagged() -> None:
    """Front view: 2D sagittal angles are flagged and frontal ones sound; side view: the reverse."""
    front = _angles(Posture(knee_flexion=40), 5.0)
    side = _angles(Posture(knee_flexion=40), -95.0)
    assert front.reliability["left_knee_flexion"][0] == Reliability.OUT_OF_PLANE
    assert front.reliability["pelvic_obliquity"][0] == Reliability.SOUND
    assert side.reliability["left_knee_flexion"][0] == Reliability.SOUND
    assert side.reliability["pelvic_obliquity"][0] == Reliability.OUT_OF_PLANE
    assert side.reliability["left_knee_fppa"][0] == Reliability.OUT_OF_PLANE
    assert np.isnan(front.sound("left_knee_flexion")[0])
    # 3D: sound where the plane faces the camera, depth-estimated where it is seen edge-on
    assert side.reliability["left_knee_flexion_3d"][0] == Reliability.SOUND
    assert front.reliability["left_knee_flexion_3d"][0] == Reliability.DEPTH_ESTIMATED
    assert front.reliability["pelvic_obliquity_3d"][0] == Reliability.SOUND
    assert side.reliability["pelvic_obliquity_3d"][0] == Reliability.DEPTH_ESTIMATED
    assert np.isnan(front.sound("left_knee_flexion_3d")[0])
    assert front.values_deg["left_knee_flexion_3d"][0] == pytest.approx(40.0, abs=1e-6)
    oblique = _angles(Posture(knee_flexion=40), 45.0)
    assert oblique.reliability["left_knee_flexion_3d"][0] == Reliability.SOUND


def test_oblique_view_beyond_tolerance_is_flagged() -> None:
    """At 45° between side and front neither plane's 2D angles count as sound."""
    a = _angles(Posture(), 45.0)
    assert a.reliability["trunk_inclination"][0] == Reliability.OUT_OF_PLANE
    assert a.reliability["shoulder_obliquity"][0] == Reliability.OUT_OF_PLANE


def test_far_side_head_angle_is_flagged() -> None:
    """The head-forward angle is judged on the side facing the camera only."""
    a = _angles(Posture(craniovertebral=45), 90.0)
    assert a.reliability["left_craniovertebral_proxy"][0] == Reliability.SOUND
    assert a.reliability["right_craniovertebral_proxy"][0] == Reliability.FAR_SIDE


@pytest.mark.parametrize("yaw", [0.0, 180.0, 10.0, -170.0])
def test_fppa_sign_valgus_positive_from_front_and_back(yaw: float) -> None:
    """A knee moved towards the midline gives a positive FPPA on either side, front or back."""
    medial = Posture(left_knee_medial_m=0.05, right_knee_medial_m=-0.05)
    a = _angles(medial, yaw)
    expected = np.degrees(np.arctan(0.05 / 0.45)) + np.degrees(np.arctan(0.05 / 0.42))
    assert _value(a, "left_knee_fppa") == pytest.approx(expected, abs=0.5)
    assert _value(a, "right_knee_fppa") == pytest.approx(-expected, abs=0.5)
    assert _value(a, "left_knee_fppa_3d") == pytest.approx(expected, abs=0.5)
    assert a.reliability["left_knee_fppa"][0] == Reliability.SOUND


@pytest.mark.parametrize("yaw", [0.0, 180.0])
def test_pelvic_obliquity_sign_right_higher_positive(yaw: float) -> None:
    """Dropping the right hip gives a negative pelvic obliquity from the front and the back."""
    a = _angles(Posture(pelvic_drop_m=0.03), yaw)
    expected = -np.degrees(np.arctan(0.03 / 0.2))
    assert _value(a, "pelvic_obliquity") == pytest.approx(expected, abs=1e-6)
    assert _value(a, "pelvic_obliquity_3d") == pytest.approx(expected, abs=1e-6)


def test_missing_landmark_gives_nan_and_missing_code() -> None:
    """A missing knee makes the knee angles NaN and flagged missing, not zero."""
    seq = sequence_of([Posture(knee_flexion=30)], yaw_deg=90.0)
    image = seq.image_px.copy()
    image[0, Landmark.LEFT_KNEE] = np.nan
    world = seq.world_m.copy()
    world[0, Landmark.LEFT_KNEE] = np.nan
    a = compute_angles(seq.replace(image_px=image, world_m=world), body_yaw_deg(seq.world_m))
    for name in ("left_knee_flexion", "left_knee_flexion_3d"):
        assert np.isnan(a.values_deg[name][0])
        assert a.reliability[name][0] == Reliability.MISSING
    assert a.reliability["right_knee_flexion"][0] == Reliability.SOUND


def test_interior_is_numerically_safe_at_0_and_180() -> None:
    """The interior angle is exact for straight and folded joints (no arccos rounding)."""
    a = np.array([[0.0, 0.0]])
    b = np.array([[1.0, 0.0]])
    assert interior_deg(a, b, np.array([[2.0, 0.0]]))[0] == pytest.approx(180.0)
    assert interior_deg(a, b, np.array([[0.0, 1e-12]]))[0] == pytest.approx(0.0, abs=1e-6)
