"""Pose extraction with MediaPipe on generated and real media, and its error cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from backrehab.config import ExtractionConfig
from backrehab.errors import EmptyMediaError, MediaReadError, NoPersonError
from backrehab.pose.extract import BACKEND, MODEL, extract_pose
from backrehab.pose.landmarks import Landmark
from backrehab.pose.posefile import PoseCache
from tests.conftest import BUNDLED_MEDIA, DEMO_CLIP, missing_shared_media
from tests.media_tools import read_frames, set_mp4_rotation, write_video

pytestmark = pytest.mark.video


def test_zero_frame_video(tmp_path: Path) -> None:
    """A valid container with no frame raises EmptyMediaError."""
    path = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    writer.release()
    with pytest.raises(EmptyMediaError, match="no video frame"):
        extract_pose(path)


def test_no_person_in_video_says_the_fraction(tmp_path: Path) -> None:
    """A video of an empty room raises NoPersonError saying in how many frames."""
    frames = [np.full((120, 160, 3), 90, np.uint8) for _ in range(8)]
    path = write_video(tmp_path / "empty_room.mp4", frames, fps=10)
    with pytest.raises(NoPersonError, match="any of the 8 frames") as info:
        extract_pose(path)
    assert info.value.detected_fraction == 0.0


def test_person_in_too_few_frames_says_the_fraction(tmp_path: Path) -> None:
    """A clip where the person shows in 2 of 20 frames is refused with '10%'."""
    person = read_frames(DEMO_CLIP, 60)[-1]
    blank = np.full_like(person, 90)
    path = write_video(tmp_path / "mostly_empty.mp4", [person] * 2 + [blank] * 18, fps=10)
    with pytest.raises(NoPersonError, match="only 10%") as info:
        extract_pose(path, ExtractionConfig(min_detected_fraction=0.5))
    assert info.value.detected_fraction == pytest.approx(0.1)


def test_no_person_in_photo(tmp_path: Path) -> None:
    """A photo without anybody raises NoPersonError."""
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), np.full((200, 200, 3), 200, np.uint8))
    with pytest.raises(NoPersonError, match="No person"):
        extract_pose(path)


def test_corrupt_video_through_extraction(tmp_path: Path) -> None:
    """A corrupt .mp4 is a MediaReadError from extract_pose."""
    path = tmp_path / "bad.mp4"
    path.write_bytes(b"\0\0\0\x20ftypisom" + b"\x07" * 3000)
    with pytest.raises(MediaReadError):
        extract_pose(path)


def test_exif_photo_pose_is_upright() -> None:
    """On the EXIF trap the person comes out upright: head above hips, in portrait pixels."""
    seq = extract_pose(BUNDLED_MEDIA / "sitting_desk_lean_side_exif_01.jpg")
    assert seq.source.rotation_deg == 90
    assert (seq.source.frame_width_px, seq.source.frame_height_px) == (960, 1280)
    nose_y = seq.xy(Landmark.NOSE)[0, 1]
    hip_y = np.nanmean(seq.image_px[0, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1])
    assert nose_y < hip_y - 100
    assert seq.source.backend == BACKEND
    assert seq.source.model == MODEL


def test_rotated_phone_video_gives_the_same_pose(tmp_path: Path) -> None:
    """A clip stored sideways with rotation metadata gives the pose of the upright clip."""
    frames = read_frames(DEMO_CLIP, 90)[60:90]
    upright = write_video(tmp_path / "upright.mp4", frames, fps=30)
    sideways = write_video(
        tmp_path / "sideways.mp4", [np.ascontiguousarray(np.rot90(f, k=1)) for f in frames], fps=30
    )
    set_mp4_rotation(sideways, 90)  # the stored pixels are turned 90° counter-clockwise
    a = extract_pose(upright)
    b = extract_pose(sideways)
    assert b.source.rotation_deg == 90
    assert (b.source.frame_width_px, b.source.frame_height_px) == (1280, 720)
    both = a.detected & b.detected
    assert both.mean() > 0.9
    err_px = np.linalg.norm(a.image_px[both][:, :, :2] - b.image_px[both][:, :, :2], axis=2)
    assert np.median(err_px) < 0.02 * 720


def test_cache_skips_inference_on_the_same_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second extraction of the same bytes (even renamed) reads the cache, not MediaPipe."""
    frames = read_frames(DEMO_CLIP, 70)[60:70]
    path = write_video(tmp_path / "a.mp4", frames, fps=30)
    cache = PoseCache(tmp_path / "cache")
    first = extract_pose(path, cache=cache)
    renamed = path.rename(tmp_path / "b.mp4")

    def no_inference(*args: object, **kwargs: object) -> None:
        raise AssertionError("MediaPipe ran although the cache had this content")

    monkeypatch.setattr("backrehab.pose.extract.PoseEstimator", no_inference)
    second = extract_pose(renamed, cache=cache)
    np.testing.assert_array_equal(first.image_px, second.image_px)
    assert second.source.file_name == "b.mp4"


