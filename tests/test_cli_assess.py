"""CLI contract of the assessment commands: score, posture, screen, endurance, assess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backrehab.assess.findings import Assessment
from backrehab.pose.pipeline import analyze_sequence
from tests.cli_helpers import cli_fails, cli_json, cli_ok
from tests.conftest import BUNDLED_MEDIA, DEMO_CLIP
from tests.synth import Posture, sequence_of


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
    ("instrument", "answers", "score"),
    [
        ("odi", "1,2,3,1,2,1,2,,2,2", 35.6),
        ("rmdq", ",".join(["1"] * 5 + ["0"] * 18 + ["na"]), 5),
        ("startback", "1,0,0,0,0,0,0,0,0", 1),
        ("nprs", "6,3,8", 6),
        ("psfs", "walk the dog=4;lift my child=2", 3.0),
        ("fabq", ",".join(["2"] * 16), 8),
    ],
)
def test_score_every_instrument_prints_instrument_and_score(
    instrument: str, answers: str, score: float, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of the six instruments prints at least ``instrument`` and ``score`` as JSON."""
    data = cli_json(["score", instrument, "--answers", answers], capsys)
    assert data["instrument"] == instrument
    assert data["score"] == pytest.approx(score)
    assert isinstance(data["findings"], list)


def test_score_fabq_not_employed_has_null_work(capsys: pytest.CaptureFixture[str]) -> None:
    """--not-employed leaves the work items blank and prints work as null (not 0)."""
    answers = ",".join(["2"] * 5 + [""] * 11)
    data = cli_json(["score", "fabq", "--answers", answers, "--not-employed"], capsys)
    assert (data["physical_activity"], data["work"]) == (8, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "odi", "--answers", "1,2,3,1,2,1,2,9,2,2"], "item 8"),
        (["score", "startback", "--answers", "1,1,1,1,1,1,1,1,na"], "item 9"),
        (["score", "nprs", "--answers", "11"], "NPRS item 1"),
        (["score", "psfs", "--answers", "walk"], "activity text=rating"),
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


def test_endurance_typed_time_and_video_in_one_battery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--flexor S with --extensor-video FILE gives one battery: flex_ext from both, each
    test's source (typed, or the video with its hold segments)."""
    from backrehab.assess import from_media

    level = Posture(trunk_inclination=90)
    dropped = Posture(trunk_inclination=115, hip_flexion=25)
    analysis = analyze_sequence(sequence_of([level] * 80 + [dropped] * 20, yaw_deg=-90.0, fps=10.0))
    monkeypatch.setattr(from_media, "analyze_media", lambda *a, **k: analysis)
    video = tmp_path / "sorensen.mp4"
    video.write_bytes(b"analysed by the patched pose step")
    data = cli_json(["endurance", "--flexor", "12", "--extensor-video", str(video)], capsys)
    extensor_s = data["times"]["extensor_s"]
    assert extensor_s == pytest.approx(7.9, abs=0.3)
    assert data["flex_ext"] == pytest.approx(12.0 / extensor_s)
    assert "flexor_extensor_imbalance" in data["flags"]
    assert data["sources"]["flexor_s"] == {"source": "typed"}
    assert data["sources"]["extensor_s"]["source"] == "video"
    assert data["sources"]["extensor_s"]["video"] == "sorensen.mp4"
    assert len(data["sources"]["extensor_s"]["holds"]) == 1


def test_endurance_video_options_bad_use_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing test video, or VIDEO --test mixed with battery times, exits 2 with a message."""
    missing = tmp_path / "nope.mp4"
    assert "nope.mp4" in cli_fails(["endurance", "--side-left-video", str(missing)], capsys)
    mixed = cli_fails(["endurance", str(DEMO_CLIP), "--test", "flexor", "--flexor", "5"], capsys)
    assert "--flexor-video" in mixed


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


@pytest.mark.video
@pytest.mark.slow
def test_endurance_video_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """endurance VIDEO --test plank prints the holds and their summary; a squat has no plank."""
    data = cli_json(["endurance", str(DEMO_CLIP), "--test", "plank"], capsys)
    assert data["test"] == "plank"
    assert data["holds"] == []
    assert data["longest_hold_s"] == 0.0
    assert 0.0 < data["measurable_fraction"] <= 1.0
    assert data["findings"] == []


INTAKE = {
    "patient_ref": "cli-001",
    "sex": "female",
    "questionnaires": {"odi": "1,2,3,1,2,1,2,na,2,2", "nprs": "5,3,7"},
    "red_flags": {"thoracic_pain": True},
    "endurance_times_s": {"flexor_s": 100, "extensor_s": 150},
    "settings": {"questionnaires": {"nprs_mild_max": 4}},
}


def test_assess_writes_the_assessment_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """assess INTAKE --out FILE writes an assessment that reads back; urgent red flags first."""
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE))
    out = tmp_path / "assessment.json"
    cli_ok(["assess", str(intake), "--out", str(out)], capsys)
    document = Assessment.from_json(out.read_text())
    assert document.patient_ref == "cli-001"
    assert document.findings[0].code == "safety.red_flag.urgent"
    nprs = next(f for f in document.findings if f.code == "pain.nprs")
    assert nprs.severity == "moderate"  # 5 is above the moved mild band 1-4
    assert document.settings["questionnaires"]["nprs_mild_max"] == 4
    printed = Assessment.from_json(
        cli_ok(["assess", str(intake), "--out", str(out), "--json"], capsys)
    )
    assert [f.code for f in printed.findings] == [f.code for f in document.findings]


@pytest.mark.parametrize(
    ("intake", "message"),
    [
        ({"questionnaires": {"odi": "9"}}, "ODI"),
        ({"screens": [{"video": "missing.mp4", "test": "squat"}]}, "missing.mp4"),
        ({"settings": {"posture": {"obliquity_flag_deg": 0}}}, "obliquity_flag_deg"),
    ],
)
def test_assess_bad_intake_exit_2(
    intake: dict[str, object], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad intake exits 2 naming the problem and writes no assessment."""
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake))
    out = tmp_path / "assessment.json"
    assert message in cli_fails(["assess", str(path), "--out", str(out)], capsys)
    assert not out.exists()
