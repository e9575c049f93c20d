"""The plan engine: findings and patient context in, a treatment plan with reasons out.

Input: an :class:`~backrehab.assess.findings.Assessment` (its findings and
``settings["patient_context"]``), the rules (``data/rules.yaml``) and the exercise library.
Output: a :class:`Plan` - blocked with the referral message when a red flag says so, otherwise
items with dose (§6.3 ladders), reasons (rule ids, finding codes, sources) and a weekly schedule
within the daily budget. Same inputs, same plan: no clock and no randomness are involved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backrehab import __version__
from backrehab.assess.findings import Assessment, Finding, Side
from backrehab.assess.red_flags import MESSAGES, SafetyLevel
from backrehab.errors import BackrehabError, ConfigError
from backrehab.exercises import Exercise, ExerciseLibrary, load_library
from backrehab.exercises.schema import Category, PatientGroup
from backrehab.plan.dosing import (
    Dose,
    describe_dose,
    family_of,
    ladder_for,
    session_minutes,
    starting_dose,
)
from backrehab.plan.rules import (
    AddSpec,
    BlockLevel,
    DoseSpec,
    PatientContext,
    Rule,
    RuleHit,
    RuleSet,
    Setting,
    context_from_assessment,
    load_rules,
)
from backrehab.plan.schedule import (
    WEEKDAYS,
    ItemSchedule,
    ScheduleSettings,
    SlotRequest,
    Weekday,
    place_all,
)

PlanSafetyLevel = SafetyLevel | Literal["not_screened"]

#: Rule ids of the engine's own safety guards (they fire only if the rule file misses a case).
GUARD_RED_FLAG: Final = "engine.red_flag_guard"
GUARD_SUITABILITY: Final = "engine.suitability_guard"
GUARD_PERIPHERALISING: Final = "engine.peripheralising_guard"
GUARD_NO_CLINIC: Final = "engine.no_clinic_sessions"
_GUARD_SOURCE: Final = "backrehab plan engine safety guard (clinical reference §6.4, §9)"
_LEVEL_ORDER: Final[tuple[SafetyLevel, ...]] = ("emergency", "urgent", "review", "none")
_BLOCK_LEVELS: Final[tuple[BlockLevel, ...]] = ("emergency", "urgent")


class PlanFileError(BackrehabError, ValueError):
    """A plan JSON document is unreadable or does not match the schema."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Frozen):
    """Why an item is in the plan (or was dosed as it is): the rule, its findings and source."""

    rule_id: str
    family: str
    title: str
    findings: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    source: str = ""


class Exclusion(_Frozen):
    """An exercise a rule would have added but another rule (or a guard or edit) left out."""

    exercise_id: str
    rule_id: str
    reason: str


class Deferral(_Frozen):
    """A home item that did not fit the daily budget: dropped, or done on fewer days."""

    exercise_id: str
    outcome: Literal["dropped", "fewer_days"]
    days_requested: int
    days_placed: int
    reason: str


class Notice(_Frozen):
    """A plan-level message for the clinician or the patient, from a rule."""

    rule_id: str
    text: str


