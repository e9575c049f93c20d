"""Opening media: type by content, size limit, corrupt files, EXIF and video rotation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backrehab.errors import (
    EmptyMediaError,
    MediaReadError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from backrehab.pose.extract import extract_pose
from backrehab.pose.media import VideoReader, open_media, read_photo, sniff_media_type
from tests.conftest import BUNDLED_MEDIA
from tests.media_tools import set_mp4_rotation, write_video


def _marker_frames(n: int = 6, w: int = 64, h: int = 48) -> list[np.ndarray]:
    frames = []
    for _ in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[:12, :20] = 255  # white block at the top-left of the stored pixels
        frames.append(f)
    return frames


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0" + b"\0" * 8, "photo"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 4, "photo"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "photo"),
        (b"\0\0\0\x20ftypisom", "video"),
        (b"RIFF\0\0\0\0AVI LIST", "video"),
        (b"\x1a\x45\xdf\xa3\0\0\0\0", "video"),
        (b"GIF89a\0\0\0\0\0\0", None),
        (b"hello world!", None),
    ],
)
def test_type_is_read_from_content(head: bytes, kind: str | None) -> None:
    """Magic numbers, not file names, decide photo or video."""
    assert sniff_media_type(head) == kind


def test_missing_file(tmp_path: Path) -> None:
    """A missing path names the file."""
    with pytest.raises(MediaReadError, match="not found"):
        open_media(tmp_path / "nope.mp4", max_file_mb=10)


def test_unsupported_type(tmp_path: Path) -> None:
    """A GIF or text file is refused with the list of supported types."""
    path = tmp_path / "clip.gif"
    path.write_bytes(b"GIF89a" + b"\0" * 100)
    with pytest.raises(UnsupportedMediaError, match="mp4"):
        open_media(path, max_file_mb=10)


def test_corrupt_file_with_a_video_name(tmp_path: Path) -> None:
    """Random bytes named .mp4 are reported as corrupt, not as a crash."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(MediaReadError, match="corrupt"):
        open_media(path, max_file_mb=10)


def test_empty_file(tmp_path: Path) -> None:
    """A zero-byte file is refused as empty."""
    path = tmp_path / "clip.mp4"
    path.touch()
    with pytest.raises(MediaReadError, match="empty"):
        open_media(path, max_file_mb=10)


def test_size_limit(tmp_path: Path) -> None:
    """A file over the configured limit is refused with its size and the limit."""
    path = write_video(tmp_path / "clip.mp4", _marker_frames(), fps=10)
    with pytest.raises(MediaTooLargeError, match="limit"):
        open_media(path, max_file_mb=0.0001)


def test_truncated_video_is_corrupt_or_empty(tmp_path: Path) -> None:
    """A video cut after its header cannot be opened or yields no frame: a clear media error."""
    path = write_video(tmp_path / "clip.mp4", _marker_frames(), fps=10)
    data = path.read_bytes()
    path.write_bytes(data[:40])
    with pytest.raises((MediaReadError, EmptyMediaError)):
        extract_pose(path)


def test_corrupt_photo(tmp_path: Path) -> None:
    """A JPEG header followed by garbage is reported as corrupt."""
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x13" * 500)
    with pytest.raises(MediaReadError, match="corrupt"):
        read_photo(path)


