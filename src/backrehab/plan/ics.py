"""iCalendar (RFC 5545) export of a plan's weekly routine, without any calendar library.

Input: a :class:`~backrehab.plan.engine.Plan`, the first date and the number of weeks.
Output: VCALENDAR text with one weekly-recurring VEVENT per group of weekdays that share the
same home items (and one per clinic-session pattern), each with a display reminder (VALARM);
the DESCRIPTION lists each item's dose. Lines end in CRLF and are folded at 75 octets; times
are floating local times.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

from backrehab import __version__
from backrehab.assess.red_flags import PlanBlockedError
from backrehab.errors import ConfigError
from backrehab.plan.dosing import describe_dose
from backrehab.plan.engine import Plan, PlanItem
from backrehab.plan.schedule import WEEKDAYS, Weekday

CRLF: Final = "\r\n"
#: Longest line in octets, without the CRLF (RFC 5545 §3.1).
MAX_OCTETS: Final = 75
PRODID: Final = f"-//backrehab//backrehab {__version__}//EN"
#: Default reminder, minutes before each session (PROJECT DEFAULT).
DEFAULT_REMINDER_MIN: Final = 15
#: Longest reminder lead time, minutes (one day).
MAX_REMINDER_MIN: Final = 1440
_BYDAY: Final = {
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}


def escape_text(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold a content line into physical lines of at most 75 octets (UTF-8), never splitting a
    character; continuation lines start with one space (RFC 5545 §3.1)."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        n = len(char.encode("utf-8"))
        if size + n > limit:
            pieces.append(current)
            current, size = " ", 1
            limit = MAX_OCTETS
        current += char
        size += n
    pieces.append(current)
    return CRLF.join(pieces)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: date, time_of_day: str) -> datetime:
    hour, minute = (int(x) for x in time_of_day.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute)


def _first_on_or_after(start: date, days: Sequence[Weekday]) -> date:
    wanted = {WEEKDAYS.index(d) for d in days}
    for k in range(7):
        candidate = start + timedelta(days=k)
        if candidate.weekday() in wanted:
            return candidate
    raise AssertionError("no weekday given")  # pragma: no cover - callers pass days


def _groups(items: Sequence[PlanItem], setting: str) -> list[tuple[tuple[Weekday, ...], str]]:
    """Weekdays grouped by identical item lists: [(days, time), ...] with their items."""
    by_day: dict[Weekday, tuple[tuple[str, ...], str]] = {}
    for day in WEEKDAYS:
        todays = [i for i in items if i.setting == setting and day in i.schedule.days]
        if todays:
            by_day[day] = (tuple(i.exercise_id for i in todays), todays[0].schedule.time_of_day)
    groups: dict[tuple[tuple[str, ...], str], list[Weekday]] = {}
    for day, key in by_day.items():
        groups.setdefault(key, []).append(day)
    return [(tuple(days), key[1]) for key, days in groups.items()]


def _alarm(title: str, reminder_min: int | None) -> list[str]:
    """A display reminder ``reminder_min`` minutes before the event (none when None)."""
    if reminder_min is None:
        return []
    trigger = f"-PT{reminder_min}M" if reminder_min > 0 else "PT0M"
    when = f"in {reminder_min} min" if reminder_min > 0 else "now"
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"TRIGGER:{trigger}",
        f"DESCRIPTION:{escape_text(f'{title} {when}')}",
        "END:VALARM",
    ]


def plan_to_ics(
    plan: Plan,
    *,
    start: date,
    weeks: int = 4,
    now: datetime | None = None,
    reminder_min: int | None = DEFAULT_REMINDER_MIN,
) -> str:
    """The plan's weekly routine as iCalendar text.

    One VEVENT per group of weekdays with the same home items (SUMMARY "Back programme",
    DESCRIPTION = each item with its dose, DURATION = the day's minutes), one per clinic
    pattern, each with ``RRULE:FREQ=WEEKLY;BYDAY=..;UNTIL=..`` over ``weeks`` weeks from
    ``start``. Each VEVENT carries a ``VALARM`` (``ACTION:DISPLAY``) ``reminder_min`` minutes
    before the session (0: at the start; None: no reminder), so the patient's phone calendar
    reminds them. UIDs are derived from the plan and the days, so the same plan gives the same
    UIDs; ``DTSTAMP`` is ``now`` (UTC).

    Raises
    ------
    PlanBlockedError
        The plan is blocked by a red flag (no routine to export).
    ConfigError
        ``weeks`` is not 1-52, ``reminder_min`` is not 0-1440 (or None), or ``now`` has no
        timezone.
    """
    if plan.blocked:
        raise PlanBlockedError(
            f"No routine to export: {plan.message}.",
            level="emergency" if plan.safety_level == "emergency" else "urgent",
            triggers=plan.triggers,
        )
    if isinstance(weeks, bool) or not 1 <= weeks <= 52:
        raise ConfigError(f"weeks must be 1-52, not {weeks!r}.")
    if reminder_min is not None and (
        isinstance(reminder_min, bool)
        or not isinstance(reminder_min, int)
        or not 0 <= reminder_min <= MAX_REMINDER_MIN
    ):
        raise ConfigError(
            f"The reminder must be 0-{MAX_REMINDER_MIN} minutes before the session (or none), "
            f"not {reminder_min!r}."
        )
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ConfigError("The export time must carry a timezone.", detail=f"now={now!r}")
    stamp = _stamp(now if now is not None else datetime.now(UTC))
    digest = hashlib.sha256(plan.to_json().encode("utf-8")).hexdigest()[:16]
    last_day = start + timedelta(days=7 * weeks - 1)
    until = datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text('Back programme')}",
    ]
    for setting, title in (("home", "Back programme"), ("clinic", "Clinic session")):
        for days, time_of_day in _groups(plan.items, setting):
            todays = [i for i in plan.items if i.setting == setting and days[0] in i.schedule.days]
            minutes = sum(i.schedule.minutes for i in todays)
            first = _first_on_or_after(start, days)
            if first > last_day:
                continue
            begin = _local(first, time_of_day)
            description = [f"{title}, about {minutes:.0f} min:"]
            for i in todays:
                side = f" (side: {i.side})" if i.side != "none" else ""
                description.append(f"- {i.name}: {describe_dose(i.dose)}{side}")
            description.append(
                "Not medical advice; stop and call your clinician if symptoms spread down a leg."
            )
            uid = f"{digest}-{setting}-{'-'.join(days)}@backrehab"
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{begin.strftime('%Y%m%dT%H%M%S')}",
                f"DURATION:PT{max(1, round(minutes))}M",
                "RRULE:FREQ=WEEKLY;BYDAY="
                + ",".join(_BYDAY[d] for d in days)
                + f";UNTIL={until.strftime('%Y%m%dT%H%M%S')}",
                f"SUMMARY:{escape_text(f'{title} ({len(todays)} items)')}",
                f"DESCRIPTION:{escape_text(chr(10).join(description))}",
                "CATEGORIES:HEALTH",
                "TRANSP:OPAQUE",
                *_alarm(title, reminder_min),
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
