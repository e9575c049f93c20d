"""Cleaning kernels: visibility masking, gap bridging, zero-phase low-pass, One-Euro."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.errors import ConfigError
from backrehab.pose.filtering import (
    OneEuroFilter,
    butterworth_lowpass,
    interpolate_gaps,
    mask_low_visibility,
)

FS = 30.0
T = np.arange(0, 10, 1 / FS)
CLEAN = 20.0 * np.sin(2 * np.pi * 1.0 * T)
CENTRE = (T > 2) & (T < 8)


def test_sinusoid_amplitude_kept_within_2_percent() -> None:
    """A clean 1 Hz sinusoid keeps its amplitude within 2 % through a 6 Hz low-pass."""
    out = butterworth_lowpass(CLEAN, fs_hz=FS, cutoff_hz=6.0, order=4)
    ratio = np.ptp(out[CENTRE]) / np.ptp(CLEAN[CENTRE])
    assert abs(ratio - 1.0) < 0.02
    assert np.max(np.abs(out[CENTRE] - CLEAN[CENTRE])) < 0.02 * 20.0  # and no phase lag


def test_noise_mostly_removed() -> None:
    """White noise of 10 % amplitude loses at least half its RMS error after filtering."""
    noisy = CLEAN + np.random.default_rng(1).normal(0, 2.0, CLEAN.shape)
    out = butterworth_lowpass(noisy, fs_hz=FS, cutoff_hz=6.0)
    before = np.sqrt(np.mean((noisy - CLEAN)[CENTRE] ** 2))
    after = np.sqrt(np.mean((out - CLEAN)[CENTRE] ** 2))
    assert after < 0.5 * before


def test_gaps_stay_gaps_and_short_runs_are_untouched() -> None:
    """NaN stays NaN, runs on each side of a gap are filtered, too-short runs come back as is."""
    x = CLEAN + np.random.default_rng(2).normal(0, 2.0, CLEAN.shape)
    x[100:110] = np.nan
    x[200:260] = np.nan
    x[265:300] = np.nan  # 260..264: a 5-sample island
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=6.0)
    assert np.isnan(out[100:110]).all()
    assert np.isnan(out[200:260]).all()
    np.testing.assert_array_equal(out[260:265], x[260:265])
    assert not np.allclose(out[10:90], x[10:90])


def test_multidimensional_columns_filtered_independently() -> None:
    """Each column of an (N, 33, 3) array is filtered like a 1-D signal."""
    x = np.random.default_rng(3).normal(size=(300, 33, 3))
    x[50:55, 4] = np.nan
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=5.0)
    np.testing.assert_allclose(
        out[:, 7, 1], butterworth_lowpass(x[:, 7, 1], fs_hz=FS, cutoff_hz=5.0)
    )
    np.testing.assert_allclose(
        out[:, 4, 2], butterworth_lowpass(x[:, 4, 2], fs_hz=FS, cutoff_hz=5.0)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cutoff_hz": 15.0}, "Nyquist frequency 15"),
        ({"cutoff_hz": 20.0}, "Nyquist"),
        ({"cutoff_hz": 0.0}, "above 0"),
        ({"cutoff_hz": 6.0, "order": 3}, "even"),
        ({"cutoff_hz": 6.0, "order": 0}, "even"),
        ({"cutoff_hz": 6.0, "fs_hz": 0.0}, "positive"),
    ],
)
def test_bad_filter_parameters(kwargs: dict[str, float], match: str) -> None:
    """Cut-off at or above Nyquist, non-positive cut-off or rate, and odd order are refused."""
    args = {"fs_hz": FS, **kwargs}
    with pytest.raises(ConfigError, match=match):
        butterworth_lowpass(CLEAN, **args)  # type: ignore[arg-type]


def test_short_gap_filled_linearly_long_gap_kept() -> None:
    """A 0.1 s gap is bridged exactly on a line; a 0.5 s gap stays NaN; edges never extrapolate."""
    x = 3.0 * T + 1.0
    x[:2] = np.nan
    x[30:33] = np.nan  # 3 missing frames = 0.1 s
    x[60:75] = np.nan  # 15 missing frames = 0.5 s
    x[-1] = np.nan
    out = interpolate_gaps(x, T, max_gap_s=0.25)
    np.testing.assert_allclose(out[30:33], 3.0 * T[30:33] + 1.0)
    assert np.isnan(out[60:75]).all()
    assert np.isnan(out[:2]).all()
    assert np.isnan(out[-1])


def test_gap_exactly_at_the_limit_is_filled() -> None:
    """A gap whose length equals max_gap_s is bridged."""
    x = T.copy()
    x[30:36] = np.nan  # 6 frames = 0.2 s
    out = interpolate_gaps(x, T, max_gap_s=6 / FS)
    np.testing.assert_allclose(out[30:36], T[30:36])


def test_columns_have_their_own_gaps() -> None:
    """Different landmarks with different gaps are handled column by column."""
    x = np.repeat(T[:, None, None], 33, axis=1).repeat(3, axis=2)
    x[10:12, 5, :] = np.nan
    x[40:80, 6, 0] = np.nan
    out = interpolate_gaps(x, T, max_gap_s=0.25)
    np.testing.assert_allclose(out[10:12, 5, :], np.repeat(T[10:12, None], 3, axis=1))
    assert np.isnan(out[40:80, 6, 0]).all()
    assert not np.isnan(out[40:80, 6, 1]).any()


def test_negative_gap_limit_refused() -> None:
    """A negative max_gap_s is a ConfigError."""
    with pytest.raises(ConfigError, match="max_gap_s"):
        interpolate_gaps(T, T, max_gap_s=-1.0)


@settings(max_examples=80, deadline=None)
@given(
    holes=st.lists(st.tuples(st.integers(1, 280), st.integers(1, 20)), max_size=6),
    slope=st.floats(-5, 5),
    limit_s=st.floats(0.0, 0.5),
)
def test_property_filled_values_are_linear_and_long_holes_stay(
    holes: list[tuple[int, int]], slope: float, limit_s: float
) -> None:
    """On a line with random holes, every filled value is on the line and every long hole stays."""
    x = slope * T[:300] + 2.0
    t = T[:300]
    for start, length in holes:
        x[start : start + length] = np.nan
    out = interpolate_gaps(x, t, max_gap_s=limit_s)
    filled = np.isnan(x) & ~np.isnan(out)
    np.testing.assert_allclose(out[filled], slope * t[filled] + 2.0, atol=1e-9)
    missing = np.isnan(x).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], missing, [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if start > 0 and stop < len(x) and (t[stop] - t[start - 1] - 1 / FS) > limit_s + 1e-9:
            assert np.isnan(out[start:stop]).all()


def test_low_visibility_becomes_nan() -> None:
    """Landmarks under the threshold become NaN in every coordinate; others are unchanged."""
    values = np.ones((4, 33, 3))
    vis = np.full((4, 33), 0.9)
    vis[1, 7] = 0.3
    vis[2, 0] = np.nan
    out = mask_low_visibility(values, vis, threshold=0.5)
    assert np.isnan(out[1, 7]).all()
    assert np.isnan(out[2, 0]).all()
    assert np.isfinite(out[0]).all()
    assert out[1, 8, 0] == 1.0
    with pytest.raises(ConfigError, match="between 0 and 1"):
        mask_low_visibility(values, vis, threshold=1.5)


def test_one_euro_constant_and_noise() -> None:
    """A constant passes unchanged; noise on a constant is strongly reduced."""
    f = OneEuroFilter(min_cutoff_hz=1.0)
    assert all(f(i / FS, np.array([5.0]))[0] == 5.0 for i in range(10))
    noisy = 5.0 + np.random.default_rng(4).normal(0, 1.0, 300)
    g = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    out = np.array([g(i / FS, np.array([v]))[0] for i, v in enumerate(noisy)])
    assert np.var(out[30:]) < 0.2 * np.var(noisy[30:])


def test_one_euro_beta_reduces_lag_on_fast_movement() -> None:
    """With beta > 0 the filter follows a fast ramp more closely than with beta = 0."""
    ramp = 100.0 * T[:60]
    lags = []
    for beta in (0.0, 0.5):
        f = OneEuroFilter(min_cutoff_hz=1.0, beta=beta)
        out = np.array([f(t, np.array([v]))[0] for t, v in zip(T[:60], ramp, strict=True)])
        lags.append(np.mean(np.abs(ramp[20:] - out[20:])))
    assert lags[1] < 0.5 * lags[0]


def test_one_euro_nan_resets_and_bad_input_refused() -> None:
    """After a NaN the element restarts at the raw value; time must increase; params checked."""
    f = OneEuroFilter(min_cutoff_hz=0.5)
    f(0.0, np.array([0.0, 0.0]))
    assert np.isnan(f(0.1, np.array([np.nan, 1.0]))[0])
    assert f(0.2, np.array([10.0, 1.0]))[0] == 10.0
    with pytest.raises(ConfigError, match="increase"):
        f(0.2, np.array([1.0, 1.0]))
    for kwargs in ({"min_cutoff_hz": 0.0}, {"beta": -1.0}, {"d_cutoff_hz": -2.0}):
        with pytest.raises(ConfigError):
            OneEuroFilter(**kwargs)