class PlanItem(_Frozen):
    """One exercise, education module or manual-therapy technique of the plan.

    Attributes
    ----------
    exercise_id, name, category
        From the exercise library.
    setting
        ``home`` (counts towards the daily budget) or ``clinic`` (done in a clinic session).
    dose
        The dose (§6.3 ladder step); ``dose_family`` names the ladder.
    priority
        1 (core) to 9; lower is scheduled first.
    rule_order
        Position of the first rule that added the item (ties in sorting); edits come last.
    side
        Side that gets extra work (``left``/``right``/``bilateral``) or ``none``.
    reasons
        Every rule that added or dosed the item, with the finding codes and source.
    notes, cautions
        Instructions for the patient; points for the clinician to watch.
    schedule
        Days, start time and minutes per session.
    replaces
        Exercises this item took the place of after a switch to a regression or progression,
        most recent first (so a §6.2 red streak carries over the switch).
    """

    exercise_id: str
    name: str
    category: Category
    setting: Setting
    dose: Dose
    dose_family: str
    priority: int = Field(ge=1, le=9)
    rule_order: int = Field(ge=0)
    side: Side = "none"
    reasons: tuple[Reason, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    schedule: ItemSchedule = Field(default_factory=ItemSchedule)
    replaces: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, int, str]:
        """Deterministic plan order: priority, rule order, exercise id."""
        return (self.priority, self.rule_order, self.exercise_id)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules behind the item, first first."""
        return tuple(dict.fromkeys(r.rule_id for r in self.reasons))


def home_minutes_by_day(items: Sequence[PlanItem]) -> dict[Weekday, float]:
    """Minutes of home items on each weekday (rounded to 0.01 min)."""
    loads = dict.fromkeys(WEEKDAYS, 0.0)
    for item in items:
        if item.setting == "home":
            for day in item.schedule.days:
                loads[day] += item.schedule.minutes
    return {d: round(v, 2) for d, v in loads.items()}


class Plan(_Frozen):
    """A treatment plan: blocked with a message, or items with reasons and a schedule.

    Attributes
    ----------
    blocked, message, triggers
        A red flag stopped plan generation: ``message`` is the text to show (clinical
        reference §9), ``triggers`` the red-flag answers behind it, and there are no items.
    safety_level
        Highest red-flag level in the assessment (``not_screened`` without a screen).
    items
        In order of :meth:`PlanItem.sort_key`.
    deferred, excluded, notices
        Items over the budget, items left out (with the rule and reason), plan messages.
    fired_rules
        Ids of the rules that fired, in rule-file order.
    budget_min, daily_minutes
        The daily home budget and the home minutes booked on each weekday.
    context
        The patient context used.
    """

    schema_version: Literal[1] = 1
    patient_ref: str = ""
    assessment_created_at: datetime | None = None
    blocked: bool = False
    safety_level: PlanSafetyLevel = "not_screened"
    message: str = ""
    triggers: tuple[str, ...] = ()
    items: tuple[PlanItem, ...] = ()
    deferred: tuple[Deferral, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    notices: tuple[Notice, ...] = ()
    fired_rules: tuple[str, ...] = ()
    budget_min: float = Field(gt=0.0, le=240.0)
    daily_minutes: dict[Weekday, float] = Field(default_factory=dict)
    context: PatientContext = Field(default_factory=PatientContext)
    rules_version: int = 1
    backrehab_version: str = __version__

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        if self.blocked and (self.items or not self.message):
            raise ValueError("a blocked plan has a message and no items")
        ids = [i.exercise_id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"an exercise appears twice in the plan: {ids}")
        expected = home_minutes_by_day(self.items)
        if self.daily_minutes and any(
            abs(self.daily_minutes.get(d, 0.0) - v) > 0.011 for d, v in expected.items()
        ):
            raise ValueError("daily_minutes do not match the items' schedules")
        return self

    def item(self, exercise_id: str) -> PlanItem | None:
        """The item of this exercise, or None."""
        return next((i for i in self.items if i.exercise_id == exercise_id), None)

    def exercise_ids(self) -> tuple[str, ...]:
        """Exercise ids of the items, in plan order."""
        return tuple(i.exercise_id for i in self.items)

    def to_json(self) -> str:
        """JSON text (indented; same plan, same text)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Parse :meth:`to_json` output; a malformed document is a :class:`PlanFileError`."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
            )
            raise PlanFileError(f"Invalid plan document: {problems}", detail=str(exc)) from exc


def finalize_items(items: Sequence[PlanItem]) -> tuple[PlanItem, ...]:
    """Items in deterministic plan order (priority, rule order, exercise id)."""
    return tuple(sorted(items, key=lambda i: i.sort_key()))


# -- building ------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    exercise: Exercise
    setting: Setting
    priority: int
    order: int
    dose: Dose
    sides: set[str] = field(default_factory=set)
    extra_side_sets: int = 0
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.exercise.id

    def side(self) -> Side:
        if "bilateral" in self.sides or {"left", "right"} <= self.sides:
            return "bilateral"
        if "left" in self.sides:
            return "left"
        if "right" in self.sides:
            return "right"
        return "none"


