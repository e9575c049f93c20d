"""Input and result models for RULA and REBA, and their conversion to and from plain data.

Inputs are body angles in degrees (signed; see ``docs/ergonomics-angles.md``), yes/no posture
adjustments, loads in kg and the method's categorical items. Outputs are the frozen score models,
JSON-ready dicts and :class:`~backrehab.assess.findings.Finding` records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab.assess.findings import Domain, Finding, Severity
from backrehab.ergonomics.tables import (
    REBA_ACTION_LEVELS,
    RULA_ACTION_LEVELS,
    ActionLevel,
)
from backrehab.errors import ConfigError, InvalidResponseError

Method = Literal["rula", "reba"]
ForcePattern = Literal["intermittent", "static", "repeated"]
Coupling = Literal["good", "fair", "poor", "unacceptable"]
Side = Literal["left", "right", "bilateral", "none"]

#: The methods :func:`from_dict` knows.
METHODS: Final[tuple[Method, ...]] = ("rula", "reba")

#: Largest allowed ``neutral_tolerance_deg`` (well below the smallest band, 10° for the neck).
MAX_NEUTRAL_TOLERANCE_DEG: Final = 5.0

_SIDES: Final[tuple[str, ...]] = ("left", "right", "bilateral", "none")

# Physical-range limits shared by both methods. Generous enough for keypoint measurements, tight
# enough to catch unit mistakes (0-360 wrap-around, typos such as 400).
UpperArmDeg = Annotated[float, Field(ge=-180.0, le=240.0)]
ElbowDeg = Annotated[float, Field(ge=-30.0, le=180.0)]
WristDeg = Annotated[float, Field(ge=-120.0, le=120.0)]
NeckDeg = Annotated[float, Field(ge=-120.0, le=120.0)]
TrunkDeg = Annotated[float, Field(ge=-90.0, le=180.0)]
KneeDeg = Annotated[float, Field(ge=-30.0, le=180.0)]
LoadKg = Annotated[float, Field(ge=0.0, le=1000.0)]


class _AngleInput(BaseModel):
    """Shared configuration: frozen, unknown keys refused, strict types, finite numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    #: Fields whose ``None`` default means "same value as another field" (name of that field).
    _linked: ClassVar[dict[str, str]] = {}

    def assumptions(self) -> tuple[str, ...]:
        """One text per optional input that was not given, saying what was assumed instead.

        An input counts as given when it was passed explicitly (even with its default value).
        """
        out: list[str] = []
        for name, info in type(self).model_fields.items():
            if info.is_required():
                continue
            value = getattr(self, name)
            if name in self._linked and value is None:
                source = self._linked[name]
                out.append(
                    f"{name} not given; taken from {source} ({json.dumps(getattr(self, source))})"
                )
            elif name not in self.model_fields_set:
                out.append(f"{name} not given; assumed {json.dumps(value)}")
        return tuple(out)


