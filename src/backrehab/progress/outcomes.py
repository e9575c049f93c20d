"""Outcomes over time, with clinically important change marked against the baseline.

Input: a :class:`~backrehab.progress.patient_data.PatientData`. Output: one
:class:`OutcomeTrend` per measure — ODI, RMDQ, NPRS, PSFS (each follow-up marked ``improved``,
``worsened`` or ``no_important_change`` by :func:`backrehab.assess.mcid.is_important_change`,
clinical reference §2), FABQ, endurance times, posture metrics and ROM (no published MCID here:
``no_threshold``) — and the McGill endurance ratios per test day (§3.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from backrehab.assess.endurance import RATIO_NAMES, EnduranceTimes, RatioName, evaluate_endurance
from backrehab.assess.mcid import (
    DEFAULT_MCID_THRESHOLDS,
    ChangeResult,
    McidThreshold,
    is_important_change,
)
from backrehab.errors import InvalidResponseError
from backrehab.progress.patient_data import PatientData

__all__ = [
    "MEASURES",
    "Mark",
    "MeasureInfo",
    "OutcomePoint",
    "OutcomeTrend",
    "endurance_ratio_series",
    "mark_trend",
    "outcome_trends",
    "questionnaire_trends",
    "rom_trends",
]

Mark = Literal["baseline", "improved", "worsened", "no_important_change", "no_threshold"]


@dataclass(frozen=True, slots=True)
class MeasureInfo:
    """Display facts of a questionnaire measure (MCID values come from ``assess.mcid``)."""

    label: str
    unit: str
    lower_is_better: bool


MEASURES: Final[Mapping[str, MeasureInfo]] = MappingProxyType(
    {
        "nprs": MeasureInfo("Pain (NPRS)", "/10", True),
        "odi": MeasureInfo("Disability (ODI)", "%", True),
        "rmdq": MeasureInfo("Disability (RMDQ)", "/24", True),
        "psfs": MeasureInfo("Function (PSFS)", "/10", False),
        "fabq_pa": MeasureInfo("Fear-avoidance, activity (FABQ-PA)", "/24", True),
        "fabq_w": MeasureInfo("Fear-avoidance, work (FABQ-W)", "/42", True),
    }
)
"""Questionnaire measures of PATIENT_DATA, in report order."""


class OutcomePoint(BaseModel):
    """One dated value and its change against the baseline (None for the baseline itself and
    for measures without an MCID)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    value: float
    mark: Mark
    change: ChangeResult | None = None


