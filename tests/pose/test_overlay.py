"""Overlays: skeleton drawing, sound-only angle labels, PNG and MP4 writers (synthetic inputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from backrehab.errors import MediaError
from backrehab.pose.angles import AngleSeries, compute_angles
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.overlay import (
    LEFT_RGB,
    MIDLINE_RGB,
    RIGHT_RGB,
    angle_labels,
    draw_pose,
    write_photo_overlay,
    write_video_overlay,
)
from backrehab.pose.sequence import MediaKind, PoseSequence, SourceInfo

W, H = 320, 240
N_VIDEO = 10

#: A standing stick figure (front-on layout, person's right on the image left), pixels.
FIGURE: dict[L, tuple[float, float]] = {
    L.NOSE: (160, 30),
    L.LEFT_EYE_INNER: (162, 26),
    L.LEFT_EYE: (165, 26),
    L.LEFT_EYE_OUTER: (167, 26),
    L.RIGHT_EYE_INNER: (158, 26),
    L.RIGHT_EYE: (155, 26),
    L.RIGHT_EYE_OUTER: (153, 26),
    L.LEFT_EAR: (170, 30),
    L.RIGHT_EAR: (150, 30),
    L.MOUTH_LEFT: (164, 38),
    L.MOUTH_RIGHT: (156, 38),
    L.LEFT_SHOULDER: (180, 60),
    L.RIGHT_SHOULDER: (140, 60),
    L.LEFT_ELBOW: (190, 95),
    L.RIGHT_ELBOW: (130, 95),
    L.LEFT_WRIST: (196, 130),
    L.RIGHT_WRIST: (124, 130),
    L.LEFT_PINKY: (198, 136),
    L.RIGHT_PINKY: (122, 136),
    L.LEFT_INDEX: (197, 138),
    L.RIGHT_INDEX: (123, 138),
    L.LEFT_THUMB: (194, 136),
    L.RIGHT_THUMB: (126, 136),
    L.LEFT_HIP: (172, 125),
    L.RIGHT_HIP: (148, 125),
    L.LEFT_KNEE: (178, 170),
    L.RIGHT_KNEE: (142, 170),
    L.LEFT_ANKLE: (172, 212),
    L.RIGHT_ANKLE: (148, 212),
    L.LEFT_HEEL: (170, 218),
    L.RIGHT_HEEL: (150, 218),
    L.LEFT_FOOT_INDEX: (182, 220),
    L.RIGHT_FOOT_INDEX: (138, 220),
}
#: Midpoint of the right thigh bone (RIGHT_HIP -> RIGHT_KNEE), x, y; far from every other bone.
THIGH_MID = (145, 148)
#: Pixels well away from the skeleton (and from the top-left caption box).
FAR_AWAY = [(300, 200), (20, 200), (300, 20), (60, 150)]


def figure_px() -> npt.NDArray[np.float64]:
    pts = np.zeros((33, 3))
    for lm, (x, y) in FIGURE.items():
        pts[lm, :2] = (x, y)
    return pts


def make_sequence(
    n: int, *, missing: tuple[int, ...] = (), first_index: int = 0, kind: MediaKind = "video"
) -> PoseSequence:
    """``n`` frames of the standing figure; rows in ``missing`` have no person (NaN)."""
    image = np.repeat(figure_px()[None], n, axis=0)
    world = image.copy()
    world[:, :, :2] = (world[:, :, :2] - [W / 2, H / 2]) / 100.0
    visibility = np.full((n, 33), 0.9)
    for row in missing:
        image[row] = np.nan
        world[row] = np.nan
        visibility[row] = np.nan
    fps = 10.0 if kind == "video" else 0.0
    return PoseSequence(
        t_s=(np.arange(n) + first_index) / 10.0,
        frame_index=np.arange(first_index, first_index + n, dtype=np.int64),
        image_px=image,
        visibility=visibility,
        world_m=world,
        source=SourceInfo(
            file_name="x.mp4",
            sha256="0" * 64,
            kind=kind,
            fps=fps,
            frame_width_px=W,
            frame_height_px=H,
        ),
    )


def angles_for(seq: PoseSequence, yaw: float) -> AngleSeries:
    yaw_deg = np.full(seq.n_frames, yaw)
    yaw_deg[~seq.detected] = np.nan
    return compute_angles(seq, yaw_deg)


def nearest_colour(pixel: npt.NDArray[np.uint8]) -> tuple[int, int, int]:
    options = [LEFT_RGB, RIGHT_RGB, MIDLINE_RGB]
    dists = [np.abs(pixel.astype(int) - np.array(c)).sum() for c in options]
    return options[int(np.argmin(dists))]


def black() -> npt.NDArray[np.uint8]:
    return np.zeros((H, W, 3), dtype=np.uint8)


@pytest.fixture
def small_video(tmp_path: Path) -> Path:
    """A 10-frame 320x240 mp4v video at 10 fps, plain dark grey frames."""
    path = tmp_path / "in.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (W, H))
    assert writer.isOpened()
    for _ in range(N_VIDEO):
        writer.write(np.full((H, W, 3), 0, dtype=np.uint8))
    writer.release()
    return path


def read_video(path: Path) -> list[npt.NDArray[np.uint8]]:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8))
    cap.release()
    return frames


# -- draw_pose ----------------------------------------------------------------------------------
def test_draw_pose_returns_new_image_and_leaves_input_untouched() -> None:
    """draw_pose draws on a copy: the input array is bit-for-bit unchanged."""
    rgb = black()
    before = rgb.copy()
    out = draw_pose(rgb, figure_px(), np.ones(33))
    assert out is not rgb
    assert np.array_equal(rgb, before)
    assert out.shape == rgb.shape
    assert out.dtype == np.uint8


def test_draw_pose_colours_bones_and_leaves_background_alone() -> None:
    """A bone's midpoint is coloured with its side's colour; pixels far from the body stay black."""
    out = draw_pose(black(), figure_px(), np.ones(33))
    x, y = THIGH_MID
    assert out[y, x].max() > 100
    assert nearest_colour(out[y, x]) == RIGHT_RGB
    lx, ly = 175, 148  # left thigh midpoint
    assert nearest_colour(out[ly, lx]) == LEFT_RGB
    assert nearest_colour(out[60, 160]) == MIDLINE_RGB  # shoulder line
    for fx, fy in FAR_AWAY:
        assert out[fy, fx].max() == 0


def test_draw_pose_skips_nan_landmarks() -> None:
    """A NaN knee is not drawn, nor its bones, and raises no error."""
    pts = figure_px()
    pts[L.RIGHT_KNEE] = np.nan
    out = draw_pose(black(), pts, np.ones(33))
    x, y = THIGH_MID
    assert out[y, x].max() == 0
    assert out[170, 142].max() == 0  # where the knee joint would be
    assert out[148, 175].max() > 100  # the other leg is still drawn


def test_draw_pose_skips_low_visibility_landmarks() -> None:
    """A landmark below min_visibility is left out; lowering the threshold brings it back."""
    vis = np.ones(33)
    vis[L.RIGHT_KNEE] = 0.2
    x, y = THIGH_MID
    assert draw_pose(black(), figure_px(), vis)[y, x].max() == 0
    assert draw_pose(black(), figure_px(), vis, min_visibility=0.1)[y, x].max() > 100


def test_draw_pose_all_nan_draws_nothing() -> None:
    """A frame without a person yields the unchanged picture (no caption given)."""
    out = draw_pose(black(), np.full((33, 3), np.nan), np.full(33, np.nan))
    assert out.max() == 0


def test_draw_pose_labels_and_caption_are_drawn() -> None:
    """A label appears beside its landmark and a caption box at the top-left."""
    plain = draw_pose(black(), figure_px(), np.ones(33))
    labelled = draw_pose(
        black(), figure_px(), np.ones(33), labels=[(L.RIGHT_KNEE, "87°")], caption="1.0 s"
    )
    near_knee = (slice(150, 190), slice(100, 200))
    assert not np.array_equal(plain[near_knee], labelled[near_knee])
    top_left = (slice(0, 15), slice(0, 40))
    assert plain[top_left].max() == 0
    assert labelled[top_left].max() > 100


def test_draw_pose_label_on_missing_landmark_is_skipped() -> None:
    """A label whose landmark is NaN is not drawn (nothing floats at a made-up place)."""
    pts = figure_px()
    pts[L.RIGHT_KNEE] = np.nan
    plain = draw_pose(black(), pts, np.ones(33))
    labelled = draw_pose(black(), pts, np.ones(33), labels=[(L.RIGHT_KNEE, "87°")])
    assert np.array_equal(plain, labelled)


# -- angle_labels -------------------------------------------------------------------------------
def test_angle_labels_side_view_labels_knee_with_degrees() -> None:
    """In a right-side view the knee flexion gets a "NN°" label at the knee, matching the value."""
    seq = make_sequence(3)
    angles = angles_for(seq, -90.0)
    labels = dict(angle_labels(angles, 0))
    expected = round(float(angles.values_deg["right_knee_flexion"][0]))
    assert expected != 0
    assert labels[L.RIGHT_KNEE] == f"{expected}°"
    assert all(text.endswith("°") for text in labels.values())
    assert L.RIGHT_SHOULDER in labels  # trunk inclination sits at the near-side shoulder


def test_angle_labels_omit_out_of_plane_values() -> None:
    """In a front view, sagittal angles (knee, hip, elbow, trunk) get no label at all."""
    seq = make_sequence(3)
    angles = angles_for(seq, 0.0)
    assert np.isfinite(angles.values_deg["right_knee_flexion"][0])
    assert angle_labels(angles, 0) == []


def test_angle_labels_omit_missing_frames() -> None:
    """A frame without a person gets no label."""
    seq = make_sequence(3, missing=(1,))
    angles = angles_for(seq, -90.0)
    assert angle_labels(angles, 1) == []
    assert angle_labels(angles, 0) != []


def test_angle_labels_reject_unknown_names() -> None:
    """Asking for an angle that does not exist is an error, not a silent empty list."""
    angles = angles_for(make_sequence(1), -90.0)
    with pytest.raises(ValueError, match="no_such_angle"):
        angle_labels(angles, 0, names=["no_such_angle"])


# -- writers ------------------------------------------------------------------------------------
def test_write_photo_overlay_writes_readable_png(tmp_path: Path) -> None:
    """The PNG has the photo's size, RGB colour order and a skeleton; no temp file is left."""
    seq = make_sequence(1, kind="photo")
    angles = angles_for(seq, -90.0)
    out = write_photo_overlay(black(), seq, angles, tmp_path / "overlay.png")
    assert out == tmp_path / "overlay.png"
    with Image.open(out) as img:
        assert img.format == "PNG"
        assert img.size == (W, H)
        rgb = np.asarray(img.convert("RGB"))
    x, y = THIGH_MID
    assert nearest_colour(rgb[y, x]) == RIGHT_RGB  # catches a missing RGB->BGR conversion
    assert rgb[:12, :30].max() > 100  # caption box
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overlay.png"]


