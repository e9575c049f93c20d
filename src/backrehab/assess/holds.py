"""Timing isometric holds: a hold starts when the test posture is reached and ends when it is lost
for longer than a grace period.

Input: timestamps (s) and, per frame, whether the posture holds and whether it could be measured.
Output: :class:`Hold` intervals (start, end, duration in s) with the reason each one ended.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from backrehab.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Hold:
    """One held interval, in seconds from the start of the recording."""

    start_s: float
    end_s: float
    end_reason: str

    @property
    def duration_s(self) -> float:
        """Length of the hold."""
        return self.end_s - self.start_s


def time_holds(
    t_s: npt.NDArray[np.float64],
    in_posture: npt.NDArray[np.bool_],
    *,
    measurable: npt.NDArray[np.bool_] | None = None,
    fail_reasons: list[str] | None = None,
    grace_s: float = 0.5,
    min_hold_s: float = 2.0,
) -> list[Hold]:
    """Find the holds in a recording.

    Runs of in-posture frames are joined when the lapse between them (posture lost, or not
    measurable) lasts at most ``grace_s``: a wobble or a blink of the tracker does not stop the
    clock. A hold starts at the first in-posture frame of a joined group and ends at its last
    in-posture frame. Groups shorter than ``min_hold_s`` (passing through the posture) are dropped.

    Parameters
    ----------
    t_s
        (N,) increasing timestamps.
    in_posture
        (N,) True where every hold condition is met.
    measurable
        (N,) False where the conditions could not be evaluated (landmarks hidden, wrong view);
        such frames are lapses, and a hold ending there says "not measurable".
    fail_reasons
        Per-frame text saying which condition failed (used as the hold's end reason).
    grace_s, min_hold_s
        Seconds; see above.
    """
    for name, value in (("grace_s", grace_s), ("min_hold_s", min_hold_s)):
        if value < 0:
            raise ConfigError(f"{name} must be >= 0, got {value}.")
    n = len(t_s)
    if len(in_posture) != n or (measurable is not None and len(measurable) != n):
        raise ConfigError("Hold timing inputs differ in length.")
    if fail_reasons is not None and len(fail_reasons) != n:
        raise ConfigError("Hold timing inputs differ in length.")
    seen = np.ones(n, dtype=bool) if measurable is None else np.asarray(measurable, dtype=bool)
    ok = np.asarray(in_posture, dtype=bool) & seen
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    runs = list(zip(edges[::2], edges[1::2] - 1, strict=True))  # inclusive [first, last]
    groups: list[list[int]] = []
    for first, last in runs:
        if groups and t_s[first] - t_s[groups[-1][1]] <= grace_s:
            groups[-1][1] = int(last)
        else:
            groups.append([int(first), int(last)])
    holds = []
    for first, last in groups:
        if last + 1 >= n:
            reason = "recording ended"
        elif not seen[last + 1]:
            reason = "not measurable"
        else:
            reason = fail_reasons[last + 1] if fail_reasons else "posture lost"
        hold = Hold(float(t_s[first]), float(t_s[last]), reason)
        if hold.duration_s >= min_hold_s:
            holds.append(hold)
    return holds
