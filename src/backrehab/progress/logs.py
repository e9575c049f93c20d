"""Session logs: what was prescribed and done for one exercise on one day, and how it felt.

Input: typed entries (web form, JSON) or a camera :class:`~backrehab.coach.run.CoachReport`.
Output: a validated :class:`SessionLog` with the dose volumes, the pain reports of the
pain-monitoring model (clinical reference §6.1) and the symptom location change. Bad input raises
:class:`~backrehab.errors.InvalidResponseError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from backrehab.coach.engine import hold_form_score
from backrehab.coach.run import CoachReport
from backrehab.errors import InvalidResponseError

__all__ = [
    "DEFAULT_PASS_SCORE",
    "DoneSet",
    "PainScore",
    "PrescribedDose",
    "SessionLog",
    "SymptomChange",
    "check_logs",
    "done_sets",
    "invalid_input",
    "log_from_coach",
    "session_log_from_mapping",
    "typed_log",
    "with_next_morning",
]

SymptomChange = Literal["centralised", "unchanged", "peripheralised"]
"""Where the symptoms went during or after the session (§6.1): toward the spine, no change, or
further down the leg. ``centralising``/``peripheralising`` and US spellings are accepted."""

_SYMPTOM_ALIASES: Final[Mapping[str, str]] = {
    "centralising": "centralised",
    "centralizing": "centralised",
    "centralized": "centralised",
    "peripheralising": "peripheralised",
    "peripheralizing": "peripheralised",
    "peripheralized": "peripheralised",
}

PainScore = Annotated[int, Strict(), Field(ge=0, le=10)]
"""An NPRS score: whole number 0-10 (no strings, floats or booleans)."""

ExerciseId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]

DEFAULT_PASS_SCORE: Final = 80.0
"""PROJECT DEFAULT: a camera repetition passes the form check when its 0-100 score is at least
this (one weighted fault or less in the default coach specs)."""

_TOL: Final = 1e-9


class PrescribedDose(BaseModel):
    """The dose of one exercise for one session.

    Attributes
    ----------
    sets
        Number of sets (1-20).
    reps
        Repetitions per set (per side when ``per_side``), 1-200.
    hold_s
        Seconds held per repetition; 0 for a dynamic exercise. A timed item (a walk) is one
        repetition held for its length (up to 1 h).
    per_side
        Repetitions are counted per side.
    load_kg
        External load, if any.
    label
        Anything else the ladder changes (tempo, variant), so that a dose change is visible.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sets: Annotated[int, Strict(), Field(ge=1, le=20)]
    reps: Annotated[int, Strict(), Field(ge=1, le=200)]
    hold_s: float = Field(0.0, ge=0, le=3600, allow_inf_nan=False)
    per_side: bool = False
    load_kg: float | None = Field(None, ge=0, le=500, allow_inf_nan=False)
    label: str | None = Field(None, max_length=300)

    @property
    def volume(self) -> float:
        """``sets × reps × hold_s`` for holds (rep-seconds), ``sets × reps`` otherwise."""
        return self.sets * self.reps * (self.hold_s if self.hold_s > 0 else 1.0)

    def set_volume(self, done: DoneSet) -> float:
        """Volume credited for one done set: each repetition's hold counts up to ``hold_s``; a
        hold that was not measured (``done.hold_s`` None) is credited in full."""
        if self.hold_s <= 0:
            return float(done.reps)
        held = self.hold_s if done.hold_s is None else min(done.hold_s, self.hold_s)
        return done.reps * held


