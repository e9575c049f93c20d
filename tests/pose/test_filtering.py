"""Cleaning kernels: visibility masking, gap bridging, zero-phase low-pass, One-Euro filter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import butter, sosfiltfilt

from backrehab.errors import ConfigError
from backrehab.pose.filtering import (
    OneEuroFilter,
    butterworth_lowpass,
    interpolate_gaps,
    mask_low_visibility,
)

FS = 30.0
AMP = 20.0
T = np.arange(300) / FS  # 10 s at 30 Hz
CLEAN = AMP * np.sin(2 * np.pi * 1.0 * T)
CENTRE = (T >= 2.0) & (T < 8.0)  # the central 6 s, away from the edges


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def _reference_lowpass(x: np.ndarray, order: int, cutoff_hz: float, pad: int) -> np.ndarray:
    """Independent 1-D oracle: sosfiltfilt on every NaN-free run longer than ``pad``."""
    sos = butter(order // 2, cutoff_hz, fs=FS, output="sos")
    out = x.copy()
    i = 0
    while i < len(x):
        if np.isnan(x[i]):
            i += 1
            continue
        j = i
        while j < len(x) and not np.isnan(x[j]):
            j += 1
        if j - i > pad:
            out[i:j] = sosfiltfilt(sos, x[i:j])
        i = j
    return out


# -- butterworth_lowpass ---------------------------------------------------------------------


def test_clean_sinusoid_keeps_amplitude_within_2_percent() -> None:
    """A 1 Hz sinusoid at 30 Hz keeps its amplitude (and phase) within 2 % through a 6 Hz filter."""
    out = butterworth_lowpass(CLEAN, fs_hz=FS, cutoff_hz=6.0, order=4)
    rms_ratio = _rms(out[CENTRE]) / _rms(CLEAN[CENTRE])
    ptp_ratio = np.ptp(out[CENTRE]) / np.ptp(CLEAN[CENTRE])
    assert abs(rms_ratio - 1.0) < 0.02
    assert abs(ptp_ratio - 1.0) < 0.02
    assert np.max(np.abs(out[CENTRE] - CLEAN[CENTRE])) < 0.02 * AMP  # no phase lag either


NOISE = np.random.default_rng(12345).normal(0.0, 0.1 * AMP, CLEAN.shape)


def test_noise_rms_error_drops_by_over_a_third_at_6_hz() -> None:
    """Noise of 10 % of the amplitude, 6 Hz order 4: the RMS error drops by at least 35 %."""
    # White noise fills 0-15 Hz; a zero-phase 6 Hz filter keeps sqrt(mean |H|^4) = 58 % of its
    # RMS, so the expected drop is 42 % (this seed: 41.5 %). 50 % is out of reach at 6 Hz.
    out = butterworth_lowpass(CLEAN + NOISE, fs_hz=FS, cutoff_hz=6.0, order=4)
    before = _rms(NOISE[CENTRE])
    after = _rms(out[CENTRE] - CLEAN[CENTRE])
    assert after <= (1.0 - 0.35) * before


def test_noise_rms_error_at_least_halved_at_3_hz() -> None:
    """At 3 Hz order 4 the 1 Hz amplitude stays within 2 % and the noise RMS drops by >= 50 %."""
    # Expected drop 58.5 % (sqrt(mean |H|^4) = 0.415); this seed: 54.5 %.
    out = butterworth_lowpass(CLEAN + NOISE, fs_hz=FS, cutoff_hz=3.0, order=4)
    assert _rms(out[CENTRE] - CLEAN[CENTRE]) <= 0.5 * _rms(NOISE[CENTRE])
    clean_out = butterworth_lowpass(CLEAN, fs_hz=FS, cutoff_hz=3.0, order=4)
    assert abs(_rms(clean_out[CENTRE]) / _rms(CLEAN[CENTRE]) - 1.0) < 0.02


def test_nan_gaps_stay_nan_and_short_runs_come_back_unchanged() -> None:
    """NaN stays NaN, long runs around gaps are filtered, runs shorter than the pad are as given."""
    x = CLEAN + np.random.default_rng(2).normal(0.0, 2.0, CLEAN.shape)
    x[100:110] = np.nan
    x[200:260] = np.nan
    x[265:300] = np.nan  # 260..264: a 5-sample island, shorter than the 9-sample pad
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=6.0)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    np.testing.assert_array_equal(out[260:265], x[260:265])
    np.testing.assert_allclose(out[:100], sosfiltfilt(butter(2, 6.0, fs=FS, output="sos"), x[:100]))
    assert _rms(out[10:90] - CLEAN[10:90]) < 0.7 * _rms(x[10:90] - CLEAN[10:90])


@pytest.mark.parametrize(("order", "pad"), [(2, 6), (4, 9), (6, 12), (8, 15)])
def test_runs_longer_than_the_pad_are_filtered_others_not(order: int, pad: int) -> None:
    """A run of exactly the sosfiltfilt pad length is untouched; one sample more is filtered."""
    x = np.random.default_rng(order).normal(size=100)
    x[20] = np.nan
    x[21 + pad] = np.nan  # run 21 .. 21 + pad - 1: exactly ``pad`` samples
    x[22 + 2 * pad + 1] = np.nan  # run 22 + pad .. 22 + 2 * pad: ``pad + 1`` samples
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=5.0, order=order)
    short = slice(21, 21 + pad)
    longer = slice(22 + pad, 23 + 2 * pad)
    np.testing.assert_array_equal(out[short], x[short])
    sos = butter(order // 2, 5.0, fs=FS, output="sos")
    np.testing.assert_allclose(out[longer], sosfiltfilt(sos, x[longer]))
    assert not np.allclose(out[longer], x[longer])


@pytest.mark.parametrize("order", [2, 4, 8])
def test_order_is_the_effective_forward_backward_order(order: int) -> None:
    """``order`` designs a Butterworth of half that order, run forward and backward."""
    x = CLEAN + np.random.default_rng(7).normal(0.0, 2.0, CLEAN.shape)
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=4.0, order=order)
    np.testing.assert_allclose(out, sosfiltfilt(butter(order // 2, 4.0, fs=FS, output="sos"), x))


def test_gain_at_cutoff_is_one_half() -> None:
    """Zero-phase filtering squares the gain: a sinusoid at the cut-off keeps half its amplitude."""
    t = np.arange(3000) / FS
    wave = np.sin(2 * np.pi * 6.0 * t)
    out = butterworth_lowpass(wave, fs_hz=FS, cutoff_hz=6.0, order=4)
    middle = slice(500, 2500)
    assert _rms(out[middle]) / _rms(wave[middle]) == pytest.approx(0.5, abs=0.01)


def test_columns_with_different_gaps_filtered_independently() -> None:
    """Each column of an (N, 33, 3) array is filtered like its own 1-D signal, gaps and all."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 33, 3))
    x[50:55, 4, :] = np.nan
    x[120:200, 9, 1] = np.nan
    x[0:40, 20, 2] = np.nan
    x[100:104] = np.nan  # a frame-wide gap shared by every column
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=5.0)
    for k, d in [(7, 1), (4, 0), (4, 2), (9, 1), (9, 0), (20, 2), (32, 2)]:
        np.testing.assert_allclose(
            out[:, k, d], _reference_lowpass(x[:, k, d], 4, 5.0, 9), equal_nan=True
        )


