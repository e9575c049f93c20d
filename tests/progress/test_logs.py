"""Session logs: validation naming the field, dose volumes, and logs built from the camera coach."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backrehab.coach.engine import Fault, HoldReport, RepReport, SetReport
from backrehab.coach.run import CoachReport
from backrehab.errors import InvalidResponseError
from backrehab.progress.logs import (
    DoneSet,
    PrescribedDose,
    check_logs,
    done_sets,
    log_from_coach,
    session_log_from_mapping,
    typed_log,
    with_next_morning,
)
from tests.progress import day, make_log


def _raw(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "exercise_id": "bird_dog",
        "date": "2025-01-06",
        "prescribed": {"sets": 1, "reps": 6, "hold_s": 10, "per_side": True},
        "done": [{"reps": 6, "hold_s": 10}],
        "rpe": 4,
        "pain_before": 3,
        "pain_during_max": 3,
        "pain_after": 2,
        "next_morning_pain": 3,
        "usual_pain": 3,
        "symptom_change": "unchanged",
        "form_pass_rate": 0.9,
    }
    data.update(changes)
    return data


def test_json_like_log_validates() -> None:
    """A complete JSON-style log validates, with worst pain and next-morning delta derived."""
    log = session_log_from_mapping(_raw(pain_after=4, next_morning_pain=5))
    assert log.worst_pain == 4
    assert log.next_morning_delta == 2
    assert log.full_dose
    assert log.source == "typed"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pain_after", 11),
        ("pain_during_max", -1),
        ("pain_before", 5.5),
        ("pain_after", "5"),
        ("pain_after", True),
        ("rpe", 12),
        ("form_pass_rate", 1.2),
        ("symptom_change", "worse"),
        ("exercise_id", "Bird Dog"),
    ],
)
def test_bad_field_is_named(field: str, value: object) -> None:
    """Out-of-range, non-integer or unknown values raise InvalidResponseError naming the field."""
    with pytest.raises(InvalidResponseError, match=field):
        session_log_from_mapping(_raw(**{field: value}))


def test_missing_and_unknown_fields_are_named() -> None:
    """A missing pain field and an unknown extra key are both reported by name."""
    data = _raw()
    del data["pain_after"]
    with pytest.raises(InvalidResponseError, match="pain_after"):
        session_log_from_mapping(data)
    with pytest.raises(InvalidResponseError, match="pain_peak"):
        session_log_from_mapping(_raw(pain_peak=3))


def test_nested_done_field_is_named_with_index() -> None:
    """An error inside a done set names its position (done[1].reps)."""
    with pytest.raises(InvalidResponseError, match=r"done\[1\]\.reps"):
        session_log_from_mapping(_raw(done=[{"reps": 6}, {"reps": -2}]))


def test_next_morning_needs_usual_pain() -> None:
    """Next-morning pain without the usual pain is refused (the delta would be undefined)."""
    with pytest.raises(InvalidResponseError, match="usual_pain"):
        session_log_from_mapping(_raw(usual_pain=None))


def test_missing_next_morning_gives_no_delta() -> None:
    """Without the next-morning report the delta is None."""
    log = session_log_from_mapping(_raw(next_morning_pain=None, usual_pain=None))
    assert log.next_morning_delta is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("peripheralising", "peripheralised"),
        ("Centralising", "centralised"),
        ("peripheralized", "peripheralised"),
        ("unchanged", "unchanged"),
    ],
)
def test_symptom_change_aliases(given: str, stored: str) -> None:
    """The spec's -ising forms and US spellings are stored as the §6.2 values."""
    assert session_log_from_mapping(_raw(symptom_change=given)).symptom_change == stored


def test_hold_volume_credits_each_hold_up_to_the_prescription() -> None:
    """Holds longer than prescribed add nothing; shorter holds count their seconds."""
    rx = PrescribedDose(sets=2, reps=5, hold_s=10)
    assert rx.volume == 100
    assert rx.set_volume(DoneSet(reps=5, hold_s=12)) == 50
    assert rx.set_volume(DoneSet(reps=5, hold_s=8)) == 40
    assert rx.set_volume(DoneSet(reps=5, hold_s=None)) == 50