def test_cache_is_keyed_by_the_inference_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed detection or main-person settings run MediaPipe again; a size limit does not."""
    import backrehab.pose.extract as extract_module

    path = write_video(tmp_path / "a.mp4", read_frames(DEMO_CLIP, 70)[60:70], fps=30)
    cache = PoseCache(tmp_path / "cache")
    runs: list[bool] = []
    real = extract_module.PoseEstimator

    def counting(*, static_image: bool, settings: ExtractionConfig) -> Any:
        runs.append(static_image)
        return real(static_image=static_image, settings=settings)

    monkeypatch.setattr(extract_module, "PoseEstimator", counting)
    base = ExtractionConfig()
    first = extract_pose(path, base, cache=cache)
    assert len(runs) == 1
    extract_pose(path, base.model_copy(update={"max_file_mb": 100.0}), cache=cache)
    assert len(runs) == 1  # not an inference setting: cache hit
    for change in ({"min_detection_confidence": 0.7}, {"main_person_max_jump": 0.5}):
        other = extract_pose(path, base.model_copy(update=change), cache=cache)
        assert other.source.settings_fingerprint != first.source.settings_fingerprint
    assert len(runs) == 3
    assert len(list((tmp_path / "cache").rglob("*.pose.npz"))) == 3


def test_cached_pose_is_checked_against_the_current_detection_share(tmp_path: Path) -> None:
    """A cached clip with a person in 10 % of frames is refused once 50 % is required."""
    person = read_frames(DEMO_CLIP, 60)[-1]
    blank = np.full_like(person, 90)
    path = write_video(tmp_path / "sparse.mp4", [person] * 2 + [blank] * 18, fps=10)
    cache = PoseCache(tmp_path / "cache")
    seq = extract_pose(path, ExtractionConfig(min_detected_fraction=0.05), cache=cache)
    assert seq.detected_fraction == pytest.approx(0.1)
    with pytest.raises(NoPersonError, match="only 10%"):
        extract_pose(path, ExtractionConfig(min_detected_fraction=0.5), cache=cache)


def test_photo_formats_give_the_same_pose(tmp_path: Path) -> None:
    """The same photo as JPEG, PNG and WebP (lossless) gives the same landmarks within 2 px."""
    from PIL import Image

    jpg = BUNDLED_MEDIA / "sitting_upright_side_01.jpg"
    reference = extract_pose(jpg)
    with Image.open(jpg) as img:
        img.save(tmp_path / "photo.png")
        img.save(tmp_path / "photo.webp", lossless=True)
    for name in ("photo.png", "photo.webp"):
        seq = extract_pose(tmp_path / name)
        assert seq.source.kind == "photo"
        err = np.linalg.norm(seq.image_px[0, :, :2] - reference.image_px[0, :, :2], axis=1)
        assert np.median(err) < 2.0, name


def test_every_video_container_gives_a_pose(tmp_path: Path) -> None:
    """The same frames in MP4, MOV, AVI and WebM all give a person in every frame."""
    frames = read_frames(DEMO_CLIP, 66)[60:66]
    for name, fourcc in (("c.mov", "mp4v"), ("c.avi", "MJPG"), ("c.webm", "VP80")):
        writer = cv2.VideoWriter(
            str(tmp_path / name), cv2.VideoWriter_fourcc(*fourcc), 30, (1280, 720)
        )
        for f in frames:
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        writer.release()
        seq = extract_pose(tmp_path / name)
        assert seq.n_frames == 6, name
        assert seq.detected.all(), name
        assert seq.source.fps == pytest.approx(30.0), name


def test_another_person_passing_through_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Half a second of a smaller person elsewhere in the frame, between two stretches of the
    main person, is detected by MediaPipe but dropped: only the main person's frames remain."""
    from PIL import Image

    frames = read_frames(DEMO_CLIP, 120)[60:120]
    height, width = frames[0].shape[:2]
    with Image.open(BUNDLED_MEDIA / "sitting_upright_side_01.jpg") as img:
        other = np.asarray(img.convert("RGB").resize((200, 356)))
    intruder = np.full((height, width, 3), 120, np.uint8)
    intruder[height - 376 : height - 20, 40:240] = other
    path = write_video(
        tmp_path / "walk_through.mp4", frames[:30] + [intruder] * 15 + frames[30:], 30
    )
    with caplog.at_level("INFO", logger="backrehab.pose.extract"):
        seq = extract_pose(path)
    assert "frames showed another person and were dropped" in caplog.text
    assert seq.detected[:30].all()
    assert not seq.detected[30:45].any()
    assert seq.detected[46:].all()  # MediaPipe may need one frame to find the main person again


