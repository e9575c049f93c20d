"""Web-layer fixtures: the storage fixtures (every backend test runs on SQLite and PostgreSQL),
a clinic built through the web services (questionnaires, endurance times, camera analyses of a
real photo, plans, session logs, proposals) once per backend, and empty databases to import into.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backrehab.assess import red_flags
from backrehab.db import MediaStore, make_engine, upgrade
from backrehab.db.models import Patient
from backrehab.db.repository import create_clinic, create_user
from backrehab.web.services import assessments, jobs, patients, plans, sessions
from backrehab.web.services.actor import Actor
from tests.conftest import BUNDLED_MEDIA
from tests.dbfixtures import BACKENDS
from tests.web.apps import App, World, seed_world, settings_for

CLINICIAN_PASSWORD = "clinician-pass-1"
PATIENT_PASSWORD = "patient-pass-1"
SIDE_PHOTO = BUNDLED_MEDIA / "sitting_upright_side_01.jpg"

QUESTIONNAIRES: tuple[tuple[str, str], ...] = (
    ("odi", "2,1,2,1,2,1,0,1|2,2,1"),
    ("startback", "1,0,1,1,0,1,0,0,2"),
    ("nprs", "5,3,7"),
    ("fabq", "0,3,4,2,3,4,5,1,2,3,4,2,1,0,3,2"),
    ("psfs", "walk the dog=4;lift my child=2.5"),
    ("rmdq", ",".join(["1", "0"] * 12)),
)
"""Answers in the questionnaire parser's text form (one ODI section with two ticks)."""

ENDURANCE_S = {"flexor_s": 80.0, "extensor_s": 95.5, "side_left_s": 40.0, "side_right_s": 55.0}
LOGGED = ("bird_dog_single_limb", "mcgill_curl_up")


@pytest.fixture(scope="session")
def web_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the session: its pose cache analyses each photo only once."""
    return tmp_path_factory.mktemp("web-data")


@dataclass(frozen=True)
class SeededClinic:
    """Ids of what :func:`seeded_clinic` stored, and the media store holding its files."""

    clinic_id: int
    clinician_id: int
    patient_id: int
    blocked_patient_id: int
    bare_patient_id: int
    other_clinic_id: int
    other_patient_id: int
    store: MediaStore
    logged_days: tuple[dt.date, ...]


def _red_flag_answers(**yes: bool) -> dict[str, object]:
    return {**dict.fromkeys(red_flags.QUESTION_IDS, False), **yes}


def seed_clinic(session: Session, database_url: str, data_dir: Path) -> SeededClinic:
    """Build and commit a clinic through the web services (background jobs run on
    ``database_url`` with ``data_dir``).

    Patient ``P-001`` (female, named, with a login): six questionnaires, endurance times, a
    posture and a RULA analysis of a real side-view photo run as background jobs, a plan
    generated twice (two versions), five days of logs of two exercises with next-morning
    reports, and proposals (one approved, one rejected). ``P-002``: a red flag, so a blocked
    plan. ``P-003``: no name, no sex, nothing else. A second clinic with one patient and one
    questionnaire shows what an export must leave out.
    """
    store = MediaStore.in_data_dir(data_dir)
    today = dt.date.today()
    clinic = create_clinic(session, name="North Clinic")
    clinician = create_user(
        session,
        email="doc@north.example",
        password=CLINICIAN_PASSWORD,
        role="clinician",
        clinic_id=clinic.id,
        display_name="Dr North",
    )
    actor = Actor.of(clinician)
    patient = patients.new_patient(
        session,
        actor,
        clinic_id=clinic.id,
        ref="P-001",
        display_name="Ada Example",
        clinician_id=clinician.id,
        sex="female",
        email="ada@example.org",
        password=PATIENT_PASSWORD,
    )
    assessments.screen_red_flags(session, actor, patient, answers=_red_flag_answers())
    taken = today - dt.timedelta(days=20)
    for instrument, answers in QUESTIONNAIRES:
        assessments.score_questionnaire(
            session, actor, patient, instrument=instrument, answers=answers, taken_on=taken
        )
    assessments.score_questionnaire(
        session, actor, patient, instrument="odi", answers="1,1,1,1,1,1,0,1,1,1", taken_on=today
    )
    assessments.endurance_times(session, actor, patient, times_s=ENDURANCE_S, measured_on=taken)
    photo = SIDE_PHOTO.read_bytes()
    queued = [
        jobs.enqueue_upload(
            session,
            actor,
            store,
            patient=patient,
            kind=kind,
            params=params,
            data=photo,
            filename=SIDE_PHOTO.name,
        ).id
        for kind, params in (("posture", {"view": "side"}), ("ergonomics", {"method": "rula"}))
    ]
    blocked = patients.new_patient(
        session, actor, clinic_id=clinic.id, ref="P-002", display_name="Bo Flag", sex="male"
    )
    assessments.screen_red_flags(
        session, actor, blocked, answers=_red_flag_answers(saddle_numbness=True)
    )
    bare = patients.new_patient(session, actor, clinic_id=clinic.id, ref="P-003", display_name="")
    other = create_clinic(session, name="South Clinic")
    other_doc = create_user(
        session, email="doc@south.example", password=CLINICIAN_PASSWORD, role="clinician",
        clinic_id=other.id,
    )  # fmt: skip
    other_actor = Actor.of(other_doc)
    stranger = patients.new_patient(
        session, other_actor, clinic_id=other.id, ref="S-001", display_name="Sam South"
    )
    assessments.score_questionnaire(
        session, other_actor, stranger, instrument="nprs", answers="4", taken_on=taken
    )
    session.commit()
    for job_id in queued:
        assert jobs.run_job(job_id, database_url=database_url, data_dir=data_dir) == "done"
    session.expire_all()

    patient = session.get_one(Patient, patient.id)
    plans.generate(session, actor, patient)
    plans.generate(session, actor, patient)
    plans.generate(session, actor, session.get_one(Patient, blocked.id))
    plan = plans.current_plan(session, patient)
    assert plan is not None
    days = tuple(today - dt.timedelta(days=8 - k) for k in range(5))
    for day in days:
        for exercise_id in LOGGED:
            item = plan.item(exercise_id)
            assert item is not None
            sessions.log_session(
                session,
                actor,
                patient,
                exercise_id=exercise_id,
                day=day,
                pain_before=2,
                pain_during_max=3,
                pain_after=2,
                done_sets=item.dose.sets,
                done_reps=item.dose.reps or 0,
                done_hold_s=item.dose.hold_s,
                rpe=4,
            )
        sessions.report_next_morning(
            session, actor, patient, day=day, next_morning_pain=2, usual_pain=2
        )
    last = days[-1].isoformat()
    sessions.decide_proposal(session, actor, patient, f"{LOGGED[0]}@{last}", approve=True)
    sessions.decide_proposal(
        session, actor, patient, f"{LOGGED[1]}@{last}", approve=False, note="not yet"
    )
    session.commit()
    return SeededClinic(
        clinic_id=clinic.id,
        clinician_id=clinician.id,
        patient_id=patient.id,
        blocked_patient_id=blocked.id,
        bare_patient_id=bare.id,
        other_clinic_id=other.id,
        other_patient_id=stranger.id,
        store=store,
        logged_days=days,
    )


def _create_database(server: str) -> str:
    name = f"backrehab_web_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_database(server: str, url: str) -> None:
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _empty_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'backrehab.sqlite3'}"
    server: str = request.getfixturevalue("postgres_server")
    return _create_database(server)


@dataclass(frozen=True)
class SeededDb:
    """A migrated database holding :func:`seed_clinic`'s clinic (read it, never commit to it)."""

    backend: str
    url: str
    engine: Engine
    clinic: SeededClinic


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, web_data_dir: Path
) -> Iterator[SeededDb]:
    """The seeded clinic, built once per backend for the whole session."""
    backend: str = request.param
    url = _empty_url(backend, tmp_path_factory.mktemp(f"seeded-{backend}"), request)
    upgrade(url)
    eng = make_engine(url)
    try:
        with Session(eng, expire_on_commit=False) as session:
            clinic = seed_clinic(session, url, web_data_dir)
        yield SeededDb(backend=backend, url=url, engine=eng, clinic=clinic)
    finally:
        eng.dispose()
        if backend != "sqlite":
            _drop_database(request.getfixturevalue("postgres_server"), url)