def test_shared_frame_gaps_match_the_per_column_result() -> None:
    """When whole frames are missing (one gap pattern) the result is the per-column result."""
    x = np.random.default_rng(4).normal(size=(400, 33, 3))
    x[[30, 31, 150, 151, 152, 396]] = np.nan
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=6.0)
    ref = np.stack(
        [_reference_lowpass(col, 4, 6.0, 9) for col in x.reshape(400, -1).T], axis=1
    ).reshape(x.shape)
    np.testing.assert_allclose(out, ref, equal_nan=True)


def test_filter_leaves_its_input_alone() -> None:
    """The input array is not modified and the output is a new array."""
    x = CLEAN.copy()
    x[50] = np.nan
    out = butterworth_lowpass(x, fs_hz=FS, cutoff_hz=6.0)
    np.testing.assert_array_equal(x[~np.isnan(x)], CLEAN[~np.isnan(x)])
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cutoff_hz": 15.0}, r"Nyquist frequency 15 Hz"),
        ({"cutoff_hz": 20.0}, r"Nyquist frequency 15 Hz"),
        ({"cutoff_hz": 60.0, "fs_hz": 100.0}, r"Nyquist frequency 50 Hz"),
        ({"cutoff_hz": 0.0}, r"above 0.*cutoff_hz=0\.0"),
        ({"cutoff_hz": -1.0}, r"above 0.*cutoff_hz=-1\.0"),
        ({"order": 3}, r"even.*order=3"),
        ({"order": 0}, r"even.*order=0"),
        ({"order": -2}, r"even.*order=-2"),
        ({"fs_hz": 0.0}, r"positive.*fs_hz=0\.0"),
        ({"fs_hz": -30.0}, r"positive.*fs_hz=-30\.0"),
    ],
)
def test_bad_filter_parameters_refused(kwargs: dict[str, float], match: str) -> None:
    """Cut-off at/above Nyquist or <= 0, odd or zero order and rate <= 0 raise ConfigError."""
    args: dict[str, float] = {"fs_hz": FS, "cutoff_hz": 6.0, "order": 4, **kwargs}
    with pytest.raises(ConfigError, match=match):
        butterworth_lowpass(CLEAN, **args)  # type: ignore[arg-type]


