"""PATIENT_DATA.json: everything ``backrehab report`` needs about one patient.

Input: a JSON document (schema version 1, see ``docs/progress.md``). Output: a validated
:class:`PatientData`. A bad document raises :class:`~backrehab.errors.InvalidResponseError` whose
message names the field, e.g. ``PATIENT_DATA: sessions[3].pain_after: Input should be less than
or equal to 10 (got 12)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from backrehab.errors import InvalidResponseError
from backrehab.progress.logs import SessionLog, check_logs, invalid_input

__all__ = [
    "SCHEMA_VERSION",
    "EnduranceRecord",
    "OutcomeRecord",
    "PatientData",
    "Schedule",
    "SeriesPoint",
    "dump_patient_data",
    "load_patient_data",
    "patient_data_from_mapping",
]

SCHEMA_VERSION = 1

SeriesName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]*$", max_length=80)]


class OutcomeRecord(BaseModel):
    """Questionnaire scores of one assessment day (each optional).

    ``odi`` percent 0-100; ``rmdq`` 0-24; ``nprs`` 0-10 (may be the mean of current, best and
    worst); ``psfs`` mean 0-10; ``fabq_pa`` 0-24; ``fabq_w`` 0-42 (null when not employed).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    odi: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    rmdq: Annotated[int, Strict(), Field(ge=0, le=24)] | None = None
    nprs: float | None = Field(None, ge=0, le=10, allow_inf_nan=False)
    psfs: float | None = Field(None, ge=0, le=10, allow_inf_nan=False)
    fabq_pa: Annotated[int, Strict(), Field(ge=0, le=24)] | None = None
    fabq_w: Annotated[int, Strict(), Field(ge=0, le=42)] | None = None


class EnduranceRecord(BaseModel):
    """McGill battery hold times of one day, seconds (each optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    flexor_s: float | None = Field(None, ge=0, le=3600, allow_inf_nan=False)
    extensor_s: float | None = Field(None, ge=0, le=3600, allow_inf_nan=False)
    side_left_s: float | None = Field(None, ge=0, le=3600, allow_inf_nan=False)
    side_right_s: float | None = Field(None, ge=0, le=3600, allow_inf_nan=False)


class SeriesPoint(BaseModel):
    """One dated value of a ROM or posture series."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    value: float = Field(allow_inf_nan=False)


class Schedule(BaseModel):
    """Planned sessions: a session is a day with at least one exercise logged.

    Attributes
    ----------
    start
        First day of the programme.
    end
        Last day (None: up to ``PatientData.as_of`` or the last log).
    sessions_per_week
        Planned session days per ISO week (0-7). A week only partly inside
        ``start``-``end`` is planned pro rata (rounded half up).
    weeks
        Overrides by ISO week, e.g. ``{"2025-W03": 2}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date
    end: dt.date | None = None
    sessions_per_week: Annotated[int, Strict(), Field(ge=0, le=7)]
    weeks: dict[
        Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$")], Annotated[int, Field(ge=0, le=7)]
    ] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> Schedule:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


Series = tuple[SeriesPoint, ...]


class PatientData(BaseModel):
    """The PATIENT_DATA document (schema version 1).

    Attributes
    ----------
    schema_version
        1.
    patient_ref
        Pseudonymous reference (letters, digits, ``._-``); never a name.
    sex
        For the endurance norms; optional.
    as_of
        Date of the data export (adherence counts planned sessions up to it); optional.
    auto_progression
        The clinician enabled auto-progression for this patient.
    schedule
        Planned sessions (see :class:`Schedule`).
    baseline, follow_ups
        Questionnaire scores; follow-ups after the baseline, in date order.
    sessions
        Session logs (:class:`~backrehab.progress.logs.SessionLog`), one per exercise per day;
        sorted by date on load.
    endurance
        McGill battery times by date.
    rom, posture
        Named series of ``{date, value}`` (degrees or the metric's unit), e.g.
        ``"lumbar_flexion_deg"``; ROM measured by the coach is also taken from the logs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    patient_ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    sex: Literal["female", "male"] | None = None
    as_of: dt.date | None = None
    auto_progression: bool = False
    schedule: Schedule
    baseline: OutcomeRecord
    follow_ups: tuple[OutcomeRecord, ...] = ()
    sessions: tuple[SessionLog, ...] = ()
    endurance: tuple[EnduranceRecord, ...] = ()
    rom: dict[SeriesName, Series] = Field(default_factory=dict)
    posture: dict[SeriesName, Series] = Field(default_factory=dict)

    @field_validator("sessions")
    @classmethod
    def _sessions(cls, value: tuple[SessionLog, ...]) -> tuple[SessionLog, ...]:
        try:
            return check_logs(value)
        except InvalidResponseError as exc:
            raise ValueError(exc.user_message) from exc

    @field_validator("endurance")
    @classmethod
    def _endurance(cls, value: tuple[EnduranceRecord, ...]) -> tuple[EnduranceRecord, ...]:
        return tuple(sorted(value, key=lambda r: r.date))

    @field_validator("rom", "posture")
    @classmethod
    def _series(cls, value: dict[str, Series]) -> dict[str, Series]:
        return {k: tuple(sorted(v, key=lambda p: p.date)) for k, v in value.items()}

    @model_validator(mode="after")
    def _dates(self) -> PatientData:
        previous = self.baseline.date
        for i, record in enumerate(self.follow_ups):
            if record.date <= previous:
                raise ValueError(
                    f"follow_ups[{i}].date {record.date} must be after {previous} "
                    "(baseline first, then follow-ups in date order)"
                )
            previous = record.date
        return self

    @property
    def outcome_records(self) -> tuple[OutcomeRecord, ...]:
        """Baseline then follow-ups."""
        return (self.baseline, *self.follow_ups)

    @property
    def last_day(self) -> dt.date:
        """``as_of``, else the latest date in the document."""
        if self.as_of is not None:
            return self.as_of
        days = [r.date for r in self.outcome_records]
        days += [s.date for s in self.sessions] + [e.date for e in self.endurance]
        days += [p.date for series in (*self.rom.values(), *self.posture.values()) for p in series]
        return max(days)


def patient_data_from_mapping(data: Mapping[str, Any]) -> PatientData:
    """Validate a PATIENT_DATA document already parsed from JSON.

    Raises
    ------
    InvalidResponseError
        Unknown schema version, or any field missing, unknown, of the wrong type or out of
        range; the message names it (``sessions[3].pain_after``).
    """
    if not isinstance(data, Mapping):
        raise InvalidResponseError("PATIENT_DATA: the document must be a JSON object")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise InvalidResponseError(
            f"PATIENT_DATA: schema_version {version!r} is not supported (expected {SCHEMA_VERSION})"
        )
    try:
        return PatientData.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input(exc, "PATIENT_DATA") from exc


def load_patient_data(path: Path | str) -> PatientData:
    """Read and validate a PATIENT_DATA.json file.

    Raises
    ------
    InvalidResponseError
        Missing or unreadable file, invalid JSON (with line and column), or invalid content.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidResponseError(f"PATIENT_DATA: cannot read {file}", detail=str(exc)) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidResponseError(
            f"PATIENT_DATA: {file} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})"
        ) from exc
    return patient_data_from_mapping(raw)


def dump_patient_data(data: PatientData, path: Path | str) -> Path:
    """Write ``data`` as indented JSON (UTF-8, null fields left out); returns the path."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    payload = data.model_dump(mode="json", exclude_none=True)
    file.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return file
