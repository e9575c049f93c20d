"""Declarative movement specs: which signal drives a repetition, its zones, and the form rules.

Input: ``coach/data/specs.yaml`` (package data) keyed by exercise id. Output: validated, frozen
:class:`MovementSpec` objects for the generic engine. Units are in the field names; signals and
angles are named from :mod:`backrehab.coach.signals` and the angle table.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backrehab.coach.signals import signal_named
from backrehab.errors import ConfigError
from backrehab.yamlfile import load_strict_yaml


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: The camera views a check can be bound to (``any``: judged from every view).
CameraView = Literal["any", "frontal", "sagittal"]


class FormRule(_Frozen):
    """A constraint on a signal during part of a repetition, with the cue to show."""

    id: str
    signal: str
    min: float | None = None
    max: float | None = None
    phase: Literal["peak", "rep", "hold"] = "rep"
    min_fraction: float = Field(0.3, gt=0, le=1, description="share of the phase's frames")
    cue: str
    weight: float = Field(25.0, gt=0, le=100, description="form-score points lost per rep")
    view: CameraView = Field(
        "any", description="judged only from this camera view (e.g. knee valgus: frontal)"
    )
    view_tolerance_deg: float = Field(30.0, gt=0, le=45)


class HoldCondition(_Frozen):
    """A signal range that must hold: for the hold timer to run, or (``position``) for the
    person to be in the exercise position at all.

    A hold condition bound to a ``view`` can be judged only from that camera view (yaw within
    ``view_tolerance_deg``); from another view the hold is not timed and the coach asks the
    person to turn instead of cueing on a measurement the view cannot back up.
    """

    signal: str
    min: float | None = None
    max: float | None = None
    cue: str
    view: CameraView = "any"
    view_tolerance_deg: float = Field(30.0, gt=0, le=45)


class MovementSpec(_Frozen):
    """How the coach follows one exercise.

    A repetition leaves the start zone (signal beyond ``start`` by ``hysteresis``), reaches the end
    zone (signal at or beyond ``end``) and returns to the start zone. ``end`` may be below or
    above ``start``; the direction follows. A return without reaching the end zone, after moving
    at least ``partial_fraction`` of the way, is a partial repetition. ``start_in_end_zone`` lets
    a set begin in the end position (a deadlift lifted from the floor). Nothing shorter than
    ``min_rep_s`` is a repetition or a partial (a tracking glitch).

    ``position`` conditions say what the exercise position is (lying, on all fours): while one
    fails nothing is counted, and a repetition begun is dropped (or, if it had reached the end
    zone, kept as a partial). With ``follow_side`` the drive is read from ``side_signals``: a
    repetition follows the limb that moves (the one further towards the end zone), and pauses
    while that limb cannot be seen instead of reading the resting limb as a return.
    """

    exercise_id: str
    kind: Literal["reps", "hold"]
    view_note: str = ""
    signal: str = ""
    signal_unit: str = ""
    start: float = 0.0
    end: float = 0.0
    hysteresis: float = Field(0.0, ge=0)
    partial_fraction: float = Field(0.5, gt=0, lt=1)
    min_rep_s: float = Field(0.6, ge=0)
    max_rep_s: float = Field(20.0, gt=0)
    start_in_end_zone: bool = False
    rom_signal: str = ""
    side_signals: tuple[str, str] | None = Field(
        None, description="(left, right): the side with the larger excursion owns the rep"
    )
    follow_side: bool = Field(False, description="drive from the moving side's signal")
    position: tuple[HoldCondition, ...] = ()
    form_rules: tuple[FormRule, ...] = ()
    hold_conditions: tuple[HoldCondition, ...] = ()
    grace_s: float = Field(0.5, ge=0, description="hold: lapse allowed (§7.1)")
    min_hold_s: float = Field(2.0, ge=0)
    lapse_weight: float = Field(
        10.0,
        ge=0,
        le=100,
        description="hold: form-score points lost per condition that lapsed and recovered "
        "within the grace period (PROJECT DEFAULT)",
    )
    set_break_s: float = Field(15.0, gt=0, description="idle this long starts a new set")

    @model_validator(mode="after")
    def _check(self) -> MovementSpec:
        names = [r.signal for r in self.form_rules] + [c.signal for c in self.hold_conditions]
        names += [c.signal for c in self.position]
        if self.follow_side and not self.side_signals:
            raise ValueError("follow_side needs side_signals")
        if any(c.view != "any" for c in self.position):
            raise ValueError("position conditions are judged from every view: drop their 'view'")
        if self.kind == "reps":
            names.append(self.signal)
            if self.start == self.end:
                raise ValueError("start and end must differ")
            if self.hysteresis >= abs(self.end - self.start) / 2:
                raise ValueError("hysteresis must be under half the start-end distance")
        elif not self.hold_conditions:
            raise ValueError("a hold needs hold_conditions")
        if self.rom_signal:
            names.append(self.rom_signal)
        if self.side_signals:
            names.extend(self.side_signals)
        for name in names:
            try:
                signal_named(name)
            except KeyError:
                raise ValueError(f"unknown signal '{name}'") from None
        return self

    @property
    def needs_yaw(self) -> bool:
        """A form rule or hold condition is bound to a camera view (the yaw is computed)."""
        return any(r.view != "any" for r in self.form_rules) or any(
            c.view != "any" for c in self.hold_conditions
        )

    @property
    def direction(self) -> float:
        """+1 when the signal rises towards the end zone, -1 when it falls."""
        return 1.0 if self.end > self.start else -1.0


def _load(text: str, origin: str) -> dict[str, MovementSpec]:
    data = load_strict_yaml(text, origin, ConfigError)
    if not isinstance(data, dict) or not isinstance(data.get("specs"), dict):
        raise ConfigError(f"{origin} must have a top-level 'specs' mapping of exercise ids.")
    out: dict[str, MovementSpec] = {}
    for exercise_id, body in data["specs"].items():
        try:
            out[exercise_id] = MovementSpec.model_validate({"exercise_id": exercise_id, **body})
        except (ValidationError, TypeError) as exc:
            raise ConfigError(
                f"{origin}: movement spec '{exercise_id}' is invalid: {exc}", detail=str(exc)
            ) from exc
    return out


@functools.cache
def packaged_specs() -> dict[str, MovementSpec]:
    """The movement specs shipped with backrehab."""
    text = resources.files("backrehab.coach.data").joinpath("specs.yaml").read_text("utf-8")
    return _load(text, "coach/data/specs.yaml")


def clinic_specs() -> dict[str, MovementSpec]:
    """Movement specs a clinic adds without code: ``*.specs.yaml`` files (same format as the
    packaged file) in ``$BACKREHAB_EXERCISES_DIR``; a clinic spec replaces a packaged one.

    Raises
    ------
    ConfigError
        A file is unreadable or invalid, or a spec names an exercise that is neither in the
        library nor in the clinic's exercise files (the message names the file and the id).
    """
    from backrehab.exercises.library import ENV_EXERCISES_DIR, SPEC_FILE_SUFFIXES, load_library

    folder = os.environ.get(ENV_EXERCISES_DIR, "").strip()
    out: dict[str, MovementSpec] = {}
    if not folder:
        return out
    paths = sorted(
        p
        for p in Path(folder).expanduser().glob("*")
        if p.is_file() and p.name.lower().endswith(SPEC_FILE_SUFFIXES)
    )
    if not paths:
        return out
    library = load_library()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}.", detail=str(exc)) from exc
        specs = _load(text, str(path))
        unknown = sorted(i for i in specs if i not in library)
        if unknown:
            raise ConfigError(
                f"{path}: movement spec for {', '.join(repr(u) for u in unknown)}, which is not "
                "an exercise of the library; add the exercise to a clinic exercise file first."
            )
        out.update(specs)
    return out


def all_specs() -> dict[str, MovementSpec]:
    """Packaged specs overlaid by the clinic's."""
    return {**packaged_specs(), **clinic_specs()}


def spec_for(exercise_id: str) -> MovementSpec:
    """The movement spec of an exercise; unknown ids list the exercises the coach follows."""
    specs = all_specs()
    if exercise_id not in specs:
        from backrehab.exercises import load_library

        library = load_library()
        if exercise_id in library:
            raise ConfigError(
                f"'{exercise_id}' ({library.get(exercise_id).name}) is in the exercise library, "
                "but the camera coach cannot follow it yet. Exercises it follows: "
                f"{', '.join(sorted(specs))}."
            )
        raise ConfigError(
            f"The camera coach has no movement spec for '{exercise_id}'. Exercises it follows: "
            f"{', '.join(sorted(specs))}."
        )
    return specs[exercise_id]
