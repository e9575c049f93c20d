"""Keep one person: drop short stretches where the tracker jumped to somebody else and back.

MediaPipe Pose tracks a single person; when a second person walks through, the track can jump to
them for a moment. Input: (N, 33, >=2) image pixels with NaN for missing frames, timestamps (s).
Output: a boolean mask of the frames that belong to the main person.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _centre_and_scale(image_px: FloatArray) -> tuple[FloatArray, FloatArray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        lo = np.nanmin(image_px[:, :, :2], axis=1)
        hi = np.nanmax(image_px[:, :, :2], axis=1)
    return (lo + hi) / 2.0, np.linalg.norm(hi - lo, axis=1)


def _compatible(c1: FloatArray, s1: float, c2: FloatArray, s2: float, max_jump: float) -> bool:
    jump = float(np.linalg.norm(c2 - c1)) / max(min(s1, s2), 1e-9)
    ratio = s2 / max(s1, 1e-9)
    return jump <= max_jump and 1 / 1.6 <= ratio <= 1.6


def main_person_mask(
    image_px: FloatArray,
    t_s: FloatArray,
    *,
    max_jump: float = 1.0,
    max_intruder_s: float = 2.0,
) -> npt.NDArray[np.bool_]:
    """Frames that belong to the main person.

    The detected frames are cut into segments wherever the body's bounding box jumps (centre moves
    by more than ``max_jump`` box diagonals, or the diagonal changes by more than a factor 1.6)
    between consecutive detected frames. A segment shorter than ``max_intruder_s`` that is such a
    jump away from both neighbours, while the neighbours continue each other, is another person
    passing through and is dropped. Longer segments (camera cuts, cross-fades to another view)
    are kept: without appearance features they cannot be told apart from the same person.

    Parameters
    ----------
    image_px
        (N, 33, >=2) landmark pixels; frames with no person are NaN.
    t_s
        (N,) timestamps in seconds.
    max_jump
        Largest plausible frame-to-frame movement of the box centre, in box diagonals.
    max_intruder_s
        Longest stretch treated as an intrusion by somebody else.

    Returns
    -------
    numpy.ndarray
        (N,) bool, True where the frame shows the main person.
    """
    centre, scale = _centre_and_scale(image_px)
    valid = np.isfinite(centre).all(axis=1) & np.isfinite(scale) & (scale > 0)
    frames = np.flatnonzero(valid)
    keep: npt.NDArray[np.bool_] = np.array(valid, dtype=bool)
    if frames.size < 3:
        return keep
    segments: list[list[int]] = [[int(frames[0])]]
    for prev, cur in itertools.pairwise(frames):
        if _compatible(centre[prev], scale[prev], centre[cur], scale[cur], max_jump):
            segments[-1].append(int(cur))
        else:
            segments.append([int(cur)])
    for k in range(1, len(segments) - 1):
        seg, before, after = segments[k], segments[k - 1], segments[k + 1]
        if t_s[seg[-1]] - t_s[seg[0]] >= max_intruder_s:
            continue
        b, a = before[-1], after[0]
        neighbours_continue = _compatible(centre[b], scale[b], centre[a], scale[a], max_jump)
        if neighbours_continue:
            keep[seg] = False
    return keep
