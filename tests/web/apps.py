"""A running app on a test database with a small two-clinic world, and signed-in clients.

Clinic A: an admin, a clinician, patient P1 (own login, an assessment, a generated plan, two
logged days with proposals, an uploaded photo) and patient P2 (no login). Clinic B: a clinician
and patient Q1 (own login). Built through the web services, as the app stores things.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backrehab.assess.red_flags import QUESTION_IDS
from backrehab.db import MediaStore, make_engine
from backrehab.db.models import Patient
from backrehab.db.repository import create_clinic, create_user
from backrehab.web.app import create_app
from backrehab.web.security import CSRF_COOKIE
from backrehab.web.services import assessments, jobs, patients, plans, sessions
from backrehab.web.services.actor import Actor
from backrehab.web.settings import Settings
from tests.conftest import BUNDLED_MEDIA

PASSWORD = "correct-horse-9"
PHOTO = BUNDLED_MEDIA / "sitting_upright_side_01.jpg"
SECRET = "test-secret-key-" + "x" * 32


@dataclass(frozen=True)
class World:
    """Ids and logins of the seeded world."""

    p1: int
    p2: int
    q1: int
    job_p1: int
    media_p1: int
    exercise_p1: str
    proposal_p1: str
    emails: dict[str, str]


def settings_for(db_url: str, data_dir: Path, **overrides: object) -> Settings:
    """Test settings: the given database, a temporary data dir, jobs run inline."""
    values: dict[str, object] = {
        "database_url": db_url,
        "data_dir": data_dir,
        "secret_key": SECRET,
        "job_mode": "inline",
        "login_attempts_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _red_flags_clear() -> dict[str, object]:
    return {**dict.fromkeys(QUESTION_IDS, False), "age_years": 40, "new_episode": False}


def seed_world(db_url: str, data_dir: Path) -> World:
    """Create the two clinics (the database must be migrated)."""
    engine = make_engine(db_url)
    store = MediaStore.in_data_dir(data_dir)
    try:
        with Session(engine, expire_on_commit=False) as session:
            a = create_clinic(session, name="Clinic A")
            b = create_clinic(session, name="Clinic B")
            create_user(
                session, email="admin@a.test", password=PASSWORD, role="admin", clinic_id=a.id
            )
            doc = create_user(
                session, email="doc@a.test", password=PASSWORD, role="clinician", clinic_id=a.id
            )
            doc_b = create_user(
                session, email="doc@b.test", password=PASSWORD, role="clinician", clinic_id=b.id
            )
            staff = Actor.of(doc)
            p1 = patients.new_patient(
                session, staff, clinic_id=a.id, ref="P1", display_name="Pat One",
                clinician_id=doc.id, sex="female", email="p1@a.test", password=PASSWORD,
            )  # fmt: skip
            p2 = patients.new_patient(session, staff, clinic_id=a.id, ref="P2", display_name="")
            q1 = patients.new_patient(
                session, Actor.of(doc_b), clinic_id=b.id, ref="Q1", display_name="Quinn",
                email="q1@b.test", password=PASSWORD,
            )  # fmt: skip
            assessments.screen_red_flags(session, staff, p1, answers=_red_flags_clear())
            start = dt.date.today() - dt.timedelta(days=10)
            assessments.score_questionnaire(
                session, staff, p1, instrument="startback", answers="1,0,1,1,0,0,0,0,2",
                taken_on=start,
            )  # fmt: skip
            assessments.score_questionnaire(
                session, staff, p1, instrument="odi", answers="2,1,2,1,2,1,0,1,2,1", taken_on=start
            )
            history = plans.generate(session, staff, p1)
            item = next(i for i in history.current.items if i.setting == "home")
            for offset in (2, 1):
                sessions.log_session(
                    session, staff, p1, exercise_id=item.exercise_id,
                    day=dt.date.today() - dt.timedelta(days=offset), pain_before=2,
                    pain_during_max=3, pain_after=2, done_sets=item.dose.sets,
                    done_reps=item.dose.reps or 1, done_hold_s=item.dose.hold_s,
                )  # fmt: skip
            proposal = sessions.proposals(session, p1, status="pending")[-1].proposal_id
            job = jobs.enqueue_upload(
                session, staff, store, patient=p1, kind="posture", params={"view": "side"},
                data=PHOTO.read_bytes(), filename=PHOTO.name,
            )  # fmt: skip
            session.commit()
            return World(
                p1=p1.id,
                p2=p2.id,
                q1=q1.id,
                job_p1=job.id,
                media_p1=job.media_id,
                exercise_p1=item.exercise_id,
                proposal_p1=proposal,
                emails={
                    "admin": "admin@a.test",
                    "clinician": "doc@a.test",
                    "other_clinician": "doc@b.test",
                    "patient": "p1@a.test",
                    "other_patient": "q1@b.test",
                },
            )
    finally:
        engine.dispose()


def csrf_of(client: TestClient) -> str:
    """The CSRF token the client holds (from its cookie), fetching a page to get one."""
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    assert token is not None
    return token


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the API; sets the CSRF header for later requests and returns it."""
    response = client.post("/api/v1/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def page_sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a browser does."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """The app with its lifespan (migrations, job runner) for the block."""
    with TestClient(create_app(settings)) as client:
        yield client


def patient_row(db_url: str, patient_id: int) -> Patient:
    """A detached copy of a patient row."""
    engine = make_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return session.get_one(Patient, patient_id)
    finally:
        engine.dispose()


@dataclass
class App:
    """The running app of one test: its settings, the seeded world and a client factory."""

    settings: Settings
    world: World
    _clients: list[TestClient]

    def client(self, role: str | None = None, *, via_form: bool = False) -> TestClient:
        """A new client (its own cookies), signed in as ``role`` (None: anonymous)."""
        client = TestClient(create_app(self.settings), follow_redirects=False)
        client.__enter__()
        self._clients.append(client)
        if role is not None:
            if via_form:
                page_sign_in(client, self.world.emails[role])
                client.headers["X-CSRF-Token"] = csrf_of(client)
            else:
                sign_in(client, self.world.emails[role])
        return client

    def close(self) -> None:
        """Stop every client's app."""
        for client in self._clients:
            client.__exit__(None, None, None)