def test_dose_completion_partial_and_more_than_prescribed() -> None:
    """Completion is done/prescribed volume; more reps than prescribed give above 1."""
    rx = PrescribedDose(sets=2, reps=10)
    partial = make_log(prescribed=rx, done_reps=8)
    assert partial.dose_completion == pytest.approx(0.8)
    assert not partial.full_dose
    more = make_log(prescribed=rx, done_reps=12)
    assert more.dose_completion == pytest.approx(1.2)
    assert more.full_dose
    nothing = make_log(prescribed=rx).model_copy(update={"done": ()})
    assert nothing.dose_completion == 0


def test_typed_log_with_uniform_sets() -> None:
    """A typed "2 sets of 8, 10 s holds" entry becomes two done sets."""
    log = typed_log(
        exercise_id="side_bridge",
        date="2025-01-07",
        prescribed={"sets": 2, "reps": 8, "hold_s": 10},
        done_sets=2,
        done_reps=8,
        done_hold_s=10,
        pain_before=2,
        pain_during_max=3,
        pain_after=2,
    )
    assert log.done == done_sets(2, 8, 10)
    assert log.full_dose
    with pytest.raises(InvalidResponseError, match="reps"):
        typed_log(
            exercise_id="side_bridge",
            date="2025-01-07",
            prescribed={"sets": 1, "reps": 8},
            done_sets=1,
            done_reps=-3,
            pain_before=2,
            pain_during_max=3,
            pain_after=2,
        )


def _rep(
    index: int, set_index: int, score: float, side: str = "none", complete: bool = True
) -> RepReport:
    faults = () if score >= 100 else (Fault(id="lean", cue="Chest up", fraction=0.5),)
    return RepReport(
        index=index,
        set_index=set_index,
        complete=complete,
        side=side,
        start_s=float(index),
        peak_s=index + 0.5,
        end_s=index + 1.0,
        duration_s=1.0,
        rom=40.0 + index,
        rom_unit="deg",
        peak_value=0.7,
        faults=faults,
        score=score,
    )


def _coach(**changes: Any) -> CoachReport:
    data: dict[str, Any] = {
        "exercise": "glute_bridge",
        "kind": "reps",
        "reps": 0,
        "partial_reps": 0,
        "reps_left": 0,
        "reps_right": 0,
        "per_rep": (),
        "sets": (),
        "form_score": None,
        "holds": (),
        "total_hold_s": 0.0,
        "frames": 300,
        "measurable_fraction": 1.0,
        "coach_ms_per_frame": 0.1,
    }
    data.update(changes)
    return CoachReport(**data)


def _set(index: int, reps: int, left: int = 0, right: int = 0) -> SetReport:
    return SetReport(
        index=index,
        reps=reps,
        partial_reps=0,
        reps_left=left,
        reps_right=right,
        hold_s=0.0,
        form_score=90.0,
        fault_counts={},
    )


def test_log_from_coach_repetitions() -> None:
    """Coach sets become done sets; form pass rate = share of complete reps scoring >= 80."""
    reps = [_rep(i, 1 if i <= 10 else 2, 100.0 if i % 4 else 75.0) for i in range(1, 19)]
    report = _coach(reps=18, per_rep=tuple(reps), sets=(_set(1, 10), _set(2, 8)))
    rx = PrescribedDose(sets=2, reps=10)
    log = log_from_coach(
        report, rx, date=day(0), pain_before=2, pain_during_max=3, pain_after=2, rpe=5
    )
    assert log.source == "coach"
    assert log.exercise_id == "glute_bridge"
    assert [s.reps for s in log.done] == [10, 8]
    assert log.dose_completion == pytest.approx(0.9)
    assert log.form_pass_rate == pytest.approx(14 / 18)
    assert log.rom_deg == pytest.approx(sum(40.0 + i for i in range(1, 19)) / 18)