# -- interpolate_gaps --------------------------------------------------------------------------


def test_short_gap_filled_exactly_on_a_line() -> None:
    """A 0.1 s gap in a linear signal is filled with the exact linear values."""
    line = 3.0 * T + 1.0
    x = line.copy()
    x[30:33] = np.nan  # 3 missing frames = 0.1 s
    out = interpolate_gaps(x, T, max_gap_s=0.25)
    np.testing.assert_allclose(out, line, rtol=0, atol=1e-12)


def test_long_gap_stays_entirely_nan() -> None:
    """A 0.5 s gap over a 0.25 s limit is not filled at all; its neighbours are unchanged."""
    x = 3.0 * T + 1.0
    x[60:75] = np.nan  # 15 missing frames = 0.5 s
    out = interpolate_gaps(x, T, max_gap_s=0.25)
    assert np.isnan(out[60:75]).all()
    np.testing.assert_array_equal(out[:60], x[:60])
    np.testing.assert_array_equal(out[75:], x[75:])


def test_leading_and_trailing_nan_never_filled() -> None:
    """NaN before the first and after the last valid sample stay NaN, whatever the limit."""
    x = 3.0 * T + 1.0
    x[:2] = np.nan
    x[-3:] = np.nan
    x[40] = np.nan
    out = interpolate_gaps(x, T, max_gap_s=math.inf)
    assert np.isnan(out[:2]).all()
    assert np.isnan(out[-3:]).all()
    assert out[40] == pytest.approx(3.0 * T[40] + 1.0)


@pytest.mark.parametrize("n_missing", [1, 6, 15])
def test_gap_exactly_at_the_limit_is_filled_and_just_over_is_not(n_missing: int) -> None:
    """k missing frames at 30 fps is a k/30 s gap: filled at that limit, kept just below it."""
    x = T.copy()
    x[30 : 30 + n_missing] = np.nan
    at_limit = interpolate_gaps(x, T, max_gap_s=n_missing / FS)
    np.testing.assert_allclose(at_limit[30 : 30 + n_missing], T[30 : 30 + n_missing])
    below = interpolate_gaps(x, T, max_gap_s=n_missing / FS - 1e-4)
    assert np.isnan(below[30 : 30 + n_missing]).all()


