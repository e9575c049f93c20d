"""One McGill battery from typed times and video-timed holds: ratios, sources and clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from backrehab.assess import from_media
from backrehab.assess.endurance import EnduranceTest
from backrehab.assess.endurance_video import HoldInterval, HoldTest, HoldTimingResult
from backrehab.assess.from_media import TimedBatteryHold, endurance_battery
from backrehab.errors import InvalidResponseError, PoseQualityError
from backrehab.pose.pipeline import analyze_sequence
from backrehab.pose.sequence import SourceInfo
from tests.synth import Posture, sequence_of


def _timing(
    test: HoldTest,
    *spans: tuple[float, float],
    side: Literal["left", "right", "none"] = "none",
    confidence: float = 1.0,
) -> HoldTimingResult:
    holds = tuple(
        HoldInterval(start_s=a, end_s=b, duration_s=b - a, end_reason="posture lost")
        for a, b in spans
    )
    return HoldTimingResult(
        test=test,
        holds=holds,
        longest_hold_s=max((h.duration_s for h in holds), default=0.0),
        total_hold_s=sum(h.duration_s for h in holds),
        measurable_fraction=0.9,
        side=side,
        confidence=confidence,
    )


def _timed(
    test: EnduranceTest, timing: HoldTimingResult, video: str = "test.mp4"
) -> TimedBatteryHold:
    return TimedBatteryHold(test=test, video=video, timing=timing)


def test_typed_and_video_timed_tests_form_one_battery_with_ratios() -> None:
    """A typed flexor time and a video-timed extensor hold give flex_ext and its flag, and the
    JSON says which time was typed and which came from which video segments."""
    extensor = _timed(
        EnduranceTest.EXTENSOR,
        _timing("biering_sorensen", (2.0, 12.0), (20.0, 100.0)),
        video="sorensen.mp4",
    )
    data = endurance_battery(typed_s={"flexor_s": 120.0}, timed=[extensor])
    assert data["flex_ext"] == pytest.approx(120.0 / 80.0)
    assert "flexor_extensor_imbalance" in data["flags"]
    assert data["times"]["extensor_s"] == pytest.approx(80.0)
    assert data["sources"]["flexor_s"] == {"source": "typed"}
    video = data["sources"]["extensor_s"]
    assert video["source"] == "video"
    assert video["video"] == "sorensen.mp4"
    assert video["hold_test"] == "biering_sorensen"
    assert [(h["start_s"], h["end_s"]) for h in video["holds"]] == [(2.0, 12.0), (20.0, 100.0)]
    assert set(data["sources"]) == {"flexor_s", "extensor_s"}
    assert data["not_computed"]["rl_sb"].startswith("test not done")


def test_side_bridges_from_video_give_the_side_ratios() -> None:
    """Two side-bridge videos and a typed extensor time give rl_sb and both sb/ext ratios."""
    left = _timed(EnduranceTest.SIDE_BRIDGE_LEFT, _timing("side_bridge", (1.0, 61.0), side="left"))
    right = _timed(
        EnduranceTest.SIDE_BRIDGE_RIGHT, _timing("side_bridge", (3.0, 93.0), side="right")
    )
    data = endurance_battery(typed_s={"extensor_s": 100.0}, timed=[left, right], sex="male")
    assert data["rl_sb"] == pytest.approx(90.0 / 60.0)
    assert data["sb_ext_right"] == pytest.approx(0.9)
    assert data["sb_ext_left"] == pytest.approx(0.6)
    assert {"side_bridge_asymmetry", "lateral_extensor_imbalance"} <= set(data["flags"])
    asym = next(f for f in data["findings"] if f["code"] == "endurance.side_bridge_asymmetry")
    assert asym["side"] == "left"


def test_typed_only_battery_marks_every_source_typed() -> None:
    """Without videos every given test is marked typed, and missing tests are absent."""
    data = endurance_battery(typed_s={"flexor_s": 50.0, "extensor_s": 100.0, "side_left_s": None})
    assert data["sources"] == {"flexor_s": {"source": "typed"}, "extensor_s": {"source": "typed"}}
    assert data["flex_ext"] == pytest.approx(0.5)


def test_a_test_given_twice_is_refused() -> None:
    """A typed time and a video for the same test, or two videos of it, are refused by name."""
    extensor = _timed(EnduranceTest.EXTENSOR, _timing("biering_sorensen", (0.0, 50.0)), "a.mp4")
    with pytest.raises(InvalidResponseError, match="extensor test is given twice"):
        endurance_battery(typed_s={"extensor_s": 60.0}, timed=[extensor])
    again = _timed(EnduranceTest.EXTENSOR, _timing("biering_sorensen", (0.0, 40.0)), "b.mp4")
    with pytest.raises(InvalidResponseError, match=r"a\.mp4 and b\.mp4"):
        endurance_battery(timed=[extensor, again])


def test_video_without_a_hold_or_of_the_other_side_is_refused() -> None:
    """No hold in the video, a side bridge on the other side, or the wrong hold test: errors."""
    empty = _timed(EnduranceTest.FLEXOR, _timing("flexor"), "flexor.mp4")
    with pytest.raises(PoseQualityError, match=r"No flexor hold was found in flexor\.mp4"):
        endurance_battery(typed_s={"extensor_s": 60.0}, timed=[empty])
    wrong_side = _timed(
        EnduranceTest.SIDE_BRIDGE_LEFT, _timing("side_bridge", (0.0, 30.0), side="right")
    )
    with pytest.raises(PoseQualityError, match="shows a right side bridge"):
        endurance_battery(timed=[wrong_side])
    wrong_test = _timed(EnduranceTest.FLEXOR, _timing("plank", (0.0, 30.0)))
    with pytest.raises(InvalidResponseError, match="not the flexor test"):
        endurance_battery(timed=[wrong_test])


def test_empty_battery_and_bad_typed_time_are_refused() -> None:
    """No test at all, or a negative typed time, is a clear error."""
    with pytest.raises(InvalidResponseError, match="at least one hold time"):
        endurance_battery(typed_s={"flexor_s": None})
    with pytest.raises(InvalidResponseError, match="flexor_s"):
        endurance_battery(typed_s={"flexor_s": -3.0})


def test_findings_take_the_lowest_confidence_of_their_tests() -> None:
    """A poorly seen video-timed extensor (confidence 0.4) lowers the findings that use it;
    one built from typed times only keeps confidence 1."""
    extensor = _timed(
        EnduranceTest.EXTENSOR, _timing("biering_sorensen", (0.0, 100.0), confidence=0.4)
    )
    data = endurance_battery(
        typed_s={"flexor_s": 90.0, "side_left_s": 60.0, "side_right_s": 61.0},
        timed=[extensor],
        sex="female",
    )
    trust = {f["code"]: f["confidence"] for f in data["findings"]}
    assert trust["endurance.flexor_extensor_imbalance"] == pytest.approx(0.4)
    assert trust["endurance.lateral_extensor_imbalance"] == pytest.approx(0.4)
    assert trust["endurance.low_endurance.extensor"] == pytest.approx(0.4)
    assert trust["endurance.side_bridge_asymmetry"] == pytest.approx(1.0)
    assert trust["endurance.low_endurance.flexor"] == pytest.approx(1.0)


def test_photo_ergonomics_confidence_comes_from_visibility(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RULA from a side photo: fully visible gives confidence 1; the arms and legs at
    visibility 0.6 lower it (no fixed 0.7)."""
    seq = sequence_of(
        [Posture(hip_flexion=90, knee_flexion=90, shoulder_flexion=30, elbow_flexion=80)],
        yaw_deg=90.0,
    )
    seq = seq.replace(source=SourceInfo(**{**seq.source.to_dict(), "kind": "photo", "fps": 0.0}))
    photo = tmp_path / "desk.jpg"
    photo.write_bytes(b"analysed by the patched pose step")

    def confidence_with(visibility: float) -> float:
        vis = seq.visibility.copy()
        vis[:, 11:33] = visibility
        analysis = analyze_sequence(seq.replace(visibility=vis))
        monkeypatch.setattr(from_media, "analyze_media", lambda *a, **k: analysis)
        data = from_media.ergonomics_from_photo(photo, "rula")
        assert data["findings"][0]["confidence"] == data["confidence"]
        value: float = data["confidence"]
        return value

    assert confidence_with(1.0) == pytest.approx(1.0, abs=0.01)
    assert confidence_with(0.6) < 0.7
