"""Posture from photos: metrics against norms, the view check, captures, and real photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backrehab.assess.findings import Severity
from backrehab.assess.posture import PostureSettings, assess_posture
from backrehab.errors import PoseQualityError
from backrehab.pose.extract import extract_pose
from backrehab.pose.pipeline import AnalysisResult, analyze_sequence
from backrehab.pose.posefile import PoseCache
from backrehab.pose.sequence import SourceInfo
from tests.conftest import BUNDLED_MEDIA
from tests.synth import Posture, photo_of, sequence_of


def test_front_photo_flags_pelvic_drop_with_its_side() -> None:
    """A right hip 3 cm lower (8.5°) is flagged moderate, the left side being higher."""
    result = assess_posture(photo_of(Posture(pelvic_drop_m=0.03), 0.0))
    pelvis = result.metric("pelvic_obliquity")
    assert pelvis is not None
    assert pelvis.value == pytest.approx(-8.53, abs=0.05)
    assert pelvis.flagged
    assert pelvis.severity is Severity.MODERATE
    assert pelvis.side == "left"
    shoulders = result.metric("shoulder_obliquity")
    assert shoulders is not None
    assert not shoulders.flagged
    assert shoulders.severity is Severity.NORMAL
    codes = {f.code for f in result.findings}
    assert {"posture.pelvic_obliquity", "posture.shoulder_obliquity"} <= codes


def test_normal_knee_alignment_findings_keep_their_side() -> None:
    """Both standing knee-alignment findings within the norm still say left and right, while a
    normal obliquity (a direction, not a limb) has no side."""
    result = assess_posture(photo_of(Posture(), 0.0))
    knees = [f for f in result.findings if f.code == "posture.knee_alignment"]
    assert [f.severity for f in knees] == [Severity.NORMAL, Severity.NORMAL]
    assert sorted(f.side for f in knees) == ["left", "right"]
    shoulders = next(f for f in result.findings if f.code == "posture.shoulder_obliquity")
    assert (shoulders.severity, shoulders.side) == (Severity.NORMAL, "none")


def test_shoulder_height_difference_in_percent_of_width() -> None:
    """The right shoulder raised by 10 % of the shoulder span reads +10 % next to its tilt."""
    seq = sequence_of([Posture()], yaw_deg=0.0)
    source = SourceInfo(**{**seq.source.to_dict(), "kind": "photo", "fps": 0.0})
    px, world = seq.image_px.copy(), seq.world_m.copy()
    span_px = float(np.linalg.norm(px[0, 11, :2] - px[0, 12, :2]))
    span_m = float(np.linalg.norm(world[0, 11] - world[0, 12]))
    px[:, 12, 1] -= 0.10 * span_px  # image y grows downwards: smaller y = higher
    world[:, 12, 1] -= 0.10 * span_m
    result = assess_posture(
        analyze_sequence(seq.replace(source=source, image_px=px, world_m=world))
    )
    metric = result.metric("shoulder_obliquity")
    assert metric is not None
    assert metric.value == pytest.approx(np.degrees(np.arctan(0.10)), abs=0.2)
    assert metric.side == "right"
    pct = metric.secondary["shoulder_height_difference_pct_width"]
    assert pct == pytest.approx(100 * 0.10 / np.sqrt(1 + 0.10**2), abs=0.2)
    finding = next(f for f in result.findings if f.code == "posture.shoulder_obliquity")
    assert finding.evidence["shoulder_height_difference_pct_width"] == pytest.approx(pct)


def test_side_metrics_are_not_judged_from_a_front_photo() -> None:
    """A front photo lists the side-view metrics as not judged, with the reason."""
    result = assess_posture(photo_of(Posture(), 0.0))
    assert result.view == "front"
    assert "needs a side view" in result.not_judged["trunk_inclination"]
    assert result.metric("trunk_inclination") is None


@pytest.mark.parametrize(("view", "yaw"), [("side", 0.0), ("front", 90.0)])
def test_wrong_view_is_refused_with_a_message(view: str, yaw: float) -> None:
    """Asking for a side judgement from a front photo (or vice versa) raises PoseQualityError."""
    with pytest.raises(PoseQualityError, match="Retake"):
        assess_posture(photo_of(Posture(), yaw), view=view)  # type: ignore[arg-type]


def test_side_photo_forward_head_and_trunk() -> None:
    """A head 0.15 m ahead and a trunk 12° forward are flagged from a side photo."""
    posture = Posture(trunk_inclination=12.0, craniovertebral=20.0)
    result = assess_posture(photo_of(posture, -90.0), view="side")
    trunk = result.metric("trunk_inclination")
    head = result.metric("forward_head_offset")
    assert trunk is not None
    assert head is not None
    assert trunk.value == pytest.approx(12.0, abs=0.5)
    assert trunk.severity is Severity.MODERATE
    assert head.flagged
    cva = result.metric("craniovertebral_proxy")
    assert cva is not None
    assert cva.value == pytest.approx(20.0, abs=0.5)
    assert not cva.flagged  # a keypoint proxy: trend only (§4.3)


def test_flag_needs_two_of_three_captures() -> None:
    """A 4° pelvic tilt on only one of three captures is not flagged; on two it is."""
    level, tilted = Posture(), Posture(pelvic_drop_m=0.014)
    once = assess_posture([photo_of(tilted, 0.0), photo_of(level, 0.0), photo_of(level, 0.0)])
    twice = assess_posture([photo_of(tilted, 0.0), photo_of(tilted, 0.0), photo_of(level, 0.0)])
    assert not once.metric("pelvic_obliquity").flagged  # type: ignore[union-attr]
    assert twice.metric("pelvic_obliquity").flagged  # type: ignore[union-attr]


def test_thresholds_are_configurable() -> None:
    """Raising the obliquity threshold to 10° un-flags an 8.5° pelvic drop."""
    result = assess_posture(
        photo_of(Posture(pelvic_drop_m=0.03), 0.0),
        settings=PostureSettings(obliquity_flag_deg=10.0),
    )
    assert not result.metric("pelvic_obliquity").flagged  # type: ignore[union-attr]


def test_mixed_views_are_refused() -> None:
    """Captures from front and side together are refused."""
    with pytest.raises(PoseQualityError, match="mix"):
        assess_posture([photo_of(Posture(), 0.0), photo_of(Posture(), 90.0)])


@pytest.mark.video
def test_seated_photo_is_not_judged_against_standing_norms() -> None:
    """A seated photo gets head metrics but no standing trunk or knee judgement."""
    result = assess_posture(
        analyze_sequence(extract_pose(BUNDLED_MEDIA / "sitting_upright_side_01.jpg"))
    )
    assert result.view == "side"
    assert result.metric("forward_head_offset") is not None
    assert "not standing" in result.not_judged["trunk_inclination"]


@pytest.mark.video
@pytest.mark.slow
def test_real_photos(media_dir: Path, shared_cache: PoseCache) -> None:
    """Standing photos are judged in their own view; the hunched man's head is further forward
    than when he sits upright."""

    def run(name: str) -> AnalysisResult:
        return analyze_sequence(extract_pose(media_dir / name, cache=shared_cache))

    front = assess_posture(run("standing_front_02.jpg"))
    assert front.view == "front"
    assert {m.name for m in front.metrics} >= {
        "shoulder_obliquity",
        "pelvic_obliquity",
        "left_knee_alignment",
    }
    shoulders = front.metric("shoulder_obliquity")
    assert shoulders is not None
    pct = shoulders.secondary["shoulder_height_difference_pct_width"]
    assert pct == pytest.approx(100 * np.tan(np.radians(shoulders.value)), abs=1.0)
    side = assess_posture(run("standing_side_01.jpg"), view="side")
    trunk = side.metric("trunk_inclination")
    assert trunk is not None
    assert abs(trunk.value) < 5.0
    with pytest.raises(PoseQualityError):
        assess_posture(run("standing_side_01.jpg"), view="front")
    hunched = assess_posture(run("sitting_hunched_side_01.jpg")).metric("forward_head_offset")
    upright = assess_posture(run("sitting_upright_side_01.jpg")).metric("forward_head_offset")
    assert hunched is not None
    assert upright is not None
    assert hunched.value > upright.value + 0.08


def test_video_is_judged_on_its_still_window() -> None:
    """Squatting, then standing still with a dropped right hip: the still part is judged."""
    squat = [Posture(hip_flexion=70, knee_flexion=90, trunk_inclination=30)] * 5 + [Posture()] * 5
    tilted = Posture(pelvic_drop_m=0.03)
    video = analyze_sequence(sequence_of(squat * 3 + [tilted] * 15, yaw_deg=0.0, fps=10.0))
    result = assess_posture(video)
    pelvis = result.metric("pelvic_obliquity")
    assert pelvis is not None
    assert pelvis.value == pytest.approx(-8.53, abs=0.1)
    assert pelvis.flagged
    (window,) = result.still_windows_s
    assert window is not None
    assert window[0] >= 3.0 - 1e-9


def test_video_without_a_still_second_is_refused() -> None:
    """A video of continuous movement is not judged as posture."""
    squat = [Posture(hip_flexion=70, knee_flexion=90, trunk_inclination=30)] * 3 + [Posture()] * 3
    video = analyze_sequence(sequence_of(squat * 5, yaw_deg=0.0, fps=10.0))
    with pytest.raises(PoseQualityError, match="moves throughout"):
        assess_posture(video)


def test_lying_person_is_refused() -> None:
    """A photo of a body held horizontal (plank-like) is refused: norms are for upright posture."""
    lying = photo_of(Posture(trunk_inclination=90, hip_flexion=90), -90.0)
    with pytest.raises(PoseQualityError, match="from vertical"):
        assess_posture(lying)
    lax = assess_posture(lying, settings=PostureSettings(max_trunk_from_vertical_deg=90))
    assert lax.view == "side"


@pytest.mark.video
@pytest.mark.slow
def test_real_videos_still_window_and_plank(media_dir: Path, shared_cache: PoseCache) -> None:
    """The barbell clip is judged on the second he stands still before squatting (about
    0.2-1.4 s); the plank tutorial is refused, its stillest stretch being a horizontal hold."""
    from tests.conftest import DEMO_CLIP

    demo = assess_posture(analyze_sequence(extract_pose(DEMO_CLIP, cache=shared_cache)))
    (window,) = demo.still_windows_s
    assert window is not None
    assert window[1] <= 1.5
    plank = analyze_sequence(
        extract_pose(media_dir / "plank_side_front_01.mp4", cache=shared_cache)
    )
    with pytest.raises(PoseQualityError, match="from vertical"):
        assess_posture(plank)
