"""The command-line contract: analyze's outputs and summary keys, help, exit code 2 on errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.cli_helpers import cli_ok, run_cli
from tests.conftest import BUNDLED_MEDIA, DEMO_CLIP
from tests.media_tools import read_frames, write_video

SUMMARY_KEYS = {
    "frames",
    "detected_fraction",
    "fps",
    "duration_s",
    "view",
    "mean_visibility",
    "angles",
}


@pytest.mark.parametrize("command", [[], ["analyze"], ["demo"], ["config"], ["config", "show"]])
def test_help_for_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Every subcommand prints its help."""
    out = cli_ok([*command, "--help"], capsys)
    assert "Usage" in out


@pytest.mark.video
def test_analyze_video_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """analyze --json writes pose file, angles.csv, overlay.mp4 and summary.json, and prints it."""
    clip = write_video(tmp_path / "squat.mp4", read_frames(DEMO_CLIP, 75)[45:75], fps=30)
    out_dir = tmp_path / "out"
    summary = json.loads(cli_ok(["analyze", str(clip), "--out", str(out_dir), "--json"], capsys))
    assert set(summary) >= SUMMARY_KEYS
    assert summary["frames"] == 30
    assert summary["detected_fraction"] > 0.9
    assert summary["fps"] == pytest.approx(30.0)
    assert summary["duration_s"] == pytest.approx(1.0, abs=0.05)
    assert summary["view"] in {"front", "back", "left side", "right side"}
    assert 0 < summary["mean_visibility"] <= 1
    assert "left_knee_flexion" in summary["angles"]
    for name in ("squat.pose.npz", "angles.csv", "angle_flags.csv", "overlay.mp4", "summary.json"):
        assert (out_dir / name).stat().st_size > 0, name
    with (out_dir / "angles.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30
    assert rows[0]["time_s"] == "0.0000"
    assert {f"{n}_deg" for n in summary["angles"]} <= set(rows[0])
    on_disk = json.loads((out_dir / "summary.json").read_text())
    assert on_disk["frames"] == 30
    cap = cv2.VideoCapture(str(out_dir / "overlay.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 30


@pytest.mark.video
def test_analyze_photo_writes_png_overlay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """analyze on a photo writes overlay.png and a one-frame summary with a side view."""
    out_dir = tmp_path / "photo"
    photo = BUNDLED_MEDIA / "sitting_upright_side_01.jpg"
    summary = json.loads(cli_ok(["analyze", str(photo), "--out", str(out_dir), "--json"], capsys))
    assert summary["frames"] == 1
    assert summary["detected_fraction"] == 1.0
    assert summary["duration_s"] == 0.0
    assert summary["view"] == "left side"  # he faces image-left: his left side is nearer
    image = cv2.imread(str(out_dir / "overlay.png"))
    assert image is not None
    assert image.shape[:2] == (1280, 720)


@pytest.mark.video
def test_analyze_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the summary is printed as a table naming the view and the angles."""
    out = cli_ok(
        [
            "analyze",
            str(BUNDLED_MEDIA / "sitting_upright_side_01.jpg"),
            "--out",
            str(tmp_path / "o"),
            "--no-overlay",
        ],
        capsys,
    )
    assert "detected_fraction" in out
    assert "left side" in out
    assert "trunk_inclination" in out
    assert not (tmp_path / "o" / "overlay.png").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a" + b"\0" * 64, "anim.gif", "unsupported file type"),
        (b"\0\0\0\x20ftypisom" + b"\x07" * 3000, "bad.mp4", "corrupt"),
        (b"", "empty.mp4", "empty"),
    ],
)
def test_bad_media_exit_2_with_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, name: str, message: str
) -> None:
    """Unsupported, corrupt and empty files exit with code 2 and say what is wrong."""
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run_cli(["analyze", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert message in err


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file exits 2 and names it."""
    code, _, err = run_cli(["analyze", str(tmp_path / "nope.mp4")], capsys)
    assert code == 2
    assert "not found" in err


def test_too_large_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file over the size limit set with --set exits 2 with the limit."""
    code, _, err = run_cli(
        ["analyze", str(DEMO_CLIP), "--set", "extraction.max_file_mb=0.5"], capsys
    )
    assert code == 2
    assert "0.5 MB limit" in err


@pytest.mark.video
def test_zero_frames_and_no_person_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A frameless video and a video without a person exit 2 with their own messages."""
    empty = tmp_path / "empty.avi"
    cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48)).release()
    code, _, err = run_cli(["analyze", str(empty)], capsys)
    assert code == 2
    assert "no video frame" in err
    room = write_video(tmp_path / "room.mp4", [np.full((96, 128, 3), 80, np.uint8)] * 5, fps=5)
    code, _, err = run_cli(["analyze", str(room)], capsys)
    assert code == 2
    assert "No person found in any of the 5 frames" in err


def test_invalid_setting_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid --set value exits 2 naming the key."""
    code, _, err = run_cli(["config", "show", "--set", "cleaning.cutoff_hz=-3"], capsys)
    assert code == 2
    assert "cutoff_hz" in err


def test_config_show_prints_effective_settings(capsys: pytest.CaptureFixture[str]) -> None:
    """config show prints the defaults merged with overrides, as JSON."""
    data = json.loads(cli_ok(["config", "show", "--set", "cleaning.cutoff_hz=4"], capsys))
    assert data["cleaning"]["cutoff_hz"] == 4
    assert data["extraction"]["frame_stride"] == 1


def test_console_script_exit_code() -> None:
    """The installed console script itself exits 2 on a bad file."""
    exe = Path(sys.executable).with_name("backrehab")
    result = subprocess.run(
        [str(exe), "analyze", "/nonexistent/clip.mp4"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "not found" in result.stderr


@pytest.mark.video
@pytest.mark.slow
def test_demo_prints_the_summary_and_the_rep_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """make run's command analyses the bundled clip, counts its 2 squats and credits the clip."""
    out = cli_ok(["demo", "--out", str(tmp_path / "demo")], capsys)
    assert "detected_fraction" in out
    assert "2 squats counted" in out
    assert "CC BY 3.0" in out
    assert (tmp_path / "demo" / "summary.json").exists()
