"""Draw the detected skeleton, sound joint angles and a caption over photos and videos.

Inputs: upright RGB uint8 frames, landmarks in pixels of that frame (x right, y down) with
visibility 0-1, and an :class:`~backrehab.pose.angles.AngleSeries` (degrees). Outputs: new RGB
arrays, a PNG (photos) or an MP4 at the analysed frame rate, fps / stride (videos).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt

from backrehab.errors import MediaReadError
from backrehab.pose.angles import ANGLES, AngleSeries, AngleSpec, Reliability
from backrehab.pose.landmarks import BONES, Landmark
from backrehab.pose.media import VideoReader, ensure_has_frames
from backrehab.pose.sequence import FloatArray, PoseSequence
from backrehab.pose.view import View, classify_view

if TYPE_CHECKING:
    from types import ModuleType

RgbImage = npt.NDArray[np.uint8]
Rgb = tuple[int, int, int]
Side = Literal["left", "right", "mid"]

#: Colour (RGB) of the person's left-side bones, joints and labels.
LEFT_RGB: Final[Rgb] = (255, 140, 0)
#: Colour (RGB) of the person's right-side bones, joints and labels.
RIGHT_RGB: Final[Rgb] = (30, 144, 255)
#: Colour (RGB) of bones crossing the midline (shoulder line, hip line, face).
MIDLINE_RGB: Final[Rgb] = (235, 235, 235)
_OUTLINE_RGB: Final[Rgb] = (16, 16, 16)
_BOX_RGB: Final[Rgb] = (0, 0, 0)
_BOX_ALPHA: Final = 0.65  # share of the dark box colour over the picture behind a text box
_CAPTION_RGB: Final[Rgb] = (255, 255, 255)

#: 2D angles labelled on overlays by default; each is shown only where its value is sound.
DEFAULT_LABEL_ANGLES: Final[tuple[str, ...]] = (
    "left_knee_flexion",
    "right_knee_flexion",
    "left_hip_flexion",
    "right_hip_flexion",
    "left_elbow_flexion",
    "right_elbow_flexion",
    "trunk_inclination",
)

_SPECS: Final[dict[str, AngleSpec]] = {spec.name: spec for spec in ANGLES}
_DRAWN: Final[tuple[Landmark, ...]] = tuple(sorted({lm for bone in BONES for lm in bone}))
#: Non-ASCII characters the Hershey fonts cannot draw, with ASCII stand-ins ("°" is drawn).
_ASCII: Final = {"−": "-", "–": "-", "—": "-", "·": "-", "×": "x", "…": "...", "µ": "u"}


# -- small helpers ------------------------------------------------------------------------------
def _side(landmark: Landmark) -> Side:
    name = landmark.name
    if name.startswith("LEFT_") or landmark is Landmark.MOUTH_LEFT:
        return "left"
    if name.startswith("RIGHT_") or landmark is Landmark.MOUTH_RIGHT:
        return "right"
    return "mid"


def _side_rgb(side: Side) -> Rgb:
    return {"left": LEFT_RGB, "right": RIGHT_RGB, "mid": MIDLINE_RGB}[side]


def _bone_rgb(a: Landmark, b: Landmark) -> Rgb:
    side_a, side_b = _side(a), _side(b)
    return _side_rgb(side_a if side_a == side_b else "mid")


def _ascii(text: str) -> str:
    """Text the Hershey fonts can draw: known look-alikes mapped, other non-ASCII as "?"."""
    return "".join(c if c.isascii() or c == "°" else _ASCII.get(c, "?") for c in text)


class _Font:
    """Hershey font settings scaled to the image; measures and draws text with "°" as a ring."""

    def __init__(self, cv2: ModuleType, height_px: int, width_px: int) -> None:
        self.cv2 = cv2
        self.face = cv2.FONT_HERSHEY_SIMPLEX
        self.scale = max(0.4, min(height_px, width_px) / 600.0)
        self.thickness = max(1, round(self.scale * 1.5))
        (_, cap_px), baseline_px = cv2.getTextSize("0", self.face, self.scale, self.thickness)
        self.cap_px = int(cap_px)
        self.baseline_px = int(baseline_px)
        self.ring_r = max(1, round(self.cap_px * 0.2))
        self.pad = max(2, round(self.cap_px * 0.35))

    def _parts(self, text: str) -> Iterator[tuple[str, bool]]:
        """(segment, then_a_degree_ring) pieces of ``text``."""
        pieces = text.split("°")
        for i, piece in enumerate(pieces):
            yield piece, i < len(pieces) - 1

    def _ring_w(self) -> int:
        return 2 * self.ring_r + self.thickness + 2

    def width(self, text: str) -> int:
        total = 0
        for piece, ring in self._parts(text):
            if piece:
                (w, _), _ = self.cv2.getTextSize(piece, self.face, self.scale, self.thickness)
                total += int(w)
            if ring:
                total += self._ring_w()
        return total

    def line_h(self) -> int:
        return self.cap_px + self.baseline_px + self.pad

    def draw(self, img: RgbImage, text: str, x: int, baseline_y: int, rgb: Rgb) -> None:
        cv2 = self.cv2
        for piece, ring in self._parts(text):
            if piece:
                cv2.putText(
                    img,
                    piece,
                    (x, baseline_y),
                    self.face,
                    self.scale,
                    rgb,
                    self.thickness,
                    cv2.LINE_AA,
                )
                (w, _), _ = cv2.getTextSize(piece, self.face, self.scale, self.thickness)
                x += int(w)
            if ring:
                centre = (x + 1 + self.ring_r, baseline_y - self.cap_px + self.ring_r)
                cv2.circle(img, centre, self.ring_r, rgb, max(1, self.thickness - 1), cv2.LINE_AA)
                x += self._ring_w()


Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _darken(img: RgbImage, rect: Rect) -> None:
    """Blend a dark box over ``rect`` (clipped to the image) so text on it reads anywhere."""
    h, w = img.shape[:2]
    x0, y0 = max(rect[0], 0), max(rect[1], 0)
    x1, y1 = min(rect[2], w), min(rect[3], h)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1].astype(np.float32)
    box = np.asarray(_BOX_RGB, dtype=np.float32)
    img[y0:y1, x0:x1] = np.round(roi * (1.0 - _BOX_ALPHA) + box * _BOX_ALPHA).astype(np.uint8)


def _box_size(font: _Font, lines: Sequence[str]) -> tuple[int, int]:
    width = max(font.width(line) for line in lines) + 2 * font.pad
    return width, len(lines) * font.line_h() + font.pad


def _text_box(img: RgbImage, font: _Font, lines: Sequence[str], x0: int, y0: int, rgb: Rgb) -> None:
    """Lines of text in ``rgb`` on a dark translucent box whose top-left corner is (x0, y0)."""
    width, height = _box_size(font, lines)
    _darken(img, (x0, y0, x0 + width, y0 + height))
    for i, line in enumerate(lines):
        baseline = y0 + font.pad + font.cap_px + i * font.line_h()
        font.draw(img, line, x0 + font.pad, baseline, rgb)


def _place(
    anchor: tuple[float, float],
    size: tuple[int, int],
    offset: int,
    shape: tuple[int, int],
    taken: list[Rect],
) -> Rect:
    """A box beside ``anchor`` inside the image, moved down (then up) past boxes already drawn."""
    h, w = shape
    bw, bh = size
    x = round(anchor[0]) + offset
    if x + bw > w:  # no room on the right: put it on the left of the joint
        x = round(anchor[0]) - offset - bw
    x = min(max(x, 0), max(w - bw, 0))
    y_start = min(max(round(anchor[1]) - bh // 2, 0), max(h - bh, 0))
    for direction in (1, -1):
        y = y_start
        for _ in range(len(taken) + 1):
            rect = (x, y, x + bw, y + bh)
            if not any(_overlaps(rect, other) for other in taken):
                return rect
            y += direction * (bh + 1)
            if y < 0 or y + bh > h:
                break
    return (x, y_start, x + bw, y_start + bh)


def _fixed(point: npt.NDArray[np.float64], limit: int) -> tuple[int, int]:
    """Pixel point in cv2's 4-bit fixed point (shift=4), clipped far outside the image."""
    clipped = np.clip(point, -4 * limit, 5 * limit)
    return round(float(clipped[0]) * 16), round(float(clipped[1]) * 16)