def test_interpolation_is_linear_in_time_not_in_samples() -> None:
    """With uneven timestamps the fill follows time: x = t at t = 3 between t = 1 and t = 4."""
    t = np.array([0.0, 1.0, 3.0, 4.0, 5.0])
    x = np.array([0.0, 1.0, np.nan, 4.0, 5.0])
    out = interpolate_gaps(x, t, max_gap_s=2.0)  # gap = 4 - 1 - median period 1 = 2 s
    assert out[2] == pytest.approx(3.0)
    assert np.isnan(interpolate_gaps(x, t, max_gap_s=1.9)[2])


def test_columns_have_their_own_gaps() -> None:
    """In an (N, 33, 3) array each landmark coordinate is bridged (or not) on its own."""
    x = np.repeat(np.repeat((2.0 * T)[:, None, None], 33, axis=1), 3, axis=2)
    x += np.arange(33)[None, :, None] + 100.0 * np.arange(3)[None, None, :]
    expected = x.copy()
    x[10:12, 5, :] = np.nan  # short, all coordinates
    x[40:80, 6, 0] = np.nan  # long, one coordinate
    x[90:93, 6, 2] = np.nan  # short, another coordinate of the same landmark
    x[:5, 7, 1] = np.nan  # leading
    out = interpolate_gaps(x, T, max_gap_s=0.25)
    np.testing.assert_allclose(out[10:12, 5, :], expected[10:12, 5, :])
    np.testing.assert_allclose(out[90:93, 6, 2], expected[90:93, 6, 2])
    assert np.isnan(out[40:80, 6, 0]).all()
    assert np.isnan(out[:5, 7, 1]).all()
    untouched = ~np.isnan(x)
    np.testing.assert_array_equal(out[untouched], x[untouched])
    assert np.isnan(out).sum() == 40 + 5


@pytest.mark.parametrize("bad", [-1.0, -1e-6, math.nan])
def test_negative_or_nan_gap_limit_refused(bad: float) -> None:
    """A negative (or NaN) max_gap_s raises ConfigError naming max_gap_s."""
    with pytest.raises(ConfigError, match="max_gap_s"):
        interpolate_gaps(T, T, max_gap_s=bad)


@pytest.mark.parametrize(
    "t_s",
    [
        np.array([0.0, 0.1, 0.1, 0.3]),  # repeated
        np.array([0.0, 0.2, 0.1, 0.3]),  # decreasing
        np.array([0.0, 0.1, 0.2]),  # too short
        np.array([0.0, np.nan, 0.2, 0.3]),  # not finite
    ],
)
def test_bad_timestamps_refused(t_s: np.ndarray) -> None:
    """Timestamps that do not match the samples or do not strictly increase raise ConfigError."""
    with pytest.raises(ConfigError, match="t_s"):
        interpolate_gaps(np.array([1.0, np.nan, 3.0, 4.0]), t_s, max_gap_s=1.0)


@settings(max_examples=150, deadline=None)
@given(
    holes=st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 119), st.integers(1, 15)), max_size=8
    ),
    slope=st.floats(-50, 50, allow_nan=False),
    offset=st.floats(-100, 100, allow_nan=False),
    fps=st.sampled_from([10.0, 25.0, 30.0, 60.0]),
    limit_s=st.floats(0.0, 0.6, allow_nan=False),
)
def test_property_fills_are_linear_and_long_holes_stay(
    holes: list[tuple[int, int, int]], slope: float, offset: float, fps: float, limit_s: float
) -> None:
    """Linear signal, random holes: fills are on the line; long and edge holes stay NaN."""
    t = np.arange(120) / fps + 5.0
    line = slope * t + offset
    x = np.stack([line, -line], axis=1)
    for col, start, length in holes:
        x[start : start + length, col] = np.nan
    out = interpolate_gaps(x, t, max_gap_s=limit_s)
    valid = ~np.isnan(x)
    np.testing.assert_array_equal(out[valid], x[valid])
    filled = ~valid & ~np.isnan(out)
    expected = np.stack([line, -line], axis=1)
    np.testing.assert_allclose(out[filled], expected[filled], rtol=0, atol=1e-9)
    for col in range(2):
        missing = np.isnan(x[:, col]).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], missing, [0]))))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            hole = out[start:stop, col]
            if start == 0 or stop == len(t):
                assert np.isnan(hole).all()  # never extrapolated
                continue
            gap_s = t[stop] - t[start - 1] - 1.0 / fps
            if gap_s > limit_s + 1e-6:
                assert np.isnan(hole).all()
            elif gap_s < limit_s - 1e-6:
                assert not np.isnan(hole).any()


