"""Synthetic skeletons with analytically known angles, for tests.

A person is posed in a body frame (X = the person's left, Y = up, Z = anterior, metres), turned
by a body yaw (0 = facing the camera, +90 = left side towards the camera) and projected
orthographically into a 640x480 image (y down). World coordinates are camera-aligned, with the
origin between the hips.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult, analyze_sequence
from backrehab.pose.sequence import PoseSequence, SourceInfo

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Posture:
    """Angles in degrees, named as in the angle table."""

    hip_flexion: float = 0.0
    knee_flexion: float = 0.0
    ankle_dorsiflexion: float = 0.0
    shoulder_flexion: float = 0.0
    elbow_flexion: float = 0.0
    trunk_inclination: float = 0.0
    craniovertebral: float = 60.0
    right_hip_flexion: float | None = None  # default: same as left
    right_knee_flexion: float | None = None
    left_knee_medial_m: float = 0.0  # knee moved towards the midline (valgus), metres
    right_knee_medial_m: float = 0.0
    pelvic_drop_m: float = 0.0  # right hip lower by this much (metres)


def _sag(phi_deg: float) -> FloatArray:
    """Unit vector in the sagittal plane at phi from straight down towards anterior."""
    phi = np.radians(phi_deg)
    return np.array([0.0, -np.cos(phi), np.sin(phi)])


def body_points(p: Posture) -> FloatArray:
    """(33, 3) body-frame points of a posture."""
    pts = np.zeros((33, 3))
    incl = p.trunk_inclination
    up = -_sag(-incl)  # the trunk's "down" direction is _sag(-incl)
    for side, x in (("LEFT", 0.1), ("RIGHT", -0.1)):
        hip = np.array([x, 0.0, 0.0])
        if side == "RIGHT":
            hip[1] -= p.pelvic_drop_m
        shoulder = np.array([x * 1.5, 0.0, 0.0]) + 0.5 * up
        hip_flex = (
            p.hip_flexion
            if side == "LEFT" or p.right_hip_flexion is None
            else (p.right_hip_flexion)
        )
        knee_flex = (
            p.knee_flexion
            if side == "LEFT" or p.right_knee_flexion is None
            else (p.right_knee_flexion)
        )
        phi_thigh = -incl + hip_flex
        knee = hip + 0.45 * _sag(phi_thigh)
        phi_shank = phi_thigh - knee_flex
        ankle = knee + 0.42 * _sag(phi_shank)
        medial = p.left_knee_medial_m if side == "LEFT" else p.right_knee_medial_m
        knee = knee + np.array([-np.sign(x) * medial, 0.0, 0.0])  # towards the midline
        foot = _sag(phi_shank + 90.0 + p.ankle_dorsiflexion)
        heel = ankle - 0.05 * foot
        toe = heel + 0.2 * foot
        phi_arm = -incl + p.shoulder_flexion
        elbow = shoulder + 0.3 * _sag(phi_arm)
        wrist = elbow + 0.27 * _sag(phi_arm + p.elbow_flexion)
        ear = (
            shoulder
            + 0.18
            * np.array(
                [0.0, np.sin(np.radians(p.craniovertebral)), np.cos(np.radians(p.craniovertebral))]
            )
            - np.array([x * 0.5, 0.0, 0.0])
        )
        for name, point in (
            ("SHOULDER", shoulder),
            ("HIP", hip),
            ("KNEE", knee),
            ("ANKLE", ankle),
            ("HEEL", heel),
            ("FOOT_INDEX", toe),
            ("ELBOW", elbow),
            ("WRIST", wrist),
            ("EAR", ear),
        ):
            pts[L[f"{side}_{name}"]] = point
        for name in ("PINKY", "INDEX", "THUMB"):
            pts[L[f"{side}_{name}"]] = wrist + 0.05 * _sag(phi_arm + p.elbow_flexion)
        for name in ("EYE_INNER", "EYE", "EYE_OUTER"):
            pts[L[f"{side}_{name}"]] = ear + np.array([0.0, 0.02, 0.08])
        pts[L[f"MOUTH_{side}"]] = ear + np.array([0.0, -0.04, 0.08])
    pts[L.NOSE] = (pts[L.LEFT_EAR] + pts[L.RIGHT_EAR]) / 2 + np.array([0.0, 0.0, 0.1])
    return pts


def to_camera(body: FloatArray, yaw_deg: float) -> FloatArray:
    """Body frame -> camera frame (x right, y down, z away), person turned by ``yaw_deg``."""
    t = np.radians(yaw_deg)
    x, y, z = body[:, 0], body[:, 1], body[:, 2]
    return np.stack([x * np.cos(t) - z * np.sin(t), -y, -x * np.sin(t) - z * np.cos(t)], axis=1)


def frame_arrays(
    posture: Posture,
    *,
    yaw_deg: float,
    scale_px: float = 300.0,
    centre_px: tuple[float, float] = (320.0, 240.0),
) -> tuple[FloatArray, FloatArray]:
    """(image (33, 3) px, world (33, 3) m) for one posture and view."""
    cam = to_camera(body_points(posture), yaw_deg)
    world = cam - (cam[L.LEFT_HIP] + cam[L.RIGHT_HIP]) / 2
    image = cam * scale_px
    image[:, 0] += centre_px[0]
    image[:, 1] += centre_px[1]
    return image, world


def sequence_of(
    postures: list[Posture],
    *,
    yaw_deg: float | list[float],
    fps: float = 30.0,
    scale_px: float = 300.0,
) -> PoseSequence:
    """A video-like PoseSequence of the given postures, all landmarks fully visible."""
    yaws = yaw_deg if isinstance(yaw_deg, list) else [yaw_deg] * len(postures)
    frames = [
        frame_arrays(p, yaw_deg=y, scale_px=scale_px) for p, y in zip(postures, yaws, strict=True)
    ]
    n = len(postures)
    return PoseSequence(
        t_s=np.arange(n) / fps,
        frame_index=np.arange(n),
        image_px=np.stack([f[0] for f in frames]),
        visibility=np.ones((n, 33)),
        world_m=np.stack([f[1] for f in frames]),
        source=SourceInfo(
            file_name="synthetic",
            sha256="",
            kind="synthetic",
            fps=fps,
            frame_width_px=640,
            frame_height_px=480,
        ),
    )


def photo_of(posture: Posture, yaw_deg: float) -> AnalysisResult:
    """The analysis of a synthetic photo (one frame) of ``posture`` seen at ``yaw_deg``."""
    seq = sequence_of([posture], yaw_deg=yaw_deg)
    source = SourceInfo(**{**seq.source.to_dict(), "kind": "photo", "fps": 0.0})
    return analyze_sequence(seq.replace(source=source))