class RulaInput(_AngleInput):
    """Angles and adjustments for one RULA assessment (one body side at a time).

    Angles are in degrees; required angles can be measured from a sagittal (side) view. Every
    other field is optional: when it is not given the risk factor is assumed absent (or the
    posture neutral) and the score lists it in ``assumptions``.

    Attributes
    ----------
    upper_arm_flexion_deg
        Shoulder flexion, arm vs trunk line: 0 = arm along the trunk, + = forward (flexion),
        - = behind the trunk (extension). -180 to 240 (above 180 = past overhead).
    shoulder_raised, upper_arm_abducted
        +1 each to the upper-arm score. Need a frontal view.
    arm_supported_or_leaning
        -1 to the upper-arm score (never below 1): the arm's weight is supported or the person
        leans on it.
    lower_arm_flexion_deg
        Elbow flexion, 0 = straight arm (``180 - interior(shoulder, elbow, wrist)``); -30 to 180.
    lower_arm_across_midline_or_out_to_side
        +1 to the lower-arm score.
    wrist_flexion_deg
        Wrist flexion (+) or extension (-) from neutral; -120 to 120. Needs hand landmarks;
        assumed 0 (neutral) when not given.
    wrist_bent_from_midline
        +1 to the wrist score (radial or ulnar deviation).
    wrist_twist
        1 = twisted mainly in mid-range, 2 = at or near the end of the twisting range.
    neck_flexion_deg
        Neck flexion (+) or extension (-) relative to the trunk, after the neutral-standing
        offset is removed; -120 to 120.
    neck_twisted, neck_side_bending
        +1 each to the neck score.
    trunk_flexion_deg
        Trunk inclination from vertical: + = forward (flexion), - = backward (extension);
        -90 to 180.
    trunk_sitting_well_supported
        Seated with the trunk well supported and a hip-trunk angle of 90° or more: an upright or
        reclined trunk then scores 1 (see :func:`~backrehab.ergonomics.rula.score_rula`).
    trunk_twisted, trunk_side_bending
        +1 each to the trunk score.
    legs_supported_balanced
        True (score 1): legs and feet supported, weight evenly balanced; False (score 2): not.
    muscle_use_arm, muscle_use_neck_trunk_legs
        +1 to the group's score when its posture is mainly static (held > 1 min) or the action
        is repeated more than 4 times per minute.
    force_load_arm_kg, force_pattern_arm, force_shock_or_rapid_buildup_arm
        Load or force handled by the arm/wrist group, in kg (0-1000), its pattern
        (``intermittent``, ``static`` or ``repeated``), and shock or rapid build-up.
    force_load_neck_trunk_legs_kg, force_pattern_neck_trunk_legs,
    force_shock_or_rapid_buildup_neck_trunk_legs
        The same for the neck/trunk/legs group; when not given (or null) the arm/wrist value is
        used.
    """

    upper_arm_flexion_deg: UpperArmDeg
    shoulder_raised: bool = False
    upper_arm_abducted: bool = False
    arm_supported_or_leaning: bool = False
    lower_arm_flexion_deg: ElbowDeg
    lower_arm_across_midline_or_out_to_side: bool = False
    wrist_flexion_deg: WristDeg = 0.0
    wrist_bent_from_midline: bool = False
    wrist_twist: int = Field(1, ge=1, le=2)
    neck_flexion_deg: NeckDeg
    neck_twisted: bool = False
    neck_side_bending: bool = False
    trunk_flexion_deg: TrunkDeg
    trunk_sitting_well_supported: bool = False
    trunk_twisted: bool = False
    trunk_side_bending: bool = False
    legs_supported_balanced: bool = True
    muscle_use_arm: bool = False
    muscle_use_neck_trunk_legs: bool = False
    force_load_arm_kg: LoadKg = 0.0
    force_pattern_arm: ForcePattern = "intermittent"
    force_shock_or_rapid_buildup_arm: bool = False
    force_load_neck_trunk_legs_kg: LoadKg | None = None
    force_pattern_neck_trunk_legs: ForcePattern | None = None
    force_shock_or_rapid_buildup_neck_trunk_legs: bool | None = None

    _linked: ClassVar[dict[str, str]] = {
        "force_load_neck_trunk_legs_kg": "force_load_arm_kg",
        "force_pattern_neck_trunk_legs": "force_pattern_arm",
        "force_shock_or_rapid_buildup_neck_trunk_legs": "force_shock_or_rapid_buildup_arm",
    }