# -- drawing -----------------------------------------------------------------------------------
def draw_pose(
    rgb: RgbImage,
    image_px: FloatArray,
    visibility: FloatArray,
    *,
    labels: Sequence[tuple[Landmark, str]] = (),
    caption: str = "",
    min_visibility: float = 0.5,
) -> RgbImage:
    """Draw the skeleton, labels and a caption on a copy of an RGB image.

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 RGB image; not modified.
    image_px
        (33, 2) or (33, 3) landmark x, y in pixels of ``rgb`` (y down); NaN where missing.
    visibility
        (33,) visibility 0-1; points below ``min_visibility`` (or NaN) are not drawn.
    labels
        ``(landmark, text)`` pairs, each drawn in a dark box beside its landmark in the colour of
        the landmark's body side; skipped when the landmark itself is missing (NaN).
    caption
        Text (``\\n`` for more lines) drawn in a dark box at the top-left; nothing when empty.
    min_visibility
        Threshold below which a joint, and every bone touching it, is left out.

    Returns
    -------
    numpy.ndarray
        A new (H, W, 3) uint8 RGB image. Bones of the person's left side are orange
        (:data:`LEFT_RGB`), right side blue (:data:`RIGHT_RGB`), midline light grey; line width
        and joint radius grow with the image size.
    """
    import cv2

    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"draw_pose needs an (H, W, 3) RGB image, got shape {rgb.shape}")
    pts = np.asarray(image_px, dtype=np.float64)[:, :2]
    vis = np.asarray(visibility, dtype=np.float64)
    if pts.shape[0] != len(Landmark) or vis.shape != (len(Landmark),):
        raise ValueError(
            f"draw_pose needs 33 landmarks, got image_px {np.shape(image_px)} and "
            f"visibility {np.shape(visibility)}"
        )
    out = np.ascontiguousarray(rgb, dtype=np.uint8).copy()
    h, w = out.shape[:2]
    limit = max(h, w)
    thickness = max(2, round(min(h, w) / 300))
    radius = thickness + 1
    finite = np.isfinite(pts).all(axis=1)
    with np.errstate(invalid="ignore"):
        shown = finite & (vis >= min_visibility)

    bones = [(a, b) for a, b in BONES if shown[a] and shown[b]]
    for a, b in bones:  # dark underlay first, so every bone keeps an outline on light pictures
        cv2.line(
            out,
            _fixed(pts[a], limit),
            _fixed(pts[b], limit),
            _OUTLINE_RGB,
            thickness + 2,
            cv2.LINE_AA,
            4,
        )
    for a, b in bones:
        cv2.line(
            out,
            _fixed(pts[a], limit),
            _fixed(pts[b], limit),
            _bone_rgb(a, b),
            thickness,
            cv2.LINE_AA,
            4,
        )
    for lm in _DRAWN:
        if shown[lm]:
            centre = _fixed(pts[lm], limit)
            cv2.circle(out, centre, (radius + 1) * 16, _OUTLINE_RGB, -1, cv2.LINE_AA, 4)
            cv2.circle(out, centre, radius * 16, _side_rgb(_side(lm)), -1, cv2.LINE_AA, 4)

    font = _Font(cv2, h, w)
    taken: list[Rect] = []
    caption_lines = [_ascii(line) for line in caption.splitlines() if line.strip()]
    if caption_lines:
        bw, bh = _box_size(font, caption_lines)
        _text_box(out, font, caption_lines, 0, 0, _CAPTION_RGB)
        taken.append((0, 0, bw, bh))
    for landmark, text in labels:
        text = _ascii(text)
        if not text or not finite[landmark]:
            continue
        anchor = (float(pts[landmark][0]), float(pts[landmark][1]))
        rect = _place(anchor, _box_size(font, [text]), 2 * radius + 2, (h, w), taken)
        _text_box(out, font, [text], rect[0], rect[1], _side_rgb(_side(landmark)))
        taken.append(rect)
    return out


