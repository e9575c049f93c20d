"""iCalendar export, checked by a small strict RFC 5545 parser written here (no dependency)."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr

from backrehab.assess.red_flags import PlanBlockedError
from backrehab.errors import ConfigError
from backrehab.plan import Plan, describe_dose, generate_plan, plan_to_ics
from backrehab.plan.ics import escape_text, fold_line
from tests.plan import REPO, assessment, red_flag, startback

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
START = date(2026, 11, 30)  # a Monday
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")
_DATETIME = re.compile(r"^\d{8}T\d{6}$")
_UTC = re.compile(r"^\d{8}T\d{6}Z$")


class IcsError(AssertionError):
    """The text breaks an RFC 5545 rule the parser checks."""


@dataclass
class Component:
    """One parsed component: its name, properties (name -> list of (params, value)), children."""

    name: str
    props: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> str:
        """The single value of a property that must occur exactly once."""
        values = self.props.get(name, [])
        if len(values) != 1:
            raise IcsError(f"{self.name}: {name} occurs {len(values)} times")
        return values[0][1]


def unescape(value: str) -> str:
    """Undo TEXT escaping (RFC 5545 §3.3.11); a lone backslash is an error."""
    out, k = [], 0
    while k < len(value):
        c = value[k]
        if c == "\\":
            if k + 1 >= len(value) or value[k + 1] not in "\\;,nN":
                raise IcsError(f"bad escape in {value!r}")
            out.append("\n" if value[k + 1] in "nN" else value[k + 1])
            k += 2
            continue
        if c in ",;":
            raise IcsError(f"unescaped {c!r} in TEXT {value!r}")
        out.append(c)
        k += 1
    return "".join(out)


def parse_ics(text: str) -> Component:
    """Parse strictly: CRLF endings, lines of at most 75 octets, folding, nesting, names."""
    raw = text.encode("utf-8")
    if not raw.endswith(b"\r\n"):
        raise IcsError("text must end with CRLF")
    if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
        raise IcsError("bare LF or CR")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        if len(line) > 75:
            raise IcsError(f"line of {len(line)} octets: {line[:40]!r}")
    logical: list[str] = []
    for line in physical:
        decoded = line.decode("utf-8")  # a split multi-byte character would fail here
        if decoded.startswith((" ", "\t")):
            if not logical:
                raise IcsError("continuation line first")
            logical[-1] += decoded[1:]
        else:
            logical.append(decoded)
    stack: list[Component] = []
    root: Component | None = None
    for line in logical:
        name_part, sep, value = line.partition(":")
        if not sep:
            raise IcsError(f"no colon: {line!r}")
        name, _, params = name_part.partition(";")
        if not _NAME.match(name):
            raise IcsError(f"bad property name {name!r}")
        if name == "BEGIN":
            comp = Component(value)
            if stack:
                stack[-1].children.append(comp)
            elif root is not None:
                raise IcsError("two top-level components")
            else:
                root = comp
            stack.append(comp)
        elif name == "END":
            if not stack or stack[-1].name != value:
                raise IcsError(f"END:{value} does not close {stack[-1].name if stack else None}")
            stack.pop()
        else:
            if not stack:
                raise IcsError(f"property outside a component: {name}")
            stack[-1].props.setdefault(name, []).append((params, value))
    if stack or root is None or root.name != "VCALENDAR":
        raise IcsError("unbalanced or missing VCALENDAR")
    return root


def check_event(event: Component) -> dict[str, str]:
    """Check one VEVENT's required properties and formats; return its plain values."""
    uid = event.one("UID")
    stamp = event.one("DTSTAMP")
    start = event.one("DTSTART")
    if not _UTC.match(stamp):
        raise IcsError(f"DTSTAMP must be UTC: {stamp}")
    if not _DATETIME.match(start):
        raise IcsError(f"DTSTART must be a local date-time: {start}")
    rule = dict(part.split("=", 1) for part in event.one("RRULE").split(";"))
    if rule.get("FREQ") != "WEEKLY":
        raise IcsError(f"RRULE must be weekly: {rule}")
    days = rule["BYDAY"].split(",")
    if not days or any(d not in _BYDAY for d in days) or len(set(days)) != len(days):
        raise IcsError(f"bad BYDAY {days}")
    if not _DATETIME.match(rule["UNTIL"]):
        raise IcsError(f"UNTIL must be a local date-time like DTSTART: {rule['UNTIL']}")
    if not re.match(r"^PT\d+M$", event.one("DURATION")):
        raise IcsError("bad DURATION")
    return {
        "uid": uid,
        "start": start,
        "byday": rule["BYDAY"],
        "until": rule["UNTIL"],
        "summary": unescape(event.one("SUMMARY")),
        "description": unescape(event.one("DESCRIPTION")),
    }


