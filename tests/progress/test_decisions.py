"""Session decisions of clinical reference §6.2: zones, boundaries, actions, approval, safety."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from backrehab.errors import InvalidResponseError
from backrehab.progress.decisions import (
    DecisionSettings,
    ExerciseTrack,
    Proposal,
    ProposalQueue,
    assess_sessions,
    propose,
    weekly_trend,
)
from backrehab.progress.logs import PrescribedDose, SessionLog, session_log_from_mapping
from tests.progress import RepsLadder, day, dose, make_log

CLOCK = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def _track(
    rx: PrescribedDose | None = None,
    *,
    top: int = 200,
    progression: tuple[str, ...] = ("bird_dog_elbow_to_knee",),
    regression: tuple[str, ...] = ("bird_dog_single_limb",),
) -> ExerciseTrack[PrescribedDose]:
    return ExerciseTrack(
        exercise_id="bird_dog",
        dose=rx or dose(),
        ladder=RepsLadder(top),
        progression_ids=progression,
        regression_ids=regression,
    )


def _zone(log: SessionLog, others: Sequence[SessionLog] = (), **cfg: Any) -> str:
    s = DecisionSettings(**cfg)
    found = [a for a in assess_sessions([*others, log], s) if a.date == log.date]
    return found[0].zone


def _decide(
    logs: Sequence[SessionLog], track: ExerciseTrack[PrescribedDose] | None = None, **cfg: Any
) -> Proposal[PrescribedDose]:
    proposal = propose(logs, track or _track(), settings=DecisionSettings(**cfg))
    assert proposal is not None
    return proposal


def _codes(p: Proposal[PrescribedDose]) -> list[str]:
    return [r.code for r in p.reasons]


# --- zones: worst pain boundaries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("during", "after", "zone"),
    [
        (0, 0, "green"),
        (2, 1, "green"),
        (1, 2, "green"),
        (3, 0, "amber"),
        (0, 3, "amber"),
        (5, 5, "amber"),
        (6, 0, "red"),
        (0, 6, "red"),
        (10, 10, "red"),
    ],
)
def test_zone_worst_pain_boundaries(during: int, after: int, zone: str) -> None:
    """worst = max(during, after): <= 2 green, 3-5 amber, >= 6 red (pain 2/3/5/6 boundaries)."""
    assert _zone(make_log(during=during, after=after)) == zone


def test_green_max_is_configurable() -> None:
    """GREEN_MAX = 3 (the wider §6.1 band) makes worst 3 green; 4 stays amber."""
    assert _zone(make_log(during=3), green_max=3) == "green"
    assert _zone(make_log(during=4), green_max=3) == "amber"
    assert _zone(make_log(during=5), red_min=5) == "red"


def test_settings_refuse_overlapping_bands() -> None:
    """green_max must be below red_min."""
    with pytest.raises(ValidationError, match="green_max"):
        DecisionSettings(green_max=6, red_min=6)


def test_red_reason_carries_the_numbers() -> None:
    """The red reason names the §6.2 rule and the pain values."""
    [a] = assess_sessions([make_log(during=7, after=4)])
    reason = a.reasons[0]
    assert reason.code == "red.worst_pain"
    assert reason.rule == "RED if worst >= 6"
    assert reason.values["worst"] == 7
    assert "7/10" in reason.message


# --- zones: next morning ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("morning", "zone"),
    [((2, 2), "green"), ((3, 2), "red"), ((1, 2), "green"), ((9, 8), "red")],
)
def test_zone_next_morning_delta(morning: tuple[int, int], zone: str) -> None:
    """next_morning_delta 0 or below is fine; any increase (> 0) over usual is red."""
    assert _zone(make_log(morning=morning)) == zone


def test_missing_next_morning_is_not_red_but_noted() -> None:
    """A missing next-morning report cannot make a session red; the reasons say it is missing."""
    [a] = assess_sessions([make_log(morning=None)])
    assert a.zone == "green"
    assert "info.next_morning_missing" in [r.code for r in a.reasons]


def test_next_morning_limit_is_configurable() -> None:
    """With next_morning_delta_max = 1 a 1-point rise is tolerated, 2 is red."""
    assert _zone(make_log(morning=(3, 2)), next_morning_delta_max=1) == "green"
    assert _zone(make_log(morning=(4, 2)), next_morning_delta_max=1) == "red"


# --- zones: weekly trend ---------------------------------------------------------------------


def _weeks(last: list[int], this: list[int]) -> list[SessionLog]:
    """Logs with pain_before values: ``last`` on days 0.., ``this`` on days 7.. (one per day)."""
    logs = [make_log(i, before=v) for i, v in enumerate(last)]
    logs += [make_log(7 + i, before=v) for i, v in enumerate(this)]
    return logs


def test_weekly_trend_is_difference_of_7_day_means() -> None:
    """trend = mean(pain, 7 days ending today) - mean(pain, the 7 days before)."""
    logs = _weeks([3, 3, 3, 3, 3], [3, 3, 4, 3, 3])
    assert weekly_trend(logs, day(11)) == pytest.approx(0.2)
    assert weekly_trend(logs, day(6)) is None  # only one week of logs


@pytest.mark.parametrize(
    ("this", "zone"),
    [([3, 3, 3, 3, 4], "red"), ([3, 3, 3, 3, 3], "green"), ([3, 3, 3, 2, 3], "green")],
)
def test_zone_weekly_trend(this: list[int], zone: str) -> None:
    """A rising 7-day mean (trend > 0) is red; equal (0) or falling is not."""
    logs = _weeks([3, 3, 3, 3, 3], this)
    assert _zone(logs[-1], logs[:-1]) == zone


def test_weekly_trend_windows_are_exact() -> None:
    """Day t-7 belongs to last week, day t-14 to neither; days without logs are skipped."""
    logs = [make_log(0, before=9), make_log(1, before=2), make_log(8, before=3)]
    # on day 8: this week = days 2..8 -> [3]; last week = days -5..1 -> [9, 2] -> mean 5.5
    assert weekly_trend(logs, day(8)) == pytest.approx(3 - 5.5)
    # on day 14: this week = 8..14 -> [3]; last week = 1..7 -> [2]; day 0 is out
    assert weekly_trend(logs, day(14)) == pytest.approx(1.0)


def test_weekly_trend_ignores_later_logs_and_uses_the_days_highest_value() -> None:
    """Logs after the decision day do not count; two logs on one day count once, the highest."""
    logs = [
        make_log(0, before=2),
        make_log(7, before=2),
        make_log(7, before=5, exercise_id="glute_bridge"),
        make_log(8, before=9),
    ]
    assert weekly_trend(logs, day(7)) == pytest.approx(3.0)


def test_weekly_trend_measure_and_limit_are_configurable() -> None:
    """trend_measure = worst compares session pain; weekly_trend_max tolerates small rises."""
    logs = [make_log(0, during=1), make_log(7, during=2)]
    assert weekly_trend(logs, day(7)) == 0
    assert weekly_trend(logs, day(7), DecisionSettings(trend_measure="worst")) == 1
    rising = _weeks([3, 3, 3, 3, 3], [3, 3, 3, 3, 4])
    assert _zone(rising[-1], rising[:-1], weekly_trend_max=0.5) == "green"


def test_trend_is_exact_at_zero() -> None:
    """Equal means over different numbers of days (6/3 vs 12/6) are a trend of exactly 0."""
    logs = _weeks([1, 2, 3], [3, 2, 1, 2, 2, 2])
    assert _zone(logs[-1], logs[:-1]) == "green"


# --- zones: symptoms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symptom", "zone"),
    [("peripheralised", "red"), ("centralised", "green"), ("unchanged", "green")],
)
def test_zone_symptom_location(symptom: str, zone: str) -> None:
    """Peripheralisation is red even with no pain; centralisation is not."""
    assert _zone(make_log(during=0, after=0, symptom=symptom)) == zone


# --- actions ---------------------------------------------------------------------------------


def test_amber_repeats_the_dose() -> None:
    """AMBER -> repeat the same dose."""
    p = _decide([make_log(during=4)])
    assert (p.zone, p.action) == ("amber", "repeat")
    assert p.proposed_dose == p.current_dose


def test_green_advances_only_after_two_consecutive_greens() -> None:
    """The first green repeats; the second consecutive green at the same dose advances."""
    first = _decide([make_log(0)])
    assert first.action == "repeat"
    assert "1 of 2" in first.reasons[-1].message
    second = _decide([make_log(0), make_log(1)])
    assert second.action == "advance"
    assert second.proposed_dose == dose(reps=11)
    assert second.reasons[-1].values["consecutive_greens"] == 2


def test_green_streak_broken_by_amber() -> None:
    """green, amber, green -> the last green is only the first of a new streak."""
    p = _decide([make_log(0), make_log(1, during=4), make_log(2)])
    assert p.action == "repeat"


def test_green_streak_restarts_after_a_dose_change() -> None:
    """Greens at the previous dose do not count toward advancing the new dose."""
    logs = [make_log(0), make_log(1), make_log(2, prescribed=dose(11))]
    assert _decide(logs, _track(dose(11))).action == "repeat"
    logs.append(make_log(3, prescribed=dose(11)))
    assert _decide(logs, _track(dose(11))).action == "advance"


def test_green_streak_ignores_other_exercises() -> None:
    """A green of another exercise in between does not count and does not break the streak."""
    logs = [
        make_log(0),
        make_log(1, exercise_id="glute_bridge", during=5),
        make_log(2),
    ]
    assert _decide(logs).action == "advance"


@pytest.mark.parametrize(("form", "action"), [(0.79, "repeat"), (0.8, "advance"), (None, "repeat")])
def test_advance_needs_form_pass_rate_08(form: float | None, action: str) -> None:
    """Advancing needs form_pass_rate >= 0.8 (None = not recorded -> repeat)."""
    p = _decide([make_log(0), make_log(1, form=form)])
    assert p.action == action


def test_advance_needs_the_full_dose() -> None:
    """A green session with 9 of 10 reps done repeats (full dose completed is required)."""
    p = _decide([make_log(0), make_log(1, done_reps=9)])
    assert p.action == "repeat"
    assert "90 % done" in p.reasons[-1].message


def test_green_at_top_switches_to_progression() -> None:
    """At the top of the ladder the proposal is progression_ids[0]."""
    p = _decide([make_log(0), make_log(1)], _track(top=10))
    assert p.action == "switch_to_progression"
    assert p.proposed_exercise_id == "bird_dog_elbow_to_knee"
    assert p.proposed_dose is None


def test_green_at_top_without_progression_repeats() -> None:
    """Top of the ladder and no progression exercise: repeat."""
    p = _decide([make_log(0), make_log(1)], _track(top=10, progression=()))
    assert p.action == "repeat"


def test_red_steps_back_one_rung() -> None:
    """A single red (not peripheralised) -> one step down the ladder."""
    p = _decide([make_log(0, during=6)])
    assert (p.zone, p.action) == ("red", "step_back")
    assert p.proposed_dose == dose(reps=9)


def test_red_at_bottom_switches_to_regression() -> None:
    """At the bottom of the ladder a red proposes regression_ids[0]."""
    rx = dose(reps=1)
    p = _decide([make_log(0, during=7, prescribed=rx)], _track(rx))
    assert p.action == "switch_to_regression"
    assert p.proposed_exercise_id == "bird_dog_single_limb"


def test_red_at_bottom_without_regression_flags_review() -> None:
    """Nothing easier to offer: flag for clinician review."""
    rx = dose(reps=1)
    p = _decide([make_log(0, during=7, prescribed=rx)], _track(rx, regression=()))
    assert p.action == "flag_review"
    assert "review.no_easier_option" in _codes(p)


def test_two_consecutive_reds_flag_review() -> None:
    """2 consecutive REDs -> flag_review, with the step back as the suggestion."""
    p = _decide([make_log(0, during=6), make_log(1, during=2, morning=(4, 2))])
    assert p.action == "flag_review"
    assert "review.consecutive_reds" in _codes(p)
    assert p.proposed_dose == dose(reps=9)


def test_reds_count_across_a_dose_change() -> None:
    """Consecutive reds are counted even though the first one changed the dose."""
    logs = [make_log(0, during=6), make_log(1, during=6, prescribed=dose(9))]
    assert _decide(logs, _track(dose(9))).action == "flag_review"


def test_reds_count_across_a_switch_to_the_regression() -> None:
    """A red, the switch to the regression, a red on it: two consecutive reds (review), since
    the regression's track names the exercise it replaced; an unrelated exercise's red does not
    count."""
    logs = [
        make_log(0, during=6),
        make_log(1, exercise_id="bird_dog_single_limb", during=6),
    ]
    switched = ExerciseTrack(
        exercise_id="bird_dog_single_limb",
        dose=dose(),
        ladder=RepsLadder(200),
        regression_ids=("quadruped_rocking",),
        replaced_ids=("bird_dog",),
    )
    p = _decide(logs, switched)
    assert p.action == "flag_review"
    assert "review.consecutive_reds" in _codes(p)
    unrelated = ExerciseTrack(
        exercise_id="bird_dog_single_limb",
        dose=dose(),
        ladder=RepsLadder(200),
        regression_ids=("quadruped_rocking",),
        replaced_ids=("glute_bridge",),
    )
    assert _decide(logs, unrelated).action == "step_back"


def test_reds_separated_by_amber_only_step_back() -> None:
    """red, amber, red: not consecutive -> step back."""
    logs = [make_log(0, during=6), make_log(1, during=4), make_log(2, during=6)]
    assert _decide(logs).action == "step_back"


def test_any_peripheralisation_flags_review() -> None:
    """A first red caused by peripheralisation already flags review."""
    p = _decide([make_log(0, symptom="peripheralised")])
    assert p.action == "flag_review"
    assert "review.peripheralised" in _codes(p)
    assert p.needs_review


def test_new_neurological_symptoms_take_the_red_flag_pathway() -> None:
    """New numbness, weakness or bladder/bowel change: red even without pain, a review flag
    that keeps the dose (§6.1: the red-flag pathway, not the traffic light), never
    auto-applied, and it holds back auto-advances until a clinician decides."""
    greens = [make_log(0), make_log(1)]
    neuro = make_log(2, during=0, after=0, new_neuro_symptoms=True)
    assert _zone(neuro) == "red"
    p = _decide([*greens, neuro])
    assert p.action == "flag_review"
    assert {"red.red_flag_symptoms", "review.red_flag_pathway"} <= set(_codes(p))
    assert p.proposed_dose == p.current_dose
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True, clock=lambda: CLOCK)
    assert queue.submit(p).status == "pending"
    later = _decide([*greens, neuro, make_log(3), make_log(4)])
    assert later.action == "advance"
    assert queue.submit(later).status == "pending"
    with pytest.raises(InvalidResponseError, match="new_neuro_symptoms"):
        session_log_from_mapping({**neuro.model_dump(), "new_neuro_symptoms": "yes"})


def test_reds_to_review_is_configurable() -> None:
    """With reds_to_review = 3, two reds in a row still step back."""
    logs = [make_log(0, during=6), make_log(1, during=6)]
    assert _decide(logs, reds_to_review=3).action == "step_back"


def test_propose_uses_the_requested_day_and_ignores_later_logs() -> None:
    """propose(day=...) decides that session with the logs up to that day only."""
    logs = [make_log(0), make_log(1), make_log(2, during=7)]
    p = propose(logs, _track(), day=day(1))
    assert p is not None
    assert (p.session_date, p.action) == (day(1), "advance")
    assert propose(logs, _track(), day=day(5)) is None
    assert propose([], _track()) is None


def test_proposal_id_and_current_dose() -> None:
    """The proposal is identified by exercise and date and carries the current dose."""
    p = _decide([make_log(4)])
    assert p.proposal_id == "bird_dog@2025-01-10"
    assert p.current_dose == dose()
    assert p.status == "pending"


def test_decide_refuses_another_exercise() -> None:
    """A track for another exercise cannot decide this session."""
    from backrehab.progress.decisions import decide

    [a] = assess_sessions([make_log(0, exercise_id="glute_bridge")])
    with pytest.raises(InvalidResponseError, match="glute_bridge"):
        decide(a, [], _track())


# --- approval and auto-progression -----------------------------------------------------------


def _proposal(n: int, action_logs: list[SessionLog]) -> Proposal[PrescribedDose]:
    p = propose(action_logs, _track(), day=day(n))
    assert p is not None
    return p


GREEN2 = [make_log(0), make_log(1)]  # -> advance on day 1
RED1 = [make_log(0, during=6)]  # -> step_back on day 0
PERIPH = [make_log(0, symptom="peripheralised")]  # -> flag_review on day 0


def test_without_auto_progression_proposals_wait_for_the_clinician() -> None:
    """auto_progression off: pending until approved; the decision records who and when."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(clock=lambda: CLOCK)
    stored = queue.submit(_proposal(1, GREEN2))
    assert stored.status == "pending"
    approved = queue.approve(stored.proposal_id, "Dr Lee", note="ok")
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        "approved",
        "Dr Lee",
        CLOCK,
    )
    assert approved.applied
    assert queue.pending() == []