def _anchor(spec: AngleSpec, yaw_deg: float) -> Landmark:
    """The landmark a label of ``spec`` sits at: the vertex, or the near-side shoulder (trunk)."""
    if spec.method in ("inclination", "lateral_lean"):
        # points = (l_shoulder, r_shoulder, l_hip, r_hip); yaw < 0: right side to the camera.
        return spec.points[1] if np.isfinite(yaw_deg) and yaw_deg < 0 else spec.points[0]
    if spec.method == "obliquity":
        return spec.points[0]
    # flexion / sagittal_signed / ankle / fppa: the vertex; cva: (shoulder, ear) -> the ear.
    return spec.points[1]


def angle_labels(
    angles: AngleSeries, frame: int, *, names: Sequence[str] = DEFAULT_LABEL_ANGLES
) -> list[tuple[Landmark, str]]:
    """Labels such as ``(Landmark.RIGHT_KNEE, "87°")`` for the sound angles of one frame.

    Parameters
    ----------
    angles
        Angle series of the sequence being drawn.
    frame
        Row of ``angles`` (same as the row of the pose sequence).
    names
        Angles to label (names from :data:`~backrehab.pose.angles.ANGLE_NAMES`; a ``_3d`` name
        is anchored like its 2D twin).

    Returns
    -------
    list of (Landmark, str)
        One label per angle whose value is SOUND in that frame, rounded to whole degrees and
        anchored at the angle's vertex (the near-side shoulder for the trunk). Missing,
        out-of-plane and far-side values get no label: the overlay never shows a number the
        camera view cannot back up.

    Raises
    ------
    ValueError
        ``names`` holds an angle that is not in the table.
    """
    unknown = [
        n for n in names if n.removesuffix("_3d") not in _SPECS or n not in angles.values_deg
    ]
    if unknown:
        raise ValueError(f"unknown angle name(s) for overlay labels: {', '.join(unknown)}")
    yaw = float(angles.yaw_deg[frame])
    out: list[tuple[Landmark, str]] = []
    for name in names:
        if int(angles.reliability[name][frame]) != Reliability.SOUND:
            continue
        value = float(angles.values_deg[name][frame])
        if not np.isfinite(value):
            continue
        out.append((_anchor(_SPECS[name.removesuffix("_3d")], yaw), f"{round(value)}°"))
    return out


