"""The measurement core on real footage: views per segment, flags, and angles at labelled events.

Expected views were read from the frames (the person's side nearer the camera); event times come
from ``labels.json``. Tolerances are in clinical units and generous on purpose: these tests pin
behaviour that must survive a model or filter change, not the third digit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backrehab.pose.extract import extract_pose
from backrehab.pose.pipeline import AnalysisResult, analyze_sequence
from backrehab.pose.posefile import PoseCache
from backrehab.pose.view import View

pytestmark = [pytest.mark.video, pytest.mark.slow]


@pytest.fixture(scope="session")
def analyse(media_dir: Path, shared_cache: PoseCache) -> Any:
    """Analyse a shared clip once per session (pose from the shared cache)."""

    @cache
    def run(name: str) -> AnalysisResult:
        return analyze_sequence(extract_pose(media_dir / name, cache=shared_cache))

    return run


def _event_values(result: AnalysisResult, angle: str, times_s: list[float]) -> list[float]:
    t = result.angles.t_s
    values = result.angles.sound(angle)
    return [float(np.nanmedian(values[np.abs(t - e) < 0.15])) for e in times_s]


def _fraction(result: AnalysisResult, start_s: float, stop_s: float, view: View) -> float:
    t = result.angles.t_s
    inside = (t >= start_s) & (t <= stop_s)
    return float(np.mean([v is view for v, keep in zip(result.views, inside, strict=True) if keep]))


@pytest.mark.parametrize(
    ("clip", "segments"),
    [
        (
            "squat_front_side_01.mp4",
            [(0.5, 8, View.FRONT), (9.5, 25, View.RIGHT_SIDE), (27.5, 38, View.FRONT)],
        ),
        (
            "pushup_front_side_01.mp4",
            [(0.5, 7, View.FRONT), (9, 16.5, View.RIGHT_SIDE), (18.5, 28, View.FRONT)],
        ),
        (
            "plank_side_front_01.mp4",
            [(12.5, 18.5, View.LEFT_SIDE), (19.5, 30, View.FRONT), (31, 48, View.LEFT_SIDE)],
        ),
        ("lunge_side_01.mp4", [(0.5, 32, View.RIGHT_SIDE)]),
        ("bird_dog_side_01.mp4", [(0.5, 9, View.RIGHT_SIDE)]),
        ("back_extension_superman_side_01.mp4", [(0.5, 13, View.LEFT_SIDE)]),
    ],
)
def test_view_follows_the_camera_cuts(
    analyse: Any, clip: str, segments: list[tuple[float, float, View]]
) -> None:
    """Each camera segment is labelled with its real view in at least 95 % of its frames."""
    result = analyse(clip)
    for start, stop, view in segments:
        assert _fraction(result, start, stop, view) >= 0.95, (start, stop, view)


def test_side_segment_makes_sagittal_angles_sound_front_segment_frontal(analyse: Any) -> None:
    """In the multi-view squat, 2D knee flexion is sound in the side segment only, FPPA in the
    front segments only."""
    r = analyse("squat_front_side_01.mp4")
    t = r.angles.t_s
    side = (t > 10) & (t < 25)
    front = (t > 1) & (t < 7.5)
    knee_ok = r.angles.reliability["right_knee_flexion"] == 0
    fppa_ok = r.angles.reliability["right_knee_fppa"] == 0
    assert knee_ok[side].mean() > 0.9
    assert knee_ok[front].mean() == 0.0
    assert fppa_ok[front].mean() > 0.9
    assert fppa_ok[side].mean() == 0.0


def test_rear_three_quarter_view_flags_every_2d_angle(analyse: Any) -> None:
    """A deadlift filmed from behind at ~45° gets no sound 2D angle but sound 3D angles."""
    r = analyse("hip_hinge_deadlift_rear_01.mp4")
    for name in ("left_hip_flexion", "trunk_inclination", "pelvic_obliquity", "left_knee_fppa"):
        assert r.angles.sound_fraction(name) < 0.05, name
    assert r.angles.sound_fraction("left_hip_flexion_3d") > 0.9
    assert _event_values(r, "left_hip_flexion_3d", [1.2, 4.8]) == pytest.approx([83, 83], abs=20)


def test_squat_side_knee_flexion_at_the_bottoms(analyse: Any, labels: list[dict[str, Any]]) -> None:
    """At the three hand-labelled bottoms of the side squat the knee is flexed beyond 100°,
    and standing phases get below 30°."""
    r = analyse("squat_side_01.mp4")
    events = next(x for x in labels if x["file"].endswith("squat_side_01.mp4"))["event_times_s"]
    assert min(_event_values(r, "right_knee_flexion", events)) > 100.0
    assert np.nanpercentile(r.angles.sound("right_knee_flexion"), 10) < 30.0


def test_glute_bridge_hip_extends_at_the_tops(analyse: Any, labels: list[dict[str, Any]]) -> None:
    """At each labelled top of the bridge the hip is near neutral (±15°); between reps flexed."""
    r = analyse("glute_bridge_side_01.mp4")
    events = next(x for x in labels if "glute_bridge" in x["file"])["event_times_s"]
    tops = _event_values(r, "left_hip_flexion", events)
    assert all(abs(v) < 15.0 for v in tops), tops
    assert np.nanpercentile(r.angles.sound("left_hip_flexion"), 90) > 35.0


def test_lunge_and_pushup_depths(analyse: Any, labels: list[dict[str, Any]]) -> None:
    """Lunge bottoms flex the knee 75-125°; push-up bottoms flex the elbow 85-130°."""
    lunge = analyse("lunge_side_01.mp4")
    ev = next(x for x in labels if "lunge_side" in x["file"])["event_times_s"]
    assert all(75 < v < 125 for v in _event_values(lunge, "left_knee_flexion", ev))
    push = analyse("pushup_side_01.mp4")
    ev = next(x for x in labels if x["file"].endswith("pushup_side_01.mp4"))["event_times_s"]
    assert all(85 < v < 130 for v in _event_values(push, "left_elbow_flexion", ev))


def test_sitting_photos_order_trunk_inclination(media_dir: Path, shared_cache: PoseCache) -> None:
    """Hunched > upright > reclined in trunk inclination, with the sign of the lean."""
    values = {}
    for label in ("hunched", "upright", "reclined"):
        seq = extract_pose(media_dir / f"sitting_{label}_side_01.jpg", cache=shared_cache)
        r = analyze_sequence(seq)
        assert r.angles.reliability["trunk_inclination"][0] == 0
        values[label] = float(r.angles.values_deg["trunk_inclination"][0])
    assert values["hunched"] > values["upright"] + 10
    assert values["upright"] > values["reclined"] + 5
    assert values["reclined"] < 0 < values["hunched"]