class DoneSet(BaseModel):
    """One set as performed.

    Attributes
    ----------
    reps
        Complete repetitions (per side when the dose is per side).
    hold_s
        Mean seconds held per repetition (each counted up to the prescribed hold); None when not
        measured or not a hold.
    form_score
        Camera form score of the set, 0-100, when the coach counted it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reps: Annotated[int, Strict(), Field(ge=0, le=500)]
    hold_s: float | None = Field(None, ge=0, le=3600, allow_inf_nan=False)
    form_score: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)


class SessionLog(BaseModel):
    """One exercise on one day: prescribed vs done, effort, pain and symptoms.

    Attributes
    ----------
    exercise_id
        Library id (snake case).
    date
        Day of the session.
    source
        ``coach`` (camera counted) or ``typed`` (patient entry).
    prescribed, done
        The dose and the sets performed (empty = nothing done).
    rpe
        Effort, Borg CR10 0-10, optional.
    pain_before, pain_during_max, pain_after
        NPRS 0-10 before, at worst during, and after the session.
    next_morning_pain, usual_pain
        Next-morning NPRS and the patient's usual morning NPRS; both or neither (None until the
        next morning is reported).
    symptom_change
        ``centralised``, ``unchanged`` or ``peripheralised``.
    new_neuro_symptoms
        New numbness, weakness, or bladder or bowel change reported with this session: the
        red-flag pathway of clinical reference §9, not the traffic light (§6.1).
    form_pass_rate
        Fraction 0-1 of repetitions with acceptable form (camera or self-report), optional.
    rom_deg
        Mean range of motion of the complete repetitions, degrees, from the coach.
    notes
        Free text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise_id: ExerciseId
    date: dt.date
    source: Literal["coach", "typed"] = "typed"
    prescribed: PrescribedDose
    done: tuple[DoneSet, ...] = ()
    rpe: Annotated[int, Strict(), Field(ge=0, le=10)] | None = None
    pain_before: PainScore
    pain_during_max: PainScore
    pain_after: PainScore
    next_morning_pain: PainScore | None = None
    usual_pain: PainScore | None = None
    symptom_change: SymptomChange = "unchanged"
    new_neuro_symptoms: Annotated[bool, Strict()] = False
    form_pass_rate: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)
    rom_deg: float | None = Field(None, ge=0, le=360, allow_inf_nan=False)
    notes: str = Field("", max_length=2000)

    @field_validator("symptom_change", mode="before")
    @classmethod
    def _symptom_alias(cls, value: object) -> object:
        if isinstance(value, str):
            key = value.strip().lower()
            return _SYMPTOM_ALIASES.get(key, key)
        return value

    @model_validator(mode="after")
    def _morning_pair(self) -> SessionLog:
        if (self.next_morning_pain is None) != (self.usual_pain is None):
            raise ValueError("next_morning_pain and usual_pain must be given together")
        return self

    @property
    def worst_pain(self) -> int:
        """``max(pain_during_max, pain_after)`` (§6.2 ``worst``)."""
        return max(self.pain_during_max, self.pain_after)

    @property
    def next_morning_delta(self) -> int | None:
        """Next-morning pain minus usual pain; None until reported."""
        if self.next_morning_pain is None or self.usual_pain is None:
            return None
        return self.next_morning_pain - self.usual_pain

    @property
    def volume_done(self) -> float:
        """Credited volume of the done sets (see :meth:`PrescribedDose.set_volume`)."""
        return sum(self.prescribed.set_volume(s) for s in self.done)

    @property
    def dose_completion(self) -> float:
        """Done volume / prescribed volume (above 1 when more was done)."""
        return self.volume_done / self.prescribed.volume

    @property
    def full_dose(self) -> bool:
        """The whole prescribed volume was done."""
        return self.dose_completion >= 1.0 - _TOL