def _reason(hit: RuleHit, context: PatientContext, title: str | None = None) -> Reason:
    rule = hit.rule
    return Reason(
        rule_id=rule.id,
        family=rule.family,
        title=title or rule.title,
        findings=hit.codes,
        context=rule.when.context.describe(context),
        source=rule.source,
    )


def _add_unique(values: list[str], text: str) -> None:
    if text and text not in values:
        values.append(text)


def resolve_setting(
    requested: Setting | Literal["auto"], exercise: Exercise, context: PatientContext
) -> Setting:
    """Where an item is done: ``auto`` puts manual therapy in the clinic, education in the
    clinic when there are clinic days (else at home), everything else at home."""
    if requested != "auto":
        return requested
    if exercise.category == "manual_therapy":
        return "clinic"
    if exercise.category == "education" and context.clinic:
        return "clinic"
    return "home"


def education_home_dose(dose: Dose, part_min: float) -> Dose:
    """A home education module split into parts of at most ``part_min`` minutes on separate
    days of the week (PROJECT DEFAULT), so that it fits a short daily budget."""
    total = dose.duration_min or part_min
    parts = max(1, min(7, math.ceil(total / part_min - 1e-9)))
    note = f"one {total:g}-min module session a week, in {parts} part(s)"
    if dose.load_note:
        note = f"{note}; {dose.load_note}"
    return dose.model_copy(
        update={
            "sets": 1,
            "duration_min": round(total / parts, 2),
            "days_per_week": parts,
            "load_note": note,
        }
    )


def step_dose(exercise: Exercise, dose: Dose, steps: int) -> Dose:
    """Move ``steps`` rungs along the exercise's ladder (negative = easier); stops at the ends."""
    ladder = ladder_for(exercise)
    current = dose
    for _ in range(abs(steps)):
        moved = ladder.advance(current) if steps > 0 else ladder.step_back(current)
        if moved is None:
            break
        current = moved
    return current


def _apply_set(dose: Dose, spec: DoseSpec) -> Dose:
    if spec.set is None:
        return dose
    changes = spec.set.model_dump(exclude_none=True)
    if "duration_min" in changes and dose.duration_min is None:
        changes.pop("duration_min")
    return Dose.model_validate({**dose.model_dump(), **changes})