def _caption(parts: Sequence[str], view: View, detected: bool) -> str:
    items = [p for p in parts if p]
    if view is not View.UNKNOWN:
        items.append(f"{view} view")
    if not detected:
        items.append("no person in view")
    return "  ".join(items)


def _check_frame_size(sequence: PoseSequence, width: int, height: int, what: str) -> None:
    src = sequence.source
    if src.frame_width_px <= 0 or src.frame_height_px <= 0:
        return
    if (src.frame_width_px, src.frame_height_px) != (width, height):
        raise MediaReadError(
            f"The {what} does not match its pose data: it is {width}×{height} px, the pose was "
            f"measured on {src.frame_width_px}×{src.frame_height_px} px frames. Was the pose made "
            "from another file?",
            detail=f"source file {src.file_name!r}",
        )


def _check_lengths(sequence: PoseSequence, angles: AngleSeries) -> None:
    if len(angles.yaw_deg) != sequence.n_frames:
        raise ValueError(
            f"angle series has {len(angles.yaw_deg)} frames, pose sequence {sequence.n_frames}"
        )


def _temp_beside(out_path: Path, suffix: str) -> Path:
    """A new empty temporary file in ``out_path``'s folder (for an atomic replace)."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=suffix, dir=out_path.parent)
    except OSError as exc:
        raise MediaReadError(
            f"Cannot write the overlay to {out_path}: its folder is missing or not writable.",
            detail=str(exc),
        ) from exc
    os.close(fd)
    return Path(name)


def _finish(tmp: Path, out_path: Path) -> None:
    try:
        os.replace(tmp, out_path)
    except OSError as exc:
        raise MediaReadError(f"Cannot write the overlay to {out_path}.", detail=str(exc)) from exc


def write_photo_overlay(
    rgb: RgbImage,
    sequence: PoseSequence,
    angles: AngleSeries,
    out_path: Path,
    *,
    min_visibility: float = 0.0,
    labels: Sequence[tuple[Landmark, str]] | None = None,
    caption: str | None = None,
) -> Path:
    """Draw frame 0 of ``sequence`` over a photo and save it as PNG.

    Parameters
    ----------
    rgb
        The upright (H, W, 3) uint8 RGB photo the pose was measured on.
    sequence
        Cleaned pose (one frame); NaN marks the points the analysis did not use.
    angles
        Its angle series; only sound angles are labelled (see :func:`angle_labels`).
    out_path
        Destination; always PNG content, written atomically (temporary file, then rename).
    min_visibility
        Passed to :func:`draw_pose`. The default 0 draws every point the cleaned pose kept.
    labels, caption
        Replace the default labels (sound angles) and caption (the view), e.g. to show the
        angles an ergonomic score used.

    Returns
    -------
    pathlib.Path
        ``out_path``.

    Raises
    ------
    MediaReadError
        The photo's size differs from the pose data's frame size, or the PNG cannot be written.
    """
    import cv2

    _check_lengths(sequence, angles)
    if sequence.n_frames == 0:
        raise ValueError("cannot draw an overlay from an empty pose sequence")
    height, width = rgb.shape[:2]
    _check_frame_size(sequence, width, height, "photo")
    view = classify_view(angles.yaw_deg[:1])[0]
    drawn = draw_pose(
        rgb,
        sequence.image_px[0],
        sequence.visibility[0],
        labels=angle_labels(angles, 0) if labels is None else labels,
        caption=_caption([], view, bool(sequence.detected[0])) if caption is None else caption,
        min_visibility=min_visibility,
    )
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    if not ok:
        raise MediaReadError(f"Cannot encode the overlay of {out_path.name} as PNG.")
    tmp = _temp_beside(out_path, ".png")
    try:
        try:
            tmp.write_bytes(np.asarray(encoded, dtype=np.uint8).tobytes())
        except OSError as exc:
            raise MediaReadError(
                f"Cannot write the overlay to {out_path}.", detail=str(exc)
            ) from exc
        _finish(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


def write_video_overlay(
    video_path: Path,
    sequence: PoseSequence,
    angles: AngleSeries,
    out_path: Path,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    min_visibility: float = 0.0,
) -> Path:
    """Re-decode a video, draw its pose frame by frame and save the result as MP4.

    Parameters
    ----------
    video_path
        The video the pose was measured on.
    sequence
        Its cleaned pose; frames are matched by ``frame_index``. Video frames without a pose row,
        and pose rows without a video frame, do not fail: the former are drawn without skeleton.
    angles
        Its angle series; only sound angles are labelled (see :func:`angle_labels`).
    out_path
        Destination; MP4 (``mp4v``) at ``fps / frame_stride`` frames per second, size of the
        upright frame. Written to a temporary file beside it, renamed into place at the end.
    on_progress
        Called with ``(frames_done, total_frames)`` of the source video after each written frame.
    min_visibility
        Passed to :func:`draw_pose`. The default 0 draws every point the cleaned pose kept.

    Returns
    -------
    pathlib.Path
        ``out_path``.

    Raises
    ------
    MediaReadError
        The video cannot be read or does not match the pose data, or the output cannot be written.
    EmptyMediaError
        The video yields no frame.
    """
    import cv2

    _check_lengths(sequence, angles)
    stride = max(int(sequence.source.frame_stride), 1)
    row_of = {int(index): row for row, index in enumerate(sequence.frame_index)}
    views = classify_view(angles.yaw_deg)
    with VideoReader(video_path) as reader:
        width, height = reader.width_px, reader.height_px
        _check_frame_size(sequence, width, height, "video")
        total = max(reader.frame_count, 1)
        tmp = _temp_beside(out_path, ".mp4")
        writer: Any = None
        try:
            writer = cv2.VideoWriter(
                str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), reader.fps / stride, (width, height)
            )
            if not writer.isOpened():
                raise MediaReadError(
                    f"Cannot write the overlay video {out_path}: the MP4 encoder did not open.",
                    detail=f"cv2.VideoWriter mp4v {width}x{height} at {reader.fps / stride:g} fps",
                )
            written = 0
            for index, t_s, frame in reader.frames(stride=stride):
                row = row_of.get(index)
                if frame.shape[:2] != (height, width):
                    frame = np.asarray(cv2.resize(frame, (width, height)), dtype=np.uint8)
                if row is None:
                    caption = f"{t_s:5.1f} s  no pose data for this frame"
                    drawn = draw_pose(
                        frame,
                        np.full((len(Landmark), 2), np.nan),
                        np.zeros(len(Landmark)),
                        caption=caption,
                    )
                else:
                    caption = _caption([f"{t_s:5.1f} s"], views[row], bool(sequence.detected[row]))
                    drawn = draw_pose(
                        frame,
                        sequence.image_px[row],
                        sequence.visibility[row],
                        labels=angle_labels(angles, row),
                        caption=caption,
                        min_visibility=min_visibility,
                    )
                writer.write(cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
                written += 1
                if on_progress is not None:
                    on_progress(min(index + 1, total), total)
            ensure_has_frames(written, video_path)
            writer.release()
            writer = None
            if tmp.stat().st_size == 0:
                raise MediaReadError(f"The overlay video {out_path} came out empty.")
            _finish(tmp, out_path)
        except BaseException:
            if writer is not None:
                writer.release()
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
    return out_path
