"""The coach on synthetic people filmed from every side: the same count from any camera angle."""

from __future__ import annotations

import numpy as np
import pytest

from backrehab.coach.run import coach_sequence
from backrehab.coach.specs import spec_for
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import analyze_sequence
from tests.synth import Posture, sequence_of

FPS = 20.0


def _movement(n: int, make: object, *, period_s: float = 2.5) -> list[Posture]:
    t = np.arange(0, n * period_s + 1.5, 1 / FPS)
    phase = (1 - np.cos(2 * np.pi * np.clip(t - 0.5, 0, n * period_s) / period_s)) / 2
    return [make(p) for p in phase]  # type: ignore[operator]


def _squat(p: float) -> Posture:
    return Posture(
        knee_flexion=100 * p,
        hip_flexion=90 * p,
        trunk_inclination=30 * p,
        ankle_dorsiflexion=30 * p,
    )


def _quadruped_extension(p: float) -> Posture:
    return Posture(
        trunk_inclination=90,
        hip_flexion=90,
        knee_flexion=90,
        shoulder_flexion=90,
        right_hip_flexion=90 - 85 * p,
        right_knee_flexion=90 - 85 * p,
    )


def _push_up(p: float) -> Posture:
    return Posture(trunk_inclination=90, shoulder_flexion=90 - 40 * p, elbow_flexion=95 * p)


@pytest.mark.parametrize("yaw", [0.0, 45.0, 90.0, -90.0, 135.0, 180.0])
def test_squats_counted_from_any_camera_angle(yaw: float) -> None:
    """Four squats give 4 repetitions whether filmed from the front, side, back or at 45°."""
    seq = sequence_of(_movement(4, _squat), yaw_deg=yaw, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for("bodyweight_squat"))
    assert report.reps == 4
    assert report.partial_reps == 0
    assert report.per_rep[0].rom == pytest.approx(100.0, abs=3.0)  # knee flexion range, deg


@pytest.mark.parametrize("yaw", [90.0, 0.0, -45.0])
def test_quadruped_hip_extension_counts_the_moving_side(yaw: float) -> None:
    """Three right-leg extensions from all fours: 3 reps, all on the right."""
    seq = sequence_of(_movement(3, _quadruped_extension), yaw_deg=yaw, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for("quadruped_hip_extension"))
    assert report.reps == 3
    assert report.reps_right == 3


@pytest.mark.parametrize("yaw", [90.0, -90.0, 30.0])
def test_quadruped_hip_extension_pauses_while_the_lifted_leg_is_unseen(yaw: float) -> None:
    """The lifted leg leaves the frame at the top of each extension (its knee and ankle unseen):
    the count pauses there instead of reading the resting leg as a return; 3 right-leg reps."""
    seq = sequence_of(_movement(3, _quadruped_extension), yaw_deg=yaw, fps=FPS)
    phase = np.array([p.right_hip_flexion for p in _movement(3, _quadruped_extension)])
    visibility = seq.visibility.copy()
    hidden = np.asarray(phase) < 30.0
    for lm in (L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX):
        visibility[hidden, int(lm)] = 0.1
    report = coach_sequence(
        analyze_sequence(seq.replace(visibility=visibility)), spec_for("quadruped_hip_extension")
    )
    assert (report.reps, report.partial_reps, report.reps_right) == (3, 0, 3)


def _bridge(p: float) -> Posture:
    return Posture(trunk_inclination=-90, hip_flexion=50 - 50 * p, knee_flexion=90)


@pytest.mark.parametrize("yaw", [90.0, -90.0, 0.0, 45.0])
def test_glute_bridges_from_any_camera_angle(yaw: float) -> None:
    """Four bridges (hips from 50 deg of flexion up to a straight line) give 4 reps."""
    seq = sequence_of(_movement(4, _bridge), yaw_deg=yaw, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for("glute_bridge"))
    assert (report.reps, report.partial_reps) == (4, 0)


def test_standing_hip_movements_are_not_glute_bridges() -> None:
    """Squatting flexes the hips like a bridge does, but standing is not the bridge position."""
    seq = sequence_of(_movement(3, _squat), yaw_deg=90.0, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for("glute_bridge"))
    assert (report.reps, report.partial_reps) == (0, 0)


def _alternating_lunges(n: int) -> list[Posture]:
    t = np.arange(0, n * 2.5 + 1.5, 1 / FPS)
    postures = []
    for ti, p in zip(t, [_phase(ti) for ti in t], strict=True):
        left_front = int((ti - 0.5) // 2.5) % 2 == 0
        front, back = 90 * p, -15 * p
        postures.append(
            Posture(
                trunk_inclination=5 * p,
                hip_flexion=front if left_front else back,
                right_hip_flexion=back if left_front else front,
                knee_flexion=(95 if left_front else 80) * p,
                right_knee_flexion=(80 if left_front else 95) * p,
            )
        )
    return postures


def _phase(t: float, n: int = 4, period_s: float = 2.5) -> float:
    return float((1 - np.cos(2 * np.pi * np.clip(t - 0.5, 0, n * period_s) / period_s)) / 2)


@pytest.mark.parametrize("exercise", ["forward_lunge", "reverse_lunge", "walking_lunge"])
@pytest.mark.parametrize("yaw", [90.0, 0.0, -45.0])
def test_lunges_alternate_sides_from_any_camera_angle(exercise: str, yaw: float) -> None:
    """Four lunges, left leg forward first: 4 reps, counted 2 left and 2 right, in order."""
    seq = sequence_of(_alternating_lunges(4), yaw_deg=yaw, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for(exercise))
    assert (report.reps, report.partial_reps) == (4, 0)
    assert [r.side for r in report.per_rep] == ["left", "right", "left", "right"]


@pytest.mark.parametrize("yaw", [90.0, 20.0, -60.0])
def test_push_ups_from_side_front_and_oblique(yaw: float) -> None:
    """Five push-ups counted from the side, nearly the front and an oblique angle."""
    seq = sequence_of(_movement(5, _push_up), yaw_deg=yaw, fps=FPS)
    report = coach_sequence(analyze_sequence(seq), spec_for("push_up"))
    assert report.reps == 5


def test_coach_report_json_has_the_contract_keys() -> None:
    """The JSON form carries reps, partial_reps, per_rep with rom_deg, and form_score."""
    seq = sequence_of(_movement(2, _squat), yaw_deg=0.0, fps=FPS)
    data = coach_sequence(analyze_sequence(seq), spec_for("bodyweight_squat")).to_json_dict()
    assert {"exercise", "reps", "partial_reps", "per_rep", "form_score"} <= set(data)
    assert {"start_s", "peak_s", "end_s", "rom_deg", "faults"} <= set(data["per_rep"][0])
