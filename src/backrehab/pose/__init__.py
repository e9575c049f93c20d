"""Measurement core: keypoints from photos and videos, cleaning, joint angles, view, overlays.

Media -> :class:`PoseSequence` (pixels, world metres, visibility) -> angle series with a
reliability flag per frame. Only :mod:`backrehab.pose.extract` knows MediaPipe, and imports
it lazily.
"""

from backrehab.pose.landmarks import Landmark
from backrehab.pose.sequence import PoseSequence, SourceInfo

__all__ = ["Landmark", "PoseSequence", "SourceInfo"]
