"""The web services' own rules: merged entries of one day, auto-progression, the dashboard's
attention order, and the demo clinic."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from backrehab.db import make_engine
from backrehab.db.models import Patient
from backrehab.web.services import dashboard, demo, plans, sessions
from backrehab.web.services.actor import SYSTEM
from tests.web.apps import App

TODAY = dt.date.today()


def _session(app: App) -> Session:
    return Session(make_engine(app.settings.database_url), expire_on_commit=False)


def _log(session: Session, patient: Patient, exercise_id: str, day: dt.date, **pain: int) -> str:
    item = plans.current_plan(session, patient).item(exercise_id)  # type: ignore[union-attr]
    assert item is not None
    _, zone, _ = sessions.log_session(
        session, SYSTEM, patient, exercise_id=exercise_id, day=day,
        pain_before=pain.get("before", 1), pain_during_max=pain.get("during", 1),
        pain_after=pain.get("after", 1), done_sets=1, done_reps=item.dose.reps or 1,
        done_hold_s=item.dose.hold_s, form_pass_rate=1.0,
    )  # fmt: skip
    return zone


def test_two_entries_of_one_day_are_one_log(app: App) -> None:
    """A second set of the same exercise on the same day adds its sets and keeps the worst pain."""
    with _session(app) as session:
        patient = session.get_one(Patient, app.world.p1)
        exercise = app.world.exercise_p1
        _log(session, patient, exercise, TODAY, during=2)
        zone = _log(session, patient, exercise, TODAY, during=7)
        today = [log for log in sessions.logs(session, patient) if log.date == TODAY]
        assert len(today) == 1
        assert len(today[0].done) == 2
        assert today[0].pain_during_max == 7
        assert zone == "red"


def test_auto_progression_applies_green_proposals(app: App) -> None:
    """With auto-progression on, the proposals of green days are applied at once by
    ``auto-progression`` (a new plan version when the dose changes); review flags never are."""
    with _session(app) as session:
        patient = session.get_one(Patient, app.world.p1)
        patient.auto_progression = True
        exercise = app.world.exercise_p1
        for back in (6, 5, 4):
            _log(session, patient, exercise, TODAY - dt.timedelta(days=back))
        applied = [r for r in sessions.proposals(session, patient) if r.status == "auto_applied"]
        assert applied
        assert all(r.decided_by == "auto-progression" for r in applied)
        _log(session, patient, exercise, TODAY - dt.timedelta(days=3), during=8, after=8)
        _log(session, patient, exercise, TODAY - dt.timedelta(days=2), during=8, after=8)
        flags = [r for r in sessions.proposals(session, patient) if r.action == "flag_review"]
        assert flags
        assert all(r.status == "pending" for r in flags)
        session.rollback()


def test_dashboard_orders_by_attention(app: App) -> None:
    """Review flags come first, then red sessions, then proposals, then due questionnaires; the
    counts cover the whole clinic."""
    with _session(app) as session:
        patient = session.get_one(Patient, app.world.p1)
        exercise = app.world.exercise_p1
        _log(session, patient, exercise, TODAY - dt.timedelta(days=1), during=8, after=8)
        board = dashboard.clinic_dashboard(session, clinic_id=patient.clinic_id, today=TODAY)
        assert [r.ref for r in board.rows] == ["P1", "P2"]
        first = board.rows[0]
        assert first.red_sessions >= 1
        assert first.pending_proposals >= 1
        assert board.rows[1].questionnaire_overdue
        assert board.total == 2
        assert board.attention == 2
        paged = dashboard.clinic_dashboard(
            session, clinic_id=patient.clinic_id, today=TODAY, page=2, page_size=1
        )
        assert [r.ref for r in paged.rows] == ["P2"]
        assert paged.pages == 2
        session.rollback()


def test_demo_clinic(tmp_path: object) -> None:
    """The demo clinic has one clinician and three patients with weeks of logs, and the three
    courses show: the improving patient has green days, the flaring one red days and review
    flags waiting; seeding twice does nothing."""
    from pathlib import Path

    from backrehab.db import upgrade

    url = f"sqlite:///{Path(str(tmp_path)) / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            lines = demo.seed_demo(session, today=TODAY)
            session.commit()
            assert demo.CLINICIAN_EMAIL in "\n".join(lines)
            assert demo.seed_demo(session, today=TODAY) == []
            by_ref = {p.ref: p for p in session.query(Patient).all()}
            assert set(by_ref) == {d.ref for d in demo.DEMO_PATIENTS}
            zones = {
                ref: [r.zone for r in sessions._records(session, patient)]
                for ref, patient in by_ref.items()
            }
            assert all(len(z) >= 20 for z in zones.values())
            assert zones["demo-001"].count("green") > zones["demo-003"].count("green")
            assert zones["demo-003"][-5:].count("red") >= 3
            flags = sessions.proposals(session, by_ref["demo-003"], status="pending")
            assert any(r.action == "flag_review" for r in flags)
    finally:
        engine.dispose()


def test_every_write_bumps_the_clinic_revision(app: App) -> None:
    """A logged session, a decided proposal and a settings change each bump the clinic's
    revision (the dashboard cache key), and the dashboard shows the change at once."""
    from backrehab.db.revisions import clinic_revision
    from backrehab.web.services import patients

    with _session(app) as session:
        patient = session.get_one(Patient, app.world.p1)
        clinic = patient.clinic_id
        before = clinic_revision(session, clinic)
        board = dashboard.clinic_dashboard(session, clinic_id=clinic, today=TODAY)
        reds_before = board.rows[[r.ref for r in board.rows].index("P1")].red_sessions
        _log(session, patient, app.world.exercise_p1, TODAY, during=9, after=9)
        after_log = clinic_revision(session, clinic)
        assert after_log is not None
        assert before is not None
        assert after_log > before
        board = dashboard.clinic_dashboard(session, clinic_id=clinic, today=TODAY)
        assert board.rows[0].ref == "P1"
        assert board.rows[0].red_sessions == reds_before + 1
        patients.update_settings(session, SYSTEM, patient, questionnaire_interval_days=7)
        session.flush()
        assert (clinic_revision(session, clinic) or 0) > after_log
        session.rollback()


def test_a_camera_set_becomes_a_session_log(app: App) -> None:
    """A finished coach result, as stored by a job, is logged with the camera's count and form."""
    from backrehab.db.models import AnalysisJob

    with _session(app) as session:
        patient = session.get_one(Patient, app.world.p1)
        plan = plans.current_plan(session, patient)
        assert plan is not None
        exercise = app.world.exercise_p1
        from backrehab.coach.specs import spec_for
        from backrehab.coach.stream import LiveCoach

        report = LiveCoach(spec_for("bodyweight_squat")).finish().to_json_dict()
        report["exercise"] = exercise  # as if the coach had followed this plan item
        job = AnalysisJob(
            media_id=None, patient_id=patient.id, kind="live", status="done", progress=1.0,
            params={"exercise_id": exercise}, result=report,
        )  # fmt: skip
        session.add(job)
        session.flush()
        log, _, _ = sessions.log_session(
            session, SYSTEM, patient, exercise_id=exercise, day=TODAY, pain_before=1,
            pain_during_max=1, pain_after=1, coach_job_id=job.id,
        )  # fmt: skip
        assert log.source == "coach"
        assert [d.reps for d in log.done] == [s["reps"] for s in report["sets"]]
        session.rollback()