class RebaInput(_AngleInput):
    """Angles and adjustments for one REBA assessment (group B: one arm at a time).

    Angles are in degrees with the same zero positions and signs as :class:`RulaInput`. Optional
    fields not given are assumed absent (or neutral) and listed in the score's ``assumptions``.

    Attributes
    ----------
    trunk_flexion_deg
        Trunk inclination from vertical: + = flexion, - = extension; -90 to 180.
    trunk_twisted_or_side_flexed
        +1 to the trunk score, once, whether twisted, side-flexed or both.
    neck_flexion_deg
        Neck flexion (+) or extension (-) relative to the trunk; -120 to 120.
    neck_twisted_or_side_flexed
        +1 to the neck score, once.
    legs_bilateral_weight_bearing
        True (score 1): weight on both feet, or walking; False (score 2): one leg, feather weight
        bearing or an unstable posture. Sitting always scores 1.
    sitting
        The person sits: legs score 1 and the +2 for knees above 60° does not apply.
    knee_flexion_deg
        Flexion of the (more flexed) weight-bearing knee, 0 = straight
        (``180 - interior(hip, knee, ankle)``); -30 to 180. +1 for 30-60°, +2 above 60°.
    load_kg, load_shock_or_rapid_buildup
        Load or force handled, in kg (0-1000): 0 below 5 kg, 1 for 5-10 kg, 2 above 10 kg; +1 for
        shock or a rapid build-up of force.
    upper_arm_flexion_deg
        As in :class:`RulaInput`; -180 to 240.
    upper_arm_abducted_or_rotated, shoulder_raised
        +1 each to the upper-arm score.
    arm_supported_leaning_or_gravity_assisted
        -1 to the upper-arm score (never below 1).
    lower_arm_flexion_deg
        Elbow flexion, 0 = straight; -30 to 180.
    wrist_flexion_deg
        Wrist flexion (+) or extension (-); -120 to 120; assumed 0 when not given.
    wrist_deviated_or_twisted
        +1 to the wrist score.
    coupling
        Hand hold quality: ``good`` (0), ``fair`` (1), ``poor`` (2), ``unacceptable`` (3).
    activity_static_over_1_min, activity_repeated_over_4_per_min,
    activity_rapid_large_changes_or_unstable_base
        +1 each to the activity score: a body part held static > 1 min; small-range actions
        repeated > 4 times/min (not walking); rapid large posture changes or an unstable base.
    """

    trunk_flexion_deg: TrunkDeg
    trunk_twisted_or_side_flexed: bool = False
    neck_flexion_deg: NeckDeg
    neck_twisted_or_side_flexed: bool = False
    legs_bilateral_weight_bearing: bool = True
    sitting: bool = False
    knee_flexion_deg: KneeDeg
    load_kg: LoadKg = 0.0
    load_shock_or_rapid_buildup: bool = False
    upper_arm_flexion_deg: UpperArmDeg
    upper_arm_abducted_or_rotated: bool = False
    shoulder_raised: bool = False
    arm_supported_leaning_or_gravity_assisted: bool = False
    lower_arm_flexion_deg: ElbowDeg
    wrist_flexion_deg: WristDeg = 0.0
    wrist_deviated_or_twisted: bool = False
    coupling: Coupling = "good"
    activity_static_over_1_min: bool = False
    activity_repeated_over_4_per_min: bool = False
    activity_rapid_large_changes_or_unstable_base: bool = False


