"""Is a change in a questionnaire score clinically important? (minimal clinically important change)

Input: instrument name (odi, rmdq, nprs, psfs) and baseline and follow-up scores in the
instrument's own units (ODI percent, others points). Output: :class:`ChangeResult` with the change
in the improving direction, the percent change and the improvement/worsening flags.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from backrehab.errors import ConfigError, InvalidResponseError

__all__ = [
    "DEFAULT_MCID_THRESHOLDS",
    "ChangeResult",
    "McidThreshold",
    "is_important_change",
]

_OSTELO: Final = (
    "Ostelo RWJG et al. Interpreting change scores for pain and functional status in low back "
    "pain. Spine 2008;33(1):90-4"
)


@dataclass(frozen=True, slots=True)
class McidThreshold:
    """Change thresholds of one instrument.

    Attributes
    ----------
    label
        Name for messages ("ODI").
    scale_min, scale_max
        Range of the score; values outside are refused.
    lower_is_better
        Direction: True for ODI, RMDQ, NPRS; False for PSFS.
    mcid_abs
        Minimal clinically important change in score units (improvement and worsening).
    mdc_abs
        Minimal detectable change (90 % confidence): the relative flag counts only when the change
        is at least this large.
    relative_pct
        Relative improvement threshold in percent of the baseline (30).
    single_activity_mcid_abs, single_activity_mdc_abs
        PSFS only: thresholds when one activity rating is compared instead of the mean.
    source
        Where the numbers come from.

    Inconsistent values raise :class:`~backrehab.errors.ConfigError`.
    """

    label: str
    scale_min: float
    scale_max: float
    lower_is_better: bool
    mcid_abs: float
    mdc_abs: float
    relative_pct: float
    source: str
    single_activity_mcid_abs: float | None = None
    single_activity_mdc_abs: float | None = None

    def __post_init__(self) -> None:
        if not self.scale_min < self.scale_max:
            raise ConfigError(f"MCID table {self.label}: scale_min must be below scale_max")
        span = self.scale_max - self.scale_min
        checks = (
            ("mcid_abs", self.mcid_abs),
            ("mdc_abs", self.mdc_abs),
            ("single_activity_mcid_abs", self.single_activity_mcid_abs),
            ("single_activity_mdc_abs", self.single_activity_mdc_abs),
        )
        for name, value in checks:
            if value is not None and not 0 < value <= span:
                raise ConfigError(
                    f"MCID table {self.label}: {name} must be above 0 and at most {span:g}, "
                    f"got {value}"
                )
        if not 0 < self.relative_pct <= 100:
            raise ConfigError(
                f"MCID table {self.label}: relative_pct must be in (0, 100], "
                f"got {self.relative_pct}"
            )
        if (self.single_activity_mcid_abs is None) != (self.single_activity_mdc_abs is None):
            raise ConfigError(
                f"MCID table {self.label}: give both single-activity thresholds or neither"
            )


DEFAULT_MCID_THRESHOLDS: Final[Mapping[str, McidThreshold]] = MappingProxyType(
    {
        "odi": McidThreshold(
            label="ODI",
            scale_min=0.0,
            scale_max=100.0,
            lower_is_better=True,
            mcid_abs=10.0,
            mdc_abs=10.0,
            relative_pct=30.0,
            source=f"{_OSTELO} (10 points / 30 %); MDC90 10 points: Fairbank & Pynsent 2000",
        ),
        "rmdq": McidThreshold(
            label="RMDQ",
            scale_min=0.0,
            scale_max=24.0,
            lower_is_better=True,
            mcid_abs=5.0,
            mdc_abs=5.0,
            relative_pct=30.0,
            source=f"{_OSTELO} (5 points / 30 %); SEM-based 5 points: Maughan & Lewis 2010",
        ),
        "nprs": McidThreshold(
            label="NPRS",
            scale_min=0.0,
            scale_max=10.0,
            lower_is_better=True,
            mcid_abs=2.0,
            mdc_abs=2.0,
            relative_pct=30.0,
            source=f"{_OSTELO} (2 points / 30 %)",
        ),
        "psfs": McidThreshold(
            label="PSFS",
            scale_min=0.0,
            scale_max=10.0,
            lower_is_better=False,
            mcid_abs=2.0,
            mdc_abs=2.0,
            relative_pct=30.0,
            single_activity_mcid_abs=3.0,
            single_activity_mdc_abs=3.0,
            source="Stratford P et al. Physiother Can 1995;47:258-63 (MDC90 2 points mean, "
            "3 points single activity); 30 % relative: project default",
        ),
    }
)
"""Thresholds of Ostelo et al. 2008 and Stratford et al. 1995, as adopted in the clinical
reference, section 2. Pass a mapping of your own to :func:`is_important_change` to change them."""


class ChangeResult(BaseModel):
    """Change between two scores of one instrument.

    Attributes
    ----------
    delta
        Change in the improving direction (positive = better): baseline - follow-up for ODI,
        RMDQ and NPRS; follow-up - baseline for PSFS.
    percent
        ``100 * delta / baseline``; None when the baseline is 0.
    by_absolute
        ``delta >= mcid_abs``.
    by_percent
        ``percent >= relative_pct`` and ``delta >= mdc_abs`` (the relative rule counts only
        beyond measurement error).
    important_improvement
        ``by_absolute or by_percent``.
    important_worsening
        ``-delta >= mcid_abs``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: str
    baseline: float
    follow_up: float
    direction: Literal["lower_is_better", "higher_is_better"]
    single_activity: bool
    delta: float
    percent: float | None
    mcid_abs: float
    mdc_abs: float
    relative_pct: float
    by_absolute: bool
    by_percent: bool
    important_improvement: bool
    important_worsening: bool
    source: str


