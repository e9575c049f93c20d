"""Trajectory cleaning kernels: visibility masking, short-gap interpolation, zero-phase
Butterworth low-pass and the One-Euro filter for live streams.

Inputs are float arrays with time on axis 0 (seconds, hertz as keyword arguments); NaN marks a gap.
Outputs are new arrays of the same shape; kernels never read the config.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import butter, sosfiltfilt

from backrehab.errors import ConfigError

FloatArray = npt.NDArray[np.float64]


def mask_low_visibility(
    values: FloatArray, visibility: FloatArray, *, threshold: float
) -> FloatArray:
    """Copy of ``values`` (N, K, D) with landmarks whose visibility (N, K) < threshold set to NaN.

    A NaN visibility counts as not visible.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"visibility threshold must be between 0 and 1, got {threshold}.")
    if values.shape[:2] != visibility.shape:
        raise ConfigError(
            "Landmark and visibility arrays do not match.",
            detail=f"{values.shape} vs {visibility.shape}",
        )
    out = np.array(values, dtype=float, copy=True)
    with np.errstate(invalid="ignore"):
        hidden = ~(visibility >= threshold)
    out[hidden] = np.nan
    return out


def _runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and stop (exclusive) indices of the runs of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return edges[::2], edges[1::2]


def interpolate_gaps(values: FloatArray, t_s: FloatArray, *, max_gap_s: float) -> FloatArray:
    """Fill interior NaN gaps no longer than ``max_gap_s`` by linear interpolation in time.

    A gap's length is ``t[next valid] - t[previous valid]`` minus one median frame period, so one
    missing frame at 30 fps is a 0.033 s gap. Longer gaps stay entirely NaN; leading and trailing
    NaN are never filled (no extrapolation). Each trailing column is treated on its own.

    Parameters
    ----------
    values
        (N, ...) samples, NaN where missing.
    t_s
        (N,) strictly increasing timestamps in seconds.
    max_gap_s
        Longest gap to bridge, seconds (>= 0).
    """
    if max_gap_s < 0:
        raise ConfigError(f"max_gap_s must be >= 0, got {max_gap_s}.")
    t = np.asarray(t_s, dtype=float)
    if values.shape[0] != t.shape[0]:
        raise ConfigError(
            "Values and timestamps differ in length.", detail=f"{values.shape[0]} vs {t.shape[0]}"
        )
    out = np.array(values, dtype=float, copy=True)
    n = out.shape[0]
    if n < 3:
        return out
    period = float(np.median(np.diff(t)))
    flat = out.reshape(n, -1)
    missing = np.isnan(flat)
    if not missing.any():
        return out
    # Group columns with the same gap pattern (usually all coordinates of a frame go together).
    patterns, inverse = np.unique(missing.T, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for p, pattern in enumerate(patterns):
        if not pattern.any() or pattern.all():
            continue
        cols = np.flatnonzero(inverse == p)
        starts, stops = _runs(pattern)
        for start, stop in zip(starts, stops, strict=True):
            if start == 0 or stop == n:
                continue  # leading or trailing: never extrapolate
            gap_s = t[stop] - t[start - 1] - period
            if gap_s > max_gap_s + 1e-9:
                continue
            w = (t[start:stop] - t[start - 1]) / (t[stop] - t[start - 1])
            block = flat[:, cols]
            block[start:stop] = block[start - 1] + w[:, None] * (block[stop] - block[start - 1])
            flat[:, cols] = block
    return out


def butterworth_lowpass(
    values: FloatArray, *, fs_hz: float, cutoff_hz: float, order: int = 4
) -> FloatArray:
    """Zero-phase Butterworth low-pass along axis 0, run separately on each NaN-free stretch.

    Parameters
    ----------
    values
        (N, ...) samples at ``fs_hz``; NaN gaps stay NaN.
    fs_hz
        Sampling rate, hertz (> 0).
    cutoff_hz
        Cut-off, hertz, strictly between 0 and the Nyquist frequency ``fs_hz / 2``.
    order
        Effective order after the forward-backward pass (even, >= 2): the designed filter has
        ``order // 2`` and ``sosfiltfilt`` doubles it.

    Notes
    -----
    Stretches shorter than the filter's padding (``3 * (2 * n_sections + 1)`` samples) are
    returned unfiltered. References: Winter DA, *Biomechanics and Motor Control of Human
    Movement*, 4th ed., 2009, ch. 3 (zero-lag Butterworth for kinematics).
    """
    if fs_hz <= 0 or not np.isfinite(fs_hz):
        raise ConfigError(f"Sampling rate must be positive, got {fs_hz} Hz.")
    nyquist = fs_hz / 2.0
    if not 0.0 < cutoff_hz < nyquist:
        raise ConfigError(
            f"Cut-off {cutoff_hz} Hz must be above 0 and below the Nyquist frequency "
            f"{nyquist:g} Hz (half of {fs_hz:g} Hz)."
        )
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 2 or order % 2:
        raise ConfigError(f"Filter order must be an even number >= 2, got {order}.")
    sos = butter(int(order) // 2, cutoff_hz, fs=fs_hz, output="sos")
    pad = 3 * (2 * len(sos) + 1)
    out = np.array(values, dtype=float, copy=True)
    n = out.shape[0]
    flat = out.reshape(n, -1)
    finite = np.isfinite(flat)
    patterns, inverse = np.unique(finite.T, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for p, pattern in enumerate(patterns):
        cols = np.flatnonzero(inverse == p)
        starts, stops = _runs(pattern)
        for start, stop in zip(starts, stops, strict=True):
            if stop - start <= pad:
                continue
            flat[start:stop, cols] = sosfiltfilt(sos, flat[start:stop, cols], axis=0)
    return out


def _alpha(cutoff_hz: float | FloatArray, dt_s: float) -> FloatArray:
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, dtype=float))
    return np.asarray(1.0 / (1.0 + tau / dt_s), dtype=float)


class OneEuroFilter:
    """Adaptive low-pass for live streams: smooth when still, responsive when moving.

    Elementwise on samples of any fixed shape. A NaN element gives NaN and resets that element,
    so a landmark that reappears starts from its raw value, not from a stale estimate.

    Parameters
    ----------
    min_cutoff_hz
        Cut-off at rest (lower = smoother, more lag at low speed).
    beta
        Speed coefficient (higher = less lag during fast movement).
    d_cutoff_hz
        Cut-off of the derivative estimate.

    References
    ----------
    Casiez G, Roussel N, Vogel D. 1€ Filter: a simple speed-based low-pass filter for noisy input
    in interactive systems. CHI 2012:2527-2530. doi:10.1145/2207676.2208639
    """

    def __init__(
        self, *, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0
    ) -> None:
        if not min_cutoff_hz > 0:
            raise ConfigError(f"min_cutoff_hz must be > 0, got {min_cutoff_hz}.")
        if not d_cutoff_hz > 0:
            raise ConfigError(f"d_cutoff_hz must be > 0, got {d_cutoff_hz}.")
        if not beta >= 0:
            raise ConfigError(f"beta must be >= 0, got {beta}.")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        """Forget the past."""
        self._t_s: float | None = None
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None

    def __call__(self, t_s: float, x: FloatArray) -> FloatArray:
        """Filter one sample taken at ``t_s`` seconds; returns a new array."""
        sample = np.array(x, dtype=float, copy=True)
        if self._t_s is None or self._x is None or self._dx is None:
            self._t_s, self._x, self._dx = t_s, sample.copy(), np.zeros_like(sample)
            return sample
        if sample.shape != self._x.shape:
            raise ConfigError(
                "One-Euro filter input changed shape.", detail=f"{self._x.shape} -> {sample.shape}"
            )
        dt_s = t_s - self._t_s
        if not dt_s > 0:
            raise ConfigError(f"Timestamps must increase: {t_s} s after {self._t_s} s.")
        fresh = np.isnan(self._x) & ~np.isnan(sample)
        prev = np.where(fresh, sample, self._x)
        dx = (sample - prev) / dt_s
        dx_hat = self._dx + _alpha(self.d_cutoff_hz, dt_s) * (dx - self._dx)
        dx_hat = np.where(fresh, 0.0, dx_hat)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        x_hat = prev + _alpha(cutoff, dt_s) * (sample - prev)
        x_hat = np.where(fresh, sample, x_hat)
        self._t_s, self._x = t_s, x_hat
        self._dx = np.where(np.isnan(dx_hat), 0.0, dx_hat)
        return np.array(x_hat, dtype=float)
