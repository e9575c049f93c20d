"""Versioned plan history: the generated plan and every clinician edit (add, remove, re-dose).

Input: a generated :class:`~backrehab.plan.engine.Plan` and edits (who, when, what, why).
Output: a :class:`PlanHistory` whose versions are never changed; each edit returns a new
history with one more version holding the resulting plan. Round-trips through JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from backrehab.errors import BackrehabError, ConfigError
from backrehab.exercises import Exercise, ExerciseLibrary, load_library
from backrehab.plan.dosing import Dose, family_of, session_minutes, starting_dose
from backrehab.plan.engine import (
    Exclusion,
    Plan,
    PlanFileError,
    PlanItem,
    Reason,
    education_home_dose,
    finalize_items,
    home_minutes_by_day,
    resolve_setting,
)
from backrehab.plan.rules import PatientContext, Setting
from backrehab.plan.schedule import (
    EPS_MIN,
    WEEKDAYS,
    ItemSchedule,
    ScheduleSettings,
    SlotRequest,
    Weekday,
    order_days,
    place_one,
)

EditAction = Literal["generate", "add", "remove", "redose"]

#: Rule ids recorded in the reasons of edited items.
EDIT_ADD: Final = "edit.add"
EDIT_REMOVE: Final = "edit.remove"
EDIT_REDOSE: Final = "edit.redose"
#: Items added by an edit sort after every rule-added item of the same priority.
EDIT_RULE_ORDER: Final = 10_000


class PlanEditError(BackrehabError, ValueError):
    """An edit cannot be applied (unknown item, blocked plan, over budget, missing reason)."""


class PlanVersion(BaseModel):
    """One version of a plan: who made it, when, what changed, why, and the resulting plan.

    Attributes
    ----------
    version
        1 for the generated plan, then +1 per edit.
    author, timestamp
        Who made the change and when (timezone-aware).
    action
        ``generate``, ``add``, ``remove`` or ``redose``.
    exercise_id
        The item edited (None for ``generate``).
    reason
        Why (required).
    dose_before, dose_after
        The item's dose before and after the edit (None where it does not apply).
    plan
        The whole plan after this change.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    author: str = Field(min_length=1)
    timestamp: AwareDatetime
    action: EditAction
    exercise_id: str | None = None
    reason: str = Field(min_length=1)
    dose_before: Dose | None = None
    dose_after: Dose | None = None
    plan: Plan


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ConfigError("The edit time must carry a timezone.", detail=f"now={now!r}")
    return now.astimezone(UTC)


