"""Background analysis of uploaded photos and videos: queue a job, run it, keep its result.

:func:`enqueue_upload` checks an upload (type by content, size limit, the parameters of its kind)
and stores the bytes and a queued :class:`~backrehab.db.models.AnalysisJob` row.
:func:`run_job` is a plain function of a job id, a database URL and a data directory, so an
in-process pool (:class:`JobRunner`) or a queue worker can run it: it marks the job running,
reports progress, runs the analysis and stores the result (and, for assessment kinds, the
assessment part) in one transaction. A failed analysis records its error and changes nothing
else; running a finished job again does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backrehab.assess.endurance import EnduranceTest
from backrehab.db.media import MediaStore, add_media
from backrehab.db.models import AnalysisJob, AssessmentRecord, Media, Patient
from backrehab.db.repository import add_outcome
from backrehab.db.session import make_engine, session_scope
from backrehab.errors import BackrehabError, InvalidResponseError, MediaTooLargeError
from backrehab.pose.media import MediaType, sniff_media_type
from backrehab.web.services.actor import SYSTEM, Actor, audit

logger = logging.getLogger(__name__)

JobKind = Literal["posture", "screen", "hold", "ergonomics", "coach"]


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What one job kind accepts: the media type and its one parameter with allowed values."""

    media: MediaType
    param: str
    choices: tuple[str, ...] | None  # None: any value checked by the analysis (exercise ids)
    title: str


KINDS: Final[Mapping[str, KindSpec]] = {
    "posture": KindSpec("photo", "view", ("front", "side"), "Posture photo"),
    "screen": KindSpec("video", "test", ("squat", "hinge", "single_leg_stance"), "Movement screen"),
    "hold": KindSpec(
        "video", "test", ("plank", "side_bridge", "biering_sorensen", "flexor"), "Endurance hold"
    ),
    "ergonomics": KindSpec("photo", "method", ("rula", "reba"), "Workstation (RULA/REBA)"),
    "coach": KindSpec("video", "exercise_id", None, "Exercise set"),
}
"""Job kinds; all but ``coach`` add a part to the patient's current assessment."""

CONTENT_TYPES: Final[Mapping[str, str]] = {"photo": "image/*", "video": "video/*"}


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Largest accepted upload per media type, bytes."""

    photo_bytes: int = 25_000_000
    video_bytes: int = 300_000_000


def check_params(kind: str, params: Mapping[str, Any]) -> dict[str, str]:
    """The validated parameters of a job kind (InvalidResponseError naming the problem)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidResponseError(f"analysis: {kind!r} is not one of {', '.join(KINDS)}")
    value = params.get(spec.param)
    if not isinstance(value, str) or not value:
        raise InvalidResponseError(f"{kind}: the {spec.param} is required")
    if spec.choices is not None and value not in spec.choices:
        raise InvalidResponseError(
            f"{kind}: {spec.param} {value!r} is not one of {', '.join(spec.choices)}"
        )
    if kind == "coach":
        from backrehab.coach.specs import spec_for

        spec_for(value)  # a clear ConfigError when the coach cannot follow this exercise
    return {spec.param: value}


def check_upload(kind: str, data: bytes, limits: UploadLimits) -> MediaType:
    """The media type of ``data`` by content, which must be what ``kind`` analyses."""
    spec = KINDS[kind]
    if not data:
        raise InvalidResponseError("upload: the file is empty")
    found = sniff_media_type(data[:32])
    if found is None:
        raise InvalidResponseError(
            "upload: this is not a photo (JPEG, PNG, WebP) or a video (MP4, MOV, AVI, WebM); "
            "the content decides, not the file name"
        )
    if found != spec.media:
        raise InvalidResponseError(
            f"upload: {spec.title.lower()} needs a {spec.media}, not a {found}"
        )
    limit = limits.photo_bytes if found == "photo" else limits.video_bytes
    if len(data) > limit:
        raise MediaTooLargeError(
            f"upload: the {found} is {len(data) / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit"
        )
    return found


def enqueue_upload(
    session: Session,
    actor: Actor,
    store: MediaStore,
    *,
    patient: Patient,
    kind: str,
    params: Mapping[str, Any],
    data: bytes,
    filename: str = "",
    limits: UploadLimits = UploadLimits(),
) -> AnalysisJob:
    """Check and store an upload and queue its analysis; returns the queued job (flushed)."""
    checked: dict[str, Any] = dict(check_params(kind, params))
    media_type = check_upload(kind, data, limits)
    if kind != "coach":  # the result goes into the assessment open at upload time
        from backrehab.web.services.assessments import current_assessment

        checked["assessment_id"] = current_assessment(session, actor, patient).id
    media = add_media(
        session,
        store=store,
        data=data,
        patient_id=patient.id,
        content_type=CONTENT_TYPES[media_type],
        original_name=Path(filename).name[:255],
    )
    job = AnalysisJob(
        media_id=media.id,
        patient_id=patient.id,
        kind=kind,
        params=checked,
        requested_by=actor.email,
        status="queued",
        progress=0.0,
    )
    session.add(job)
    session.flush()
    audit(session, actor, "upload", "media", media.id, patient_id=patient.id, kind=kind)
    audit(session, actor, "queue", "analysis_job", job.id, patient_id=patient.id, kind=kind)
    return job