@pytest.fixture(scope="module")
def plan() -> Plan:
    """A medium-risk plan with clinic sessions on Wednesdays."""
    a = assessment(startback("medium"), context={"clinic_days": ["wed"]})
    return generate_plan(a, budget_min=30)


def test_calendar_parses_strictly_with_required_properties(plan: Plan) -> None:
    """The export is valid RFC 5545 text: VERSION 2.0, PRODID, and complete weekly VEVENTs."""
    cal = parse_ics(plan_to_ics(plan, start=START, weeks=4, now=NOW))
    assert cal.one("VERSION") == "2.0"
    assert cal.one("PRODID").startswith("-//backrehab//")
    events = [c for c in cal.children if c.name == "VEVENT"]
    assert events
    values = [check_event(e) for e in events]
    assert len({v["uid"] for v in values}) == len(values)
    home_days = {d for item in plan.items if item.setting == "home" for d in item.schedule.days}
    covered = {d for v in values if "Back programme" in v["summary"] for d in v["byday"].split(",")}
    assert len(covered) == len(home_days)
    assert any(v["byday"] == "WE" and "Clinic session" in v["summary"] for v in values)


def test_descriptions_carry_each_dose(plan: Plan) -> None:
    """Each home item's name and dose text appear in the description of its days' event."""
    cal = parse_ics(plan_to_ics(plan, start=START, weeks=4, now=NOW))
    descriptions = "\n".join(check_event(e)["description"] for e in cal.children)
    for item in plan.items:
        assert f"{item.name}: {describe_dose(item.dose)}" in descriptions


def test_dtstart_is_the_first_matching_day_and_until_ends_the_weeks(plan: Plan) -> None:
    """DTSTART falls on the first BYDAY weekday on or after the start; UNTIL ends week N."""
    cal = parse_ics(plan_to_ics(plan, start=START + timedelta(days=1), weeks=2, now=NOW))
    for event in cal.children:
        v = check_event(event)
        first = datetime.strptime(v["start"], "%Y%m%dT%H%M%S")
        assert _BYDAY[first.weekday()] in v["byday"].split(",")
        assert first.date() >= START + timedelta(days=1)
        assert first.date() - (START + timedelta(days=1)) < timedelta(days=7)
        assert v["until"] == "20261214T235959"


def test_same_plan_and_time_give_the_same_calendar(plan: Plan) -> None:
    """The export is deterministic for a fixed DTSTAMP (stable UIDs)."""
    assert plan_to_ics(plan, start=START, now=NOW) == plan_to_ics(plan, start=START, now=NOW)


def test_fold_line_respects_octets_and_characters() -> None:
    """Folding keeps each physical line within 75 octets without splitting UTF-8 characters."""
    line = "DESCRIPTION:" + "× é ü 10 s hold; " * 20
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_escape_text_round_trips() -> None:
    """Commas, semicolons, backslashes and newlines are escaped and come back unchanged."""
    text = "a, b; c\\d\nnext line"
    assert unescape(escape_text(text)) == text


def test_blocked_plan_and_bad_options_are_refused(plan: Plan) -> None:
    """A blocked plan has no routine to export; weeks and naive times are checked."""
    blocked = generate_plan(assessment(red_flag("emergency", "saddle_numbness")))
    with pytest.raises(PlanBlockedError, match="Seek emergency care"):
        plan_to_ics(blocked, start=START)
    with pytest.raises(ConfigError, match="weeks"):
        plan_to_ics(plan, start=START, weeks=0)
    with pytest.raises(ConfigError, match="timezone"):
        plan_to_ics(plan, start=START, now=datetime(2026, 1, 1))


