"""CLI contract of `backrehab plan` and `backrehab ics` (keys, files, errors -> exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backrehab.assess.red_flags import EMERGENCY_TEXT
from backrehab.plan import Plan, PlanHistory
from tests.cli_helpers import cli_fails, cli_json, cli_ok
from tests.plan import EXAMPLES

LOW = EXAMPLES / "low_risk.json"
HIGH = EXAMPLES / "high_risk_flexion_intolerant.json"
EMERGENCY = EXAMPLES / "red_flag_emergency.json"


def test_plan_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """plan --json prints blocked, message and items with exercise_id, category, dose, reasons."""
    data = cli_json(["plan", str(LOW)], capsys)
    assert data["blocked"] is False
    assert data["message"] == ""
    assert data["items"]
    for item in data["items"]:
        assert {"exercise_id", "category", "dose", "reasons", "priority", "schedule"} <= set(item)
        assert item["dose"]["sets"] >= 1
        assert item["reasons"]
        assert all(r["rule_id"] for r in item["reasons"])
        assert all(r["source"] for r in item["reasons"])
    assert {"deferred", "excluded", "notices", "budget_min", "daily_minutes"} <= set(data)


def test_plan_blocked_by_emergency(capsys: pytest.CaptureFixture[str]) -> None:
    """The red-flag example is blocked: the referral message and no items (exit 0)."""
    data = cli_json(["plan", str(EMERGENCY)], capsys)
    assert data["blocked"] is True
    assert data["message"] == EMERGENCY_TEXT
    assert data["items"] == []


def test_plan_high_risk_example(capsys: pytest.CaptureFixture[str]) -> None:
    """The high-risk flexion-intolerant example has psychologically informed items and the
    extension series, each naming its rule ids."""
    data = cli_json(["plan", str(HIGH)], capsys)
    by_id = {i["exercise_id"]: i for i in data["items"]}
    assert "startback.psychologically_informed" in [
        r["rule_id"] for r in by_id["edu_pain_neuroscience"]["reasons"]
    ]
    assert by_id["prone_press_up"]["reasons"][0]["rule_id"] == "directional.extension.centralising"
    assert by_id["mt_soft_tissue_mobilization"]["setting"] == "clinic"
    assert by_id["edu_pain_neuroscience"]["category"] == "education"


def test_plan_markdown_view(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the readable view lists items with dose and reasons."""
    text = cli_ok(["plan", str(HIGH)], capsys)
    assert text.startswith("# Treatment plan")
    assert "**Dose:**" in text
    assert "`startback.exercise_programme`" in text
    assert "## Week" in text
    blocked = cli_ok(["plan", str(EMERGENCY)], capsys)
    assert "No exercise plan" in blocked


def test_plan_out_budget_and_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out writes the plan JSON, --budget-min sets the budget, --context overrides context."""
    out = tmp_path / "plan.json"
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"clinic_days": ["fri"], "exercise_time": "06:45"}))
    data = cli_json(
        ["plan", str(LOW), "--out", str(out), "--budget-min", "30", "--context", str(ctx)],
        capsys,
    )
    assert data["budget_min"] == 30
    saved = Plan.from_json(out.read_text(encoding="utf-8"))
    assert saved.budget_min == 30
    assert saved.context.clinic_days == ("fri",)
    assert all(i["schedule"]["time_of_day"] in ("06:45", "10:00") for i in data["items"])


def test_plan_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs on the same assessment print identical JSON."""
    first = cli_ok(["plan", str(HIGH), "--json"], capsys)
    second = cli_ok(["plan", str(HIGH), "--json"], capsys)
    assert first == second


def test_plan_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad JSON, an invalid assessment, a missing file, a bad budget or context exit 2."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "Invalid assessment" in cli_fails(["plan", str(bad)], capsys)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"findings": [{"code": "x"}]}))
    assert "Invalid assessment" in cli_fails(["plan", str(wrong)], capsys)
    assert "not found" in cli_fails(["plan", str(tmp_path / "missing.json")], capsys)
    assert "budget" in cli_fails(["plan", str(LOW), "--budget-min", "0"], capsys)
    bad_ctx = json.loads(LOW.read_text(encoding="utf-8"))
    bad_ctx["settings"]["patient_context"] = {"clinic_days": ["someday"]}
    ctx_file = tmp_path / "ctx.json"
    ctx_file.write_text(json.dumps(bad_ctx))
    assert "patient context" in cli_fails(["plan", str(ctx_file)], capsys)


def test_ics_writes_a_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ics PLAN.json --out writes CRLF iCalendar text with weekly events."""
    plan_file = tmp_path / "plan.json"
    cli_ok(["plan", str(HIGH), "--out", str(plan_file)], capsys)
    out = tmp_path / "routine.ics"
    message = cli_ok(
        ["ics", str(plan_file), "--out", str(out), "--start", "2026-11-30", "--weeks", "6"],
        capsys,
    )
    assert "Wrote" in message
    raw = out.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"RRULE:FREQ=WEEKLY;BYDAY=" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.count(b"BEGIN:VALARM") == raw.count(b"BEGIN:VEVENT")
    assert b"TRIGGER:-PT15M" in raw


def test_ics_reminder_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--reminder-min sets the alarm lead time, --no-reminder leaves alarms out; a lead time
    outside 0-1440 min exits 2."""
    plan_file = tmp_path / "plan.json"
    cli_ok(["plan", str(LOW), "--out", str(plan_file)], capsys)
    out = tmp_path / "r.ics"
    base = ["ics", str(plan_file), "--out", str(out), "--start", "2026-11-30"]
    cli_ok([*base, "--reminder-min", "30"], capsys)
    assert b"TRIGGER:-PT30M" in out.read_bytes()
    cli_ok([*base, "--no-reminder"], capsys)
    assert b"VALARM" not in out.read_bytes()
    assert "reminder" in cli_fails([*base, "--reminder-min", "2000"], capsys)


def test_ics_reads_a_plan_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ics also accepts a plan-history JSON and exports its current plan."""
    plan = Plan.from_json(cli_ok(["plan", str(LOW), "--json"], capsys))
    history_file = tmp_path / "history.json"
    history_file.write_text(PlanHistory.start(plan, author="dr.lee").to_json())
    out = tmp_path / "r.ics"
    cli_ok(["ics", str(history_file), "--out", str(out), "--start", "2026-11-30"], capsys)
    assert b"VEVENT" in out.read_bytes()


def test_ics_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A blocked plan, bad JSON, a non-plan document or a bad date exit 2 with a message."""
    blocked = tmp_path / "blocked.json"
    cli_ok(["plan", str(EMERGENCY), "--out", str(blocked)], capsys)
    out = str(tmp_path / "r.ics")
    assert "Seek emergency care" in cli_fails(["ics", str(blocked), "--out", out], capsys)
    bad = tmp_path / "bad.json"
    bad.write_text("[1,")
    assert "not valid JSON" in cli_fails(["ics", str(bad), "--out", out], capsys)
    assert "Invalid plan" in cli_fails(["ics", str(LOW), "--out", out], capsys)
    good = tmp_path / "plan.json"
    cli_ok(["plan", str(LOW), "--out", str(good)], capsys)
    assert "--start" in cli_fails(["ics", str(good), "--out", out, "--start", "soon"], capsys)


@pytest.mark.parametrize("command", ["plan", "ics"])
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--help works for the plan commands."""
    assert "Usage" in cli_ok([command, "--help"], capsys)