def test_exif_photo_comes_out_upright() -> None:
    """The EXIF-rotated photo is returned upright (portrait) with the rotation recorded."""
    path = BUNDLED_MEDIA / "sitting_desk_lean_side_exif_01.jpg"
    with Image.open(path) as img:
        stored_w, stored_h = img.size
    assert stored_w > stored_h  # the stored pixels are sideways
    rgb, rotation = read_photo(path)
    assert rgb.shape[:2] == (stored_w, stored_h)
    assert rotation == 90


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_video_rotation_metadata_is_applied(tmp_path: Path, rotation: int) -> None:
    """A video with a display rotation comes out upright, with the rotation recorded."""
    path = write_video(tmp_path / "clip.mp4", _marker_frames(), fps=10)
    set_mp4_rotation(path, rotation)
    with VideoReader(path) as reader:
        frames = list(reader.frames())
        assert reader.rotation_deg == rotation
        size = (reader.width_px, reader.height_px)
    assert len(frames) == 6
    rgb = frames[0][2]
    ys, xs = np.nonzero(rgb[:, :, 0] > 128)
    cy, cx = ys.mean() / rgb.shape[0], xs.mean() / rgb.shape[1]
    expected = {0: (0.1, 0.15), 90: (0.15, 0.9), 180: (0.9, 0.85), 270: (0.85, 0.1)}[rotation]
    assert (cy, cx) == pytest.approx(expected, abs=0.08)
    assert size == ((64, 48) if rotation in (0, 180) else (48, 64))
    assert rgb.shape[:2] == (size[1], size[0])


def test_stride_and_timestamps(tmp_path: Path) -> None:
    """A stride keeps every n-th frame with its own index and increasing timestamps."""
    path = write_video(tmp_path / "clip.mp4", _marker_frames(10), fps=10)
    with VideoReader(path) as reader:
        frames = list(reader.frames(stride=3))
    assert [f[0] for f in frames] == [0, 3, 6, 9]
    np.testing.assert_allclose([f[1] for f in frames], [0.0, 0.3, 0.6, 0.9], atol=1e-6)


@pytest.mark.parametrize(
    ("name", "fourcc"),
    [("clip.avi", "MJPG"), ("clip.mov", "mp4v"), ("clip.webm", "VP80"), ("clip.m4v", "mp4v")],
)
def test_every_video_container_is_read(tmp_path: Path, name: str, fourcc: str) -> None:
    """AVI, MOV, WebM and M4V files are recognised as videos and decode every frame upright."""
    import cv2

    path = tmp_path / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (64, 48))
    for frame in _marker_frames(7):
        writer.write(frame)
    writer.release()
    assert open_media(path, max_file_mb=10).media_type == "video"
    with VideoReader(path) as reader:
        frames = list(reader.frames())
        assert reader.fps == pytest.approx(10.0)
    assert len(frames) == 7
    assert frames[0][2].shape == (48, 64, 3)
    assert frames[0][2][:12, :20].mean() > 200 > frames[0][2][30:, 40:].mean()


@pytest.mark.parametrize(
    ("orientation", "rotation"),
    [(1, 0), (2, 0), (3, 180), (4, 180), (5, 90), (6, 90), (7, 270), (8, 270)],
)
def test_every_exif_orientation_is_undone(tmp_path: Path, orientation: int, rotation: int) -> None:
    """A photo stored in any EXIF orientation comes back upright, with the rotation recorded."""
    upright = np.zeros((40, 60, 3), np.uint8)
    upright[:10, :15] = (255, 0, 0)  # red block at the top-left of the upright picture
    # Store the pixels so that applying ``orientation`` (EXIF spec) gives ``upright`` back.
    stored = Image.fromarray(upright)
    undo = {
        2: [Image.Transpose.FLIP_LEFT_RIGHT],
        3: [Image.Transpose.ROTATE_180],
        4: [Image.Transpose.FLIP_TOP_BOTTOM],
        5: [Image.Transpose.TRANSPOSE],
        6: [Image.Transpose.ROTATE_90],
        7: [Image.Transpose.TRANSVERSE],
        8: [Image.Transpose.ROTATE_270],
    }.get(orientation, [])
    for op in undo:
        stored = stored.transpose(op)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.png"
    stored.save(path, exif=exif)
    rgb, got = read_photo(path)
    assert got == rotation
    assert rgb.shape == (40, 60, 3)
    ys, xs = np.nonzero(rgb[:, :, 0] > 128)
    assert ys.max() < 12
    assert xs.max() < 17
