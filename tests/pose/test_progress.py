"""Progress of a video analysis: the library's callback and the CLI's rich progress bar."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from backrehab.pose.extract import extract_pose
from tests.cli_helpers import cli_ok
from tests.conftest import DEMO_CLIP
from tests.media_tools import read_frames, write_video

pytestmark = pytest.mark.video


def _clip(tmp_path: Path, n: int = 12) -> Path:
    return write_video(tmp_path / "clip.mp4", read_frames(DEMO_CLIP, 60 + n)[60:], fps=30)


def test_callback_counts_every_frame_up_to_the_total(tmp_path: Path) -> None:
    """on_progress gets (done, total) after each frame, rising by one, ending at (12, 12)."""
    calls: list[tuple[int, int]] = []
    extract_pose(_clip(tmp_path), on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 12) for k in range(1, 13)]


def test_cli_draws_a_progress_bar_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, analyze draws a 'Pose: <file>' bar with the frame count on stderr."""
    screen = io.StringIO()
    monkeypatch.setattr(
        "backrehab.cli.err_console", Console(file=screen, force_terminal=True, width=120)
    )
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    cli_ok(["analyze", str(_clip(tmp_path)), "--out", str(tmp_path / "o"), "--no-overlay"], capsys)
    drawn = screen.getvalue()
    assert "Pose: clip.mp4" in drawn
    assert "12/12 frames" in drawn


def test_cli_json_output_has_no_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --json nothing but the summary is printed: no bar, even on a terminal."""
    screen = io.StringIO()
    monkeypatch.setattr(
        "backrehab.cli.err_console", Console(file=screen, force_terminal=True, width=120)
    )
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    out = cli_ok(["analyze", str(_clip(tmp_path)), "--out", str(tmp_path / "o"), "--json"], capsys)
    assert out.lstrip().startswith("{")
    assert "frames" not in screen.getvalue()