def test_auto_progression_applies_at_once() -> None:
    """auto_progression on: advance and step back are auto_applied by 'auto-progression'."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True, clock=lambda: CLOCK)
    for p in (_proposal(1, GREEN2), _proposal(0, RED1)):
        stored = queue.submit(p)
        assert (stored.status, stored.decided_by) == ("auto_applied", "auto-progression")


def test_review_flag_is_never_auto_applied() -> None:
    """A flag_review proposal stays pending even with auto-progression."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True)
    stored = queue.submit(_proposal(0, PERIPH))
    assert stored.status == "pending"
    assert queue.review_pending("bird_dog")


def test_pending_review_blocks_auto_advance_but_not_easier_steps() -> None:
    """While a review flag waits, advances wait too; step backs and repeats still apply."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True)
    queue.submit(_proposal(0, PERIPH))
    logs = [*PERIPH, make_log(1), make_log(2)]
    advance = queue.submit(_proposal(2, logs))
    assert (advance.action, advance.status) == ("advance", "pending")
    logs.append(make_log(3, during=7))
    easier = queue.submit(_proposal(3, logs))
    assert (easier.action, easier.status) == ("step_back", "auto_applied")


def test_approving_supersedes_older_pending_proposals() -> None:
    """Approving the latest proposal supersedes older pending ones; outdated ones can't be."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue()
    old = queue.submit(_proposal(0, RED1))
    logs = [*RED1, make_log(1, during=4)]
    new = queue.submit(_proposal(1, logs))
    with pytest.raises(InvalidResponseError, match="outdated"):
        queue.approve(old.proposal_id, "Dr Lee")
    queue.approve(new.proposal_id, "Dr Lee")
    superseded = queue.get(old.proposal_id)
    assert superseded.status == "rejected"
    assert superseded.note == f"superseded by {new.proposal_id}"