def _loc(loc: Sequence[int | str]) -> str:
    """``("sessions", 3, "pain_after")`` -> ``sessions[3].pain_after``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def invalid_input(exc: ValidationError, what: str) -> InvalidResponseError:
    """An :class:`InvalidResponseError` naming the first bad field of a pydantic error.

    The message reads ``"<what>: <field path>: <problem> (got <value>)"``; every error is listed
    in ``detail``.
    """
    errors = exc.errors()
    lines = []
    for err in errors:
        msg = str(err.get("msg", "invalid"))
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        lines.append(f"{_loc(err.get('loc', ()))}: {msg}{shown}")
    first = lines[0] if lines else "invalid input"
    return InvalidResponseError(f"{what}: {first}", detail="; ".join(lines))


def session_log_from_mapping(data: Mapping[str, Any]) -> SessionLog:
    """Validate one session log from untrusted data (JSON object).

    Raises
    ------
    InvalidResponseError
        Any field missing, unknown, of the wrong type or out of range; the message names it.
    """
    try:
        return SessionLog.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input(exc, "session log") from exc


def done_sets(sets: int, reps: int, hold_s: float | None = None) -> tuple[DoneSet, ...]:
    """``sets`` identical done sets (a typed entry such as "2 sets of 8, 10 s holds")."""
    if isinstance(sets, bool) or not isinstance(sets, int) or sets < 0:
        raise InvalidResponseError(f"done sets: {sets!r} is not a whole number ≥ 0")
    try:
        one = DoneSet(reps=reps, hold_s=hold_s)
    except ValidationError as exc:
        raise invalid_input(exc, "done set") from exc
    return (one,) * sets


def typed_log(**fields: Any) -> SessionLog:
    """A patient-typed log (``source="typed"``): the fields of :class:`SessionLog`.

    ``done`` may also be given as ``done_sets``/``done_reps``/``done_hold_s`` numbers.
    Raises :class:`InvalidResponseError` naming the bad field.
    """
    data = dict(fields)
    if "done_sets" in data or "done_reps" in data:
        if "done" in data:
            raise InvalidResponseError("session log: give done or done_sets/done_reps, not both")
        sets = data.pop("done_sets", 1)
        reps = data.pop("done_reps", 0)
        hold = data.pop("done_hold_s", None)
        data["done"] = done_sets(sets, reps, hold)
    data.setdefault("source", "typed")
    return session_log_from_mapping(data)


def _coach_sets(
    report: CoachReport, prescribed: PrescribedDose
) -> tuple[tuple[DoneSet, ...], float | None]:
    """Done sets and form pass rate of a coach report, under ``prescribed``."""
    if report.kind == "hold":
        holds = list(report.holds)
        per_rep = 2 if prescribed.per_side else 1  # a per-side repetition is one hold per side
        group = prescribed.reps * per_rep
        out: list[DoneSet] = []
        for start in range(0, len(holds), group):
            chunk = holds[start : start + group]
            credited = [
                min(h.duration_s, prescribed.hold_s) if prescribed.hold_s > 0 else h.duration_s
                for h in chunk
            ]
            out.append(
                DoneSet(
                    reps=len(chunk) // per_rep,
                    hold_s=round(sum(credited) / len(chunk), 3),
                    form_score=hold_form_score(chunk),
                )
            )
        # A hold is timed only while the form conditions are met, so it passes when it lasted
        # the prescribed time (within the coach's 0.5 s grace) and its form score (form rules,
        # short lapses) is at least the pass score, as for repetitions.
        target = max(prescribed.hold_s - 0.5, 0.0)
        passed = [h.duration_s >= target and h.score >= DEFAULT_PASS_SCORE for h in holds]
        rate = sum(passed) / len(passed) if passed else None
        return tuple(out), rate
    sets = []
    for s in report.sets:
        if prescribed.per_side:
            both = s.reps_left + s.reps_right
            reps = min(s.reps_left, s.reps_right) if both else s.reps // 2
        else:
            reps = s.reps
        sets.append(DoneSet(reps=reps, hold_s=None, form_score=s.form_score))
    complete = [r for r in report.per_rep if r.complete]
    rate = (
        sum(r.score >= DEFAULT_PASS_SCORE for r in complete) / len(complete) if complete else None
    )
    return tuple(sets), rate


def log_from_coach(
    report: CoachReport,
    prescribed: PrescribedDose,
    *,
    date: dt.date,
    pain_before: int,
    pain_during_max: int,
    pain_after: int,
    rpe: int | None = None,
    symptom_change: str = "unchanged",
    next_morning_pain: int | None = None,
    usual_pain: int | None = None,
    notes: str = "",
) -> SessionLog:
    """A session log from the camera coach, plus the patient's pain reports.

    Done sets come from ``report.sets`` (repetitions; per side = the smaller side's count, or
    half when the coach saw no sides) or from ``report.holds`` (grouped ``prescribed.reps`` holds
    per set, twice that when per side; each hold credited up to the prescribed hold).
    ``form_pass_rate`` = fraction of complete repetitions scoring ≥ 80 (PROJECT DEFAULT
    :data:`DEFAULT_PASS_SCORE`), or of holds that lasted the prescribed time and score as much.
    ``rom_deg`` = mean range of the complete repetitions when the coach measured it in degrees.

    Raises
    ------
    InvalidResponseError
        A pain, effort or other field out of range; the message names it.
    """
    sets, rate = _coach_sets(report, prescribed)
    roms = [r.rom for r in report.per_rep if r.complete and r.rom_unit == "deg"]
    return session_log_from_mapping(
        {
            "exercise_id": report.exercise,
            "date": date,
            "source": "coach",
            "prescribed": prescribed,
            "done": sets,
            "rpe": rpe,
            "pain_before": pain_before,
            "pain_during_max": pain_during_max,
            "pain_after": pain_after,
            "next_morning_pain": next_morning_pain,
            "usual_pain": usual_pain,
            "symptom_change": symptom_change,
            "form_pass_rate": rate,
            "rom_deg": round(sum(roms) / len(roms), 2) if roms else None,
            "notes": notes,
        }
    )


def with_next_morning(log: SessionLog, next_morning_pain: int, usual_pain: int) -> SessionLog:
    """The log with the next-morning report added (validated)."""
    data = log.model_dump()
    data.update(next_morning_pain=next_morning_pain, usual_pain=usual_pain)
    return session_log_from_mapping(data)


def check_logs(logs: Iterable[SessionLog]) -> tuple[SessionLog, ...]:
    """The logs sorted by date then exercise; one log per exercise per day.

    Raises
    ------
    InvalidResponseError
        Two logs of the same exercise on the same day (names them).
    """
    out = sorted(logs, key=lambda log: (log.date, log.exercise_id))
    for a, b in itertools.pairwise(out):
        if (a.date, a.exercise_id) == (b.date, b.exercise_id):
            raise InvalidResponseError(
                f"session logs: {a.exercise_id} is logged twice on {a.date.isoformat()}; "
                "keep one log per exercise per day"
            )
    return tuple(out)