def test_stride_processes_every_nth_frame(tmp_path: Path) -> None:
    """With a stride of 3, frame indices step by 3 and the sample rate is fps / 3."""
    path = write_video(tmp_path / "a.mp4", read_frames(DEMO_CLIP, 72)[60:72], fps=30)
    seq = extract_pose(path, ExtractionConfig(frame_stride=3))
    assert seq.frame_index.tolist() == [0, 3, 6, 9]
    assert seq.sample_rate_hz == pytest.approx(10.0)


# -- real media ---------------------------------------------------------------------------------
def _clips(labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x for x in labels if x["file"].endswith(".mp4")]


def _label_ids() -> list[str]:
    from tests.conftest import shared_media_dir

    path = shared_media_dir() / "labels.json"
    if not path.exists():
        return ["no-shared-media"]
    return [Path(x["file"]).name for x in json.loads(path.read_text())]


@pytest.mark.slow
@pytest.mark.parametrize("name", _label_ids())
def test_real_media_detection(
    name: str, media_dir: Path, labels: list[dict[str, Any]], shared_cache: PoseCache
) -> None:
    """Every labelled clip finds a person in at least the recorded rate minus 2 points;
    every photo gives a pose."""
    entry = next((x for x in labels if Path(x["file"]).name == name), None)
    if entry is None:
        missing_shared_media(f"{name} (no entry in labels.json)")
    seq = extract_pose(media_dir / name, cache=shared_cache)
    assert seq.source.sha256 == entry["sha256"]
    if name.endswith(".mp4"):
        assert seq.n_frames == entry["frames"]
        assert seq.detected_fraction >= entry["mediapipe_detection_rate"] - 0.02
        assert seq.source.fps == pytest.approx(entry["fps"], rel=1e-3)
    else:
        assert seq.n_frames == 1
        assert seq.detected.all()
        assert (seq.source.frame_width_px, seq.source.frame_height_px) == (
            entry["width"],
            entry["height"],
        )