def test_log_from_coach_per_side_counts_the_weaker_side() -> None:
    """Per-side doses count the smaller side's reps, or half when the coach saw no sides."""
    rx = PrescribedDose(sets=1, reps=6, per_side=True)
    sided = _coach(sets=(_set(1, 11, left=6, right=5),))
    log = log_from_coach(sided, rx, date=day(0), pain_before=1, pain_during_max=1, pain_after=1)
    assert log.done[0].reps == 5
    unsided = _coach(sets=(_set(1, 12),))
    log = log_from_coach(unsided, rx, date=day(0), pain_before=1, pain_during_max=1, pain_after=1)
    assert log.done[0].reps == 6
    assert log.form_pass_rate is None  # no complete repetition reports


def test_log_from_coach_holds() -> None:
    """Holds are grouped per set, credited up to the prescribed hold; short holds fail form."""
    durations = [10.2, 9.7, 6.0, 11.0]
    holds = tuple(
        HoldReport(start_s=i * 20.0, end_s=i * 20.0 + d, duration_s=d, end_reason="lapse")
        for i, d in enumerate(durations)
    )
    report = _coach(exercise="side_bridge", kind="hold", holds=holds, total_hold_s=36.9)
    rx = PrescribedDose(sets=2, reps=2, hold_s=10)
    log = log_from_coach(report, rx, date=day(0), pain_before=1, pain_during_max=2, pain_after=1)
    assert [s.reps for s in log.done] == [2, 2]
    assert log.volume_done == pytest.approx(10 + 9.7 + 6 + 10)
    assert log.form_pass_rate == pytest.approx(0.75)  # 9.7 s is within the 0.5 s grace
    assert log.rom_deg is None


def test_log_from_coach_bad_pain_is_named() -> None:
    """Patient-reported values added to a coach log are validated by field name."""
    with pytest.raises(InvalidResponseError, match="pain_during_max"):
        log_from_coach(
            _coach(),
            PrescribedDose(sets=1, reps=5),
            date=day(0),
            pain_before=1,
            pain_during_max=14,
            pain_after=1,
        )


def test_with_next_morning_adds_the_report() -> None:
    """The next-morning report can be added to a saved log, validated."""
    log = make_log(morning=None)
    assert with_next_morning(log, 4, 3).next_morning_delta == 1
    with pytest.raises(InvalidResponseError, match="next_morning_pain"):
        with_next_morning(log, 11, 3)


def test_check_logs_sorts_and_rejects_duplicates() -> None:
    """Logs are sorted by date; two logs of one exercise on one day are refused."""
    a, b = make_log(3), make_log(1)
    assert check_logs([a, b]) == (b, a)
    with pytest.raises(InvalidResponseError, match="twice"):
        check_logs([a, make_log(3, during=2)])


def test_direct_construction_raises_validation_error() -> None:
    """Building a SessionLog directly with a bad value raises pydantic's ValidationError."""
    with pytest.raises(ValidationError):
        make_log(during=11)


def test_log_from_coach_holds_judge_form_by_the_hold_score() -> None:
    """A hold with one short lapse (score 90) still passes; a hold scoring below 80 fails, and
    each done set carries its holds' form score."""
    holds = (
        HoldReport(start_s=0.0, end_s=10.0, duration_s=10.0, end_reason="lapse", score=90.0),
        HoldReport(start_s=20.0, end_s=30.0, duration_s=10.0, end_reason="lapse", score=60.0),
    )
    report = _coach(exercise="front_plank", kind="hold", holds=holds, total_hold_s=20.0)
    rx = PrescribedDose(sets=2, reps=1, hold_s=10)
    log = log_from_coach(report, rx, date=day(0), pain_before=1, pain_during_max=2, pain_after=1)
    assert log.form_pass_rate == pytest.approx(0.5)
    assert [s.form_score for s in log.done] == [90.0, 60.0]