class _Builder:
    """Applies the fired rules' actions, phase by phase, to a set of candidates."""

    def __init__(
        self, library: ExerciseLibrary, context: PatientContext, settings: ScheduleSettings
    ) -> None:
        self.library = library
        self.context = context
        self.settings = settings
        self.candidates: dict[str, _Candidate] = {}
        self.excluded: list[Exclusion] = []

    def add(self, hit: RuleHit, spec: AddSpec) -> None:
        exercise = self.library.get(spec.exercise)
        setting = resolve_setting(spec.setting, exercise, self.context)
        cand = self.candidates.get(exercise.id)
        if cand is None:
            cand = _Candidate(exercise, setting, spec.priority, hit.order, starting_dose(exercise))
            self.candidates[exercise.id] = cand
        cand.priority = min(cand.priority, spec.priority)
        cand.reasons.append(_reason(hit, self.context))
        if spec.side == "from_finding":
            sides = {f.side for f in hit.findings if f.side != "none"}
            cand.sides |= sides
            cand.extra_side_sets = max(cand.extra_side_sets, spec.extra_side_sets)
            for s in sorted(sides):
                _add_unique(cand.notes, f"Target side: {s}.")
        if spec.note:
            _add_unique(cand.notes, spec.note.strip())
        for key in spec.note_from_evidence:
            for finding in hit.findings:
                value = finding.evidence.get(key)
                if isinstance(value, str):
                    _add_unique(cand.notes, value.strip())

    def apply_side_sets(self) -> None:
        """Give one-sided candidates their extra weaker-side sets (none when both sides or no
        side were targeted)."""
        for cand in self.candidates.values():
            extra = cand.extra_side_sets if cand.side() in ("left", "right") else 0
            if extra != cand.dose.extra_side_sets:
                cand.dose = cand.dose.model_copy(update={"extra_side_sets": extra})

    def exclude(self, cand_id: str, rule_id: str, reason: str) -> None:
        if self.candidates.pop(cand_id, None) is not None:
            self.excluded.append(Exclusion(exercise_id=cand_id, rule_id=rule_id, reason=reason))

    def remove(self, hit: RuleHit) -> None:
        selector = hit.rule.remove
        assert selector is not None
        for cand in list(self.candidates.values()):
            if selector.selects(
                cand.id,
                cand.exercise.category,
                family_of(cand.exercise),
                cand.setting,
                self.context,
            ):
                self.exclude(cand.id, hit.rule.id, hit.rule.title)

    def dose(self, hit: RuleHit, spec: DoseSpec) -> None:
        for cand in self.candidates.values():
            if not spec.select.selects(
                cand.id,
                cand.exercise.category,
                family_of(cand.exercise),
                cand.setting,
                self.context,
            ):
                continue
            before = cand.dose
            dose = step_dose(cand.exercise, cand.dose, spec.step) if spec.step else cand.dose
            dose = _apply_set(dose, spec)
            if dose != before:
                cand.dose = dose
                cand.reasons.append(_reason(hit, self.context, f"{hit.rule.title} (dose adjusted)"))

    def exclude_unsuitable(self, rule: Rule, group: PatientGroup) -> None:
        label = group.replace("_", " ")
        for cand in list(self.candidates.values()):
            level = cand.exercise.suitability[group]
            bias = cand.exercise.directional_bias
            if level == "avoid":
                self.exclude(cand.id, rule.id, f"marked 'avoid' for {label} patients (§6.4)")
            elif level == "test" and not self.context.favourable(bias):
                self.exclude(
                    cand.id,
                    rule.id,
                    f"marked 'test' for {label} patients and no centralising response to "
                    f"{bias} movements is recorded (§6.4)",
                )
            elif level == "test":
                _add_unique(
                    cand.cautions,
                    f"{rule.id}: 'test' for {label} patients - included because {bias} "
                    "movements were recorded as centralising; stop if symptoms peripheralise.",
                )
            elif level == "caution":
                _add_unique(
                    cand.cautions,
                    f"{rule.id}: caution for {label} patients - check technique and symptom "
                    "response.",
                )

    def exclude_peripheralising(self, rule_id: str) -> None:
        directions = self.context.peripheralising()
        for cand in list(self.candidates.values()):
            if cand.exercise.directional_bias in directions:
                self.exclude(
                    cand.id,
                    rule_id,
                    f"{cand.exercise.directional_bias} movements were recorded as peripheralising "
                    "symptoms (§6.1 stop rule)",
                )

    def guards(self) -> None:
        """Safety guards that hold whatever the rule file says."""
        groups = self.context.groups()
        for cand in list(self.candidates.values()):
            for group in groups:
                level = cand.exercise.suitability[group]
                bias = cand.exercise.directional_bias
                if level == "avoid" or (level == "test" and not self.context.favourable(bias)):
                    self.exclude(
                        cand.id, GUARD_SUITABILITY, f"'{level}' for {group} patients (§6.4)"
                    )
                    break
        self.exclude_peripheralising(GUARD_PERIPHERALISING)
        if not self.context.clinic:
            for cand in list(self.candidates.values()):
                if cand.setting == "clinic":
                    self.exclude(cand.id, GUARD_NO_CLINIC, "no in-clinic sessions are planned")

    def prepare_education(self) -> None:
        for cand in self.candidates.values():
            if cand.exercise.category == "education" and cand.setting == "home":
                cand.dose = education_home_dose(cand.dose, self.settings.education_part_min)


def _safety_level(findings: Sequence[Finding]) -> PlanSafetyLevel:
    codes = {f.code for f in findings}
    return next((lvl for lvl in _LEVEL_ORDER if f"safety.red_flag.{lvl}" in codes), "not_screened")


