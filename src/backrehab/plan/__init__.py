"""Treatment plans: rules as data, one small engine, dose ladders, a budgeted weekly schedule.

:func:`generate_plan` turns an assessment (findings + ``settings["patient_context"]``) into a
:class:`Plan` using the rules of ``data/rules.yaml`` (``docs/plan-rules.md``); a red flag blocks
it with the referral message. :class:`PlanHistory` keeps clinician edits as versions;
:func:`render_markdown` and :func:`plan_to_ics` give a readable view and a calendar.
"""

from __future__ import annotations

from backrehab.plan.dosing import (
    LADDER_FAMILIES,
    Dose,
    DoseLadder,
    describe_dose,
    family_of,
    ladder_for,
    session_minutes,
    starting_dose,
)
from backrehab.plan.engine import (
    Deferral,
    Exclusion,
    Notice,
    Plan,
    PlanFileError,
    PlanItem,
    Reason,
    generate_plan,
)
from backrehab.plan.history import PlanEditError, PlanHistory, PlanVersion
from backrehab.plan.ics import plan_to_ics
from backrehab.plan.render import render_history_markdown, render_markdown
from backrehab.plan.rules import (
    CONTEXT_KEY,
    PatientContext,
    Rule,
    RulesError,
    RuleSet,
    context_from_assessment,
    context_from_mapping,
    load_rules,
    parse_rules,
)
from backrehab.plan.schedule import WEEKDAYS, ItemSchedule, ScheduleSettings, Weekday

__all__ = [
    "CONTEXT_KEY",
    "LADDER_FAMILIES",
    "WEEKDAYS",
    "Deferral",
    "Dose",
    "DoseLadder",
    "Exclusion",
    "ItemSchedule",
    "Notice",
    "PatientContext",
    "Plan",
    "PlanEditError",
    "PlanFileError",
    "PlanHistory",
    "PlanItem",
    "PlanVersion",
    "Reason",
    "Rule",
    "RuleSet",
    "RulesError",
    "ScheduleSettings",
    "Weekday",
    "context_from_assessment",
    "context_from_mapping",
    "describe_dose",
    "family_of",
    "generate_plan",
    "ladder_for",
    "load_rules",
    "parse_rules",
    "plan_to_ics",
    "render_history_markdown",
    "render_markdown",
    "session_minutes",
    "starting_dose",
]