def _value(label: str, which: str, value: object, low: float, high: float) -> Decimal:
    """The score as an exact decimal, after type and range checks."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidResponseError(f"{label} {which}: {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidResponseError(f"{label} {which}: {value!r} is not a finite number")
    if not low <= number <= high:
        raise InvalidResponseError(f"{label} {which}: {value!r} is out of range {low:g}-{high:g}")
    # repr gives the shortest decimal that reads back as the same float (35.6, not 35.59999...),
    # so differences of one-decimal scores are exact.
    return Decimal(repr(number))


def is_important_change(
    instrument: str,
    baseline: float,
    follow_up: float,
    *,
    single_activity: bool = False,
    thresholds: Mapping[str, McidThreshold] | None = None,
) -> ChangeResult:
    """Decide whether a change from ``baseline`` to ``follow_up`` is clinically important.

    ``delta`` is the change in the improving direction. An improvement is important when
    ``delta >= MCID_abs`` (``by_absolute``) or when ``percent >= 30`` and ``delta >= MDC_abs``
    (``by_percent``: a 30 % change inside the measurement error, e.g. NPRS 3 -> 2, does not
    count). A worsening is important when ``-delta >= MCID_abs``. With the default table the
    MCID and MDC are equal for every instrument, so ``by_percent`` never adds an improvement that
    ``by_absolute`` misses; it is reported separately all the same.

    Parameters
    ----------
    instrument
        ``odi`` (percent 0-100), ``rmdq`` (0-24), ``nprs`` (0-10) or ``psfs`` (0-10); any case.
    baseline, follow_up
        Scores in the instrument's units.
    single_activity
        PSFS only: compare one activity rating (MCID = MDC90 = 3 points) instead of the mean
        score (2 points).
    thresholds
        Replacement for :data:`DEFAULT_MCID_THRESHOLDS` (keys are instrument names).

    Returns
    -------
    ChangeResult

    Raises
    ------
    InvalidResponseError
        Unknown instrument (the message lists the known ones), or a score that is not a number
        or out of the instrument's range.
    ConfigError
        ``single_activity`` for an instrument without single-activity thresholds.

    References
    ----------
    .. [1] Ostelo RWJG et al. Interpreting change scores for pain and functional status in low
       back pain: towards international consensus regarding minimal important change. Spine
       2008;33(1):90-4.
    .. [2] Stratford P et al. Assessing disability and change on individual patients.
       Physiother Can 1995;47:258-63.
    .. [3] Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-53.
    """
    table = DEFAULT_MCID_THRESHOLDS if thresholds is None else thresholds
    name = instrument.strip().lower() if isinstance(instrument, str) else ""
    if name not in table:
        raise InvalidResponseError(
            f"No change thresholds for instrument {instrument!r}; known instruments: "
            f"{', '.join(sorted(table))}"
        )
    spec = table[name]
    if single_activity:
        if spec.single_activity_mcid_abs is None or spec.single_activity_mdc_abs is None:
            raise ConfigError(f"{spec.label}: single_activity applies only to PSFS-type scales")
        mcid_abs, mdc_abs = spec.single_activity_mcid_abs, spec.single_activity_mdc_abs
    else:
        mcid_abs, mdc_abs = spec.mcid_abs, spec.mdc_abs
    base = _value(spec.label, "baseline", baseline, spec.scale_min, spec.scale_max)
    follow = _value(spec.label, "follow-up", follow_up, spec.scale_min, spec.scale_max)

    delta = base - follow if spec.lower_is_better else follow - base
    percent = None if base == 0 else 100 * delta / base
    mcid = Decimal(repr(float(mcid_abs)))
    mdc = Decimal(repr(float(mdc_abs)))
    relative = Decimal(repr(float(spec.relative_pct)))
    by_absolute = delta >= mcid
    by_percent = percent is not None and percent >= relative and delta >= mdc
    return ChangeResult(
        instrument=name,
        baseline=float(base),
        follow_up=float(follow),
        direction="lower_is_better" if spec.lower_is_better else "higher_is_better",
        single_activity=single_activity,
        delta=float(delta),
        percent=None if percent is None else float(percent),
        mcid_abs=mcid_abs,
        mdc_abs=mdc_abs,
        relative_pct=spec.relative_pct,
        by_absolute=by_absolute,
        by_percent=by_percent,
        important_improvement=by_absolute or by_percent,
        important_worsening=-delta >= mcid,
        source=spec.source,
    )
