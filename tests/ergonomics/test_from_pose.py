"""RULA/REBA from side-view photos: both sides scored, the worse reported, the pairs ordered."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from backrehab.cli import main
from backrehab.ergonomics.from_pose import (
    PoseErgoSettings,
    calibrated,
    ergonomics_from_pose,
    neck_offset_from_neutral,
    write_ergonomics_overlay,
)
from backrehab.errors import PoseQualityError
from backrehab.pose.extract import extract_pose
from backrehab.pose.pipeline import analyze_sequence
from backrehab.pose.posefile import PoseCache
from tests.cli_helpers import cli_json
from tests.conftest import BUNDLED_MEDIA
from tests.synth import Posture, photo_of, sequence_of


def test_synthetic_bent_worker_scores_worse_than_upright() -> None:
    """A worker bent 45° with arms reaching forward scores higher than one standing upright."""
    upright = ergonomics_from_pose(photo_of(Posture(craniovertebral=75), -90.0), "rula")
    bent = ergonomics_from_pose(
        photo_of(
            Posture(
                trunk_inclination=45, shoulder_flexion=100, elbow_flexion=20, craniovertebral=30
            ),
            -90.0,
        ),
        "rula",
    )
    assert bent.score.grand > upright.score.grand
    assert bent.angles_used["trunk_flexion_deg"] == pytest.approx(45.0, abs=0.5)
    assert bent.score.trunk == 3  # 20-60° of flexion


@pytest.mark.parametrize(("raised", "yaw"), [("right", 90.0), ("left", 90.0), ("right", -90.0)])
def test_both_sides_scored_and_the_worse_reported(raised: str, yaw: float) -> None:
    """With one arm raised forward (100°) and the other hanging, the raised side is reported,
    scoring above the other side, whichever side faces the camera."""
    low = sequence_of([Posture(shoulder_flexion=0)], yaw_deg=yaw)
    high = sequence_of([Posture(shoulder_flexion=100)], yaw_deg=yaw)
    arm = [11, 13, 15, 17, 19, 21] if raised == "left" else [12, 14, 16, 18, 20, 22]
    image, world = low.image_px.copy(), low.world_m.copy()
    image[:, arm], world[:, arm] = high.image_px[:, arm], high.world_m[:, arm]
    seq = low.replace(image_px=image, world_m=world)
    source = seq.source.__class__(**{**seq.source.to_dict(), "kind": "photo", "fps": 0.0})
    ergo = ergonomics_from_pose(analyze_sequence(seq.replace(source=source)), "reba")
    assert ergo.side == raised
    assert ergo.other_side_score is not None
    assert ergo.score.grand > ergo.other_side_score
    assert ergo.angles_used["upper_arm_flexion_deg"] == pytest.approx(100.0, abs=1.0)


def test_neck_offset_is_calibrated_on_a_neutral_capture() -> None:
    """§4.5: the neutral capture's ear-line angle (here 90 - 70 = 20°) becomes the offset, so the
    same head scores 0° of neck flexion and a head dropped 30° further scores 30°."""
    neutral = photo_of(Posture(craniovertebral=70), -90.0)
    offset = neck_offset_from_neutral(neutral)
    assert offset == pytest.approx(20.0, abs=0.5)
    settings = calibrated(None, offset, "neutral.jpg")
    same = ergonomics_from_pose(photo_of(Posture(craniovertebral=70), -90.0), "rula", settings)
    assert same.angles_used["neck_flexion_deg"] == pytest.approx(0.0, abs=0.5)
    assert "calibrated on the neutral capture neutral.jpg" in same.angle_sources["neck_flexion_deg"]
    dropped = ergonomics_from_pose(photo_of(Posture(craniovertebral=40), -90.0), "rula", settings)
    assert dropped.angles_used["neck_flexion_deg"] == pytest.approx(30.0, abs=0.5)
    default = ergonomics_from_pose(photo_of(Posture(craniovertebral=70), -90.0), "rula")
    assert default.angles_used["neck_flexion_deg"] == pytest.approx(5.0, abs=0.5)  # 20 - 15
    assert "project default" in default.angle_sources["neck_flexion_deg"]


@pytest.mark.parametrize(
    ("posture", "yaw", "message"),
    [
        (Posture(), 0.0, "side view"),
        (Posture(trunk_inclination=30), -90.0, "upright"),
    ],
)
def test_neutral_capture_must_be_upright_and_side_on(
    posture: Posture, yaw: float, message: str
) -> None:
    """A front photo, or a person bent forward, cannot calibrate the neck."""
    with pytest.raises(PoseQualityError, match=message):
        neck_offset_from_neutral(photo_of(posture, yaw))
    if yaw != 0.0:  # a laxer limit accepts it (the synthetic ear line leans with the trunk)
        lax = PoseErgoSettings(neutral_max_trunk_deg=45.0)
        assert neck_offset_from_neutral(photo_of(posture, yaw), lax) == pytest.approx(0, abs=0.5)


def test_front_photo_is_refused() -> None:
    """RULA from a front photo is refused with a message asking for a side view."""
    with pytest.raises(PoseQualityError, match="side view"):
        ergonomics_from_pose(photo_of(Posture(), 0.0), "rula")


@pytest.mark.video
def test_hidden_forearm_is_assumed_and_listed(tmp_path: Path) -> None:
    """Folded arms hide the wrist: the lower arm is assumed, listed, and the overlay marks it."""
    photo = BUNDLED_MEDIA / "sitting_upright_side_01.jpg"
    analysis = analyze_sequence(extract_pose(photo))
    ergo = ergonomics_from_pose(analysis, "rula")
    assert ergo.seated
    assert any("assumed" in text for text in ergo.inferred)
    out = write_ergonomics_overlay(photo, analysis, ergo, tmp_path / "overlay.png")
    image = cv2.imread(str(out))
    assert image is not None
    assert image.shape[:2] == (1280, 720)


@pytest.mark.video
@pytest.mark.slow
def test_hunched_scores_worse_than_upright_for_the_same_person(
    media_dir: Path, shared_cache: PoseCache
) -> None:
    """The same man hunched scores worse on RULA (and REBA) than upright or reclined."""

    def score(name: str, method: str) -> int:
        analysis = analyze_sequence(extract_pose(media_dir / name, cache=shared_cache))
        return ergonomics_from_pose(analysis, method).score.grand  # type: ignore[arg-type]

    for method in ("rula", "reba"):
        hunched = score("sitting_hunched_side_01.jpg", method)
        assert hunched > score("sitting_upright_side_01.jpg", method)
        assert hunched > score("sitting_reclined_side_01.jpg", method)


def test_cli_ergo_from_angles_file(capsys: pytest.CaptureFixture[str]) -> None:
    """ergo --angles prints method, score, action_level and side (the file's, else none)."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "examples"
    rula = cli_json(
        ["ergo", "--method", "rula", "--angles", str(docs / "rula-angles.json")], capsys
    )
    reba = cli_json(
        ["ergo", "--method", "reba", "--angles", str(docs / "reba-angles.json")], capsys
    )
    assert (rula["method"], rula["score"], rula["action_level"]) == ("rula", 4, 2)
    assert (reba["method"], reba["score"], reba["action_level"]) == ("reba", 10, 3)
    assert rula["side"] == "right"  # given in the example file
    assert rula["findings"][0]["side"] == "right"
    assert reba["side"] == "none"  # not given


@pytest.mark.video
def test_cli_ergo_from_photo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ergo PHOTO prints the score keys, the angles used and writes the overlay."""
    data = cli_json(
        [
            "ergo",
            str(BUNDLED_MEDIA / "sitting_upright_side_01.jpg"),
            "--method",
            "rula",
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert {"method", "score", "action_level", "side", "angles_used"} <= set(data)
    assert data["side"] in ("left", "right")
    assert Path(data["overlay"]).exists()
    assert data["neck_neutral_offset_deg"] == 15.0


@pytest.mark.video
def test_cli_ergo_with_a_neutral_photo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--neutral calibrates the neck on a photo of the person upright: the same photo as its own
    neutral gives 0° of neck flexion; --neutral with --angles exits 2."""
    photo = str(BUNDLED_MEDIA / "sitting_upright_side_01.jpg")
    data = cli_json(
        ["ergo", photo, "--method", "rula", "--out", str(tmp_path), "--neutral", photo], capsys
    )
    assert 5.0 < data["neck_neutral_offset_deg"] < 30.0
    assert data["neck_neutral_offset_deg"] != 15.0
    assert "calibrated on the neutral capture" in data["angle_sources"]["neck_flexion_deg"]
    with pytest.raises(SystemExit) as info:
        main(["ergo", "--angles", "x.json", "--neutral", photo])
    assert info.value.code == 2
    assert "--neutral" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ergo", "--method", "owas", "--angles", "x.json"], "rula or reba"),
        (["ergo", "--method", "rula"], "either a PHOTO"),
        (["ergo", "--method", "rula", "--angles", "/nonexistent.json"], "not found"),
    ],
)
def test_cli_ergo_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad method, missing input and a missing file exit 2 with a message."""
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_ergo_bad_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An out-of-range angle in the file exits 2 naming the field."""
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "upper_arm_flexion_deg": 400,
                "lower_arm_flexion_deg": 80,
                "neck_flexion_deg": 5,
                "trunk_flexion_deg": 5,
            }
        )
    )
    with pytest.raises(SystemExit) as info:
        main(["ergo", "--method", "rula", "--angles", str(bad)])
    assert info.value.code == 2
    assert "upper_arm_flexion_deg" in capsys.readouterr().err


SITTING = (
    "sitting_desk_hunched_side_01.jpg",
    "sitting_desk_lean_side_exif_01.jpg",
    "sitting_hunched_side_01.jpg",
    "sitting_upright_side_01.jpg",
    "sitting_reclined_side_01.jpg",
    "sitting_upright_bench_side_01.jpg",
)


@pytest.mark.video
@pytest.mark.slow
def test_all_six_sitting_photos_are_scored_seated(media_dir: Path, shared_cache: PoseCache) -> None:
    """Every labelled sitting photo gets a RULA and a REBA score, seen as seated, with a side."""
    for name in SITTING:
        analysis = analyze_sequence(extract_pose(media_dir / name, cache=shared_cache))
        for method in ("rula", "reba"):
            ergo = ergonomics_from_pose(analysis, method)  # type: ignore[arg-type]
            assert ergo.seated, name
            assert ergo.side in ("left", "right")
            assert 1 <= ergo.score.grand <= (7 if method == "rula" else 15)
