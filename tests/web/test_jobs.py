"""Background analysis jobs: the plain job function, failures recorded without losing anything,
idempotence, recovery after a stop, and the process pool the server uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backrehab.db import MediaStore, make_engine
from backrehab.db.models import AnalysisJob, AssessmentRecord, Patient
from backrehab.errors import BackrehabError
from backrehab.web.services import jobs
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
