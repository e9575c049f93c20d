"""CLI contract of the assessment commands: score, posture, screen, endurance (keys, errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import cli_fails, cli_json
from tests.conftest import BUNDLED_MEDIA, DEMO_CLIP


def test_score_odi_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """score odi prints instrument, score, percent and band; section 8 missing gives 35.6 %."""
    data = cli_json(["score", "odi", "--answers", "1,2,3,1,2,1,2,na,2,2"], capsys)
    assert data["instrument"] == "odi"
    assert data["percent"] == 35.6
    assert data["score"] == 35.6
    assert data["band"] == "moderate"
    assert data["findings"][0]["code"] == "disability.odi"


def test_score_startback_and_fabq_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """STarT Back gives total, psychosocial and risk; FABQ its two sub-scales."""
    sb = cli_json(["score", "startback", "--answers", "1,1,0,1,1,1,1,0,3"], capsys)
    assert (sb["total"], sb["psychosocial"], sb["risk"]) == (7, 4, "high")
    fabq = cli_json(["score", "fabq", "--answers", ",".join(["3"] * 16)], capsys)
    assert fabq["physical_activity"] == 12
    assert fabq["work"] == 21


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "odi", "--answers", "1,2,3,1,2,1,2,9,2,2"], "item 8"),
        (["score", "xyz", "--answers", "1"], "odi"),
        (["score", "rmdq", "--answers", "1,0,abc"], "RMDQ"),
    ],
)
def test_score_bad_answers_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out-of-range answers and unknown instruments exit 2 naming the problem."""
    assert message in cli_fails(args, capsys)


def test_endurance_typed_times(capsys: pytest.CaptureFixture[str]) -> None:
    """Typed hold times give the ratios and the flags of §3.3."""
    data = cli_json(
        [
            "endurance",
            "--flexor",
            "150",
            "--extensor",
            "120",
            "--side-left",
            "80",
            "--side-right",
            "95",
            "--sex",
            "male",
        ],
        capsys,
    )
    assert data["flex_ext"] == pytest.approx(1.25)
    assert "flexor_extensor_imbalance" in data["flags"]
    assert "side_bridge_asymmetry" in data["flags"]
    assert any(f["code"] == "endurance.side_bridge_asymmetry" for f in data["findings"])


def test_endurance_needs_times_or_video(capsys: pytest.CaptureFixture[str]) -> None:
    """Neither times nor video, or a negative time, exit 2 with a message."""
    assert "hold times" in cli_fails(["endurance"], capsys)
    assert "flexor" in cli_fails(["endurance", "--flexor", "-5"], capsys).lower()
    assert "--test" in cli_fails(["endurance", str(DEMO_CLIP), "--test", "crunch"], capsys)


@pytest.mark.video
def test_posture_photo_keys_and_wrong_view(capsys: pytest.CaptureFixture[str]) -> None:
    """posture prints findings and metrics; asking for a front view of a side photo exits 2."""
    photo = str(BUNDLED_MEDIA / "sitting_upright_side_01.jpg")
    data = cli_json(["posture", photo], capsys)
    assert data["view"] == "side"
    assert isinstance(data["findings"], list)
    assert "forward_head_offset" in data["metrics"]
    assert "front" in cli_fails(["posture", photo, "--view", "front"], capsys)


@pytest.mark.video
@pytest.mark.slow
def test_screen_squat_on_the_demo_clip(capsys: pytest.CaptureFixture[str]) -> None:
    """screen --test squat on the bundled barbell squat finds its 2 repetitions."""
    data = cli_json(["screen", str(DEMO_CLIP), "--test", "squat"], capsys)
    assert data["metrics"]["reps"] == 2
    assert len(data["reps"]) == 2
    assert isinstance(data["findings"], list)


def test_screen_bad_test_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown screen name exits 2 with the list of screens."""
    assert "single_leg_stance" in cli_fails(["screen", str(DEMO_CLIP), "--test", "jump"], capsys)
