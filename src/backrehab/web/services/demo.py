"""The demo clinic for ``backrehab serve --demo``: one clinician and three patients (improving,
stalling, flaring) with several weeks of history, made through the same services as real use
(questionnaires, red-flag screen, endurance battery, a generated plan, daily session logs with
their zones and proposals, clinician approvals).

Deterministic: the same seed and day give the same clinic. The logins are public demo accounts;
never use ``--demo`` on a server holding real patients.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backrehab.assess.red_flags import QUESTION_IDS
from backrehab.db.models import Clinic, Patient
from backrehab.db.repository import create_clinic, create_user
from backrehab.errors import BackrehabError
from backrehab.plan.schedule import WEEKDAYS
from backrehab.web.services import assessments, patients, plans, sessions
from backrehab.web.services.actor import Actor

DEMO_CLINIC: Final = "Demo Back Clinic"
DEMO_PASSWORD: Final = "backrehab-demo"
CLINICIAN_EMAIL: Final = "clinician@demo.backrehab.org"
WEEKS: Final = 6

Trajectory = Literal["improving", "stalling", "flaring"]


@dataclass(frozen=True, slots=True)
class DemoPatient:
    """One demo patient: reference, name, login and the course of their pain."""

    ref: str
    name: str
    email: str
    sex: Literal["female", "male"]
    trajectory: Trajectory
    odi: tuple[int, ...]  # ODI section answers at baseline
    startback: tuple[int, ...]


DEMO_PATIENTS: Final = (
    DemoPatient(
        "demo-001", "Alex Morgan", "alex@demo.backrehab.org", "female", "improving",
        (2, 2, 1, 2, 1, 2, 1, 0, 2, 2), (1, 0, 1, 1, 0, 0, 0, 0, 2),
    ),
    DemoPatient(
        "demo-002", "Sam Okafor", "sam@demo.backrehab.org", "male", "stalling",
        (2, 1, 2, 2, 1, 1, 2, 1, 1, 2), (0, 1, 1, 1, 1, 1, 0, 0, 2),
    ),
    DemoPatient(
        "demo-003", "Kim Laine", "kim@demo.backrehab.org", "female", "flaring",
        (3, 2, 3, 2, 2, 2, 3, 1, 2, 3), (1, 1, 1, 1, 1, 1, 1, 1, 3),
    ),
)  # fmt: skip


def is_seeded(session: Session) -> bool:
    """Whether the database already holds any clinic."""
    return bool(session.scalar(select(func.count()).select_from(Clinic)))


def _level(trajectory: Trajectory, week: float) -> float:
    """The typical pain (0-10) of ``week``: falling, flat, or flaring in the last ten days."""
    if trajectory == "improving":
        return max(4.0 - 0.55 * week, 0.5)
    if trajectory == "stalling":
        return 3.5
    return 6.5 if week >= WEEKS - 1.5 else 3.0


def _pain(trajectory: Trajectory, week: float, rng: random.Random) -> tuple[int, int, int]:
    """Pain before, worst during and after for one session of ``week`` (0 = first week)."""
    level = _level(trajectory, week)
    before = max(0, min(10, round(level + rng.uniform(-0.5, 0.5))))
    during = max(0, min(10, before + rng.choice((0, 0, 1))))
    after = max(0, min(10, before + rng.choice((-1, 0, 0))))
    return before, during, after


def _morning(trajectory: Trajectory, week: float, rng: random.Random) -> tuple[int, int]:
    """Next-morning pain and the usual morning pain."""
    usual = max(0, min(10, round(_level(trajectory, week))))
    flare = trajectory == "flaring" and week >= WEEKS - 1.5
    delta = rng.choice((1, 2)) if flare else rng.choice((-1, 0, 0))
    return max(0, min(10, usual + delta)), usual


def _questionnaires(
    session: Session, actor: Actor, patient: Patient, demo: DemoPatient, day: dt.date, week: float
) -> None:
    better = {"improving": 1, "stalling": 0, "flaring": -1}[demo.trajectory]
    shift = int(better * week // 3)
    odi = [max(0, min(5, a - shift)) for a in demo.odi]
    assessments.score_questionnaire(
        session, actor, patient, instrument="odi", answers=",".join(map(str, odi)), taken_on=day
    )
    nprs = max(0, min(10, 6 - 2 * shift))
    answers = f"{nprs},{max(nprs - 2, 0)},{min(nprs + 2, 10)}"
    assessments.score_questionnaire(
        session, actor, patient, instrument="nprs", answers=answers, taken_on=day
    )


def seed_demo(session: Session, *, today: dt.date | None = None, seed: int = 7) -> list[str]:
    """Create the demo clinic; returns the lines to print (logins). Refuses a non-empty database."""
    if is_seeded(session):
        return []
    today = today or dt.date.today()
    rng = random.Random(seed)
    clinic = create_clinic(session, name=DEMO_CLINIC)
    clinician = create_user(
        session,
        email=CLINICIAN_EMAIL,
        password=DEMO_PASSWORD,
        role="clinician",
        clinic_id=clinic.id,
        display_name="Dr Demo (physiotherapist)",
    )
    staff = Actor.of(clinician)
    start = today - dt.timedelta(weeks=WEEKS)
    for demo in DEMO_PATIENTS:
        patient = patients.new_patient(
            session,
            staff,
            clinic_id=clinic.id,
            clinician_id=clinician.id,
            ref=demo.ref,
            display_name=demo.name,
            sex=demo.sex,
            email=demo.email,
            password=DEMO_PASSWORD,
        )
        patients.update_settings(
            session,
            staff,
            patient,
            context={"exercise_time": "18:30", "budget_min": 20},
            questionnaire_interval_days=21,
        )
        assessments.screen_red_flags(
            session,
            staff,
            patient,
            answers={**dict.fromkeys(QUESTION_IDS, False), "age_years": 45, "new_episode": False},
        )
        assessments.score_questionnaire(
            session,
            staff,
            patient,
            instrument="startback",
            answers=",".join(map(str, demo.startback)),
            taken_on=start,
        )
        _questionnaires(session, staff, patient, demo, start, 0)
        assessments.endurance_times(
            session,
            staff,
            patient,
            times_s={"flexor_s": 60, "extensor_s": 70, "side_left_s": 40, "side_right_s": 52},
            measured_on=start,
        )
        plans.generate(session, staff, patient)
        me = Actor(email=demo.email, role="patient", user_id=patient.user_id, clinic_id=clinic.id)
        _history(session, staff, me, patient, demo, start, today, rng)
    return [
        f"Demo clinic: {DEMO_CLINIC} (public demo accounts; password for all: {DEMO_PASSWORD})",
        f"  clinician: {CLINICIAN_EMAIL}",
        *(f"  patient ({d.trajectory}): {d.email}" for d in DEMO_PATIENTS),
    ]


def _history(
    session: Session,
    staff: Actor,
    me: Actor,
    patient: Patient,
    demo: DemoPatient,
    start: dt.date,
    today: dt.date,
    rng: random.Random,
) -> None:
    """Daily logs of the scheduled home items from ``start`` to yesterday, a follow-up
    questionnaire every three weeks, and the clinician approving what is pending each week
    (the last week's proposals are left for the dashboard)."""
    day = start
    while day < today:
        plan = plans.current_plan(session, patient)
        assert plan is not None
        week = (day - start).days / 7
        weekday = WEEKDAYS[day.weekday()]
        skipped = rng.random() < (0.12 if demo.trajectory != "stalling" else 0.3)
        items = [i for i in plan.items if i.setting == "home" and weekday in i.schedule.days]
        if not skipped:
            for item in items:
                before, during, after = _pain(demo.trajectory, week, rng)
                reps = item.dose.reps or 1
                sessions.log_session(
                    session,
                    me,
                    patient,
                    exercise_id=item.exercise_id,
                    day=day,
                    pain_before=before,
                    pain_during_max=during,
                    pain_after=after,
                    done_sets=item.dose.sets,
                    done_reps=reps,
                    done_hold_s=item.dose.hold_s,
                    rpe=rng.choice((3, 4, 5)),
                    form_pass_rate=rng.choice((1.0, 1.0, 0.8)),
                )
            if items:
                morning, usual = _morning(demo.trajectory, week, rng)
                sessions.report_next_morning(
                    session, me, patient, day=day, next_morning_pain=morning, usual_pain=usual
                )
        if day.weekday() == 6 and (today - day).days > 7:
            for row in sessions.proposals(session, patient, status="pending"):
                proposal = sessions.load_proposal(row)
                if proposal.needs_review:
                    continue
                try:
                    sessions.decide_proposal(
                        session, staff, patient, row.proposal_id, approve=True, note="weekly review"
                    )
                except BackrehabError:  # outdated or superseded meanwhile: the next one counts
                    continue
        if day > start and (day - start).days % 21 == 0:
            _questionnaires(session, staff, patient, demo, day, week)
        day += dt.timedelta(days=1)