def test_write_photo_overlay_size_mismatch_is_media_error(tmp_path: Path) -> None:
    """A photo whose size differs from the pose data's frame size is refused."""
    seq = make_sequence(1, kind="photo")
    with pytest.raises(MediaError, match="does not match"):
        write_photo_overlay(
            np.zeros((100, 100, 3), np.uint8), seq, angles_for(seq, -90.0), tmp_path / "o.png"
        )


def test_write_video_overlay_round_trip(small_video: Path, tmp_path: Path) -> None:
    """The MP4 reads back with all 10 frames at 320x240; a no-person frame still comes out."""
    seq = make_sequence(N_VIDEO, missing=(4,))
    angles = angles_for(seq, -90.0)
    calls: list[tuple[int, int]] = []
    out = write_video_overlay(
        small_video,
        seq,
        angles,
        tmp_path / "overlay.mp4",
        on_progress=lambda done, total: calls.append((done, total)),
    )
    frames = read_video(out)
    assert len(frames) == N_VIDEO
    assert all(f.shape == (H, W, 3) for f in frames)
    x, y = THIGH_MID
    patch = (slice(y - 2, y + 3), slice(x - 2, x + 3))
    assert frames[0][patch].max() > 100  # skeleton drawn
    assert frames[4][patch].max() < 40  # no person: no skeleton...
    assert frames[4][:12, :30].max() > 100  # ...but the frame and its caption are there
    assert calls[-1] == (N_VIDEO, N_VIDEO)
    cap = cv2.VideoCapture(str(out))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0, abs=0.01)
    cap.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4", "overlay.mp4"]


