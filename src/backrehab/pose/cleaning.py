"""Clean a raw pose sequence: low-visibility points become gaps, short gaps are bridged,
trajectories are low-passed without phase lag.

Input: a raw :class:`PoseSequence` and numbers (threshold 0-1, seconds, hertz). Output: a new
sequence plus a :class:`CleaningReport` saying what was done (e.g. a lowered cut-off at low fps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backrehab.pose.filtering import butterworth_lowpass, interpolate_gaps, mask_low_visibility
from backrehab.pose.sequence import PoseSequence


@dataclass(frozen=True, slots=True)
class CleaningReport:
    """What :func:`clean_sequence` did."""

    visibility_threshold: float
    max_gap_s: float
    cutoff_hz: float | None  # None: not filtered (photo or too few frames)
    requested_cutoff_hz: float
    filter_order: int
    note: str = ""


def clean_sequence(
    sequence: PoseSequence,
    *,
    visibility_threshold: float,
    max_gap_s: float,
    cutoff_hz: float,
    filter_order: int,
    max_cutoff_fraction_of_nyquist: float = 0.8,
) -> tuple[PoseSequence, CleaningReport]:
    """Mask, bridge and low-pass the landmarks of a video (a photo is only masked).

    The cut-off is lowered to ``max_cutoff_fraction_of_nyquist`` of the Nyquist frequency when the
    frame rate is too low for the requested one (e.g. a 5 fps clip), and the report says so.
    Visibility of bridged points is set to the threshold (they are estimates, not observations).
    """
    image = mask_low_visibility(
        sequence.image_px, sequence.visibility, threshold=visibility_threshold
    )
    world = mask_low_visibility(
        sequence.world_m, sequence.visibility, threshold=visibility_threshold
    )
    rate_hz = sequence.sample_rate_hz
    note = ""
    used_cutoff: float | None = None
    if sequence.n_frames > 1 and rate_hz > 0:
        image = interpolate_gaps(image, sequence.t_s, max_gap_s=max_gap_s)
        world = interpolate_gaps(world, sequence.t_s, max_gap_s=max_gap_s)
        nyquist = rate_hz / 2.0
        used_cutoff = min(cutoff_hz, max_cutoff_fraction_of_nyquist * nyquist)
        if used_cutoff < cutoff_hz:
            note = (
                f"cut-off lowered from {cutoff_hz:g} Hz to {used_cutoff:.2f} Hz: "
                f"{rate_hz:.2f} fps gives a Nyquist frequency of {nyquist:.2f} Hz"
            )
        image = butterworth_lowpass(image, fs_hz=rate_hz, cutoff_hz=used_cutoff, order=filter_order)
        world = butterworth_lowpass(world, fs_hz=rate_hz, cutoff_hz=used_cutoff, order=filter_order)
    visibility = np.array(sequence.visibility, dtype=float)
    bridged = np.isfinite(image[:, :, 0]) & ~(visibility >= visibility_threshold)
    visibility[bridged] = visibility_threshold
    cleaned = sequence.replace(image_px=image, world_m=world, visibility=visibility)
    report = CleaningReport(
        visibility_threshold=visibility_threshold,
        max_gap_s=max_gap_s,
        cutoff_hz=used_cutoff,
        requested_cutoff_hz=cutoff_hz,
        filter_order=filter_order,
        note=note,
    )
    return cleaned, report
