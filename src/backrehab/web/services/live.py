"""Live sets of the in-browser coach: one engine per set, kept in server memory between frames
and across reconnects, and the finished set stored as a ``live`` analysis job (no media: the
video never left the patient's device) that the session log then cites.

The registry is per server process; a set idle for :data:`IDLE_S` is dropped. Only the patient
who started a set can attach to it. A patient keeps at most :data:`MAX_SETS_PER_PATIENT` sets:
starting another forgets that patient's least recently used one (never another patient's).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.orm import Session

from backrehab.coach.specs import spec_for
from backrehab.coach.stream import LiveCoach
from backrehab.db.models import AnalysisJob, Patient
from backrehab.db.repository import NotFoundError
from backrehab.errors import InvalidResponseError
from backrehab.web.security import PermissionDeniedError
from backrehab.web.services import plans
from backrehab.web.services.actor import Actor, audit

IDLE_S: Final = 30 * 60
MAX_SETS: Final = 500
MAX_SETS_PER_PATIENT: Final = 3


@dataclass
class LiveSet:
    """One set being coached."""

    live_id: str
    patient_id: int
    exercise_id: str
    coach: LiveCoach
    started: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    job_id: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class LiveRegistry:
    """The live sets of this process, by id."""

    def __init__(self) -> None:
        self._sets: dict[str, LiveSet] = {}
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for key in [k for k, s in self._sets.items() if now - s.last_seen > IDLE_S]:
            del self._sets[key]

    def _evict_oldest_of(self, patient_id: int) -> None:
        """Make room for one more set of the patient: forget their least recently used sets."""
        own = sorted(
            (s for s in self._sets.values() if s.patient_id == patient_id),
            key=lambda s: s.last_seen,
        )
        for old in own[: max(0, len(own) - MAX_SETS_PER_PATIENT + 1)]:
            del self._sets[old.live_id]

    def start(self, patient_id: int, exercise_id: str) -> LiveSet:
        """A new set of ``exercise_id`` for the patient (the exercise must have a coach spec).

        The patient's least recently used set is forgotten first when they already have
        :data:`MAX_SETS_PER_PATIENT`. Raises :class:`InvalidResponseError` when the server
        holds :data:`MAX_SETS` sets.
        """
        coach = LiveCoach(spec_for(exercise_id))
        live = LiveSet(secrets.token_urlsafe(18), patient_id, exercise_id, coach)
        with self._lock:
            self._expire(time.monotonic())
            self._evict_oldest_of(patient_id)
            if len(self._sets) >= MAX_SETS:
                raise InvalidResponseError("live coach: the server is busy; try again shortly")
            self._sets[live.live_id] = live
        return live

    def attach(self, live_id: str, patient_id: int, exercise_id: str) -> LiveSet:
        """The patient's own set (reconnect); another patient's set is refused (403)."""
        with self._lock:
            self._expire(time.monotonic())
            live = self._sets.get(live_id)
        if live is None:
            raise NotFoundError("This live set has ended; start a new one.")
        if live.patient_id != patient_id or live.exercise_id != exercise_id:
            raise PermissionDeniedError("This live set belongs to someone else.")
        live.last_seen = time.monotonic()
        return live

    def drop(self, live_id: str) -> None:
        """Forget a set."""
        with self._lock:
            self._sets.pop(live_id, None)

    def ids_of(self, patient_id: int) -> list[str]:
        """The ids of the patient's sets, least recently used first."""
        with self._lock:
            own = [s for s in self._sets.values() if s.patient_id == patient_id]
        return [s.live_id for s in sorted(own, key=lambda s: s.last_seen)]


def check_exercise(session: Session, patient: Patient, exercise_id: str) -> None:
    """The exercise must be a home item of the patient's current plan that the coach follows."""
    plan = plans.current_plan(session, patient)
    item = plan.item(exercise_id) if plan is not None and not plan.blocked else None
    if item is None or item.setting != "home":
        raise NotFoundError(f"{exercise_id!r} is not in your home programme.")
    spec_for(exercise_id)  # ConfigError (422) when the coach cannot follow it


def store_finished(
    session: Session, actor: Actor, patient: Patient, live: LiveSet, report: dict[str, Any]
) -> AnalysisJob:
    """Keep a finished live set as a done ``live`` analysis job; returns it (flushed)."""
    now = dt.datetime.now(dt.UTC)
    job = AnalysisJob(
        media_id=None,
        patient_id=patient.id,
        kind="live",
        params={"exercise_id": live.exercise_id},
        requested_by=actor.email,
        status="done",
        progress=1.0,
        result=report,
        started_at=now,
        finished_at=now,
    )
    session.add(job)
    session.flush()
    audit(session, actor, "live_set", "analysis_job", job.id, patient_id=patient.id,
          exercise_id=live.exercise_id, reps=report.get("reps"))  # fmt: skip
    return job
