"""Frozen pydantic models of one exercise-library entry and its parts.

Input is one mapping per entry as read from a library YAML file; output is an :class:`Exercise`.
Durations are in seconds (``_s``) or minutes (``_min``); camera targets keep the units of their
expression (degrees for angles, trunk lengths for ``disp``/distances, plain ratios otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Category = Literal[
    "motor_control", "strength", "stretch", "mobility", "manual_therapy", "education"
]
PatientGroup = Literal["flexion_intolerant", "extension_intolerant", "acute_high_irritability"]
SuitabilityLevel = Literal["suitable", "caution", "test", "avoid"]
DirectionalBias = Literal["none", "neutral", "flexion", "extension", "rotation", "lateral"]
Basis = Literal["literature", "project_default"]
CameraSupport = Literal["full", "partial", "none"]
CameraView = Literal[
    "sagittal",
    "frontal",
    "frontal_facing_body",
    "sagittal_and_frontal",
    "overhead",
    "overhead_or_from_feet",
]

#: The categories, in the order of the shared library's ``conventions.categories``.
CATEGORIES: Final[tuple[Category, ...]] = get_args(Category)
#: The patient groups every entry's ``suitability`` rates.
PATIENT_GROUPS: Final[tuple[PatientGroup, ...]] = get_args(PatientGroup)
#: The suitability levels, from most to least permissive.
SUITABILITY_LEVELS: Final[tuple[SuitabilityLevel, ...]] = get_args(SuitabilityLevel)
#: The directional biases (``none``: not a spinal movement; ``neutral``: spine held neutral).
DIRECTIONAL_BIASES: Final[tuple[DirectionalBias, ...]] = get_args(DirectionalBias)

#: Pattern of ids (exercises, metrics, muscles, equipment, positions).
SNAKE_CASE: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
#: Pattern of reference ids (``S23``; clinics may add their own, e.g. ``CLINIC_1``).
SOURCE_ID: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

SnakeId = Annotated[str, StringConstraints(pattern=SNAKE_CASE.pattern, max_length=80)]
SourceId = Annotated[str, StringConstraints(pattern=SOURCE_ID.pattern, max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
Count = Annotated[int, Field(strict=True, ge=1)]
Seconds = Annotated[float, Field(strict=True, gt=0.0)]
RestSeconds = Annotated[float, Field(strict=True, ge=0.0)]
Minutes = Annotated[float, Field(strict=True, gt=0.0)]
Flag = Annotated[bool, Field(strict=True)]
Number = Annotated[float, Field(strict=True)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Dose(_Frozen):
    """Default dose of an exercise (the starting rung of its ladder, clinical reference §6.3).

    Every field is optional except ``basis``; the family decides which apply (holds have
    ``hold_s``, manual therapy has ``duration_s``/``contraction_s``, education has ``sessions``).
    """

    sets: Count | None = None
    reps: Count | None = Field(None, description="repetitions per set (per side if per_side)")
    hold_s: Seconds | None = Field(None, description="hold per repetition")
    rest_s: RestSeconds | None = Field(None, description="rest between repetitions or sets")
    duration_s: Seconds | None = Field(None, description="duration of one bout (manual therapy)")
    duration_min: Minutes | None = Field(None, description="duration of a session or walk")
    contraction_s: Seconds | None = Field(None, description="isometric contraction (MET, PNF)")
    relax_stretch_s: Seconds | None = Field(None, description="stretch after relaxing (PNF)")
    stretch_after_s: Seconds | None = Field(None, description="stretch after contracting (MET)")
    effort_pct_max: Annotated[float, Field(strict=True, gt=0.0, le=100.0)] | None = Field(
        None, description="contraction effort, percent of maximum"
    )
    attempts_max: Count | None = Field(None, description="most attempts per visit")
    sessions: Count | None = Field(None, description="number of education sessions")
    frequency: Text | None = Field(None, description="free text, e.g. 'daily', '3x/week'")
    per_side: Flag = Field(False, description="reps and sets are counted for each side")
    tempo: Text | None = None
    scheme: Text | None = Field(None, description="set scheme, e.g. a descending pyramid")
    load: Text | None = Field(None, description="load prescription, e.g. '8-12 RM'")
    progression_rule: Text | None = None
    basis: Basis


class Suitability(_Frozen):
    """Suitability of an exercise for each patient group (clinical reference §6.4).

    Behaves as a read-only mapping: ``s["flexion_intolerant"]``, ``dict(s.items())``.
    """

    flexion_intolerant: SuitabilityLevel
    extension_intolerant: SuitabilityLevel
    acute_high_irritability: SuitabilityLevel

    def __getitem__(self, group: PatientGroup) -> SuitabilityLevel:
        if group not in PATIENT_GROUPS:
            raise KeyError(group)
        level: SuitabilityLevel = getattr(self, group)
        return level

    def items(self) -> Iterator[tuple[PatientGroup, SuitabilityLevel]]:
        """Pairs of (group, level) in :data:`PATIENT_GROUPS` order."""
        return ((g, self[g]) for g in PATIENT_GROUPS)


class Metric(_Frozen):
    """One camera-measured quantity and its target while the exercise is done well.

    ``expr`` uses the helpers of the library ``conventions`` (``interior``, ``incl_vertical``,
    ``disp``...). ``target`` is an inclusive ``(low, high)`` range in the expression's unit, or a
    text rule where no single range applies (sex-specific limits, oscillations).
    """

    id: SnakeId
    expr: Text
    target: tuple[Number, Number] | Text
    phase: SnakeId | None = Field(None, description="movement phase the target applies to")
    basis: Basis

    @model_validator(mode="after")
    def _ordered_range(self) -> Metric:
        if isinstance(self.target, tuple) and self.target[0] > self.target[1]:
            raise ValueError(f"target low {self.target[0]} is above high {self.target[1]}")
        return self


class HoldRep(_Frozen):
    """A repetition is a hold: the timer runs while every hold condition is inside its target."""

    type: Literal["hold"]
    target_hold_s: Seconds
    hold_conditions: tuple[SnakeId, ...] = Field(min_length=1)


class CycleRep(_Frozen):
    """A repetition is a cycle: ``signal`` leaves ``start_zone``, passes ``end_threshold``, returns.

    ``start_zone`` and ``end_threshold`` are comparisons such as ``"<= 100"`` in the signal's
    unit, or words where the signal is qualitative (``"side"``, ``"front"``).
    """

    type: Literal["cycle"]
    signal: Text
    start_zone: Text
    end_threshold: Text
    min_cycle_s: Seconds | None = None


Rep = Annotated[HoldRep | CycleRep, Field(discriminator="type")]


class CameraFault(_Frozen):
    """A form fault the camera can flag, and what the patient is told."""

    id: SnakeId
    rule: Text
    message: Text


class CameraCheck(_Frozen):
    """What a camera can check for this exercise (clinical reference §7.1).

    ``supported: none`` entries carry at most ``limitations``; the others need a view,
    landmarks, metrics and a repetition rule whose metric names all exist.
    """

    supported: CameraSupport
    view: CameraView | None = None
    landmarks: tuple[Text, ...] = ()
    metrics: tuple[Metric, ...] = ()
    rep: Rep | None = None
    faults: tuple[CameraFault, ...] = ()
    limitations: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CameraCheck:
        if self.supported == "none":
            extra = [
                name
                for name in ("view", "landmarks", "metrics", "rep", "faults")
                if getattr(self, name)
            ]
            if extra:
                raise ValueError(f"supported is 'none' but {', '.join(extra)} given")
            return self
        missing = [
            name for name in ("view", "landmarks", "metrics", "rep") if not getattr(self, name)
        ]
        if missing:
            raise ValueError(f"supported is '{self.supported}' but {', '.join(missing)} missing")
        ids = [m.id for m in self.metrics]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate metric ids in {ids}")
        if isinstance(self.rep, HoldRep):
            unknown = [c for c in self.rep.hold_conditions if c not in ids]
            if unknown:
                raise ValueError(f"hold_conditions {unknown} are not metric ids {ids}")
        elif isinstance(self.rep, CycleRep):
            signal = self.rep.signal
            if SNAKE_CASE.match(signal) and signal not in ids:
                raise ValueError(f"rep signal '{signal}' is not a metric id {ids}")
        return self


class Exercise(_Frozen):
    """One library entry: what the exercise is, its dose, links, texts, safety and camera check.

    ``name``, ``form_cues``, ``common_faults`` and ``content`` are shown to patients;
    ``contraindications``, ``record_fields`` and ``grades`` are for the clinician.
    """

    id: SnakeId
    name: Text
    category: Category
    subcategory: SnakeId | None = None
    target_muscles: tuple[SnakeId, ...] = ()
    position: SnakeId
    equipment: tuple[SnakeId, ...] = ()
    default_dose: Dose
    progression_ids: tuple[SnakeId, ...] = ()
    regression_ids: tuple[SnakeId, ...] = ()
    form_cues: tuple[Text, ...] = ()
    common_faults: tuple[Text, ...] = ()
    contraindications: tuple[Text, ...] = ()
    content: tuple[Text, ...] = Field((), description="key messages of an education module")
    record_fields: tuple[Text, ...] = Field((), description="what a clinician records")
    grades: Mapping[str, Text] | None = Field(None, description="technique grades, e.g. Maitland")
    directional_bias: DirectionalBias
    suitability: Suitability
    camera_check: CameraCheck
    sources: tuple[SourceId, ...] = Field(min_length=1)

    def __hash__(self) -> int:
        # By id: consistent with field equality, and works although ``grades`` is a mapping.
        return hash((type(self), self.id))

    @model_validator(mode="after")
    def _sound_links(self) -> Exercise:
        for name in ("progression_ids", "regression_ids"):
            ids: tuple[str, ...] = getattr(self, name)
            if self.id in ids:
                raise ValueError(f"{name} lists the exercise itself ('{self.id}')")
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name} repeats an id: {list(ids)}")
        both = set(self.progression_ids) & set(self.regression_ids)
        if both:
            raise ValueError(f"ids both a progression and a regression: {sorted(both)}")
        return self


class Conventions(_Frozen):
    """How camera expressions are read: helpers, derived angles, axes and repetition logic."""

    landmark_set: SnakeId
    side_placeholder: Text
    image_axes: Text
    angle_functions: Mapping[str, Text]
    derived: Mapping[str, Text]
    rep_counting: Mapping[str, Text]
