"""Plan rules as data: the rule schema, the patient context, the loader and the matcher.

Input: ``data/rules.yaml`` (or a clinic's file of the same form, see ``docs/plan-rules.md``) and
an assessment's findings plus the :class:`PatientContext`. Output: a validated :class:`RuleSet`
and, per assessment, the rules that fire (:class:`RuleHit`) with the findings that made them fire.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from backrehab.assess.findings import Assessment, Finding, Severity, Side
from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.exercises.library import ExerciseLibrary
from backrehab.exercises.schema import Category, PatientGroup
from backrehab.plan.dosing import LadderFamily
from backrehab.plan.schedule import TIME_PATTERN, Weekday, order_days
from backrehab.yamlfile import load_strict_yaml

Direction = Literal["extension", "flexion", "lateral", "rotation"]
Response = Literal["centralises", "reduces", "no_effect", "increases", "peripheralises"]
Intolerance = Literal["flexion_intolerant", "extension_intolerant"]
Setting = Literal["home", "clinic"]
BlockLevel = Literal["emergency", "urgent"]
RuleFamily = Literal[
    "red_flags",
    "startback",
    "psychosocial",
    "intolerance",
    "directional",
    "irritability",
    "pain",
    "endurance",
    "movement",
    "posture",
    "ergonomics",
    "manual_therapy",
    "education",
    "clinician",
]

DIRECTIONS: Final[tuple[Direction, ...]] = get_args(Direction)
RULE_FAMILIES: Final[tuple[RuleFamily, ...]] = get_args(RuleFamily)
#: Repeated-movement responses that allow a ``test`` exercise (§6.4: "centralises/reduces").
FAVOURABLE: Final[tuple[Response, ...]] = ("centralises", "reduces")
#: Key of the patient context in ``Assessment.settings``.
CONTEXT_KEY: Final = "patient_context"
#: Directional preference -> the intolerance it implies (§6.4 categories).
_IMPLIED: Final[Mapping[str, Intolerance]] = {
    "extension": "flexion_intolerant",
    "flexion": "extension_intolerant",
}

_PACKAGE_DATA: Final = "backrehab.plan.data"
_PACKAGED_FILE: Final = "rules.yaml"
_SCHEMA_VERSION: Final = 1
_RULE_ID: Final = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
_CODE_PATTERN: Final = r"^[a-z*][a-z0-9_*]*(\.[a-z0-9_*]+)*$"


class RulesError(ConfigError):
    """A plan-rules file is unreadable or invalid; the message names the file and rule."""


class PatientContext(BaseModel):
    """What the clinician knows beyond the findings; lives in
    ``Assessment.settings["patient_context"]`` (see ``docs/plan-rules.md``).

    Attributes
    ----------
    intolerances
        ``flexion_intolerant`` and/or ``extension_intolerant`` (clinical reference §6.4).
    acute_high_irritability
        Acute, highly irritable presentation (the library's third suitability group).
    directional_preference
        ``extension``, ``flexion``, ``lateral``, ``rotation``, ``none`` or unknown (None).
        An extension preference implies flexion intolerance and vice versa (§6.4 table).
    repeated_movements
        Recorded repeated-movement response per direction: ``centralises``, ``reduces``,
        ``no_effect``, ``increases`` or ``peripheralises``.
    clinic_days
        Weekdays with an in-clinic session (empty: home programme only).
    exercise_time, clinic_time
        Local start times ``HH:MM`` of the home session and the clinic session.
    budget_min
        This patient's daily home-minutes budget (the ``--budget-min`` option wins).
    excluded_exercises
        Exercise ids the clinician rules out (contraindications, dislikes).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    intolerances: tuple[Intolerance, ...] = ()
    acute_high_irritability: bool = False
    directional_preference: Direction | Literal["none"] | None = None
    repeated_movements: dict[Direction, Response] = Field(default_factory=dict)
    clinic_days: tuple[Weekday, ...] = ()
    exercise_time: str = Field("18:00", pattern=TIME_PATTERN)
    clinic_time: str = Field("10:00", pattern=TIME_PATTERN)
    budget_min: float | None = Field(None, gt=0.0, le=240.0)
    excluded_exercises: tuple[str, ...] = ()

    @field_validator("clinic_days")
    @classmethod
    def _weekday_order(cls, days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        return order_days(days)

    @field_validator("intolerances")
    @classmethod
    def _intolerance_order(cls, groups: tuple[Intolerance, ...]) -> tuple[Intolerance, ...]:
        return tuple(g for g in get_args(Intolerance) if g in groups)

    @field_validator("repeated_movements")
    @classmethod
    def _direction_order(cls, responses: dict[Direction, Response]) -> dict[Direction, Response]:
        return {d: responses[d] for d in DIRECTIONS if d in responses}

    @field_validator("excluded_exercises")
    @classmethod
    def _sorted_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(ids)))

    def groups(self) -> tuple[PatientGroup, ...]:
        """Suitability groups of this patient, stated or implied, in library order."""
        found: set[str] = set(self.intolerances)
        implied = _IMPLIED.get(self.directional_preference or "none")
        if implied is not None:
            found.add(implied)
        if self.acute_high_irritability:
            found.add("acute_high_irritability")
        order: tuple[PatientGroup, ...] = (
            "flexion_intolerant",
            "extension_intolerant",
            "acute_high_irritability",
        )
        return tuple(g for g in order if g in found)

    def favourable(self, direction: str) -> bool:
        """A repeated-movement response in ``direction`` was recorded as centralises/reduces."""
        return any(d == direction and r in FAVOURABLE for d, r in self.repeated_movements.items())

    def peripheralising(self) -> tuple[Direction, ...]:
        """Directions whose repeated movements were recorded as peripheralising."""
        return tuple(d for d in DIRECTIONS if self.repeated_movements.get(d) == "peripheralises")

    @property
    def clinic(self) -> bool:
        """At least one in-clinic session a week."""
        return bool(self.clinic_days)