def _triggers(findings: Sequence[Finding], levels: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for f in findings:
        if f.code in {f"safety.red_flag.{lvl}" for lvl in levels}:
            raw = f.evidence.get("triggers", [])
            if isinstance(raw, list):
                out.extend(str(t) for t in raw)
    return tuple(dict.fromkeys(out))


def _blocking(
    hits: Sequence[RuleHit], findings: Sequence[Finding]
) -> tuple[BlockLevel | None, tuple[str, ...]]:
    """The blocking level (None if none) and the ids of the rules behind it."""
    blockers = [h.rule for h in hits if h.rule.block is not None]
    ids = tuple(r.id for r in blockers)
    levels = {r.block for r in blockers}
    codes = {f.code for f in findings}
    for level in _BLOCK_LEVELS:
        if level in levels:
            return level, ids
    for level in _BLOCK_LEVELS:
        if f"safety.red_flag.{level}" in codes:
            return level, (*ids, GUARD_RED_FLAG)
    return None, ()


def _schedule(
    cands: Sequence[_Candidate], context: PatientContext, budget: float
) -> tuple[list[PlanItem], list[Deferral]]:
    home = [c for c in cands if c.setting == "home"]
    minutes = {c.id: round(session_minutes(c.dose), 2) for c in cands}
    requests = [SlotRequest(c.id, minutes[c.id], c.dose.days_per_week) for c in home]
    placements, _ = place_all(requests, budget)
    placed = {p.key: p for p in placements}
    items: list[PlanItem] = []
    deferred: list[Deferral] = []
    for cand in cands:
        dose = cand.dose
        if cand.setting == "home":
            p = placed[cand.id]
            if p.dropped:
                deferred.append(
                    Deferral(
                        exercise_id=cand.id,
                        outcome="dropped",
                        days_requested=p.requested,
                        days_placed=0,
                        reason=f"{minutes[cand.id]:.1f} min a session on {p.requested} days a "
                        f"week does not fit the daily budget of {budget:g} min after "
                        "higher-priority items; raise the budget or remove another item",
                    )
                )
                continue
            if p.reduced:
                deferred.append(
                    Deferral(
                        exercise_id=cand.id,
                        outcome="fewer_days",
                        days_requested=p.requested,
                        days_placed=len(p.days),
                        reason=f"placed on {len(p.days)} of {p.requested} days: the other days "
                        f"are full (daily budget {budget:g} min)",
                    )
                )
                dose = dose.model_copy(update={"days_per_week": len(p.days)})
            sched = ItemSchedule(
                days=p.days, time_of_day=context.exercise_time, minutes=minutes[cand.id]
            )
        else:
            days = context.clinic_days
            if cand.exercise.category == "education":
                days = days[:1]
            dose = dose.model_copy(update={"days_per_week": max(1, len(days))})
            sched = ItemSchedule(
                days=days, time_of_day=context.clinic_time, minutes=minutes[cand.id]
            )
        items.append(
            PlanItem(
                exercise_id=cand.id,
                name=cand.exercise.name,
                category=cand.exercise.category,
                setting=cand.setting,
                dose=dose,
                dose_family=family_of(cand.exercise),
                priority=cand.priority,
                rule_order=cand.order,
                side=cand.side(),
                reasons=tuple(cand.reasons),
                notes=tuple(cand.notes),
                cautions=tuple(cand.cautions),
                schedule=sched,
            )
        )
    return items, deferred


def resolve_budget(
    budget_min: float | None, context: PatientContext, settings: ScheduleSettings
) -> float:
    """The daily budget: the explicit value, else the context's, else the settings' (20 min).

    Raises
    ------
    ConfigError
        The budget is not a number from above 0 to 240 minutes.
    """
    budget = budget_min if budget_min is not None else context.budget_min
    value = settings.budget_min if budget is None else budget
    if isinstance(value, bool) or not (0.0 < float(value) <= 240.0) or math.isnan(value):
        raise ConfigError(
            f"The daily budget must be more than 0 and at most 240 minutes, not {value!r}."
        )
    return float(value)


def generate_plan(
    assessment: Assessment,
    *,
    context: PatientContext | None = None,
    budget_min: float | None = None,
    rules: RuleSet | None = None,
    library: ExerciseLibrary | None = None,
    settings: ScheduleSettings | None = None,
) -> Plan:
    """Build the treatment plan of an assessment.

    Steps: evaluate the rules (file order); a fired ``block`` rule (red flag emergency or
    urgent) returns a blocked plan with the §9 message and no items. Otherwise the fired rules'
    actions run in phases - add (starting doses of the §6.3 ladders, merged per exercise:
    lowest priority number, every reason kept), remove, dose, exclude (suitability of §6.4:
    ``avoid`` never, ``test`` only with a recorded centralising response; peripheralising
    directions) - then the engine's safety guards, then the home items are scheduled within the
    daily budget in (priority, rule order, exercise id) order; items that do not fit go to
    ``deferred`` with the reason.

    Parameters
    ----------
    assessment
        The assessment (findings, and ``settings["patient_context"]``).
    context
        Overrides the assessment's patient context.
    budget_min
        Daily home minutes; defaults to the context's, else ``settings.budget_min`` (20).
    rules, library, settings
        Rules (default: the packaged file), exercise library (default: :func:`load_library`)
        and schedule settings.

    Returns
    -------
    Plan

    Raises
    ------
    InvalidResponseError
        The patient context in the assessment is invalid.
    ConfigError
        The budget is out of range, or a rule names an exercise the library lacks.

    References
    ----------
    .. [1] Clinical reference §1.3 (STarT Back pathways), §3.3, §6.3, §6.4, §8, §9.
    """
    rules = rules if rules is not None else load_rules()
    library = library if library is not None else load_library()
    settings = settings if settings is not None else ScheduleSettings()
    rules.check_library(library)
    ctx = context if context is not None else context_from_assessment(assessment)
    budget = resolve_budget(budget_min, ctx, settings)
    findings = assessment.findings
    hits = rules.evaluate(findings, ctx)
    safety_level = _safety_level(findings)
    level, blockers = _blocking(hits, findings)
    if level is not None:
        return Plan(
            patient_ref=assessment.patient_ref,
            assessment_created_at=assessment.created_at,
            blocked=True,
            safety_level=safety_level,
            message=MESSAGES[level],
            triggers=_triggers(findings, _BLOCK_LEVELS),
            fired_rules=blockers,
            budget_min=budget,
            daily_minutes=dict.fromkeys(WEEKDAYS, 0.0),
            context=ctx,
            rules_version=rules.version,
        )

    builder = _Builder(library, ctx, settings)
    for hit in hits:
        for spec in hit.rule.add:
            builder.add(hit, spec)
    builder.apply_side_sets()
    for hit in hits:
        if hit.rule.remove is not None:
            builder.remove(hit)
    for hit in hits:
        for dose_spec in hit.rule.dose:
            builder.dose(hit, dose_spec)
    for hit in hits:
        if hit.rule.exclude_unsuitable is not None:
            builder.exclude_unsuitable(hit.rule, hit.rule.exclude_unsuitable)
        if hit.rule.exclude_peripheralising:
            builder.exclude_peripheralising(hit.rule.id)
    builder.guards()
    builder.prepare_education()

    ordered = sorted(builder.candidates.values(), key=lambda c: (c.priority, c.order, c.id))
    items, deferred = _schedule(ordered, ctx, budget)
    return Plan(
        patient_ref=assessment.patient_ref,
        assessment_created_at=assessment.created_at,
        safety_level=safety_level,
        items=finalize_items(items),
        deferred=tuple(deferred),
        excluded=tuple(builder.excluded),
        notices=tuple(
            Notice(rule_id=h.rule.id, text=" ".join(h.rule.notice.split()))
            for h in hits
            if h.rule.notice
        ),
        fired_rules=tuple(h.rule.id for h in hits),
        budget_min=budget,
        daily_minutes=home_minutes_by_day(items),
        context=ctx,
        rules_version=rules.version,
    )


def describe_item(item: PlanItem) -> str:
    """One line: name, dose, setting and days."""
    days = ", ".join(item.schedule.days) or "no days"
    return f"{item.name}: {describe_dose(item.dose)} ({item.setting}; {days})"
