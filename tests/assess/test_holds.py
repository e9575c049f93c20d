"""Hold timing: start when the posture is reached, stop when it is lost beyond the grace period."""

from __future__ import annotations

import numpy as np
import pytest

from backrehab.assess.holds import time_holds
from backrehab.errors import ConfigError

T = np.arange(0, 20, 0.1)


def _mask(*intervals: tuple[float, float]) -> np.ndarray:
    m = np.zeros(T.shape, dtype=bool)
    for a, b in intervals:
        m |= (a - 1e-9 <= T) & (b + 1e-9 >= T)
    return m


def test_one_clean_hold() -> None:
    """A posture held from 2 s to 10 s is one hold of 8 s ending with the reason given."""
    reasons = ["hips sagging"] * len(T)
    holds = time_holds(T, _mask((2, 10)), fail_reasons=reasons)
    assert len(holds) == 1
    assert holds[0].start_s == pytest.approx(2.0)
    assert holds[0].end_s == pytest.approx(10.0)
    assert holds[0].duration_s == pytest.approx(8.0)
    assert holds[0].end_reason == "hips sagging"


def test_wobble_shorter_than_grace_does_not_stop_the_clock() -> None:
    """Losing the posture for 0.3 s with a 0.5 s grace keeps one hold."""
    holds = time_holds(T, _mask((2, 6), (6.4, 10)), grace_s=0.5)
    assert [(h.start_s, h.end_s) for h in holds] == [(pytest.approx(2.0), pytest.approx(10.0))]


def test_lapse_longer_than_grace_splits_the_hold() -> None:
    """Losing the posture for 1 s ends the hold; a new one starts when it is regained."""
    holds = time_holds(T, _mask((2, 6), (7.1, 12)), grace_s=0.5)
    assert len(holds) == 2
    assert holds[0].end_s == pytest.approx(6.0)
    assert holds[1].start_s == pytest.approx(7.1)


def test_passing_through_the_posture_is_not_a_hold() -> None:
    """Being in posture for under min_hold_s is ignored."""
    assert time_holds(T, _mask((3, 4)), min_hold_s=2.0) == []


def test_unmeasurable_frames_end_the_hold_as_not_measurable() -> None:
    """When the landmarks disappear the hold ends and says why."""
    measurable = ~_mask((8, 20))
    holds = time_holds(T, _mask((2, 20)), measurable=measurable)
    assert len(holds) == 1
    assert holds[0].end_s == pytest.approx(7.9)
    assert holds[0].end_reason == "not measurable"


def test_hold_until_the_end_of_the_recording() -> None:
    """A hold still going at the end is reported as ended by the recording."""
    holds = time_holds(T, _mask((15, 20)))
    assert holds[0].end_reason == "recording ended"


def test_bad_parameters() -> None:
    """Negative times and mismatched lengths are ConfigErrors."""
    with pytest.raises(ConfigError, match="grace_s"):
        time_holds(T, _mask((1, 2)), grace_s=-1)
    with pytest.raises(ConfigError, match="length"):
        time_holds(T, _mask((1, 2))[:-1])