def test_icalendar_package_is_not_required(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exporter works with 'icalendar' unimportable and no runtime dependency declares it
    (tests may use it as a standard parser)."""
    monkeypatch.setitem(sys.modules, "icalendar", None)  # any import of it now fails
    import backrehab.plan.ics as ics_module

    fresh = importlib.reload(ics_module)
    parse_ics(fresh.plan_to_ics(plan, start=START, now=NOW))
    source = Path(ics_module.__file__).read_text(encoding="utf-8")
    assert "import icalendar" not in source
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("icalendar")]


def test_every_event_has_a_display_reminder(plan: Plan) -> None:
    """Each VEVENT holds one VALARM (DISPLAY, with a description) 15 min before by default."""
    cal = parse_ics(plan_to_ics(plan, start=START, now=NOW))
    for event in cal.children:
        alarms = [c for c in event.children if c.name == "VALARM"]
        assert len(alarms) == 1
        assert alarms[0].one("ACTION") == "DISPLAY"
        assert alarms[0].one("TRIGGER") == "-PT15M"
        assert unescape(alarms[0].one("DESCRIPTION"))


def test_reminder_time_or_none(plan: Plan) -> None:
    """The reminder lead time is configurable, 0 is at the start, None leaves it out."""
    at_start = parse_ics(plan_to_ics(plan, start=START, now=NOW, reminder_min=0))
    assert {e.children[0].one("TRIGGER") for e in at_start.children} == {"PT0M"}
    none = parse_ics(plan_to_ics(plan, start=START, now=NOW, reminder_min=None))
    assert all(not e.children for e in none.children)
    for bad in (-5, 1441, True, 2.5):
        with pytest.raises(ConfigError, match="reminder"):
            plan_to_ics(plan, start=START, now=NOW, reminder_min=bad)  # type: ignore[arg-type]


def _occurrences(text: str) -> list[tuple[str, datetime]]:
    """Every (summary, start) of the calendar, each RRULE expanded by dateutil's parser."""
    out: list[tuple[str, datetime]] = []
    for event in parse_ics(text).children:
        v = check_event(event)
        rule = rrulestr(event.one("RRULE"), dtstart=datetime.strptime(v["start"], "%Y%m%dT%H%M%S"))
        out.extend((v["summary"], moment) for moment in rule)
    return out


def test_recurrences_expand_to_the_planned_days(plan: Plan) -> None:
    """dateutil's RFC 5545 recurrence parser gives each planned day of the 4 weeks once: one
    home session per home day and one clinic session per clinic day, at the planned times."""
    occurrences = _occurrences(plan_to_ics(plan, start=START, weeks=4, now=NOW))
    home = [m for s, m in occurrences if s.startswith("Back programme")]
    clinic = [m for s, m in occurrences if s.startswith("Clinic session")]
    home_days = {d for i in plan.items if i.setting == "home" for d in i.schedule.days}
    assert len(home) == len(set(home)) == 4 * len(home_days)
    assert {_BYDAY[m.weekday()] for m in home} == {d[:2].upper() for d in home_days}
    assert all(START <= m.date() < START + timedelta(weeks=4) for (m,) in zip(home, strict=True))
    assert {m.strftime("%H:%M") for m in home} == {plan.context.exercise_time}
    assert len(clinic) == 4
    assert {m.weekday() for m in clinic} == {2}  # Wednesdays


def test_a_standard_icalendar_parser_reads_the_calendar(plan: Plan) -> None:
    """The 'icalendar' package (a standard RFC 5545 parser) reads every event, its recurrence,
    duration, description and reminder exactly as written."""
    icalendar = pytest.importorskip(
        "icalendar", reason="the icalendar package is not installed (dev extra)"
    )
    text = plan_to_ics(plan, start=START, weeks=4, now=NOW)
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    ours = [check_event(e) for e in parse_ics(text).children]
    assert len(events) == len(ours)
    for event, mine in zip(events, ours, strict=True):
        assert str(event["UID"]) == mine["uid"]
        assert str(event["SUMMARY"]) == mine["summary"]
        assert str(event["DESCRIPTION"]) == mine["description"]
        assert event.decoded("DTSTART") == datetime.strptime(mine["start"], "%Y%m%dT%H%M%S")
        assert event.decoded("DTSTAMP") == NOW
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1
        assert alarms[0].decoded("TRIGGER") == -timedelta(minutes=15)
    home = [e for e in events if str(e["SUMMARY"]).startswith("Back programme")]
    total = sum((e.decoded("DURATION") for e in home if "MO" in e["RRULE"]["BYDAY"]), timedelta())
    monday = sum(
        i.schedule.minutes for i in plan.items if i.setting == "home" and "mon" in i.schedule.days
    )
    assert abs(total.total_seconds() / 60 - monday) <= 0.5