def test_reject_and_decision_rules() -> None:
    """Rejecting needs a name; decided proposals cannot be decided or replaced again."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue()
    p = queue.submit(_proposal(0, RED1))
    with pytest.raises(InvalidResponseError, match="decided_by"):
        queue.reject(p.proposal_id, "  ")
    queue.reject(p.proposal_id, "Dr Lee", note="keep the dose")
    with pytest.raises(InvalidResponseError, match="already rejected"):
        queue.approve(p.proposal_id, "Dr Lee")
    with pytest.raises(InvalidResponseError, match="cannot be replaced"):
        queue.submit(_proposal(0, RED1))
    with pytest.raises(InvalidResponseError, match="not found"):
        queue.get("nope@2025-01-01")


def test_resubmitting_a_pending_proposal_replaces_it() -> None:
    """Re-deciding a session (next-morning report arrived) replaces its pending proposal."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue()
    queue.submit(_proposal(0, [make_log(0, during=4, morning=None)]))
    queue.submit(_proposal(0, [make_log(0, during=4, morning=(5, 2))]))
    [only] = queue.proposals
    assert only.action == "step_back"
    with pytest.raises(InvalidResponseError, match="only pending"):
        queue.submit(only.model_copy(update={"status": "approved"}))


# --- safety properties -----------------------------------------------------------------------

