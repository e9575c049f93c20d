"""The 33 BlazePose (MediaPipe Pose) landmarks, the skeleton's bones and the left/right mirror map.

Indices follow MediaPipe Pose; names are the anatomical side of the *person*, not of the image.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class Landmark(IntEnum):
    """MediaPipe Pose landmark indices (33 points)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @property
    def mirrored(self) -> Landmark:
        """The same landmark on the other side of the body (midline points map to themselves)."""
        name = self.name
        if name.startswith("LEFT_"):
            return Landmark[name.replace("LEFT_", "RIGHT_", 1)]
        if name.startswith("RIGHT_"):
            return Landmark[name.replace("RIGHT_", "LEFT_", 1)]
        if name.startswith("MOUTH_"):
            return Landmark.MOUTH_RIGHT if self is Landmark.MOUTH_LEFT else Landmark.MOUTH_LEFT
        return self


N_LANDMARKS: Final = len(Landmark)

#: Mirror permutation: ``xy[:, MIRROR_INDEX]`` relabels every landmark as its other-side twin.
MIRROR_INDEX: Final[tuple[int, ...]] = tuple(int(lm.mirrored) for lm in Landmark)

#: Bones drawn by overlays (MediaPipe's POSE_CONNECTIONS, body part only, without the face mesh).
BONES: Final[tuple[tuple[Landmark, Landmark], ...]] = (
    (Landmark.LEFT_EAR, Landmark.LEFT_EYE),
    (Landmark.LEFT_EYE, Landmark.NOSE),
    (Landmark.NOSE, Landmark.RIGHT_EYE),
    (Landmark.RIGHT_EYE, Landmark.RIGHT_EAR),
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)

#: Landmarks whose absence makes a frame useless for body angles (trunk and lower limbs).
CORE_LANDMARKS: Final[tuple[Landmark, ...]] = (
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
)