# --- running a job ---------------------------------------------------------------------------


@cache
def _engine(database_url: str) -> Engine:
    """One engine per database per process (jobs of a pool share it)."""
    return make_engine(database_url)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Progress:
    """Writes the job's progress at most every ``interval_s`` seconds, in its own transaction."""

    def __init__(self, engine: Engine, job_id: int, interval_s: float = 0.5) -> None:
        self.engine, self.job_id, self.interval_s = engine, job_id, interval_s
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total <= 0 or now - self._last < self.interval_s:
            return
        self._last = now
        with session_scope(self.engine) as session:
            job = session.get(AnalysisJob, self.job_id)
            if job is not None:
                job.progress = round(min(max(done / total, 0.0), 0.99), 3)


def _store_png(session: Session, store: MediaStore, path: Path, patient_id: int) -> int:
    overlay = add_media(
        session,
        store=store,
        data=path.read_bytes(),
        patient_id=patient_id,
        content_type="image/png",
        original_name=path.name,
    )
    overlay.kind = "overlay"
    session.flush()
    return overlay.id


def _analyse(
    kind: str,
    params: Mapping[str, str],
    media_path: Path,
    *,
    sex: str | None,
    cache_dir: Path,
    workdir: Path,
    on_progress: Callable[[int, int], None],
) -> tuple[dict[str, Any], Path | None]:
    """Run one analysis; returns its JSON-ready result and an overlay PNG to keep, if any."""
    from backrehab.assess import from_media
    from backrehab.pose.posefile import PoseCache

    pose_cache = PoseCache(cache_dir)
    if kind == "posture":
        data = from_media.posture_from_photos(
            [media_path],
            view=params["view"],  # type: ignore[arg-type]
            cache=pose_cache,
        )
        from backrehab.pose import overlay
        from backrehab.pose.media import read_photo
        from backrehab.pose.pipeline import analyze_media

        result = analyze_media(media_path, cache=pose_cache)
        rgb, _ = read_photo(media_path)
        png = overlay.write_photo_overlay(
            rgb, result.cleaned, result.angles, workdir / "overlay.png"
        )
        return data, png
    if kind == "ergonomics":
        data = from_media.ergonomics_from_photo(
            media_path, params["method"], overlay_dir=workdir, cache=pose_cache
        )
        overlay_path = data.pop("overlay", None)
        return data, Path(overlay_path) if overlay_path else None
    if kind == "screen":
        from backrehab.assess.screens import ScreenSettings

        data = from_media.screen_from_video(
            media_path,
            params["test"],  # type: ignore[arg-type]
            settings=ScreenSettings(sex=sex),
            cache=pose_cache,
            on_progress=on_progress,
        )
        return data, None
    if kind == "hold":
        data = from_media.hold_from_video(
            media_path,
            params["test"],  # type: ignore[arg-type]
            sex=sex,  # type: ignore[arg-type]
            cache=pose_cache,
            on_progress=on_progress,
        )
        return data, None
    if kind == "coach":
        from backrehab.coach.run import coach_sequence
        from backrehab.coach.specs import spec_for
        from backrehab.pose.pipeline import analyze_media

        analysis = analyze_media(media_path, cache=pose_cache, on_progress=on_progress)
        report = coach_sequence(analysis, spec_for(params["exercise_id"]))
        return report.to_json_dict(), None
    raise InvalidResponseError(f"analysis: unknown kind {kind!r}")