@pytest.fixture
def seeded_session(seeded_db: SeededDb) -> Iterator[Session]:
    """A session on the seeded database; whatever it changes is rolled back."""
    with Session(seeded_db.engine) as sess:
        yield sess
        sess.rollback()


@pytest.fixture
def empty_engine(
    seeded_db: SeededDb, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """An empty database migrated to head, on the seeded database's backend."""
    url = _empty_url(seeded_db.backend, tmp_path, request)
    upgrade(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    if seeded_db.backend != "sqlite":
        _drop_database(request.getfixturevalue("postgres_server"), url)


# --- the running app with a small two-clinic world (tests/web/apps.py) -----------------------


@pytest.fixture(scope="session")
def shared_pose_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pose cache for every app of the session: a photo is estimated once."""
    return tmp_path_factory.mktemp("web-pose-cache")


@dataclass(frozen=True)
class WorldTemplate:
    """A migrated, seeded database and data folder to copy for each test of a backend."""

    url: str
    data_dir: Path
    world: World
    server: str | None  # the PostgreSQL server holding ``url`` (None for SQLite)


@pytest.fixture(scope="session")
def world_templates() -> Iterator[dict[str, WorldTemplate]]:
    """Seeded templates, made on first use per backend (seeding hashes passwords, generates a
    plan and decides proposals: seconds that every test would otherwise repeat)."""
    made: dict[str, WorldTemplate] = {}
    yield made
    for template in made.values():
        if template.server is not None:
            # a throwaway server may have stopped already, and its databases are gone with it
            with contextlib.suppress(OperationalError):
                _drop_database(template.server, template.url)


def _template(
    backend: str, made: dict[str, WorldTemplate], folder: Path, request: pytest.FixtureRequest
) -> WorldTemplate:
    if backend not in made:
        url = _empty_url(backend, folder, request)
        upgrade(url)
        world = seed_world(url, folder / "data")
        server = None if backend == "sqlite" else str(request.getfixturevalue("postgres_server"))
        made[backend] = WorldTemplate(url, folder / "data", world, server)
    return made[backend]


@pytest.fixture
def app(
    db_url: str,
    tmp_path: Path,
    shared_pose_cache: Path,
    world_templates: dict[str, WorldTemplate],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[App]:
    """The app on a fresh database (each backend) holding the seeded two-clinic world, copied
    from a per-backend template."""
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"
    template = _template(
        backend, world_templates, tmp_path_factory.mktemp(f"tpl-{backend}"), request
    )
    if backend == "sqlite":
        shutil.copyfile(make_url(template.url).database or "", make_url(db_url).database or "")
    else:
        server: str = request.getfixturevalue("postgres_server")
        admin = make_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                name, source = make_url(db_url).database, make_url(template.url).database
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        finally:
            admin.dispose()
    data = tmp_path / "data"
    shutil.copytree(
        template.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("pose-cache")
    )
    (data / "pose-cache").symlink_to(shared_pose_cache, target_is_directory=True)
    running = App(settings=settings_for(db_url, data), world=template.world, _clients=[])
    yield running
    running.close()
