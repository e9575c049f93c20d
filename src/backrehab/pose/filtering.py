"""Trajectory kernels: visibility masking, short-gap bridging, zero-phase Butterworth low-pass, 1€.

Inputs: float arrays with time on axis 0 (NaN = missing), timestamps in seconds, rates and
cut-offs in hertz, visibility 0-1. Outputs: new float64 arrays of the input's shape and units.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import butter, sosfiltfilt

from backrehab.errors import ConfigError
from backrehab.pose.sequence import BoolArray, FloatArray

__all__ = ["OneEuroFilter", "butterworth_lowpass", "interpolate_gaps", "mask_low_visibility"]

IndexArray = npt.NDArray[np.intp]

#: Rounding allowance (seconds) when comparing a gap's length with ``max_gap_s``, so a gap of
#: exactly the limit is bridged although ``t[i + k] - t[i]`` is not exact in binary.
_GAP_TOLERANCE_S = 1e-9


def _copy_samples(values: FloatArray, name: str) -> FloatArray:
    """A float64 copy of ``values`` with time on axis 0 (at least 1-D)."""
    out: FloatArray = np.array(values, dtype=np.float64, copy=True)
    if out.ndim == 0:
        raise ConfigError(
            f"{name} must be an array with time on the first axis, got a single number."
        )
    return out


def mask_low_visibility(
    values: FloatArray, visibility: FloatArray, *, threshold: float
) -> FloatArray:
    """Turn landmarks seen with low confidence into gaps.

    Parameters
    ----------
    values
        (N, K, D) landmark coordinates: N frames, K landmarks, D coordinates (any unit).
    visibility
        (N, K) visibility of each landmark, 0-1. NaN counts as not visible.
    threshold
        Lowest visibility kept, 0-1.

    Returns
    -------
    FloatArray
        A copy of ``values`` in which every landmark with visibility below ``threshold`` (or NaN)
        is NaN in all D coordinates; the other entries are unchanged.

    Raises
    ------
    ConfigError
        If ``threshold`` is outside [0, 1] or the array shapes do not match.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"The visibility threshold must be between 0 and 1, got {threshold!r}.")
    out = np.array(values, dtype=np.float64, copy=True)
    vis = np.asarray(visibility, dtype=np.float64)
    if out.ndim != 3 or vis.shape != out.shape[:2]:
        raise ConfigError(
            "Landmark values must be shaped (frames, landmarks, coordinates) and visibility "
            "(frames, landmarks), with the same frames and landmarks.",
            detail=f"values {out.shape}, visibility {vis.shape}",
        )
    hidden = ~(vis >= threshold)  # NaN visibility compares False, so it is hidden too
    out[hidden] = np.nan
    return out


def _check_timestamps(t_s: FloatArray, n_samples: int) -> FloatArray:
    """``t_s`` as a float64 (N,) array, refusing wrong length, non-finite or non-increasing."""
    t = np.asarray(t_s, dtype=np.float64)
    if t.shape != (n_samples,):
        raise ConfigError(
            f"t_s must hold one timestamp per sample ({n_samples}), got shape {t.shape}."
        )
    if not np.isfinite(t).all():
        raise ConfigError("t_s must hold finite timestamps; it contains NaN or infinity.")
    steps = np.diff(t)
    if steps.size and not (steps > 0).all():
        first = int(np.flatnonzero(steps <= 0)[0])
        raise ConfigError(
            "t_s must be strictly increasing, "
            f"but t_s[{first + 1}] = {t[first + 1]!r} s follows t_s[{first}] = {t[first]!r} s."
        )
    return t


def interpolate_gaps(values: FloatArray, t_s: FloatArray, *, max_gap_s: float) -> FloatArray:
    """Bridge short interior gaps by linear interpolation in time.

    A gap is a run of NaN between two valid samples of the same column. Its length is
    ``t_s[next valid] - t_s[previous valid]`` minus one median frame period, so one missing frame
    at 30 fps is a 0.033 s gap. Gaps no longer than ``max_gap_s`` (up to 1e-9 s of rounding) are
    filled on the straight line between their two neighbours; longer gaps stay entirely NaN.
    Leading and trailing NaN are never filled (no extrapolation).

    Parameters
    ----------
    values
        (N, ...) samples, NaN where missing. Every trailing column (e.g. each landmark
        coordinate of an (N, 33, 3) array) is treated on its own.
    t_s
        (N,) timestamps in seconds, finite and strictly increasing.
    max_gap_s
        Longest gap to bridge, seconds (>= 0; ``inf`` bridges every interior gap).

    Returns
    -------
    FloatArray
        A float64 copy of ``values`` with the short gaps filled.

    Raises
    ------
    ConfigError
        If ``max_gap_s`` is negative or NaN, or ``t_s`` does not match ``values`` or is not
        strictly increasing.
    """
    if not max_gap_s >= 0.0:
        raise ConfigError(
            f"The longest gap to bridge must be 0 s or more, got max_gap_s={max_gap_s!r}."
        )
    out = _copy_samples(values, "values")
    n = out.shape[0]
    t = _check_timestamps(t_s, n)
    if n < 3 or out.size == 0:
        return out  # no room for an interior gap
    flat = out.reshape(n, -1)  # a view: writing to it writes to ``out``
    missing = np.isnan(flat)
    if not missing.any():
        return out
    period_s = float(np.median(np.diff(t)))
    rows = np.arange(n)[:, None]
    # Index of the last valid sample at or before each row, and the first at or after it.
    prev = np.maximum.accumulate(np.where(missing, -1, rows), axis=0)
    nxt = np.minimum.accumulate(np.where(missing, n, rows)[::-1], axis=0)[::-1]
    r, c = np.nonzero(missing & (prev >= 0) & (nxt < n))
    p, q = prev[r, c], nxt[r, c]
    span_s = t[q] - t[p]
    short = span_s - period_s <= max_gap_s + _GAP_TOLERANCE_S
    r, c, p, q, span_s = r[short], c[short], p[short], q[short], span_s[short]
    weight = (t[r] - t[p]) / span_s
    flat[r, c] = flat[p, c] + weight * (flat[q, c] - flat[p, c])
    return out


