"""12-week simulated patients: every proposal matches §6.2, recomputed independently."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from backrehab.errors import ConfigError
from backrehab.progress.decisions import propose
from backrehab.progress.logs import PrescribedDose, SessionLog
from backrehab.progress.outcomes import questionnaire_trends
from backrehab.progress.patient_data import dump_patient_data, load_patient_data
from backrehab.progress.simulate import (
    CHAINS,
    START_RUNG,
    Simulation,
    Trajectory,
    simulate_patient,
)

TRAJECTORIES: tuple[Trajectory, ...] = ("improving", "stalling", "flaring")
SEEDS = (1, 2, 3)


# --- the §6.2 rules, written again from the raw numbers (no backrehab decision code) ---------


def _trend(log: SessionLog, logs: list[SessionLog]) -> Fraction | None:
    daily: dict[int, int] = {}
    for other in logs:
        age = (log.date - other.date).days
        if 0 <= age < 14:
            daily[age] = max(daily.get(age, 0), other.pain_before)
    this = [v for age, v in daily.items() if age < 7]
    last = [v for age, v in daily.items() if age >= 7]
    if not this or not last:
        return None
    return Fraction(sum(this), len(this)) - Fraction(sum(last), len(last))


def _zone(log: SessionLog, logs: list[SessionLog]) -> str:
    worst = max(log.pain_during_max, log.pain_after)
    morning = (
        None
        if log.next_morning_pain is None or log.usual_pain is None
        else log.next_morning_pain - log.usual_pain
    )
    trend = _trend(log, logs)
    if (
        worst >= 6
        or (morning is not None and morning > 0)
        or (trend is not None and trend > 0)
        or log.symptom_change == "peripheralised"
    ):
        return "red"
    if 2 < worst <= 5:
        return "amber"
    return "green"


def _completion(log: SessionLog) -> float:
    rx = log.prescribed
    if rx.hold_s > 0:
        done = sum(
            s.reps * min(rx.hold_s if s.hold_s is None else s.hold_s, rx.hold_s) for s in log.done
        )
        return done / (rx.sets * rx.reps * rx.hold_s)
    return sum(s.reps for s in log.done) / (rx.sets * rx.reps)


def _expected(
    sim: Simulation,
    log: SessionLog,
    history: list[tuple[SessionLog, str]],
    zone: str,
    family_history: list[tuple[SessionLog, str]],
) -> tuple[str, PrescribedDose | None, str | None]:
    """(action, proposed dose, proposed exercise) by the §6.2 text: greens count this
    exercise's sessions, reds the family's (a red, a switch to the regression and a red again
    are two consecutive reds)."""
    ladder = list(sim.programme.ladders[log.exercise_id].steps)
    progression, regression = sim.programme.neighbours[log.exercise_id]
    i = ladder.index(log.prescribed)
    if zone == "red":
        reds = 1
        for _, z in reversed(family_history):
            if z != "red":
                break
            reds += 1
        suggestion: tuple[str, PrescribedDose | None, str | None]
        if i > 0:
            suggestion = ("step_back", ladder[i - 1], None)
        elif regression:
            suggestion = ("switch_to_regression", None, regression[0])
        else:
            return ("flag_review", log.prescribed, None)
        if log.symptom_change == "peripheralised" or reds >= 2:
            return ("flag_review", suggestion[1], suggestion[2])
        return suggestion
    if zone == "amber":
        return ("repeat", log.prescribed, None)
    greens = 1
    for earlier, z in reversed(history):
        if z != "green" or earlier.prescribed != log.prescribed:
            break
        greens += 1
    form_ok = log.form_pass_rate is not None and log.form_pass_rate >= 0.8
    if greens >= 2 and form_ok and _completion(log) >= 1.0:
        if i + 1 < len(ladder):
            return ("advance", ladder[i + 1], None)
        if progression:
            return ("switch_to_progression", None, progression[0])
    return ("repeat", log.prescribed, None)


def _family(exercise_id: str) -> int:
    return next(i for i, chain in enumerate(CHAINS) if exercise_id in chain)


@pytest.fixture(
    scope="module",
    params=[(t, s) for t in TRAJECTORIES for s in SEEDS],
    ids=lambda p: f"{p[0]}-seed{p[1]}",
)
def sim(request: pytest.FixtureRequest) -> Simulation:
    """One simulated 12-week patient."""
    trajectory, seed = request.param
    return simulate_patient(trajectory, weeks=12, seed=seed)


def test_proposals_match_section_6_2_step_by_step(sim: Simulation) -> None:
    """Day by day, each proposal equals §6.2 by hand and the next session uses it."""
    logs = list(sim.data.sessions)
    recorded = {p.proposal_id: p for p in sim.proposals}
    history: dict[str, list[tuple[SessionLog, str]]] = {}
    family_history: dict[int, list[tuple[SessionLog, str]]] = {}
    last_of_family: dict[int, tuple[str, PrescribedDose | None, str | None]] = {}
    for k, log in enumerate(logs):
        upto = [other for other in logs if other.date <= log.date]
        zone = _zone(log, upto)
        mine = history.setdefault(log.exercise_id, [])
        # one exercise of a family at a time: reds run on across switches, greens per exercise
        streak = family_history.setdefault(_family(log.exercise_id), [])
        action, rx, exercise = _expected(sim, log, mine, zone, streak)
        where = f"{log.exercise_id} on {log.date} (log {k})"

        # the session follows the previous proposal of its family
        family = _family(log.exercise_id)
        if family in last_of_family:
            _, prev_rx, prev_ex = last_of_family[family]
            if prev_ex is not None:
                start = sim.programme.ladders[prev_ex].steps[START_RUNG]
                assert (log.exercise_id, log.prescribed) == (prev_ex, start), where
            else:
                assert log.prescribed == prev_rx, where

        lineage = dict.fromkeys(e.exercise_id for e, _ in reversed(streak))
        track = replace(
            sim.programme.track(log.exercise_id, log.prescribed),
            replaced_ids=tuple(e for e in lineage if e != log.exercise_id),
        )
        proposal = propose(logs, track, day=log.date)
        assert proposal is not None, where
        assert proposal.zone == zone, where
        assert (proposal.action, proposal.proposed_dose, proposal.proposed_exercise_id) == (
            action,
            rx,
            exercise,
        ), where
        stored = recorded[proposal.proposal_id]
        assert (stored.action, stored.proposed_dose) == (action, rx), where
        assert stored.applied, where
        assert (stored.status == "approved") == (action == "flag_review"), where
        mine.append((log, zone))
        streak.append((log, zone))
        last_of_family[family] = (action, rx if rx is not None else log.prescribed, exercise)
    assert len(recorded) == len(logs)


def test_trajectories_reach_their_branches() -> None:
    """Every §6.2 action occurs; improving advances most, flaring flags and steps back."""
    actions: Counter[str] = Counter()
    by_trajectory: dict[str, Counter[str]] = {}
    for trajectory in TRAJECTORIES:
        counts: Counter[str] = Counter()
        for seed in SEEDS:
            counts.update(p.action for p in simulate_patient(trajectory, seed=seed).proposals)
        by_trajectory[trajectory] = counts
        actions.update(counts)
    assert set(actions) == {
        "advance",
        "repeat",
        "step_back",
        "switch_to_regression",
        "switch_to_progression",
        "flag_review",
    }
    assert by_trajectory["improving"]["advance"] > by_trajectory["stalling"]["advance"]
    assert by_trajectory["flaring"]["flag_review"] > 0
    assert by_trajectory["flaring"]["step_back"] > 0


def test_peripheralisation_happens_only_in_the_flare() -> None:
    """The flaring patient peripheralises during the flare weeks; the others never do."""
    for trajectory in TRAJECTORIES:
        data = simulate_patient(trajectory, seed=2).data
        peripheral = [s.date for s in data.sessions if s.symptom_change == "peripheralised"]
        if trajectory == "flaring":
            assert peripheral
            weeks = {(d - data.schedule.start).days // 7 for d in peripheral}
            assert weeks <= {5, 6}
        else:
            assert not peripheral


def test_outcomes_follow_the_trajectory() -> None:
    """Improving ends with an important NPRS and ODI improvement; stalling does not."""
    improving = questionnaire_trends(simulate_patient("improving", seed=1).data)
    assert improving["nprs"].latest.mark == "improved"
    assert improving["odi"].latest.mark == "improved"
    stalling = questionnaire_trends(simulate_patient("stalling", seed=1).data)
    assert stalling["nprs"].latest.mark == "no_important_change"


def test_simulation_is_seeded_and_12_weeks_long() -> None:
    """Same seed -> same patient; another seed -> another; logs span the 12 weeks."""
    a = simulate_patient("flaring", seed=5)
    assert a.data == simulate_patient("flaring", seed=5).data
    assert a.data != simulate_patient("flaring", seed=6).data
    days = [s.date for s in a.data.sessions]
    assert (max(days) - a.data.schedule.start).days < 84
    assert (max(days) - min(days)).days > 70
    assert len(a.data.follow_ups) == 3


def test_simulated_data_round_trips_through_json(tmp_path: Path) -> None:
    """The simulated PATIENT_DATA writes and reads back unchanged."""
    data = simulate_patient("improving", seed=4).data
    path = dump_patient_data(data, tmp_path / "p.json")
    assert load_patient_data(path) == data


def test_unknown_trajectory_or_length_is_refused() -> None:
    """Only the three trajectories and 2-104 weeks are accepted."""
    with pytest.raises(ConfigError, match="trajectory"):
        simulate_patient("relapsing")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="weeks"):
        simulate_patient("improving", weeks=1)
