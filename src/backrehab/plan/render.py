"""Readable Markdown views of a plan and of a plan history, with every item's reasons.

Input: a :class:`~backrehab.plan.engine.Plan` (or a
:class:`~backrehab.plan.history.PlanHistory`). Output: Markdown text (also fine as plain text):
the referral message of a blocked plan, or the weekly schedule, items with dose and reasons,
deferred and excluded items and notices.
"""

from __future__ import annotations

from backrehab.plan.dosing import describe_dose
from backrehab.plan.engine import Plan, PlanItem
from backrehab.plan.history import PlanHistory
from backrehab.plan.schedule import WEEKDAYS

_DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_DISCLAIMER = (
    "_Draft plan for review by a licensed clinician; not medical advice. Stop an exercise and "
    "contact your clinician if symptoms spread down a leg, or if you notice new numbness, "
    "weakness, or bladder or bowel changes._"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _item_lines(number: int, item: PlanItem) -> list[str]:
    side = f", side: {item.side}" if item.side != "none" else ""
    days = ", ".join(item.schedule.days) or "no days"
    lines = [
        f"### {number}. {item.name} (`{item.exercise_id}`)",
        "",
        f"- **Dose:** {describe_dose(item.dose)}{side}",
        f"- **When:** {item.setting}, {days} at {item.schedule.time_of_day}, "
        f"about {item.schedule.minutes:.1f} min",
        f"- **Category:** {item.category} (priority {item.priority}, ladder {item.dose_family})",
    ]
    lines.extend(f"- **Note:** {note}" for note in item.notes)
    lines.extend(f"- **Caution:** {c}" for c in item.cautions)
    lines.append("- **Why:**")
    for r in item.reasons:
        found = f"; findings: {', '.join(f'`{c}`' for c in r.findings)}" if r.findings else ""
        ctx = f"; context: {', '.join(r.context)}" if r.context else ""
        lines.append(f"  - `{r.rule_id}` ({r.family}): {r.title}{found}{ctx}. Source: {r.source}")
    lines.append("")
    return lines


def render_markdown(plan: Plan) -> str:
    """The plan as Markdown: schedule table, items with dose and reasons, deferrals, exclusions.

    A blocked plan shows only the referral message and the red-flag triggers.
    """
    who = f" for {plan.patient_ref}" if plan.patient_ref else ""
    out = [f"# Treatment plan{who}", ""]
    if plan.blocked:
        out += [
            f"**No exercise plan: {plan.message}.**",
            "",
            f"Red-flag level: {plan.safety_level}. Triggers: "
            f"{', '.join(plan.triggers) or 'see the assessment'}.",
            f"Rules: {', '.join(f'`{r}`' for r in plan.fired_rules)}.",
            "",
            _DISCLAIMER,
            "",
        ]
        return "\n".join(out)
    out += [
        f"Daily home budget: {plan.budget_min:g} min. Red-flag screen: {plan.safety_level}. "
        f"Rules version {plan.rules_version}.",
        "",
    ]
    if plan.notices:
        out += ["## Notices", ""]
        out += [f"- {n.text} (`{n.rule_id}`)" for n in plan.notices]
        out.append("")
    out += ["## Week", "", "| Day | Home minutes | Home items | Clinic |", "|---|---|---|---|"]
    for day in WEEKDAYS:
        home = [i.name for i in plan.items if i.setting == "home" and day in i.schedule.days]
        clinic = [i.name for i in plan.items if i.setting == "clinic" and day in i.schedule.days]
        out.append(
            f"| {_DAY_NAMES[day]} | {plan.daily_minutes.get(day, 0.0):.1f} | "
            f"{_cell(', '.join(home)) or '-'} | {_cell(', '.join(clinic)) or '-'} |"
        )
    out += ["", "## Items", ""]
    for k, item in enumerate(plan.items, start=1):
        out += _item_lines(k, item)
    if plan.deferred:
        out += ["## Deferred (over the daily budget)", ""]
        out += [f"- `{d.exercise_id}` ({d.outcome}): {d.reason}" for d in plan.deferred]
        out.append("")
    if plan.excluded:
        out += ["## Left out", ""]
        out += [f"- `{e.exercise_id}` by `{e.rule_id}`: {e.reason}" for e in plan.excluded]
        out.append("")
    out += [_DISCLAIMER, ""]
    return "\n".join(out)


def render_history_markdown(history: PlanHistory) -> str:
    """The version list (who, when, what, why) followed by the current plan."""
    out = ["# Plan history", "", "| Version | When (UTC) | Who | Action | Item | Why |"]
    out.append("|---|---|---|---|---|---|")
    for v in history.versions:
        change: str = v.action
        if v.dose_before is not None and v.dose_after is not None:
            change += f": {describe_dose(v.dose_before)} → {describe_dose(v.dose_after)}"
        out.append(
            f"| {v.version} | {v.timestamp.isoformat(timespec='minutes')} | {_cell(v.author)} | "
            f"{_cell(change)} | {v.exercise_id or '-'} | {_cell(v.reason)} |"
        )
    out += ["", render_markdown(history.current)]
    return "\n".join(out)
