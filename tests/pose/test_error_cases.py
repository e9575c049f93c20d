"""Every bad-input case of issue #2, once through the library and once through ``analyze``.

Each case builds its file, then must raise its own :class:`BackrehabError` subclass from
:func:`analyze_media` and make ``backrehab analyze`` exit 2 with the same message on stderr (and
no traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from backrehab.config import config_from_mapping
from backrehab.errors import (
    BackrehabError,
    ConfigError,
    EmptyMediaError,
    MediaReadError,
    MediaTooLargeError,
    NoPersonError,
    UnsupportedMediaError,
)
from backrehab.pose.pipeline import analyze_media
from tests.cli_helpers import run_cli
from tests.conftest import DEMO_CLIP
from tests.media_tools import read_frames, write_video


@dataclass(frozen=True)
class Case:
    """A bad input: how to make it, the settings it runs with, the error and its message."""

    make: Callable[[Path], Path]
    error: type[BackrehabError]
    message: str
    settings: dict[str, Any] = field(default_factory=dict)


def _bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return make


def _missing(tmp: Path) -> Path:
    return tmp / "nowhere.mp4"


def _folder(tmp: Path) -> Path:
    path = tmp / "clip.mp4"
    path.mkdir()
    return path


def _truncated(tmp: Path) -> Path:
    path = write_video(tmp / "cut.mp4", read_frames(DEMO_CLIP, 5), fps=30)
    path.write_bytes(path.read_bytes()[:48])
    return path


def _zero_frames(tmp: Path) -> Path:
    path = tmp / "empty.avi"
    cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48)).release()
    return path


def _wall_photo(tmp: Path) -> Path:
    path = tmp / "wall.png"
    cv2.imwrite(str(path), np.full((240, 320, 3), 200, np.uint8))
    return path


def _empty_room(tmp: Path) -> Path:
    return write_video(tmp / "room.mp4", [np.full((96, 128, 3), 80, np.uint8)] * 6, fps=6)


def _mostly_empty(tmp: Path) -> Path:
    person = read_frames(DEMO_CLIP, 60)[-1]
    blank = np.full_like(person, 90)
    return write_video(tmp / "mostly_empty.mp4", [person] * 2 + [blank] * 18, fps=10)


def _demo_copy(tmp: Path) -> Path:
    path = tmp / "demo.mp4"
    path.write_bytes(DEMO_CLIP.read_bytes())
    return path


CASES = {
    "missing": Case(_missing, MediaReadError, "File not found"),
    "folder": Case(_folder, MediaReadError, "Not a file"),
    "zero bytes": Case(_bytes("empty.mp4", b""), MediaReadError, "empty.mp4 is empty (0 bytes)"),
    "corrupt video": Case(
        _bytes("bad.mp4", b"\x00\x00\x00\x20ftypisom" + b"\x07" * 3000),
        MediaReadError,
        "bad.mp4 is corrupt",
    ),
    "random bytes named mp4": Case(
        _bytes("noise.mp4", np.random.default_rng(1).bytes(4000)),
        MediaReadError,
        "noise.mp4 is corrupt or not really a MP4 file",
    ),
    "truncated video": Case(_truncated, MediaReadError, "cut.mp4 is corrupt"),
    "corrupt photo": Case(
        _bytes("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x13" * 500),
        MediaReadError,
        "photo.jpg is corrupt or not a readable image",
    ),
    "unsupported gif": Case(
        _bytes("anim.gif", b"GIF89a" + b"\0" * 64), UnsupportedMediaError, "unsupported file type"
    ),
    "unsupported text": Case(
        _bytes("notes.txt", b"hello, this is text"), UnsupportedMediaError, "unsupported file type"
    ),
    "zero frames": Case(_zero_frames, EmptyMediaError, "empty.avi holds no video frame"),
    "no person in a photo": Case(_wall_photo, NoPersonError, "No person found in wall.png"),
    "no person in a video": Case(
        _empty_room, NoPersonError, "No person found in any of the 6 frames of room.mp4"
    ),
    "person in too few frames": Case(
        _mostly_empty,
        NoPersonError,
        "found in only 10% of the frames of mostly_empty.mp4 (2 of 20); at least 50% is needed",
        {"extraction": {"min_detected_fraction": 0.5}},
    ),
    "over the size limit": Case(
        _demo_copy,
        MediaTooLargeError,
        "over the 0.5 MB limit",
        {"extraction": {"max_file_mb": 0.5}},
    ),
    "odd filter order": Case(
        _demo_copy, ConfigError, "filter_order", {"cleaning": {"filter_order": 3}}
    ),
}


def _set_args(settings: dict[str, Any]) -> list[str]:
    return [
        arg
        for section, values in settings.items()
        for key, value in values.items()
        for arg in ("--set", f"{section}.{key}={value}")
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_library_raises_the_named_error(name: str, tmp_path: Path) -> None:
    """analyze_media raises the case's own error class, whose message names the problem."""
    case = CASES[name]
    path = case.make(tmp_path)
    with pytest.raises(case.error) as info:
        analyze_media(path, config_from_mapping(case.settings))
    assert case.message in info.value.user_message


@pytest.mark.parametrize("name", list(CASES))
def test_cli_exits_2_with_the_message(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """backrehab analyze exits 2, prints the same message and no traceback, writes nothing."""
    case = CASES[name]
    path = case.make(tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = run_cli(
        ["analyze", str(path), "--out", str(out_dir), *_set_args(case.settings)], capsys
    )
    assert code == 2, err
    assert case.message in " ".join(err.split())
    assert "Traceback" not in err + out
    assert not out_dir.exists()


def test_no_person_error_carries_the_fraction(tmp_path: Path) -> None:
    """The too-few-frames error also gives the detected share as a number, for callers."""
    with pytest.raises(NoPersonError) as info:
        analyze_media(
            _mostly_empty(tmp_path),
            config_from_mapping({"extraction": {"min_detected_fraction": 0.5}}),
        )
    assert info.value.detected_fraction == pytest.approx(0.1)