DAY_KINDS = ("green", "amber", "red_pain", "red_morning", "red_peripheral")
RED_KINDS = ("red_pain", "red_morning", "red_peripheral")
START = 60


def _day_log(n: int, kind: str, form_ok: bool, full: bool, rx: PrescribedDose) -> SessionLog:
    pains = {"green": (1, 1), "amber": (4, 3), "red_pain": (7, 5)}.get(kind, (1, 1))
    return make_log(
        n,
        during=pains[0],
        after=pains[1],
        before=3,  # constant resting pain: the weekly trend is 0 throughout
        morning=(4, 2) if kind == "red_morning" else (2, 2),
        symptom="peripheralised" if kind == "red_peripheral" else "unchanged",
        form=0.9 if form_ok else 0.5,
        prescribed=rx,
        done_reps=None if full else rx.reps - 1,
    )


def _final_reps(days: Sequence[tuple[str, bool, bool]]) -> int:
    """Run the days with auto-progression; the clinician approves every review flag."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True)
    rx = dose(reps=START)
    logs: list[SessionLog] = []
    for n, (kind, form_ok, full) in enumerate(days):
        logs.append(_day_log(n, kind, form_ok, full, rx))
        p = queue.submit(_proposal_for(logs, rx, n))
        if p.status == "pending":
            p = queue.approve(p.proposal_id, "Dr Lee")
        if p.proposed_dose is not None:
            rx = p.proposed_dose
    return rx.reps


def _proposal_for(logs: list[SessionLog], rx: PrescribedDose, n: int) -> Proposal[PrescribedDose]:
    p = propose(logs, _track(rx), day=day(n))
    assert p is not None
    return p


@settings(max_examples=120, deadline=None)
@given(
    days=st.lists(
        st.tuples(st.sampled_from(DAY_KINDS), st.booleans(), st.booleans()),
        min_size=1,
        max_size=24,
    ),
    pick=st.integers(0, 10_000),
    red=st.sampled_from(RED_KINDS),
)
def test_more_red_days_never_lead_to_a_harder_dose(
    days: list[tuple[str, bool, bool]], pick: int, red: str
) -> None:
    """Replacing any green/amber day by a red day never ends on a harder dose (ladder index)."""
    candidates = [i for i, (kind, _, _) in enumerate(days) if not kind.startswith("red")]
    assume(candidates)
    i = candidates[pick % len(candidates)]
    worse = list(days)
    worse[i] = (red, days[i][1], days[i][2])
    assert _final_reps(worse) <= _final_reps(days)


@settings(max_examples=200, deadline=None)
@given(
    during=st.integers(0, 10),
    after=st.integers(0, 10),
    extra=st.integers(1, 10),
    morning=st.integers(-3, 3),
)
def test_more_pain_never_gives_a_milder_zone(
    during: int, after: int, extra: int, morning: int
) -> None:
    """Raising pain during the session never moves the zone toward green."""
    order = {"green": 0, "amber": 1, "red": 2}
    usual = 5
    base = make_log(during=during, after=after, morning=(usual + morning, usual))
    worse = make_log(during=min(10, during + extra), after=after, morning=(usual + morning, usual))
    assert order[_zone(worse)] >= order[_zone(base)]


@settings(max_examples=100, deadline=None)
@given(kinds=st.lists(st.sampled_from(DAY_KINDS), min_size=1, max_size=10))
def test_review_flags_are_never_auto_applied(kinds: list[str]) -> None:
    """Whatever the history, a flag_review proposal stays pending under auto-progression."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(auto_progression=True)
    logs = [_day_log(n, k, True, True, dose(reps=START)) for n, k in enumerate(kinds)]
    for n in range(len(kinds)):
        stored = queue.submit(_proposal_for(logs[: n + 1], dose(reps=START), n))
        if stored.needs_review:
            assert stored.status == "pending"
            queue.reject(stored.proposal_id, "Dr Lee")


def test_restored_queue_keeps_decisions_and_order() -> None:
    """A queue restored from stored proposals keeps their states and refuses a repeated id."""
    queue: ProposalQueue[PrescribedDose] = ProposalQueue()
    dose = PrescribedDose(sets=2, reps=8)
    first = queue.submit(_stored_proposal("bird_dog@2026-01-05", dose))
    decided = queue.reject(first.proposal_id, "dr-a")
    later = _stored_proposal("bird_dog@2026-01-06", dose)
    restored = ProposalQueue.restore([decided, later], auto_progression=True)
    assert [p.status for p in restored.proposals] == ["rejected", "pending"]
    assert restored.auto_progression
    with pytest.raises(InvalidResponseError, match="stored twice"):
        ProposalQueue.restore([later, later])


def _stored_proposal(proposal_id: str, dose: PrescribedDose) -> Proposal[PrescribedDose]:
    exercise_id, _, day = proposal_id.partition("@")
    return Proposal(
        proposal_id=proposal_id,
        exercise_id=exercise_id,
        session_date=dt.date.fromisoformat(day),
        zone="green",
        action="repeat",
        reasons=(),
        current_dose=dose,
        proposed_dose=dose,
    )