def _fail(engine: Engine, job_id: int, message: str) -> None:
    with session_scope(engine) as session:
        job = session.get(AnalysisJob, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = "failed", message, _now()
            audit(session, SYSTEM, "fail", "analysis_job", job_id, error=message[:200])


def run_job(job_id: int, *, database_url: str, data_dir: str | Path) -> str:
    """Run one queued analysis job to its end; returns its final status.

    Idempotent: a job already ``done`` is left as it is. A job left ``running`` by a crashed
    worker is simply run again. Every failure is recorded on the job (``failed`` with the
    user-facing message); nothing else is written then.
    """
    engine = _engine(database_url)
    store = MediaStore.in_data_dir(data_dir)
    with session_scope(engine) as session:
        job = session.get(AnalysisJob, job_id)
        if job is None:
            raise InvalidResponseError(f"analysis job {job_id} does not exist")
        if job.status == "done":
            return job.status
        job.status, job.started_at, job.progress, job.error = "running", _now(), 0.0, ""
        media = session.get(Media, job.media_id) if job.media_id is not None else None
        patient = session.get(Patient, job.patient_id) if job.patient_id is not None else None
        if media is None or patient is None:
            job.status, job.error = "failed", "The uploaded file or its patient no longer exists."
            return job.status
        kind, params, sha, sex = job.kind, dict(job.params), media.sha256, patient.sex
    try:
        with tempfile.TemporaryDirectory(prefix=f"backrehab-job{job_id}-") as tmp:
            data, overlay_png = _analyse(
                kind,
                params,
                store.path_for(sha),
                sex=sex,
                cache_dir=Path(data_dir) / "pose-cache",
                workdir=Path(tmp),
                on_progress=_Progress(engine, job_id),
            )
            with session_scope(engine) as session:
                job = session.get(AnalysisJob, job_id)
                patient = session.get(Patient, job.patient_id) if job else None
                if job is None or patient is None:
                    return "failed"
                if overlay_png is not None:
                    data["overlay_media_id"] = _store_png(session, store, overlay_png, patient.id)
                if kind != "coach":
                    from backrehab.web.services.assessments import (
                        current_assessment,
                        rebuild_endurance,
                        set_part,
                    )

                    findings = data.get("findings", [])
                    result = {k: v for k, v in data.items() if k != "findings"}
                    record = session.get(AssessmentRecord, params.get("assessment_id", -1))
                    if record is None or record.patient_id != patient.id:
                        record = current_assessment(session, SYSTEM, patient)
                    name = f"{kind}.{params[KINDS[kind].param]}"
                    battery = kind == "hold" and "battery_test" in result
                    if battery:
                        # one part per battery test (left and right side bridge apart); its
                        # findings come from the visit's whole battery, not from this video alone
                        name, findings = f"hold.{result['battery_test']}", []
                    set_part(
                        session,
                        SYSTEM,
                        record,
                        patient,
                        name=name,
                        findings=findings,
                        result=result,
                    )
                    if battery and result.get("holds"):
                        rebuild_endurance(session, SYSTEM, record, patient)
                        add_outcome(
                            session,
                            patient_id=patient.id,
                            measure=f"endurance.{EnduranceTest(result['battery_test']).times_field}",
                            date=dt.date.today(),
                            value=float(result["longest_hold_s"]),
                        )
                    data["assessment_id"] = record.id
                job.result, job.status, job.progress, job.finished_at = data, "done", 1.0, _now()
                audit(session, SYSTEM, "finish", "analysis_job", job_id, patient_id=patient.id)
                return "done"
    except BackrehabError as exc:
        _fail(engine, job_id, exc.user_message)
        return "failed"
    except Exception as exc:
        logger.exception("analysis job %s crashed", job_id)
        _fail(
            engine, job_id, f"The analysis stopped with an internal error ({type(exc).__name__})."
        )
        return "failed"


# --- the in-process pool ---------------------------------------------------------------------

RunnerMode = Literal["process", "thread", "inline"]


class JobRunner:
    """Runs :func:`run_job` for queued jobs: in a process pool (default), a thread pool, or at
    once in the caller (``inline``, for tests and scripts).

    ``recover()`` re-queues the jobs a stopped server left ``queued`` or ``running``.
    """

    def __init__(
        self, *, database_url: str, data_dir: Path, mode: RunnerMode = "process", workers: int = 1
    ) -> None:
        if workers < 1:
            raise InvalidResponseError("job workers: at least 1")
        self.database_url, self.data_dir, self.mode = database_url, Path(data_dir), mode
        self._executor: Executor | None = None
        self._workers = workers
        self._lock = threading.Lock()
        self._futures: dict[int, Future[str]] = {}

    def _pool(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.mode == "process":
                    context = multiprocessing.get_context("spawn")
                    self._executor = ProcessPoolExecutor(self._workers, mp_context=context)
                else:
                    self._executor = ThreadPoolExecutor(self._workers, "backrehab-job")
            return self._executor

    def submit(self, job_id: int) -> None:
        """Start the job (after the transaction that queued it has committed)."""
        if self.mode == "inline":
            run_job(job_id, database_url=self.database_url, data_dir=self.data_dir)
            return
        future = self._pool().submit(
            run_job, job_id, database_url=self.database_url, data_dir=str(self.data_dir)
        )
        self._futures[job_id] = future
        future.add_done_callback(partial(self._done, job_id))

    def _done(self, job_id: int, future: Future[str]) -> None:
        self._futures.pop(job_id, None)
        exc = future.exception()
        if exc is not None:  # the worker process died: record it on the job
            logger.error("analysis job %s: worker failed: %r", job_id, exc)
            _fail(_engine(self.database_url), job_id, "The analysis worker stopped unexpectedly.")

    def wait(self, job_id: int, timeout_s: float = 300.0) -> None:
        """Block until a submitted job has finished (tests, CLI)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout_s)

    def recover(self) -> list[int]:
        """Submit every job left ``queued`` or ``running``; returns their ids."""
        with session_scope(_engine(self.database_url)) as session:
            ids = list(
                session.scalars(
                    select(AnalysisJob.id)
                    .where(AnalysisJob.status.in_(("queued", "running")))
                    .order_by(AnalysisJob.id)
                )
            )
        for job_id in ids:
            self.submit(job_id)
        return ids

    def shutdown(self) -> None:
        """Stop the pool (running jobs finish first)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=False)
                self._executor = None