class RulaScore(BaseModel):
    """A RULA result with every sub-score named.

    Attributes
    ----------
    upper_arm, lower_arm, wrist, wrist_twist
        Group A body-part scores after adjustments (1-6, 1-3, 1-4, 1-2).
    posture_a
        Table A score (1-9).
    muscle_a, force_a
        Muscle-use (0-1) and force/load (0-3) scores of the arm/wrist group.
    score_c
        Wrist and arm score ``posture_a + muscle_a + force_a`` (1-13; Table C reads 8+ as 8).
    neck, trunk, legs
        Group B body-part scores (1-6, 1-6, 1-2).
    posture_b
        Table B score (1-9).
    muscle_b, force_b
        Muscle-use and force/load scores of the neck/trunk/legs group.
    score_d
        Neck, trunk and leg score ``posture_b + muscle_b + force_b`` (1-13; Table C reads 7+ as 7).
    grand
        RULA grand score (1-7).
    action_level, risk, action, advice
        Action level (1-4), its short label, what RULA asks for, and posture advice.
    assumptions
        Inputs that were not given and what was assumed for them.
    neutral_tolerance_deg
        The neutral band used for the "exactly neutral" boundaries (0 = the published rule).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    SUB_SCORES: ClassVar[tuple[str, ...]] = (
        "upper_arm",
        "lower_arm",
        "wrist",
        "wrist_twist",
        "posture_a",
        "muscle_a",
        "force_a",
        "score_c",
        "neck",
        "trunk",
        "legs",
        "posture_b",
        "muscle_b",
        "force_b",
        "score_d",
    )

    method: Literal["rula"] = "rula"
    upper_arm: int = Field(ge=1, le=6)
    lower_arm: int = Field(ge=1, le=3)
    wrist: int = Field(ge=1, le=4)
    wrist_twist: int = Field(ge=1, le=2)
    posture_a: int = Field(ge=1, le=9)
    muscle_a: int = Field(ge=0, le=1)
    force_a: int = Field(ge=0, le=3)
    score_c: int = Field(ge=1, le=13)
    neck: int = Field(ge=1, le=6)
    trunk: int = Field(ge=1, le=6)
    legs: int = Field(ge=1, le=2)
    posture_b: int = Field(ge=1, le=9)
    muscle_b: int = Field(ge=0, le=1)
    force_b: int = Field(ge=0, le=3)
    score_d: int = Field(ge=1, le=13)
    grand: int = Field(ge=1, le=7)
    action_level: int = Field(ge=1, le=4)
    risk: str
    action: str
    advice: str
    assumptions: tuple[str, ...] = ()
    neutral_tolerance_deg: float = 0.0

    def sub_scores(self) -> dict[str, int]:
        """Every sub-score by name, in worksheet order (without the grand score)."""
        return {name: int(getattr(self, name)) for name in self.SUB_SCORES}


class RebaScore(BaseModel):
    """A REBA result with every sub-score named.

    Attributes
    ----------
    trunk, neck, legs
        Group A body-part scores after adjustments (1-5, 1-3, 1-4).
    posture_a
        Table A score (1-9).
    load
        Load/force score (0-3).
    score_a
        ``posture_a + load`` (1-12).
    upper_arm, lower_arm, wrist
        Group B body-part scores (1-6, 1-2, 1-3).
    posture_b
        Table B score (1-9).
    coupling
        Coupling score (0-3).
    score_b
        ``posture_b + coupling`` (1-12).
    table_c
        Table C score (1-12).
    activity
        Activity score (0-3).
    grand
        REBA score ``table_c + activity`` (1-15).
    action_level, risk, action, advice
        Action level (0-4), risk word, what REBA asks for, and posture advice.
    assumptions
        Inputs that were not given and what was assumed for them.
    neutral_tolerance_deg
        The neutral band used for the "exactly neutral" boundaries (0 = the published rule).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    SUB_SCORES: ClassVar[tuple[str, ...]] = (
        "trunk",
        "neck",
        "legs",
        "posture_a",
        "load",
        "score_a",
        "upper_arm",
        "lower_arm",
        "wrist",
        "posture_b",
        "coupling",
        "score_b",
        "table_c",
        "activity",
    )

    method: Literal["reba"] = "reba"
    trunk: int = Field(ge=1, le=5)
    neck: int = Field(ge=1, le=3)
    legs: int = Field(ge=1, le=4)
    posture_a: int = Field(ge=1, le=9)
    load: int = Field(ge=0, le=3)
    score_a: int = Field(ge=1, le=12)
    upper_arm: int = Field(ge=1, le=6)
    lower_arm: int = Field(ge=1, le=2)
    wrist: int = Field(ge=1, le=3)
    posture_b: int = Field(ge=1, le=9)
    coupling: int = Field(ge=0, le=3)
    score_b: int = Field(ge=1, le=12)
    table_c: int = Field(ge=1, le=12)
    activity: int = Field(ge=0, le=3)
    grand: int = Field(ge=1, le=15)
    action_level: int = Field(ge=0, le=4)
    risk: str
    action: str
    advice: str
    assumptions: tuple[str, ...] = ()
    neutral_tolerance_deg: float = 0.0

    def sub_scores(self) -> dict[str, int]:
        """Every sub-score by name, in worksheet order (without the grand score)."""
        return {name: int(getattr(self, name)) for name in self.SUB_SCORES}


ErgonomicsInput = RulaInput | RebaInput
ErgonomicsScore = RulaScore | RebaScore


