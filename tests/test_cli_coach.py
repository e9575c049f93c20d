"""CLI contract of reps, hold and coach: JSON keys, errors, headless coaching."""

from __future__ import annotations

from pathlib import Path

import pytest

from backrehab.cli import main
from tests.cli_helpers import cli_json
from tests.conftest import DEMO_CLIP, missing_shared_media, shared_media_dir


@pytest.mark.video
@pytest.mark.slow
def test_reps_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """reps prints exercise, reps, partial_reps, per_rep (start_s, peak_s, end_s, rom_deg,
    faults) and form_score; the bundled barbell squat has 2 repetitions."""
    data = cli_json(["reps", str(DEMO_CLIP), "--exercise", "bodyweight_squat"], capsys)
    assert data["exercise"] == "bodyweight_squat"
    assert data["reps"] == 2
    assert isinstance(data["reps"], int)
    assert data["partial_reps"] == 0
    assert len(data["per_rep"]) == 2
    for rep in data["per_rep"]:
        assert {"start_s", "peak_s", "end_s", "rom_deg", "faults"} <= set(rep)
        assert rep["start_s"] < rep["peak_s"] < rep["end_s"]
        assert rep["rom_deg"] > 30
    assert 0 <= data["form_score"] <= 100


@pytest.mark.video
@pytest.mark.slow
def test_hold_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """hold prints holds (start_s, end_s, duration_s) and total_hold_s."""
    clip = shared_media_dir() / "plank_side_front_01.mp4"
    if not clip.exists():
        missing_shared_media(clip)
    data = cli_json(["hold", str(clip), "--exercise", "front_plank"], capsys)
    assert data["holds"]
    for h in data["holds"]:
        assert {"start_s", "end_s", "duration_s"} <= set(h)
    assert data["total_hold_s"] == pytest.approx(sum(h["duration_s"] for h in data["holds"]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reps", str(DEMO_CLIP), "--exercise", "no_such_exercise"], "bodyweight_squat"),
        (["reps", str(DEMO_CLIP), "--exercise", "front_plank"], "backrehab hold"),
        (["hold", str(DEMO_CLIP), "--exercise", "push_up"], "backrehab reps"),
        (["coach", "--exercise", "push_up"], "--camera"),
        (["reps", "/nonexistent.mp4", "--exercise", "push_up"], "not found"),
    ],
)
def test_errors_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown exercises, the wrong command for a hold, and missing inputs exit 2 explained."""
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.video
@pytest.mark.slow
def test_coach_headless_writes_the_annotated_video(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """coach --video --no-window writes the annotated video and reports the coach cost."""
    out = tmp_path / "coach.mp4"
    data = cli_json(
        [
            "coach",
            "--exercise",
            "bodyweight_squat",
            "--video",
            str(DEMO_CLIP),
            "--no-window",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert data["reps"] == 2
    assert data["frames"] == 213
    assert data["coach_ms_mean"] > 0
    assert out.stat().st_size > 10_000