def _check_filter_parameters(fs_hz: float, cutoff_hz: float, order: int) -> None:
    """Refuse a non-positive rate, a cut-off outside (0, Nyquist) or an odd or too low order."""
    if not (fs_hz > 0 and np.isfinite(fs_hz)):
        raise ConfigError(f"The sampling rate must be positive, got fs_hz={fs_hz!r} Hz.")
    nyquist_hz = fs_hz / 2.0
    if not 0.0 < cutoff_hz < nyquist_hz:
        raise ConfigError(
            f"The cut-off must be above 0 and below the Nyquist frequency {nyquist_hz:g} Hz "
            f"(half the sampling rate {fs_hz:g} Hz), got cutoff_hz={cutoff_hz!r} Hz."
        )
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 2 or order % 2:
        raise ConfigError(
            f"The filter order must be an even whole number of 2 or more, got order={order!r}."
        )


def _default_pad_length(sos: FloatArray) -> int:
    """Samples of padding ``sosfiltfilt`` uses by default; a run must be longer to be filtered.

    ``3 * (2 * n_sections + 1)``, less 3 when the design ends in a first-order section (odd
    design order), exactly as :func:`scipy.signal.sosfiltfilt` computes it.
    """
    n_taps = 2 * sos.shape[0] + 1
    n_taps -= int(min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum()))
    return 3 * n_taps


def _runs(mask: BoolArray) -> tuple[IndexArray, IndexArray]:
    """Start and stop (exclusive) indices of the runs of True in a 1-D mask."""
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return edges[::2], edges[1::2]


def butterworth_lowpass(
    values: FloatArray, *, fs_hz: float, cutoff_hz: float, order: int = 4
) -> FloatArray:
    """Zero-phase Butterworth low-pass along axis 0, run on each gap-free stretch.

    The filter is ``scipy.signal.butter(order // 2, cutoff_hz, fs=fs_hz, output="sos")`` run
    forward and backward by :func:`scipy.signal.sosfiltfilt`, so there is no phase lag and the
    effective order is ``order``.

    Parameters
    ----------
    values
        (N, ...) samples taken at ``fs_hz``; NaN (or infinite) samples are gaps. Every trailing
        column is filtered on its own.
    fs_hz
        Sampling rate, hertz (> 0).
    cutoff_hz
        Cut-off, hertz, strictly between 0 and the Nyquist frequency ``fs_hz / 2``.
    order
        Effective order after the forward-backward pass: an even whole number >= 2.

    Returns
    -------
    FloatArray
        A float64 copy of ``values``, filtered; gaps are unchanged (NaN stays NaN).

    Raises
    ------
    ConfigError
        If ``fs_hz <= 0``, ``cutoff_hz`` is not in (0, Nyquist) or ``order`` is odd or < 2.

    Notes
    -----
    Each contiguous gap-free run of each column is filtered separately, and only when it is
    longer than the padding ``sosfiltfilt`` needs by default (``3 * (2 * n_sections + 1)``
    samples, e.g. 9 for order 4; 3 fewer when ``order // 2`` is odd). Shorter runs are returned
    **unfiltered**. Columns sharing the same gap pattern (typically all coordinates of all
    landmarks of a frame) are filtered together in one call per run.

    References
    ----------
    Winter DA. *Biomechanics and Motor Control of Human Movement*, 4th ed. Wiley; 2009, ch. 3
    (zero-lag Butterworth filtering of kinematic data).
    """
    _check_filter_parameters(fs_hz, cutoff_hz, order)
    sos: FloatArray = np.asarray(
        butter(int(order) // 2, cutoff_hz, fs=fs_hz, output="sos"), dtype=np.float64
    )
    pad = _default_pad_length(sos)
    out = _copy_samples(values, "values")
    n = out.shape[0]
    if out.size == 0 or n <= pad:
        return out
    flat = out.reshape(n, -1)  # a view: writing to it writes to ``out``
    finite = np.isfinite(flat)
    groups: list[tuple[BoolArray, IndexArray | slice]]
    if (finite == finite[:, :1]).all():
        groups = [(finite[:, 0], slice(None))]  # common case: one gap pattern for all columns
    else:
        patterns, inverse = np.unique(finite.T, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        groups = [(pattern, np.flatnonzero(inverse == k)) for k, pattern in enumerate(patterns)]
    for pattern, cols in groups:
        starts, stops = _runs(pattern)
        for start, stop in zip(starts, stops, strict=True):
            if stop - start > pad:
                flat[start:stop, cols] = sosfiltfilt(sos, flat[start:stop, cols], axis=0)
    return out


def _smoothing_factor(cutoff_hz: float | FloatArray, dt_s: float) -> FloatArray:
    """Exponential smoothing factor of a first-order low-pass at ``cutoff_hz`` for step ``dt_s``."""
    tau_s = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, dtype=np.float64))
    alpha: FloatArray = np.asarray(1.0 / (1.0 + tau_s / dt_s), dtype=np.float64)
    return alpha