def context_from_mapping(data: Mapping[str, Any] | None) -> PatientContext:
    """Validate a patient-context mapping (None or empty: the default context).

    Raises
    ------
    InvalidResponseError
        A field is unknown or out of range; the message names it.
    """
    if data is None:
        return PatientContext()
    if not isinstance(data, Mapping):
        raise InvalidResponseError("patient_context must be a JSON object of context fields.")
    try:
        return PatientContext.model_validate(dict(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidResponseError(f"Invalid patient context: {problems}", detail=str(exc)) from exc


def context_from_assessment(assessment: Assessment) -> PatientContext:
    """The patient context stored in ``assessment.settings["patient_context"]`` (or default)."""
    return context_from_mapping(assessment.settings.get(CONTEXT_KEY))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Scalar = str | int | float | bool


class FindingMatcher(_Model):
    """Matches findings: code (``*`` wildcards), severity range, sides, evidence, confidence."""

    code: str = Field(pattern=_CODE_PATTERN)
    min_severity: Severity | None = None
    max_severity: Severity | None = None
    sides: tuple[Side, ...] = ()
    evidence: dict[str, Scalar | tuple[Scalar, ...]] = Field(default_factory=dict)
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)

    def matches(self, finding: Finding) -> bool:
        """True if ``finding`` meets every condition given."""
        if not fnmatch.fnmatchcase(finding.code, self.code):
            return False
        rank = finding.severity.rank
        if self.min_severity is not None and rank < self.min_severity.rank:
            return False
        if self.max_severity is not None and rank > self.max_severity.rank:
            return False
        if self.sides and finding.side not in self.sides:
            return False
        if finding.confidence < self.min_confidence:
            return False
        for key, wanted in self.evidence.items():
            options = wanted if isinstance(wanted, tuple) else (wanted,)
            if key not in finding.evidence or finding.evidence[key] not in options:
                return False
        return True


class ContextCondition(_Model):
    """Conditions on the :class:`PatientContext`; all given ones must hold."""

    groups: tuple[PatientGroup, ...] = ()
    directional_preference: tuple[Direction | Literal["none"], ...] = ()
    favourable_response: dict[Direction, bool] = Field(default_factory=dict)
    clinic: bool | None = None
    peripheralising: bool | None = None
    exclusions: bool | None = None

    def holds(self, context: PatientContext) -> bool:
        """True if the context meets every condition given."""
        groups = context.groups()
        if any(g not in groups for g in self.groups):
            return False
        if (
            self.directional_preference
            and context.directional_preference not in self.directional_preference
        ):
            return False
        if any(context.favourable(d) != want for d, want in self.favourable_response.items()):
            return False
        if self.peripheralising is not None and bool(context.peripheralising()) != (
            self.peripheralising
        ):
            return False
        if self.exclusions is not None and bool(context.excluded_exercises) != self.exclusions:
            return False
        return self.clinic is None or context.clinic == self.clinic

    def describe(self, context: PatientContext) -> tuple[str, ...]:
        """The context facts this condition looked at, e.g. ``"directional_preference=extension"``
        (for the reasons of plan items)."""
        facts: list[str] = [f"group={g}" for g in self.groups]
        if self.directional_preference:
            facts.append(f"directional_preference={context.directional_preference}")
        for d in self.favourable_response:
            facts.append(f"repeated_movements.{d}={context.repeated_movements.get(d, 'none')}")
        if self.clinic is not None:
            facts.append(f"clinic_days={','.join(context.clinic_days) or 'none'}")
        if self.peripheralising is not None:
            facts.append(f"peripheralising={','.join(context.peripheralising()) or 'none'}")
        if self.exclusions is not None:
            facts.append(f"excluded_exercises={','.join(context.excluded_exercises) or 'none'}")
        return tuple(facts)


class When(_Model):
    """When a rule fires: every ``all`` matcher matches a finding, at least one ``any`` matcher
    matches (if given), no ``none`` matcher matches, and the context condition holds."""

    all: tuple[FindingMatcher, ...] = ()
    any: tuple[FindingMatcher, ...] = ()
    none: tuple[FindingMatcher, ...] = ()
    context: ContextCondition = Field(default_factory=ContextCondition)

    def evaluate(
        self, findings: Sequence[Finding], context: PatientContext
    ) -> tuple[Finding, ...] | None:
        """The findings that made the rule fire (assessment order), or None if it does not."""
        if not self.context.holds(context):
            return None
        used: set[int] = set()
        for matcher in self.all:
            hits = [i for i, f in enumerate(findings) if matcher.matches(f)]
            if not hits:
                return None
            used.update(hits)
        if self.any:
            hits = [i for m in self.any for i, f in enumerate(findings) if m.matches(f)]
            if not hits:
                return None
            used.update(hits)
        if any(m.matches(f) for m in self.none for f in findings):
            return None
        return tuple(findings[i] for i in sorted(used))


class AddSpec(_Model):
    """Add an exercise.

    ``setting: auto`` puts manual therapy in the clinic, education in the clinic when the
    patient has clinic days (else at home) and everything else at home. ``side: from_finding``
    targets the side of the matched findings; ``extra_side_sets`` then adds that many sets for
    that side alone (only when it is one side, left or right). ``note_from_evidence`` copies
    those evidence texts of the matched findings into the item's notes.
    """

    exercise: str = Field(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
    priority: int = Field(3, ge=1, le=9)
    setting: Setting | Literal["auto"] = "auto"
    side: Literal["from_finding", "none"] = "none"
    extra_side_sets: int = Field(0, ge=0, le=3)
    note: str | None = None
    note_from_evidence: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _extra_needs_side(self) -> AddSpec:
        if self.extra_side_sets and self.side != "from_finding":
            raise ValueError("extra_side_sets needs side: from_finding")
        return self


class Selector(_Model):
    """Selects plan items; every criterion given must hold (at least one is required)."""

    exercises: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    families: tuple[LadderFamily, ...] = ()
    settings: tuple[Setting, ...] = ()
    context_excluded: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not (
            self.exercises
            or self.categories
            or self.families
            or self.settings
            or self.context_excluded
        ):
            raise ValueError("a selector needs at least one criterion")
        return self

    def selects(
        self,
        exercise_id: str,
        category: str,
        family: str,
        setting: str,
        context: PatientContext,
    ) -> bool:
        """True if the item meets every criterion given."""
        return (
            (not self.exercises or exercise_id in self.exercises)
            and (not self.categories or category in self.categories)
            and (not self.families or family in self.families)
            and (not self.settings or setting in self.settings)
            and (not self.context_excluded or exercise_id in context.excluded_exercises)
        )


class DoseSet(_Model):
    """Dose fields a rule may set directly (the others stay)."""

    sets: int | None = Field(None, ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0.0, le=600.0)
    rest_s: float | None = Field(None, ge=0.0, le=600.0)
    tempo: str | None = None
    duration_min: float | None = Field(None, gt=0.0, le=240.0)
    load_note: str | None = None
    days_per_week: int | None = Field(None, ge=1, le=7)


class DoseSpec(_Model):
    """Change the dose of selected items: ``step`` rungs along the ladder (negative = easier),
    then ``set`` fields."""

    select: Selector
    step: int = Field(0, ge=-3, le=3)
    set: DoseSet | None = None

    @model_validator(mode="after")
    def _does_something(self) -> DoseSpec:
        if self.step == 0 and self.set is None:
            raise ValueError("a dose change needs 'step' or 'set'")
        return self


class Rule(_Model):
    """One rule: a stable id, its family, a title and source, when it fires and what it does.

    Actions run in phases over all fired rules, each phase in file order: block, add, remove,
    dose, exclude (``exclude_unsuitable``, ``exclude_peripheralising``); notices are collected.
    """

    id: str = Field(pattern=_RULE_ID)
    family: RuleFamily
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    when: When = Field(default_factory=When)
    block: BlockLevel | None = None
    notice: str | None = None
    add: tuple[AddSpec, ...] = ()
    remove: Selector | None = None
    dose: tuple[DoseSpec, ...] = ()
    exclude_unsuitable: PatientGroup | None = None
    exclude_peripheralising: bool = False

    @model_validator(mode="after")
    def _does_something(self) -> Rule:
        if not (
            self.block
            or self.notice
            or self.add
            or self.remove
            or self.dose
            or self.exclude_unsuitable
            or self.exclude_peripheralising
        ):
            raise ValueError("a rule needs at least one action")
        return self


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired, its position in the rule file, and the findings that matched."""

    rule: Rule
    order: int
    findings: tuple[Finding, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Distinct codes of the matched findings, in assessment order."""
        return tuple(dict.fromkeys(f.code for f in self.findings))


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A validated, ordered set of rules with unique ids.

    Parameters
    ----------
    rules
        In file order (the order ties are broken in).
    version
        The rule file's ``version`` (bump it whenever a rule changes).
    origin
        The file the rules came from.
    """

    rules: tuple[Rule, ...]
    version: int = 1
    origin: str = "<memory>"

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise RulesError(f"Plan rules {self.origin}: rule id '{rule.id}' appears twice.")
            seen.add(rule.id)

    def ids(self) -> tuple[str, ...]:
        """Rule ids in file order."""
        return tuple(r.id for r in self.rules)

    def get(self, rule_id: str) -> Rule:
        """The rule with this id (RulesError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise RulesError(f"No plan rule has the id '{rule_id}'.")

    def evaluate(self, findings: Sequence[Finding], context: PatientContext) -> list[RuleHit]:
        """The rules that fire for these findings and this context, in file order."""
        hits: list[RuleHit] = []
        for order, rule in enumerate(self.rules):
            matched = rule.when.evaluate(findings, context)
            if matched is not None:
                hits.append(RuleHit(rule, order, matched))
        return hits

    def check_library(self, library: ExerciseLibrary) -> None:
        """Refuse rules that name exercises the library does not have.

        Raises
        ------
        RulesError
            Names the rule and the unknown exercise id.
        """
        for rule in self.rules:
            named = [a.exercise for a in rule.add]
            for selector in _selectors(rule):
                named.extend(selector.exercises)
            for exercise_id in named:
                if exercise_id not in library:
                    raise RulesError(
                        f"Plan rule '{rule.id}' ({self.origin}) names the exercise "
                        f"'{exercise_id}', which is not in the exercise library."
                    )


def _selectors(rule: Rule) -> Iterable[Selector]:
    if rule.remove is not None:
        yield rule.remove
    for spec in rule.dose:
        yield spec.select


def parse_rules(text: str, origin: str = "<text>") -> RuleSet:
    """Validate the text of a rules file (YAML; format in ``docs/plan-rules.md``).

    Raises
    ------
    RulesError
        Invalid YAML, unknown top-level keys, a wrong schema version, an invalid rule (the
        message names the rule id and field) or a repeated id.
    """
    data = load_strict_yaml(text, f"Plan rules {origin}", RulesError)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"Plan rules {origin} must hold a top-level 'rules:' list.")
    unknown = sorted(str(k) for k in data if k not in ("schema_version", "version", "rules"))
    if unknown:
        raise RulesError(f"Plan rules {origin} have unknown top-level keys {unknown}.")
    schema = data.get("schema_version", _SCHEMA_VERSION)
    if schema != _SCHEMA_VERSION or isinstance(schema, bool):
        raise RulesError(
            f"Plan rules {origin} have schema_version {schema!r}; this version reads "
            f"{_SCHEMA_VERSION}."
        )
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RulesError(f"Plan rules {origin}: 'version' must be a whole number >= 1.")
    rules: list[Rule] = []
    for number, raw in enumerate(data["rules"], start=1):
        label = (
            f"rule '{raw['id']}'"
            if isinstance(raw, dict) and isinstance(raw.get("id"), str)
            else f"rule #{number}"
        )
        try:
            rules.append(Rule.model_validate(raw))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(rule)'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
            raise RulesError(
                f"Plan rules {origin}: {label} is invalid: {problems}", detail=str(exc)
            ) from exc
    return RuleSet(rules=tuple(rules), version=version, origin=origin)


@functools.cache
def _packaged_rules() -> RuleSet:
    resource = resources.files(_PACKAGE_DATA).joinpath(_PACKAGED_FILE)
    return parse_rules(resource.read_text(encoding="utf-8"), str(resource))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The packaged rules (``backrehab/plan/data/rules.yaml``), or a rules file at ``path``.

    Raises
    ------
    RulesError
        The file cannot be read or is invalid.
    """
    if path is None:
        return _packaged_rules()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"Cannot read plan rules {file}.", detail=str(exc)) from exc
    return parse_rules(text, str(file))