def test_write_video_overlay_tolerates_unmatched_frames(small_video: Path, tmp_path: Path) -> None:
    """Video frames without pose rows and pose rows past the video's end do not fail."""
    seq = make_sequence(N_VIDEO, first_index=3)  # rows for frames 3..12, video has 0..9
    out = write_video_overlay(small_video, seq, angles_for(seq, -90.0), tmp_path / "o.mp4")
    frames = read_video(out)
    assert len(frames) == N_VIDEO
    x, y = THIGH_MID
    patch = (slice(y - 2, y + 3), slice(x - 2, x + 3))
    assert frames[0][patch].max() < 40  # frame 0 has no pose row: drawn without skeleton
    assert frames[5][patch].max() > 100


def test_write_video_overlay_with_stride(small_video: Path, tmp_path: Path) -> None:
    """With frame_stride 2, every other frame is drawn and the output runs at fps / 2."""
    seq = make_sequence(N_VIDEO // 2)
    seq = seq.replace(
        frame_index=np.arange(0, N_VIDEO, 2, dtype=np.int64),
        source=SourceInfo(
            file_name="x.mp4",
            sha256="0" * 64,
            kind="video",
            fps=10.0,
            frame_width_px=W,
            frame_height_px=H,
            frame_stride=2,
        ),
    )
    out = write_video_overlay(small_video, seq, angles_for(seq, -90.0), tmp_path / "o.mp4")
    frames = read_video(out)
    assert len(frames) == N_VIDEO // 2
    cap = cv2.VideoCapture(str(out))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(5.0, abs=0.01)
    cap.release()
    x, y = THIGH_MID
    assert all(f[y - 2 : y + 3, x - 2 : x + 3].max() > 100 for f in frames)


def test_write_video_overlay_cleans_temp_file_on_error(small_video: Path, tmp_path: Path) -> None:
    """An error mid-way leaves neither the output nor a temporary file behind."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seq = make_sequence(N_VIDEO)

    def boom(done: int, total: int) -> None:
        if done == 3:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        write_video_overlay(
            small_video, seq, angles_for(seq, -90.0), out_dir / "o.mp4", on_progress=boom
        )
    assert list(out_dir.iterdir()) == []


def test_writers_unwritable_output_dir_is_media_error(small_video: Path, tmp_path: Path) -> None:
    """An output folder that cannot be written to raises a MediaError, not a raw OSError."""
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    seq = make_sequence(N_VIDEO)
    angles = angles_for(seq, -90.0)
    with pytest.raises(MediaError, match="Cannot write the overlay"):
        write_video_overlay(small_video, seq, angles, blocker / "overlay.mp4")
    photo = make_sequence(1, kind="photo")
    with pytest.raises(MediaError, match="Cannot write the overlay"):
        write_photo_overlay(black(), photo, angles_for(photo, -90.0), blocker / "overlay.png")


def test_importing_overlay_does_not_import_cv2() -> None:
    """cv2 is imported lazily, so importing the module stays cheap."""
    code = "import sys, backrehab.pose.overlay; sys.exit('cv2' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert result.returncode == 0