class OutcomeTrend(BaseModel):
    """A measure over time; the first point is the baseline.

    Attributes
    ----------
    mcid_abs
        The absolute MCID used for the marks (and the report's shaded band); None when the
        measure has none.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    measure: str
    label: str
    unit: str
    lower_is_better: bool | None
    mcid_abs: float | None
    points: tuple[OutcomePoint, ...]

    @property
    def baseline(self) -> OutcomePoint:
        """The first point."""
        return self.points[0]

    @property
    def latest(self) -> OutcomePoint:
        """The last point."""
        return self.points[-1]


def mark_trend(
    measure: str,
    points: Sequence[tuple[dt.date, float]],
    *,
    label: str | None = None,
    unit: str = "",
    lower_is_better: bool | None = None,
    thresholds: Mapping[str, McidThreshold] | None = None,
) -> OutcomeTrend:
    """Mark every point after the first against the first (the baseline).

    When ``measure`` has change thresholds (``odi``, ``rmdq``, ``nprs``, ``psfs`` by default),
    each follow-up gets :func:`~backrehab.assess.mcid.is_important_change` and the mark
    ``improved`` (important improvement), ``worsened`` (important worsening) or
    ``no_important_change``; other measures are marked ``no_threshold``.

    Raises
    ------
    InvalidResponseError
        No points, or a score outside the instrument's range.
    """
    ordered = sorted(points, key=lambda p: p[0])
    if not ordered:
        raise InvalidResponseError(f"outcome {measure}: no values to mark")
    table = DEFAULT_MCID_THRESHOLDS if thresholds is None else thresholds
    spec = table.get(measure)
    base_day, base = ordered[0]
    out = [OutcomePoint(date=base_day, value=float(base), mark="baseline")]
    for day, value in ordered[1:]:
        if spec is None:
            out.append(OutcomePoint(date=day, value=float(value), mark="no_threshold"))
            continue
        change = is_important_change(measure, base, value, thresholds=table)
        mark: Mark = (
            "improved"
            if change.important_improvement
            else "worsened"
            if change.important_worsening
            else "no_important_change"
        )
        out.append(OutcomePoint(date=day, value=float(value), mark=mark, change=change))
    if spec is not None and lower_is_better is None:
        lower_is_better = spec.lower_is_better
    return OutcomeTrend(
        measure=measure,
        label=label or measure,
        unit=unit,
        lower_is_better=lower_is_better,
        mcid_abs=None if spec is None else spec.mcid_abs,
        points=tuple(out),
    )


def questionnaire_trends(
    data: PatientData, *, thresholds: Mapping[str, McidThreshold] | None = None
) -> dict[str, OutcomeTrend]:
    """ODI, RMDQ, NPRS, PSFS, FABQ-PA and FABQ-W over the baseline and follow-ups (measures
    never recorded are left out; the first record with a value is the baseline)."""
    out = {}
    for key, info in MEASURES.items():
        series = [
            (r.date, float(v)) for r in data.outcome_records if (v := getattr(r, key)) is not None
        ]
        if series:
            out[key] = mark_trend(
                key,
                series,
                label=info.label,
                unit=info.unit,
                lower_is_better=info.lower_is_better,
                thresholds=thresholds,
            )
    return out


_ENDURANCE_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "flexor_s": "Flexor endurance",
        "extensor_s": "Extensor endurance (Biering-Sørensen)",
        "side_left_s": "Left side bridge",
        "side_right_s": "Right side bridge",
    }
)


def endurance_ratio_series(data: PatientData) -> dict[RatioName, list[tuple[dt.date, float]]]:
    """The §3.3 ratios (``flex_ext``, ``rl_sb``, ``sb_ext_right``, ``sb_ext_left``) per test
    day, computed by :func:`backrehab.assess.endurance.evaluate_endurance`; days where a ratio
    cannot be computed are skipped."""
    out: dict[RatioName, list[tuple[dt.date, float]]] = {name: [] for name in RATIO_NAMES}
    for record in data.endurance:
        result = evaluate_endurance(
            EnduranceTimes(
                flexor_s=record.flexor_s,
                extensor_s=record.extensor_s,
                side_left_s=record.side_left_s,
                side_right_s=record.side_right_s,
                sex=data.sex,
            )
        )
        for name in RATIO_NAMES:
            value = result.ratio(name)
            if value is not None:
                out[name].append((record.date, value))
    return {k: v for k, v in out.items() if v}


def rom_trends(data: PatientData) -> dict[str, OutcomeTrend]:
    """ROM series: PATIENT_DATA ``rom`` plus ``coach.<exercise_id>`` from the logs' ``rom_deg``."""
    out = {
        name: mark_trend(name, [(p.date, p.value) for p in series], unit="deg")
        for name, series in data.rom.items()
        if series
    }
    by_exercise: dict[str, list[tuple[dt.date, float]]] = {}
    for log in data.sessions:
        if log.rom_deg is not None:
            by_exercise.setdefault(log.exercise_id, []).append((log.date, log.rom_deg))
    for exercise, series in sorted(by_exercise.items()):
        name = f"coach.{exercise}"
        out[name] = mark_trend(name, series, label=f"{exercise} (coach)", unit="deg")
    return out


def outcome_trends(
    data: PatientData, *, thresholds: Mapping[str, McidThreshold] | None = None
) -> dict[str, OutcomeTrend]:
    """Every measure of the document: questionnaires (MCID-marked), endurance times
    (``endurance.<test>``), posture metrics (``posture.<name>``) and ROM (``rom.<name>``)."""
    out = questionnaire_trends(data, thresholds=thresholds)
    for key, label in _ENDURANCE_LABELS.items():
        series = [(r.date, v) for r in data.endurance if (v := getattr(r, key)) is not None]
        if series:
            name = f"endurance.{key}"
            out[name] = mark_trend(name, series, label=label, unit="s", lower_is_better=False)
    for key, points in data.posture.items():
        if points:
            name = f"posture.{key}"
            out[name] = mark_trend(name, [(p.date, p.value) for p in points], label=key)
    for key, trend in rom_trends(data).items():
        out[f"rom.{key}"] = trend
    return out