# -- mask_low_visibility -----------------------------------------------------------------------


def test_low_visibility_landmarks_become_nan_others_unchanged() -> None:
    """Below-threshold (or NaN) visibility blanks all coordinates; the rest, even at it, stays."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(4, 33, 3))
    vis = np.full((4, 33), 0.9)
    vis[1, 7] = 0.3
    vis[2, 0] = np.nan
    vis[3, 12] = 0.5  # exactly at the threshold: kept
    out = mask_low_visibility(values, vis, threshold=0.5)
    hidden = np.zeros((4, 33), dtype=bool)
    hidden[1, 7] = hidden[2, 0] = True
    assert np.isnan(out[hidden]).all()
    np.testing.assert_array_equal(out[~hidden], values[~hidden])
    assert np.isfinite(values).all()  # the input was not modified


@pytest.mark.parametrize("threshold", [-0.1, 1.5, math.nan])
def test_visibility_threshold_out_of_range_refused(threshold: float) -> None:
    """A threshold outside [0, 1] raises ConfigError."""
    with pytest.raises(ConfigError, match="between 0 and 1"):
        mask_low_visibility(np.ones((2, 33, 3)), np.ones((2, 33)), threshold=threshold)


def test_visibility_shape_mismatch_refused() -> None:
    """Visibility that does not match the landmarks' (N, K) raises ConfigError."""
    with pytest.raises(ConfigError, match="shaped"):
        mask_low_visibility(np.ones((2, 33, 3)), np.ones((2, 32)), threshold=0.5)
    with pytest.raises(ConfigError, match="shaped"):
        mask_low_visibility(np.ones((2, 33)), np.ones((2, 33)), threshold=0.5)


# -- OneEuroFilter ---------------------------------------------------------------------------


