"""Background analysis jobs: the plain job function, failures recorded without losing anything,
idempotence, recovery after a stop, and the process pool the server uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backrehab.assess.endurance_video import HoldInterval, HoldTimingResult
from backrehab.db import MediaStore, make_engine
from backrehab.db.models import AnalysisJob, AssessmentRecord, Patient
from backrehab.db.repository import list_outcomes
from backrehab.errors import BackrehabError
from backrehab.web.services import assessments, jobs
from backrehab.web.services.actor import SYSTEM
from tests.web.apps import PHOTO, App


def _enqueue(app: App, kind: str, params: dict[str, str], data: bytes) -> int:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            patient = session.get_one(Patient, app.world.p1)
            job = jobs.enqueue_upload(
                session, SYSTEM, MediaStore(app.settings.media_dir), patient=patient,
                kind=kind, params=params, data=data, filename="x",
            )  # fmt: skip
            session.commit()
            return job.id
    finally:
        engine.dispose()


def _job(app: App, job_id: int) -> AnalysisJob:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return session.get_one(AnalysisJob, job_id)
    finally:
        engine.dispose()


def _parts(app: App) -> dict[int, list[str]]:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            rows = session.query(AssessmentRecord).filter_by(patient_id=app.world.p1).all()
            return {r.id: sorted(r.parts) for r in rows}
    finally:
        engine.dispose()


def _run(app: App, job_id: int) -> str:
    return jobs.run_job(
        job_id, database_url=app.settings.database_url, data_dir=app.settings.data_dir
    )


def test_a_job_runs_once_and_adds_its_part(app: App) -> None:
    """A posture job stores its result and the assessment part; running it again does nothing."""
    job_id = _enqueue(app, "posture", {"view": "side"}, PHOTO.read_bytes())
    assert _run(app, job_id) == "done"
    job = _job(app, job_id)
    assert job.progress == 1.0
    assert job.result is not None
    assert job.result["metrics"]
    assert "posture.side" in next(iter(_parts(app).values()))
    first_finish = job.finished_at
    assert _run(app, job_id) == "done"
    assert _job(app, job_id).finished_at == first_finish


def test_a_corrupt_video_fails_clearly_and_changes_nothing_else(app: App) -> None:
    """A video that does not decode is a failed job with the reason; the assessment is untouched."""
    before = _parts(app)
    bogus = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000  # an MP4 header with no video in it
    job_id = _enqueue(app, "screen", {"test": "squat"}, bogus)
    assert _run(app, job_id) == "failed"
    job = _job(app, job_id)
    assert job.status == "failed"
    assert job.error
    assert "internal error" not in job.error
    assert _parts(app) == before


def test_recover_runs_what_a_stopped_server_left(app: App) -> None:
    """Jobs left queued or running are run again by ``recover``."""
    job_id = _enqueue(app, "posture", {"view": "side"}, PHOTO.read_bytes())
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            session.get_one(AnalysisJob, job_id).status = "running"  # the worker died mid-job
            session.commit()
    finally:
        engine.dispose()
    runner = jobs.JobRunner(
        database_url=app.settings.database_url, data_dir=app.settings.data_dir, mode="inline"
    )
    assert job_id in runner.recover()
    assert _job(app, job_id).status == "done"


def test_the_process_pool_runs_jobs(app: App) -> None:
    """The server's default runner (a spawned process pool) runs a job to the end."""
    job_id = _enqueue(app, "ergonomics", {"method": "reba"}, PHOTO.read_bytes())
    runner = jobs.JobRunner(
        database_url=app.settings.database_url,
        data_dir=Path(app.settings.data_dir),
        mode="process",
    )
    try:
        runner.submit(job_id)
        runner.wait(job_id, timeout_s=240)
    finally:
        runner.shutdown()
    job = _job(app, job_id)
    assert job.status == "done", job.error
    assert job.result is not None
    assert job.result["method"] == "reba"


def test_upload_checks(app: App) -> None:
    """Unknown kinds, missing parameters and exercises the coach cannot follow are refused
    before anything is stored."""
    for kind, params, message in (
        ("xray", {}, "not one of"),
        ("posture", {}, "the view is required"),
        ("coach", {"exercise_id": "edu_reassurance_stay_active"}, "cannot follow it"),
    ):
        with pytest.raises(BackrehabError, match=message):
            _enqueue(app, kind, params, PHOTO.read_bytes())


def _flexor_timing(longest_s: float) -> dict[str, object]:
    """What a flexor-test hold job stores: the timing of its holds and the battery test."""
    timing = HoldTimingResult(
        test="flexor",
        holds=(HoldInterval(start_s=2.0, end_s=2.0 + longest_s, duration_s=longest_s,
                            end_reason="trunk line lost"),),
        longest_hold_s=longest_s,
        total_hold_s=longest_s,
        measurable_fraction=0.95,
        confidence=0.9,
    )  # fmt: skip
    return {**timing.model_dump(mode="json"), "battery_test": "flexor", "findings": []}


def test_a_video_timed_test_joins_the_typed_battery(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flexor test timed from video and typed extensor and side-bridge times form one battery
    (ratios over all four, the flexor's source the video); the hold's own part carries no
    one-test findings, and the timed hold becomes a dated outcome. A typed flexor time later
    takes the video's place (the clinician's word)."""
    monkeypatch.setattr(jobs, "_analyse", lambda *a, **k: (_flexor_timing(120.0), None))
    video = (Path(jobs.__file__).parents[2] / "_demo" / "squat_rear_barbell.mp4").read_bytes()
    job_id = _enqueue(app, "hold", {"test": "flexor"}, video)
    assert _run(app, job_id) == "done"
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            patient = session.get_one(Patient, app.world.p1)
            times = {"extensor_s": 100.0, "side_left_s": 60.0, "side_right_s": 50.0}
            data = assessments.endurance_times(session, SYSTEM, patient, times_s=times)
            session.commit()
            assert data["sources"]["flexor_s"]["source"] == "video"
            assert data["sources"]["extensor_s"] == {"source": "typed"}
            assert data["times"]["flexor_s"] == pytest.approx(120.0)
            assert data["flex_ext"] == pytest.approx(1.2)
            record = assessments.latest_assessment(session, patient)
            assert record is not None
            assert record.parts["hold.flexor"]["findings"] == []
            assert record.parts["endurance"]["result"]["sources"]["flexor_s"]["source"] == "video"
            flexor = list_outcomes(session, patient_id=patient.id, measure="endurance.flexor_s")
            assert [o.value for o in flexor] == [120.0]
            typed = assessments.endurance_times(
                session, SYSTEM, patient, times_s={**times, "flexor_s": 90.0}
            )
            assert typed["sources"]["flexor_s"] == {"source": "typed"}
            assert typed["flex_ext"] == pytest.approx(0.9)
    finally:
        engine.dispose()