def check_neutral_tolerance(neutral_tolerance_deg: float) -> float:
    """``neutral_tolerance_deg`` if it is a finite number from 0 to 5, else :class:`ConfigError`."""
    value = neutral_tolerance_deg
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0.0 <= value <= MAX_NEUTRAL_TOLERANCE_DEG
    ):
        raise ConfigError(
            f"neutral_tolerance_deg must be a number from 0 to {MAX_NEUTRAL_TOLERANCE_DEG:g}.",
            detail=f"got {value!r}",
        )
    return float(value)


def check_method(method: object) -> Method:
    """The method name in lower case, or :class:`InvalidResponseError` listing the methods."""
    name = method.strip().lower() if isinstance(method, str) else method
    for known in METHODS:
        if name == known:
            return known
    raise InvalidResponseError(
        f"Unknown ergonomics method {method!r}; choose one of: {', '.join(METHODS)}.",
        detail=f"method={method!r}",
    )


def _describe(err: Mapping[str, Any]) -> str:
    """One pydantic error as "field: problem" text."""
    field = ".".join(str(p) for p in err["loc"]) or "(input)"
    kind = err["type"]
    if kind == "missing":
        return f"'{field}' is required"
    if kind == "extra_forbidden":
        return f"'{field}' is not a known field"
    return f"'{field}': {err['msg']}"


FILE_SIDES: Final[tuple[str, ...]] = ("left", "right")
"""Values of the optional ``side`` key of an angles file: the body side the angles describe."""


def side_from_dict(data: Mapping[str, Any]) -> Side:
    """The body side an angles file describes: its optional ``side`` key, else ``"none"``.

    Parameters
    ----------
    data
        A parsed angles file (``docs/ergonomics-angles.md``).

    Returns
    -------
    str
        ``"left"`` or ``"right"`` as given, ``"none"`` when the key is absent.

    Raises
    ------
    InvalidResponseError
        ``side`` is present but not ``"left"`` or ``"right"``.
    """
    if not isinstance(data, Mapping) or "side" not in data:
        return "none"
    side = data["side"]
    if isinstance(side, str) and side in FILE_SIDES:
        return cast(Side, side)
    raise InvalidResponseError(
        f"Invalid ergonomics input: 'side' must be one of {', '.join(FILE_SIDES)} "
        f"(the body side the angles describe), got {side!r}.",
        detail=f"side={side!r}",
    )


