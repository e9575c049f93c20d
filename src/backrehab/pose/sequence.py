"""The pose of one person over time, as read from one photo or video.

A :class:`PoseSequence` holds per-frame timestamps (s), the 33 landmarks in image pixels with
visibility (0-1), world coordinates in metres (origin between the hips) and the source metadata.
Frames without a detected person are NaN. Arrays are read-only; derive new sequences with
``replace``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from backrehab.errors import PoseFileError
from backrehab.pose.landmarks import MIRROR_INDEX, N_LANDMARKS, Landmark

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MediaKind = Literal["photo", "video", "stream", "synthetic"]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a pose sequence came from and how it was made.

    Attributes
    ----------
    file_name
        Base name of the media file ("" for streams and synthetic data).
    sha256
        Hex SHA-256 of the file's bytes ("" when there is no file).
    kind
        ``photo``, ``video``, ``stream`` or ``synthetic``.
    fps
        Frames per second of the source (before any stride); 0.0 for a photo.
    frame_width_px, frame_height_px
        Size of the upright frame the landmarks refer to (after rotation).
    rotation_deg
        Clockwise rotation applied to the stored pixels to make them upright (0, 90, 180, 270),
        from EXIF orientation (photos) or the container's display matrix (videos).
    frame_stride
        Every ``frame_stride``-th frame was processed.
    backend, model
        Pose estimator and model, e.g. ``mediapipe 0.10.21 solutions.pose`` and
        ``BlazePose Full (model_complexity=1)``.
    settings_fingerprint
        Hash of the extraction settings; part of the cache key.
    """

    file_name: str
    sha256: str
    kind: MediaKind
    fps: float
    frame_width_px: int
    frame_height_px: int
    rotation_deg: int = 0
    frame_stride: int = 1
    backend: str = ""
    model: str = ""
    settings_fingerprint: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SourceInfo:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise PoseFileError(
                "The pose file's source metadata has unknown fields.", detail=str(sorted(unknown))
            )
        try:
            return cls(**data)  # type: ignore[arg-type]
        except TypeError as exc:
            raise PoseFileError(
                "The pose file's source metadata is incomplete.", detail=str(exc)
            ) from exc


def _readonly(a: npt.ArrayLike, dtype: type) -> npt.NDArray[np.generic]:
    out: npt.NDArray[np.generic] = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class PoseSequence:
    """Landmarks of one person over ``n_frames`` frames.

    Attributes
    ----------
    t_s
        (N,) timestamps in seconds, strictly increasing.
    frame_index
        (N,) index of each frame in the source (differs from ``arange`` with a stride).
    image_px
        (N, 33, 3) x and y in pixels of the upright frame (x right, y DOWN) and MediaPipe's
        relative depth z in the same pixel scale (smaller = nearer the camera).
    visibility
        (N, 33) MediaPipe visibility, 0-1.
    world_m
        (N, 33, 3) metric coordinates, origin between the hips, axes as the camera's (y down).
    source
        Provenance, see :class:`SourceInfo`.
    """

    t_s: FloatArray
    frame_index: IntArray
    image_px: FloatArray
    visibility: FloatArray
    world_m: FloatArray
    source: SourceInfo
    _detected: BoolArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = np.shape(self.t_s)[0] if np.ndim(self.t_s) == 1 else -1
        checks = {
            "t_s": (np.shape(self.t_s), (n,)),
            "frame_index": (np.shape(self.frame_index), (n,)),
            "image_px": (np.shape(self.image_px), (n, N_LANDMARKS, 3)),
            "visibility": (np.shape(self.visibility), (n, N_LANDMARKS)),
            "world_m": (np.shape(self.world_m), (n, N_LANDMARKS, 3)),
        }
        for name, (got, want) in checks.items():
            if got != want:
                raise PoseFileError(
                    "Pose data has inconsistent array shapes.",
                    detail=f"{name} has shape {got}, expected {want}",
                )
        object.__setattr__(self, "t_s", _readonly(self.t_s, np.float64))
        object.__setattr__(self, "frame_index", _readonly(self.frame_index, np.int64))
        object.__setattr__(self, "image_px", _readonly(self.image_px, np.float64))
        object.__setattr__(self, "visibility", _readonly(self.visibility, np.float64))
        object.__setattr__(self, "world_m", _readonly(self.world_m, np.float64))
        if n > 1 and not np.all(np.diff(self.t_s) > 0):
            raise PoseFileError("Pose timestamps must be strictly increasing.")
        detected = np.isfinite(self.image_px[:, :, :2]).all(axis=2).any(axis=1)
        detected.setflags(write=False)
        object.__setattr__(self, "_detected", detected)

    # -- basic facts -------------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        """Number of frames (detected or not)."""
        return int(self.t_s.shape[0])

    @property
    def detected(self) -> BoolArray:
        """(N,) True where a person was found in the frame."""
        return self._detected

    @property
    def detected_fraction(self) -> float:
        """Share of frames with a person, 0-1 (0 for an empty sequence)."""
        return float(self._detected.mean()) if self.n_frames else 0.0

    @property
    def duration_s(self) -> float:
        """Time covered: last minus first timestamp plus one frame period (0 for a photo)."""
        if self.n_frames == 0 or self.source.fps <= 0:
            return 0.0
        step_s = self.source.frame_stride / self.source.fps
        return float(self.t_s[-1] - self.t_s[0] + step_s)

    @property
    def sample_rate_hz(self) -> float:
        """Rate of the stored frames (source fps divided by the stride); 0 for a photo."""
        if self.source.fps <= 0:
            return 0.0
        return self.source.fps / self.source.frame_stride

    def mean_visibility(self) -> float:
        """Mean visibility over detected frames and all landmarks (NaN if none detected)."""
        if not self._detected.any():
            return float("nan")
        return float(np.nanmean(self.visibility[self._detected]))

    def xy(self, landmark: Landmark) -> FloatArray:
        """(N, 2) image x, y in pixels of one landmark."""
        return self.image_px[:, int(landmark), :2]

    def xyz_world(self, landmark: Landmark) -> FloatArray:
        """(N, 3) world coordinates in metres of one landmark."""
        return self.world_m[:, int(landmark), :]

    # -- derived sequences ---------------------------------------------------------------------
    def replace(self, **changes: object) -> PoseSequence:
        """A copy with some fields replaced (arrays are validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def mirrored(self) -> PoseSequence:
        """The horizontally mirrored recording: x flipped and left/right labels swapped."""
        width = float(self.source.frame_width_px)
        idx = list(MIRROR_INDEX)
        image = self.image_px[:, idx, :].copy()
        image[:, :, 0] = width - image[:, :, 0]
        world = self.world_m[:, idx, :].copy()
        world[:, :, 0] = -world[:, :, 0]
        return self.replace(image_px=image, world_m=world, visibility=self.visibility[:, idx])

    def take(self, frames: slice | npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> PoseSequence:
        """The sub-sequence of the selected frames."""
        return self.replace(
            t_s=self.t_s[frames],
            frame_index=self.frame_index[frames],
            image_px=self.image_px[frames],
            visibility=self.visibility[frames],
            world_m=self.world_m[frames],
        )