def _text(value: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise PlanEditError(f"Every plan change needs {what}.")
    return text


def _replan(plan: Plan, items: Sequence[PlanItem], **changes: object) -> Plan:
    ordered = finalize_items(items)
    data = {**dict(plan), "items": ordered, "daily_minutes": home_minutes_by_day(ordered)}
    data.update(changes)
    return Plan.model_validate(data)


def unsuitable_reasons(exercise: Exercise, context: PatientContext) -> list[str]:
    """Why an exercise is unsuitable for this patient (§6.4): ``avoid`` for one of the
    patient's groups, ``test`` without a recorded centralising response, or a peripheralising
    direction. Empty if none."""
    problems: list[str] = []
    for group in context.groups():
        level = exercise.suitability[group]
        bias = exercise.directional_bias
        if level == "avoid":
            problems.append(f"marked 'avoid' for {group.replace('_', ' ')} patients")
        elif level == "test" and not context.favourable(bias):
            problems.append(
                f"marked 'test' for {group.replace('_', ' ')} patients without a recorded "
                f"centralising response to {bias} movements"
            )
    if exercise.directional_bias in context.peripheralising():
        problems.append(f"{exercise.directional_bias} movements peripheralise this patient")
    return problems


class PlanHistory(BaseModel):
    """All versions of one patient's plan, oldest first; nothing is ever overwritten.

    Build it with :meth:`start`; every edit method returns a *new* history with one more
    version and leaves this one (and every earlier plan) unchanged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    versions: tuple[PlanVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> PlanHistory:
        for k, v in enumerate(self.versions, start=1):
            if v.version != k:
                raise ValueError(f"version {k} is numbered {v.version}")
        if self.versions[0].action != "generate":
            raise ValueError("the first version must be a generated plan")
        for older, newer in zip(self.versions, self.versions[1:], strict=False):
            if newer.timestamp < older.timestamp:
                raise ValueError(f"version {newer.version} is older than version {older.version}")
        return self

    @classmethod
    def start(
        cls,
        plan: Plan,
        *,
        author: str,
        reason: str = "generated from the assessment",
        now: datetime | None = None,
    ) -> PlanHistory:
        """A history whose version 1 is ``plan`` (action ``generate``)."""
        first = PlanVersion(
            version=1,
            author=_text(author, "an author"),
            timestamp=_now(now),
            action="generate",
            reason=_text(reason, "a reason"),
            plan=plan,
        )
        return cls(versions=(first,))

    @property
    def latest(self) -> PlanVersion:
        """The newest version."""
        return self.versions[-1]

    @property
    def current(self) -> Plan:
        """The plan of the newest version."""
        return self.versions[-1].plan

    def get(self, version: int) -> PlanVersion:
        """Version ``version`` (1-based)."""
        if not 1 <= version <= len(self.versions):
            raise PlanEditError(
                f"There is no version {version}; this history has versions 1-{len(self.versions)}."
            )
        return self.versions[version - 1]

    # -- edits -------------------------------------------------------------------------------
    def _append(
        self,
        *,
        plan: Plan,
        author: str,
        reason: str,
        action: EditAction,
        now: datetime | None,
        exercise_id: str | None = None,
        dose_before: Dose | None = None,
        dose_after: Dose | None = None,
    ) -> PlanHistory:
        stamp = _now(now)
        if stamp < self.latest.timestamp:
            raise PlanEditError(
                f"The edit time {stamp.isoformat()} is earlier than version "
                f"{self.latest.version} ({self.latest.timestamp.isoformat()})."
            )
        version = PlanVersion(
            version=len(self.versions) + 1,
            author=author,
            timestamp=stamp,
            action=action,
            exercise_id=exercise_id,
            reason=reason,
            dose_before=dose_before,
            dose_after=dose_after,
            plan=plan,
        )
        return PlanHistory(versions=(*self.versions, version))

    def _editable(self) -> Plan:
        plan = self.current
        if plan.blocked:
            raise PlanEditError(
                "This plan is blocked by a red flag and cannot be edited: "
                f"{plan.message}. Only a clinician clearing the red flag and a new assessment "
                "can produce a plan."
            )
        return plan

    def _item(self, plan: Plan, exercise_id: str) -> PlanItem:
        item = plan.item(exercise_id)
        if item is None:
            listed = ", ".join(plan.exercise_ids()) or "none"
            raise PlanEditError(
                f"No item '{exercise_id}' in the current plan (version "
                f"{self.latest.version}); its items are: {listed}."
            )
        return item

    def _home_days(
        self,
        plan: Plan,
        exercise_id: str,
        dose: Dose,
        minutes: float,
        loads: dict[Weekday, float],
        days: Sequence[str] | None,
        keep: tuple[Weekday, ...] = (),
    ) -> tuple[Weekday, ...]:
        budget = plan.budget_min
        if days is not None:
            chosen = order_days(days)
            unknown = [d for d in days if d not in WEEKDAYS]
            if unknown or not chosen:
                raise PlanEditError(
                    f"Days must be weekdays ({', '.join(WEEKDAYS)}), not {list(days)}."
                )
            full = [d for d in chosen if loads[d] + minutes > budget + EPS_MIN]
            if full:
                raise PlanEditError(
                    f"'{exercise_id}' ({minutes:.1f} min) does not fit the daily budget of "
                    f"{budget:g} min on {', '.join(full)}; choose other days, re-dose or "
                    "remove another item."
                )
            return chosen
        if (
            keep
            and len(keep) == dose.days_per_week
            and all(loads[d] + minutes <= budget + EPS_MIN for d in keep)
        ):
            return keep
        placed = place_one(SlotRequest(exercise_id, minutes, dose.days_per_week), loads, budget)
        if len(placed) < dose.days_per_week:
            raise PlanEditError(
                f"'{exercise_id}' ({minutes:.1f} min on {dose.days_per_week} days a week) does "
                f"not fit the daily budget of {budget:g} min; re-dose it, give fewer days, "
                "remove another item or generate the plan with a larger budget."
            )
        return placed

    def add(
        self,
        exercise_id: str,
        *,
        author: str,
        reason: str,
        dose: Dose | None = None,
        setting: Setting | Literal["auto"] = "auto",
        priority: int = 3,
        days: Sequence[str] | None = None,
        allow_unsuitable: bool = False,
        library: ExerciseLibrary | None = None,
        settings: ScheduleSettings | None = None,
        now: datetime | None = None,
        replaces: Sequence[str] = (),
    ) -> PlanHistory:
        """A new version with one more item.

        The item starts at its ladder's starting dose unless ``dose`` is given, and is placed
        on days within the daily budget (or on ``days``). Its reason cites ``edit.add``.
        ``replaces`` names the exercises it takes the place of (a switch proposal), most
        recent first.

        Raises
        ------
        PlanEditError
            The plan is blocked; the exercise is unknown or already in the plan; it is
            unsuitable for the patient (§6.4) and ``allow_unsuitable`` is False; it does not
            fit the budget; a clinic item without clinic days; an empty author or reason.
        """
        plan = self._editable()
        who, why = _text(author, "an author"), _text(reason, "a reason")
        if not 1 <= priority <= 9:
            raise PlanEditError(f"Priority must be 1-9, not {priority}.")
        if plan.item(exercise_id) is not None:
            raise PlanEditError(
                f"'{exercise_id}' is already in the plan; re-dose it or remove it first."
            )
        lib = library if library is not None else load_library()
        if exercise_id not in lib:
            raise PlanEditError(f"'{exercise_id}' is not in the exercise library.")
        exercise = lib.get(exercise_id)
        problems = unsuitable_reasons(exercise, plan.context)
        if problems and not allow_unsuitable:
            raise PlanEditError(
                f"'{exercise_id}' is unsuitable for this patient: {'; '.join(problems)}. "
                "Pass allow_unsuitable=True to override with your reason."
            )
        where = resolve_setting(setting, exercise, plan.context)
        new_dose = dose if dose is not None else starting_dose(exercise)
        if dose is None and exercise.category == "education" and where == "home":
            part = (settings or ScheduleSettings()).education_part_min
            new_dose = education_home_dose(new_dose, part)
        minutes = round(session_minutes(new_dose), 2)
        version = len(self.versions) + 1
        if where == "clinic":
            if not plan.context.clinic:
                raise PlanEditError(
                    f"'{exercise_id}' is a clinic item but the patient has no clinic days."
                )
            chosen = plan.context.clinic_days
            if exercise.category == "education":
                chosen = chosen[:1]
            time = plan.context.clinic_time
        else:
            loads = home_minutes_by_day(plan.items)
            chosen = self._home_days(plan, exercise_id, new_dose, minutes, loads, days)
            time = plan.context.exercise_time
        new_dose = new_dose.model_copy(update={"days_per_week": len(chosen)})
        cautions = tuple(f"clinician override: {p}" for p in problems)
        item = PlanItem(
            exercise_id=exercise.id,
            name=exercise.name,
            category=exercise.category,
            setting=where,
            dose=new_dose,
            dose_family=family_of(exercise),
            priority=priority,
            rule_order=EDIT_RULE_ORDER + version,
            reasons=(
                Reason(
                    rule_id=EDIT_ADD,
                    family="clinician",
                    title=why,
                    source=f"clinician edit by {who} (version {version})",
                ),
            ),
            cautions=cautions,
            schedule=ItemSchedule(days=chosen, time_of_day=time, minutes=minutes),
            replaces=tuple(dict.fromkeys(r for r in replaces if r != exercise.id)),
        )
        new_plan = _replan(
            plan,
            [*plan.items, item],
            deferred=tuple(d for d in plan.deferred if d.exercise_id != exercise_id),
            excluded=tuple(e for e in plan.excluded if e.exercise_id != exercise_id),
        )
        return self._append(
            plan=new_plan,
            author=who,
            reason=why,
            action="add",
            now=now,
            exercise_id=exercise_id,
            dose_after=new_dose,
        )

    def remove(
        self,
        exercise_id: str,
        *,
        author: str,
        reason: str,
        now: datetime | None = None,
    ) -> PlanHistory:
        """A new version without the item; the removal is listed in the plan's ``excluded``.

        Raises
        ------
        PlanEditError
            The plan is blocked, the item is not in it, or the author or reason is empty.
        """
        plan = self._editable()
        who, why = _text(author, "an author"), _text(reason, "a reason")
        item = self._item(plan, exercise_id)
        excluded = (
            *plan.excluded,
            Exclusion(exercise_id=exercise_id, rule_id=EDIT_REMOVE, reason=f"{why} ({who})"),
        )
        new_plan = _replan(
            plan, [i for i in plan.items if i.exercise_id != exercise_id], excluded=excluded
        )
        return self._append(
            plan=new_plan,
            author=who,
            reason=why,
            action="remove",
            now=now,
            exercise_id=exercise_id,
            dose_before=item.dose,
        )

    def redose(
        self,
        exercise_id: str,
        dose: Dose,
        *,
        author: str,
        reason: str,
        days: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> PlanHistory:
        """A new version with the item's dose replaced (and its days re-fitted to the budget).

        Home items keep their days when the new dose still fits them and asks for as many days;
        otherwise they are placed again (or on ``days``). Clinic items keep the clinic days.

        Raises
        ------
        PlanEditError
            The plan is blocked, the item is not in it, the dose is unchanged, it does not fit
            the budget, or the author or reason is empty.
        """
        plan = self._editable()
        who, why = _text(author, "an author"), _text(reason, "a reason")
        item = self._item(plan, exercise_id)
        if dose == item.dose and days is None:
            raise PlanEditError(f"The new dose of '{exercise_id}' is the same as the current one.")
        minutes = round(session_minutes(dose), 2)
        if item.setting == "clinic":
            chosen = item.schedule.days
            new_dose = dose.model_copy(update={"days_per_week": max(1, len(chosen))})
        else:
            loads = home_minutes_by_day(plan.items)
            for d in item.schedule.days:
                loads[d] -= item.schedule.minutes
            chosen = self._home_days(
                plan, exercise_id, dose, minutes, loads, days, keep=item.schedule.days
            )
            new_dose = dose.model_copy(update={"days_per_week": len(chosen)})
        version = len(self.versions) + 1
        reasons = (
            *item.reasons,
            Reason(
                rule_id=EDIT_REDOSE,
                family="clinician",
                title=why,
                source=f"clinician edit by {who} (version {version})",
            ),
        )
        new_item = PlanItem.model_validate(
            {
                **dict(item),
                "dose": new_dose,
                "reasons": reasons,
                "schedule": item.schedule.model_copy(update={"days": chosen, "minutes": minutes}),
            }
        )
        items = [new_item if i.exercise_id == exercise_id else i for i in plan.items]
        return self._append(
            plan=_replan(plan, items),
            author=who,
            reason=why,
            action="redose",
            now=now,
            exercise_id=exercise_id,
            dose_before=item.dose,
            dose_after=new_dose,
        )

    def regenerate(
        self, plan: Plan, *, author: str, reason: str, now: datetime | None = None
    ) -> PlanHistory:
        """A new version holding a freshly generated plan (e.g. after a reassessment).

        Raises
        ------
        PlanEditError
            The plan is for another patient (both ``patient_ref`` set and different), or the
            author or reason is empty.
        """
        mine = self.current.patient_ref
        if mine and plan.patient_ref and plan.patient_ref != mine:
            raise PlanEditError(
                f"This history is for patient '{mine}'; the new plan is for '{plan.patient_ref}'."
            )
        return self._append(
            plan=plan,
            author=_text(author, "an author"),
            reason=_text(reason, "a reason"),
            action="generate",
            now=now,
        )

    def to_json(self) -> str:
        """JSON text (indented)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> PlanHistory:
        """Parse :meth:`to_json` output; a malformed document is a
        :class:`~backrehab.plan.engine.PlanFileError`."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
            )
            raise PlanFileError(
                f"Invalid plan history document: {problems}", detail=str(exc)
            ) from exc