def from_dict(method: str, data: Mapping[str, Any]) -> RulaInput | RebaInput:
    """Validate plain data (e.g. a parsed angles JSON file) into the method's input model.

    Parameters
    ----------
    method
        ``"rula"`` or ``"reba"`` (case-insensitive).
    data
        Field names and values as documented in ``docs/ergonomics-angles.md``. The optional
        ``side`` key (``left``/``right``) is checked here and read with :func:`side_from_dict`;
        it does not change the score.

    Returns
    -------
    RulaInput or RebaInput

    Raises
    ------
    InvalidResponseError
        Unknown method (the message lists the methods); ``data`` not a mapping; a field missing,
        unknown, of the wrong type or out of range (the message names every such field, up to 5).
    """
    name = check_method(method)
    if not isinstance(data, Mapping):
        raise InvalidResponseError(
            f"{name.upper()} input must be a JSON object of field names and values.",
            detail=f"got {type(data).__name__}",
        )
    model: type[RulaInput] | type[RebaInput] = RulaInput if name == "rula" else RebaInput
    side_from_dict(data)
    fields = {k: v for k, v in data.items() if k != "side"}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(_describe(err) for err in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise InvalidResponseError(
            f"Invalid {name.upper()} input: {problems}{more}.", detail=str(exc)
        ) from exc


def _check_side(side: object) -> Side:
    """``side`` if it is a known side, else ConfigError."""
    if isinstance(side, str) and side in _SIDES:
        return cast(Side, side)
    raise ConfigError(f"side must be one of: {', '.join(_SIDES)}.", detail=f"got {side!r}")


def score_to_json_dict(score: RulaScore | RebaScore, *, side: str = "none") -> dict[str, Any]:
    """A JSON-ready dict: ``method``, ``score`` (grand), ``action_level``, ``side``, then the rest.

    The rest is every field of the score model: all sub-scores by name, ``grand``, ``risk``,
    ``action``, ``advice``, ``assumptions`` (a list) and ``neutral_tolerance_deg``.

    Raises
    ------
    ConfigError
        If ``side`` is not ``left``, ``right``, ``bilateral`` or ``none``.
    """
    checked = _check_side(side)
    body = score.model_dump(mode="json")
    head = {
        "method": score.method,
        "score": score.grand,
        "action_level": score.action_level,
        "side": checked,
    }
    return {**head, **{k: v for k, v in body.items() if k not in head}}


_SEVERITY: Final[dict[str, dict[int, Severity]]] = {
    "rula": {1: Severity.NORMAL, 2: Severity.MILD, 3: Severity.MODERATE, 4: Severity.SEVERE},
    "reba": {
        0: Severity.NORMAL,
        1: Severity.NORMAL,
        2: Severity.MILD,
        3: Severity.MODERATE,
        4: Severity.SEVERE,
    },
}

_SOURCE: Final[dict[str, str]] = {
    "rula": "RULA; McAtamney & Corlett 1993",
    "reba": "REBA; Hignett & McAtamney 2000",
}

_TITLE: Final[dict[str, str]] = {
    "rula": "Upper-limb posture risk (RULA)",
    "reba": "Whole-body posture risk (REBA)",
}


def _norm_text(method: str, levels: tuple[ActionLevel, ...]) -> str:
    """The action-level bands in words, for a finding's norm."""
    bands = "; ".join(
        f"{lv.grand_min}"
        + (f"-{lv.grand_max}" if lv.grand_max != lv.grand_min else "")
        + f" = action level {lv.level} ({lv.risk})"
        for lv in levels
    )
    return f"{method.upper()} {bands}"


def findings_from(
    score: RulaScore | RebaScore,
    *,
    side: str = "none",
    confidence: float = 1.0,
    source_note: str = "",
) -> list[Finding]:
    """One finding for a RULA or REBA score, for the assessment and the plan engine.

    Parameters
    ----------
    score
        The result of :func:`~backrehab.ergonomics.rula.score_rula` or
        :func:`~backrehab.ergonomics.reba.score_reba`.
    side
        Body side scored: ``left``, ``right``, ``bilateral`` or ``none``.
    confidence
        0-1, how far the angles can be trusted (1 for clinician-entered values).
    source_note
        Appended to the finding's source (e.g. the capture or the task name).

    Returns
    -------
    list of Finding
        One finding, code ``ergonomics.rula`` or ``ergonomics.reba``, domain ergonomics, value =
        grand score in ``points``, severity by action level (RULA 1 normal, 2 mild, 3 moderate,
        4 severe; REBA 0-1 normal, 2 mild, 3 moderate, 4 severe). ``evidence`` holds every
        sub-score by name plus ``action_level``, ``risk``, ``action``, ``advice`` and
        ``assumptions``.

    Raises
    ------
    ConfigError
        If ``side`` is unknown or ``confidence`` is not a number from 0 to 1.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
       upper limb disorders. Applied Ergonomics 1993;24(2):91-99.
    .. [2] Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics
       2000;31(2):201-205.
    """
    checked_side = _check_side(side)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0.0 <= confidence <= 1.0
    ):
        raise ConfigError("confidence must be a number from 0 to 1.", detail=f"{confidence!r}")
    levels = RULA_ACTION_LEVELS if score.method == "rula" else REBA_ACTION_LEVELS
    source = _SOURCE[score.method] + (f"; {source_note}" if source_note else "")
    evidence: dict[str, Any] = {
        **score.sub_scores(),
        "action_level": score.action_level,
        "risk": score.risk,
        "action": score.action,
        "advice": score.advice,
        "assumptions": list(score.assumptions),
    }
    finding = Finding(
        code=f"ergonomics.{score.method}",
        domain=Domain.ERGONOMICS,
        severity=_SEVERITY[score.method][score.action_level],
        title=f"{_TITLE[score.method]}: action level {score.action_level} ({score.risk})",
        value=float(score.grand),
        unit="points",
        norm=_norm_text(score.method, levels),
        side=checked_side,
        confidence=float(confidence),
        source=source,
        evidence=evidence,
    )
    return [finding]
