"""Synthetic patients for tests and demos: improving, stalling and flaring trajectories.

Input: a trajectory name, a number of weeks and a seed. Output: a :class:`Simulation` — a
complete :class:`~backrehab.progress.patient_data.PatientData` (session logs for two exercises,
outcomes at baseline and every 4 weeks, endurance, posture and ROM) plus every proposal the
§6.2 logic made along the way. Doses follow the proposals: the patient has auto-progression and
the simulated clinician approves every review flag the same day. Synthetic data only; not a
model of any real patient.

``python -m backrehab.progress.simulate OUT.json [--trajectory flaring] [--seed 7]`` writes one.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Generic, Literal, get_args

import numpy as np

from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.progress.decisions import (
    DEFAULT_DECISION_SETTINGS,
    DecisionSettings,
    DoseT,
    ExerciseTrack,
    Proposal,
    ProposalQueue,
    propose_day,
)
from backrehab.progress.logs import DoneSet, PrescribedDose, SessionLog, SymptomChange
from backrehab.progress.patient_data import (
    EnduranceRecord,
    OutcomeRecord,
    PatientData,
    Schedule,
    SeriesPoint,
    dump_patient_data,
)

__all__ = [
    "CHAINS",
    "SESSION_WEEKDAYS",
    "ListLadder",
    "Programme",
    "Simulation",
    "Trajectory",
    "hold_ladder",
    "programme",
    "rep_ladder",
    "simulate_patient",
]

Trajectory = Literal["improving", "stalling", "flaring"]

SESSION_WEEKDAYS: Final = (0, 1, 3, 4, 5)
"""Planned session days: Monday, Tuesday, Thursday, Friday, Saturday (5 per week)."""

SIM_CLINICIAN: Final = "simulated clinician"

START_RUNG: Final = 2
"""Every simulated exercise starts (and is switched to) at rung 2 of its ladder; the two rungs
below are the reduced-volume regressions of §6.3."""


class ListLadder(Generic[DoseT]):
    """A dose ladder given as its rungs, easiest first (a simple
    :class:`~backrehab.progress.decisions.LadderLike`)."""

    def __init__(self, steps: Sequence[DoseT]) -> None:
        if not steps:
            raise ConfigError("a ladder needs at least one step")
        self.steps: tuple[DoseT, ...] = tuple(steps)

    def index(self, dose: DoseT) -> int:
        """Position of ``dose`` (0 = easiest); InvalidResponseError when not on the ladder."""
        try:
            return self.steps.index(dose)
        except ValueError:
            raise InvalidResponseError(f"dose {dose!r} is not on this ladder") from None

    def advance(self, dose: DoseT) -> DoseT | None:
        """The next rung, None at the top."""
        i = self.index(dose)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None

    def step_back(self, dose: DoseT) -> DoseT | None:
        """The previous rung, None at the bottom."""
        i = self.index(dose)
        return self.steps[i - 1] if i > 0 else None


def hold_ladder(per_side: bool = True) -> ListLadder[PrescribedDose]:
    """Motor-control isometrics (§6.3): 6 × 5 s holds → 8 s → 10 s (the starting dose, rung 2);
    then 8 and 10 reps per set; then 2 and 3 sets."""
    steps = [
        PrescribedDose(sets=1, reps=6, hold_s=5, per_side=per_side),
        PrescribedDose(sets=1, reps=6, hold_s=8, per_side=per_side),
        PrescribedDose(sets=1, reps=6, hold_s=10, per_side=per_side),
        PrescribedDose(sets=1, reps=8, hold_s=10, per_side=per_side),
        PrescribedDose(sets=1, reps=10, hold_s=10, per_side=per_side),
        PrescribedDose(sets=2, reps=10, hold_s=10, per_side=per_side),
        PrescribedDose(sets=3, reps=10, hold_s=10, per_side=per_side),
    ]
    return ListLadder(steps)


def rep_ladder(per_side: bool = False) -> ListLadder[PrescribedDose]:
    """Dynamic motor control (§6.3): 2 × 8 (the starting dose, rung 2, after two reduced-volume
    rungs) → +2 reps to 12 → 3 sets → slower tempo."""
    steps = [
        PrescribedDose(sets=2, reps=5, per_side=per_side),
        PrescribedDose(sets=2, reps=6, per_side=per_side),
        PrescribedDose(sets=2, reps=8, per_side=per_side),
        PrescribedDose(sets=2, reps=10, per_side=per_side),
        PrescribedDose(sets=2, reps=12, per_side=per_side),
        PrescribedDose(sets=3, reps=12, per_side=per_side),
        PrescribedDose(sets=3, reps=12, per_side=per_side, label="tempo 3 s out / 3 s back"),
    ]
    return ListLadder(steps)


CHAINS: Final[tuple[tuple[str, str, str], ...]] = (
    ("bird_dog_single_limb", "bird_dog", "bird_dog_elbow_to_knee"),
    ("posterior_pelvic_tilt", "glute_bridge", "single_leg_glute_bridge"),
)
"""Two exercise families (regression, starting exercise, progression), library ids. The first
uses :func:`hold_ladder` (typed logs), the second :func:`rep_ladder` (camera-coach logs with
ROM)."""


@dataclass(frozen=True)
class Programme:
    """The simulated exercises: a ladder and the (progression, regression) ids of each."""

    ladders: Mapping[str, ListLadder[PrescribedDose]]
    neighbours: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]

    def track(self, exercise_id: str, dose: PrescribedDose) -> ExerciseTrack[PrescribedDose]:
        """The decision track of ``exercise_id`` at ``dose``."""
        progression, regression = self.neighbours[exercise_id]
        return ExerciseTrack(
            exercise_id=exercise_id,
            dose=dose,
            ladder=self.ladders[exercise_id],
            progression_ids=progression,
            regression_ids=regression,
        )

    def start(self, exercise_id: str) -> ExerciseTrack[PrescribedDose]:
        """``exercise_id`` at its starting dose (rung :data:`START_RUNG`)."""
        return self.track(exercise_id, self.ladders[exercise_id].steps[START_RUNG])


def programme() -> Programme:
    """The :data:`CHAINS` with their ladders."""
    ladders: dict[str, ListLadder[PrescribedDose]] = {}
    neighbours: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for family, chain in enumerate(CHAINS):
        for i, exercise in enumerate(chain):
            ladders[exercise] = hold_ladder() if family == 0 else rep_ladder()
            neighbours[exercise] = (tuple(chain[i + 1 : i + 2]), tuple(chain[i - 1 : i]))
    return Programme(ladders=ladders, neighbours=neighbours)


@dataclass(frozen=True)
class Simulation:
    """A simulated patient and every proposal made for it (in order)."""

    trajectory: Trajectory
    seed: int
    data: PatientData
    proposals: tuple[Proposal[PrescribedDose], ...]
    programme: Programme
    settings: DecisionSettings


def _level(trajectory: Trajectory, week: float, weeks: int) -> tuple[float, bool]:
    """Usual pain level (NPRS) at ``week`` and whether the patient is in a flare."""
    if trajectory == "improving":
        return 5.5 - 4.0 * week / weeks, False
    if trajectory == "stalling":
        return 4.0 + 0.3 * float(np.sin(week)), False
    flare_start, flare_end = 0.42 * weeks, 0.58 * weeks
    if week < flare_start:
        return 5.5 - 3.0 * week / flare_start, False
    if week < flare_end:
        return 6.5, True
    return 5.0 - 3.0 * (week - flare_end) / (weeks - flare_end), False


def _clip(value: float) -> int:
    return int(min(10, max(0, round(value))))


_PROFILE: Final[Mapping[str, tuple[float, float, float, float]]] = {
    # attendance, full-dose probability, form pass rate range (low, high)
    "improving": (0.92, 0.85, 0.78, 1.0),
    "stalling": (0.75, 0.6, 0.55, 0.95),
    "flaring": (0.85, 0.8, 0.7, 1.0),
}


def simulate_patient(
    trajectory: Trajectory,
    *,
    weeks: int = 12,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 6),
    patient_ref: str | None = None,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> Simulation:
    """Simulate ``weeks`` of logs, decisions and outcomes for one synthetic patient.

    Trajectories: ``improving`` (usual pain 5.5 → 1.5), ``stalling`` (about 4 throughout, lower
    attendance and form) and ``flaring`` (improving, then a flare with worse next mornings and
    some peripheralisation in weeks 5-7 of 12, then recovery). Same arguments, same result.

    Raises
    ------
    ConfigError
        Unknown trajectory, or fewer than 2 weeks.
    """
    if trajectory not in get_args(Trajectory):
        raise ConfigError(
            f"unknown trajectory {trajectory!r}; use one of {', '.join(get_args(Trajectory))}"
        )
    if not 2 <= weeks <= 104:
        raise ConfigError(f"weeks must be 2-104, got {weeks}")
    rng = np.random.default_rng(seed)
    attend, p_full, form_lo, form_hi = _PROFILE[trajectory]
    plan = programme()
    tracks = [plan.start(chain[1]) for chain in CHAINS]
    queue: ProposalQueue[PrescribedDose] = ProposalQueue(
        auto_progression=True,
        clock=lambda: dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    logs: list[SessionLog] = []
    days = weeks * 7
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in SESSION_WEEKDAYS or rng.random() > attend:
            continue
        level, flare = _level(trajectory, offset / 7.0, weeks)
        usual = _clip(level)
        pain_before = _clip(level + rng.normal(0, 0.2))
        for family, track in enumerate(tracks):
            if rng.random() < 0.05:
                continue  # the patient skipped this exercise today
            dose = track.dose
            ladder = plan.ladders[track.exercise_id]
            load = ladder.index(dose) / len(ladder.steps)
            offset_pain = 0.0 if flare else -1.8 + 0.8 * load
            during = _clip(level + offset_pain + rng.normal(0, 0.8))
            after = _clip(level + offset_pain - 0.3 + rng.normal(0, 0.7))
            worse_morning = rng.random() < (0.45 if flare else 0.04)
            symptom: SymptomChange = "unchanged"
            if flare and rng.random() < 0.12:
                symptom = "peripheralised"
            elif trajectory == "improving" and rng.random() < 0.1:
                symptom = "centralised"
            done = []
            for s in range(dose.sets):
                reps = dose.reps
                if s == dose.sets - 1 and rng.random() > p_full:
                    reps = max(0, reps - int(rng.integers(1, 3)))
                done.append(DoneSet(reps=reps, hold_s=dose.hold_s if dose.hold_s else None))
            coach = family == 1
            log = SessionLog(
                exercise_id=track.exercise_id,
                date=day,
                source="coach" if coach else "typed",
                prescribed=dose,
                done=tuple(done),
                rpe=int(rng.integers(3, 8)),
                pain_before=pain_before,
                pain_during_max=during,
                pain_after=after,
                next_morning_pain=min(10, usual + 1) if worse_morning else usual,
                usual_pain=usual,
                symptom_change=symptom,
                form_pass_rate=round(float(rng.uniform(form_lo, form_hi)), 2),
                rom_deg=(
                    round(float(18 + 10 * (5.5 - level) / 4 + rng.normal(0, 1.5)), 1)
                    if coach
                    else None
                ),
            )
            logs.append(log)
        for proposal in propose_day(logs, tracks, day, settings):
            stored = queue.submit(proposal)
            if stored.status == "pending":
                stored = queue.approve(stored.proposal_id, SIM_CLINICIAN)
            tracks = [
                _apply(stored, t, plan) if t.exercise_id == stored.exercise_id else t
                for t in tracks
            ]
    data = PatientData(
        patient_ref=patient_ref or f"SIM-{trajectory}-{seed}",
        sex="female" if seed % 2 else "male",
        as_of=start + dt.timedelta(days=days - 1),
        auto_progression=True,
        schedule=Schedule(start=start, sessions_per_week=len(SESSION_WEEKDAYS)),
        baseline=_outcome(trajectory, start, 0.0, weeks, rng),
        follow_ups=tuple(
            _outcome(trajectory, start + dt.timedelta(days=min(7 * w, days - 1)), w, weeks, rng)
            for w in range(4, weeks + 1, 4)
        ),
        sessions=tuple(logs),
        endurance=tuple(_endurance(trajectory, start, f, weeks, rng) for f in (0.0, 0.5, 1.0)),
        rom={"lumbar_flexion_deg": _series(trajectory, start, weeks, rng, 45.0, 12.0)},
        posture={"cva_proxy_deg": _series(trajectory, start, weeks, rng, 44.0, 4.0)},
    )
    return Simulation(
        trajectory=trajectory,
        seed=seed,
        data=data,
        proposals=tuple(queue.proposals),
        programme=plan,
        settings=settings,
    )


def _apply(
    proposal: Proposal[PrescribedDose],
    track: ExerciseTrack[PrescribedDose],
    plan: Programme,
) -> ExerciseTrack[PrescribedDose]:
    """The track after an applied proposal (a switched exercise starts at its starting dose and
    remembers the exercises it replaced, as a plan item does)."""
    if proposal.proposed_exercise_id is not None:
        started = plan.start(proposal.proposed_exercise_id)
        lineage = (track.exercise_id, *track.replaced_ids)
        return replace(
            started,
            replaced_ids=tuple(dict.fromkeys(e for e in lineage if e != started.exercise_id)),
        )
    if proposal.proposed_dose is None:
        return track
    return replace(
        plan.track(track.exercise_id, proposal.proposed_dose), replaced_ids=track.replaced_ids
    )


def _progress(trajectory: Trajectory, week: float, weeks: int) -> float:
    """0 at the start, about 1 when the trajectory ends well."""
    level, _ = _level(trajectory, week, weeks)
    return max(0.0, min(1.0, (5.5 - level) / 4.0))


def _outcome(
    trajectory: Trajectory, day: dt.date, week: float, weeks: int, rng: np.random.Generator
) -> OutcomeRecord:
    level, _ = _level(trajectory, week, weeks)
    return OutcomeRecord(
        date=day,
        nprs=float(_clip(level + rng.normal(0, 0.3))),
        odi=float(min(100, max(0, round(7.5 * level + rng.normal(0, 2))))),
        rmdq=int(min(24, max(0, round(2.3 * level + rng.normal(0, 0.8))))),
        psfs=round(float(min(10, max(0, 9.5 - 1.2 * level + rng.normal(0, 0.3)))), 1),
        fabq_pa=int(min(24, max(0, round(8 + 1.8 * level)))),
        fabq_w=int(min(42, max(0, round(12 + 2.5 * level)))),
    )


def _endurance(
    trajectory: Trajectory, start: dt.date, fraction: float, weeks: int, rng: np.random.Generator
) -> EnduranceRecord:
    day = start + dt.timedelta(days=min(round(fraction * weeks * 7), weeks * 7 - 1))
    gain = 1.0 + 0.8 * _progress(trajectory, fraction * weeks, weeks)
    return EnduranceRecord(
        date=day,
        flexor_s=round(float(70 * gain * (1 + rng.normal(0, 0.05))), 1),
        extensor_s=round(float(60 * gain**1.3 * (1 + rng.normal(0, 0.05))), 1),
        side_left_s=round(float(40 * gain * (1 + rng.normal(0, 0.05))), 1),
        side_right_s=round(float(34 * gain**1.1 * (1 + rng.normal(0, 0.05))), 1),
    )


def _series(
    trajectory: Trajectory,
    start: dt.date,
    weeks: int,
    rng: np.random.Generator,
    base: float,
    gain: float,
) -> tuple[SeriesPoint, ...]:
    out = []
    for w in range(0, weeks + 1, 2):
        day = start + dt.timedelta(days=min(7 * w, weeks * 7 - 1))
        value = base + gain * _progress(trajectory, w, weeks) + rng.normal(0, gain * 0.08)
        out.append(SeriesPoint(date=day, value=round(float(value), 1)))
    return tuple(out)


def main(argv: Sequence[str] | None = None) -> None:
    """Write a simulated PATIENT_DATA.json."""
    parser = argparse.ArgumentParser(description="Write a synthetic PATIENT_DATA.json.")
    parser.add_argument("out")
    parser.add_argument("--trajectory", default="flaring", choices=get_args(Trajectory))
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sim = simulate_patient(args.trajectory, weeks=args.weeks, seed=args.seed)
    dump_patient_data(sim.data, args.out)


if __name__ == "__main__":
    main()