class OneEuroFilter:
    """The 1€ filter: an adaptive low-pass for live streams, smooth when still, quick when moving.

    Works elementwise on samples of any fixed shape (e.g. (33, 3) landmarks). The first sample
    passes through unchanged. An element that is NaN in the input is NaN in the output and its
    state is reset, so when it reappears it restarts from its raw value instead of being
    smoothed towards a stale estimate.

    Parameters
    ----------
    min_cutoff_hz
        Cut-off at rest, hertz (> 0): lower is smoother but lags more at low speed.
    beta
        Speed coefficient, (hertz per unit of speed, >= 0): higher lags less in fast movement.
    d_cutoff_hz
        Cut-off of the speed estimate, hertz (> 0).

    Raises
    ------
    ConfigError
        If a parameter is out of range or not finite.

    References
    ----------
    Casiez G, Roussel N, Vogel D. 1€ Filter: a simple speed-based low-pass filter for noisy input
    in interactive systems. Proc. CHI 2012:2527-2530. doi:10.1145/2207676.2208639
    """

    def __init__(
        self, *, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0
    ) -> None:
        if not (min_cutoff_hz > 0 and np.isfinite(min_cutoff_hz)):
            raise ConfigError(
                f"The 1€ filter's min_cutoff_hz must be a number above 0, got {min_cutoff_hz!r}."
            )
        if not (d_cutoff_hz > 0 and np.isfinite(d_cutoff_hz)):
            raise ConfigError(
                f"The 1€ filter's d_cutoff_hz must be a number above 0, got {d_cutoff_hz!r}."
            )
        if not (beta >= 0 and np.isfinite(beta)):
            raise ConfigError(f"The 1€ filter's beta must be 0 or more, got {beta!r}.")
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = float(beta)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self._t_s: float | None = None
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None

    def reset(self) -> None:
        """Forget every past sample; the next call passes through unchanged."""
        self._t_s = None
        self._x = None
        self._dx = None

    def __call__(self, t_s: float, x: FloatArray) -> FloatArray:
        """Filter one sample.

        Parameters
        ----------
        t_s
            Time of the sample, seconds; must be later than the previous call's.
        x
            The sample, any shape (the same on every call), NaN where missing.

        Returns
        -------
        FloatArray
            The filtered sample, a new float64 array of the shape of ``x``.

        Raises
        ------
        ConfigError
            If ``t_s`` is not finite or not after the previous timestamp, or the shape changed.
        """
        t = float(t_s)
        if not np.isfinite(t):
            raise ConfigError(f"The 1€ filter needs a finite timestamp, got t_s={t_s!r}.")
        sample: FloatArray = np.array(x, dtype=np.float64, copy=True)
        if self._t_s is None or self._x is None or self._dx is None:
            self._t_s, self._x, self._dx = t, sample.copy(), np.zeros_like(sample)
            return sample
        if not t > self._t_s:
            raise ConfigError(
                f"Timestamps must strictly increase: t_s={t!r} s is not after {self._t_s!r} s."
            )
        if sample.shape != self._x.shape:
            raise ConfigError(
                "The 1€ filter's input changed shape between samples.",
                detail=f"{self._x.shape} -> {sample.shape}",
            )
        dt_s = t - self._t_s
        prev = self._x
        restart = np.isnan(prev)  # element was missing: start again from the raw value
        dx = (sample - prev) / dt_s
        dx_hat = self._dx + _smoothing_factor(self.d_cutoff_hz, dt_s) * (dx - self._dx)
        cutoff_hz = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        x_hat = prev + _smoothing_factor(cutoff_hz, dt_s) * (sample - prev)
        x_hat = np.where(restart, sample, x_hat)  # NaN input gives NaN, and NaN state
        dx_hat = np.where(np.isnan(dx_hat), 0.0, dx_hat)  # NaN before or now: speed restarts at 0
        self._t_s, self._x, self._dx = t, x_hat, dx_hat
        return x_hat.copy()