def _run(f: OneEuroFilter, t: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.array([f(float(ti), np.array([xi]))[0] for ti, xi in zip(t, x, strict=True)])


def _paper_one_euro(
    t: np.ndarray, x: np.ndarray, min_cutoff: float, beta: float, d_cutoff: float
) -> np.ndarray:
    """Scalar transcription of the pseudocode in Casiez et al. 2012."""

    def alpha(cutoff: float, te: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / te)

    out = [float(x[0])]
    dx_hat = 0.0
    for i in range(1, len(x)):
        te = float(t[i] - t[i - 1])
        dx = (x[i] - out[-1]) / te
        dx_hat = dx_hat + alpha(d_cutoff, te) * (dx - dx_hat)
        cutoff = min_cutoff + beta * abs(dx_hat)
        out.append(out[-1] + alpha(cutoff, te) * (x[i] - out[-1]))
    return np.array(out)


def test_one_euro_constant_input_comes_back_constant() -> None:
    """A constant (33, 3) sample comes back exactly, at any beta."""
    sample = np.random.default_rng(6).normal(size=(33, 3))
    for beta in (0.0, 2.0):
        f = OneEuroFilter(min_cutoff_hz=1.0, beta=beta)
        for i in range(30):
            np.testing.assert_array_equal(f(i / FS, sample), sample)


def test_one_euro_first_sample_passes_through_and_outputs_are_new_arrays() -> None:
    """The first sample comes back unchanged; no output aliases the input or the filter state."""
    f = OneEuroFilter(min_cutoff_hz=0.1)
    x = np.array([3.0, -1.0])
    out = f(0.0, x)
    np.testing.assert_array_equal(out, x)
    out[0] = 99.0
    x[1] = 99.0
    second = f(1 / FS, np.array([3.0, -1.0]))
    np.testing.assert_array_equal(second, [3.0, -1.0])
    second[:] = 99.0
    np.testing.assert_array_equal(f(2 / FS, np.array([3.0, -1.0])), [3.0, -1.0])


def test_one_euro_matches_the_paper() -> None:
    """Output equals a scalar transcription of the 2012 paper's algorithm (beta > 0)."""
    rng = np.random.default_rng(8)
    t = np.cumsum(rng.uniform(0.02, 0.05, 200))
    x = np.cumsum(rng.normal(size=200))
    f = OneEuroFilter(min_cutoff_hz=0.7, beta=0.3, d_cutoff_hz=1.5)
    np.testing.assert_allclose(_run(f, t, x), _paper_one_euro(t, x, 0.7, 0.3, 1.5))


def test_one_euro_reduces_noise_on_a_constant() -> None:
    """On a noisy constant the output variance is under 20 % of the input's (beta = 0)."""
    # At 30 Hz a 1 Hz cut-off is an EMA with alpha = 0.173: expected ratio alpha / (2 - alpha)
    # = 0.095 (this seed: 0.109).
    t = np.arange(600) / FS
    noisy = 5.0 + np.random.default_rng(4).normal(0.0, 1.0, t.shape)
    out = _run(OneEuroFilter(min_cutoff_hz=1.0, beta=0.0), t, noisy)
    assert np.var(out[60:]) < 0.2 * np.var(noisy[60:])
    assert np.mean(out[60:]) == pytest.approx(5.0, abs=0.2)


def test_one_euro_beta_reduces_lag_on_a_fast_ramp() -> None:
    """With beta > 0 a fast ramp (100 units/s) is followed with under half the lag of beta = 0."""
    t = np.arange(60) / FS
    ramp = 100.0 * t
    lag = {
        beta: float(
            np.mean(ramp[20:] - _run(OneEuroFilter(min_cutoff_hz=1.0, beta=beta), t, ramp)[20:])
        )
        for beta in (0.0, 0.05)
    }
    assert lag[0.0] > 0
    assert lag[0.05] < 0.5 * lag[0.0]


def test_one_euro_nan_resets_the_element() -> None:
    """A NaN element gives NaN; when it reappears the output is the raw value; others smooth on."""
    f = OneEuroFilter(min_cutoff_hz=0.5)
    f(0.0, np.array([0.0, 0.0]))
    gap = f(0.1, np.array([np.nan, 1.0]))
    assert np.isnan(gap[0])
    assert 0.0 < gap[1] < 1.0
    back = f(0.2, np.array([10.0, 1.0]))
    assert back[0] == 10.0
    assert back[1] < 1.0
    assert 10.0 < f(0.3, np.array([11.0, 1.0]))[0] < 11.0  # smoothing resumes from the raw value


def test_one_euro_reset_forgets_the_past() -> None:
    """After reset() the next sample passes through unchanged."""
    f = OneEuroFilter(min_cutoff_hz=0.5)
    f(0.0, np.array([0.0]))
    assert f(0.1, np.array([10.0]))[0] < 10.0
    f.reset()
    assert f(0.05, np.array([10.0]))[0] == 10.0


@pytest.mark.parametrize("later_t", [1.0, 0.5, math.nan])
def test_one_euro_non_increasing_timestamp_refused(later_t: float) -> None:
    """A timestamp not after the previous one raises ConfigError and leaves the state intact."""
    f = OneEuroFilter()
    f(0.0, np.array([0.0]))
    f(1.0, np.array([0.0]))
    with pytest.raises(ConfigError, match="t_s"):
        f(later_t, np.array([100.0]))
    assert f(1.5, np.array([0.0]))[0] == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_cutoff_hz": 0.0},
        {"min_cutoff_hz": -1.0},
        {"min_cutoff_hz": math.nan},
        {"d_cutoff_hz": 0.0},
        {"d_cutoff_hz": -2.0},
        {"beta": -0.1},
        {"beta": math.nan},
    ],
)
def test_one_euro_invalid_parameters_refused(kwargs: dict[str, float]) -> None:
    """Non-positive cut-offs and negative or NaN beta raise ConfigError naming the parameter."""
    (name,) = kwargs
    with pytest.raises(ConfigError, match=name):
        OneEuroFilter(**kwargs)
