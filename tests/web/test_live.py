"""Live coaching in the browser: the socket's rules (sign-in, ownership, origin, malformed
frames, reconnect) with the test client, and end to end in headless Chromium with a fake camera
fed from real clips: the server's count equals the hand count and the offline path's count."""

from __future__ import annotations

import datetime as dt
import json
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from backrehab.assess.red_flags import QUESTION_IDS
from backrehab.db import make_engine, upgrade
from backrehab.db.models import AnalysisJob, Patient
from backrehab.db.repository import create_clinic, create_user
from backrehab.web.app import create_app
from backrehab.web.services import assessments, patients, plans, sessions
from backrehab.web.services.actor import Actor
from tests.web.apps import settings_for, sign_in
from tests.web.browser import (
    artifacts_dir,
    browser,
    require_chromium,
    screenshot_on_failure,
    server,
)
from tests.web.y4m import write_y4m

PASSWORD = "live-pass-123"
EXERCISES = ("bodyweight_squat", "glute_bridge")
ORIGIN = {"origin": "http://testserver"}
CLEAR = {**dict.fromkeys(QUESTION_IDS, False), "age_years": 40, "new_episode": False}


def _add(history: Any, *, exercise: str, author: str) -> Any:
    return history.add(exercise, author=author, reason="camera practice")


def _refused(client: TestClient, url: str, headers: dict[str, str] = ORIGIN) -> int:
    """The close code of a socket the server refuses."""
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(url, headers=headers) as ws,
    ):
        ws.receive_json()
    return closed.value.code


def seed_live(url: str) -> dict[str, int]:
    """A clinic with two patients (logins ``one@`` and ``two@live.test``) whose plans hold the
    squat and the glute bridge."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            clinic = create_clinic(session, name="Live Clinic")
            doc = create_user(session, email="doc@live.test", password=PASSWORD, role="clinician",
                              clinic_id=clinic.id)  # fmt: skip
            staff = Actor.of(doc)
            ids = {}
            for name in ("one", "two"):
                patient = patients.new_patient(
                    session, staff, clinic_id=clinic.id, ref=f"L-{name}", display_name=name,
                    email=f"{name}@live.test", password=PASSWORD,
                )  # fmt: skip
                patients.update_settings(session, staff, patient, context={"budget_min": 60})
                assessments.screen_red_flags(session, staff, patient, answers=CLEAR)
                assessments.score_questionnaire(session, staff, patient, instrument="startback",
                                                answers="0,0,0,0,0,0,0,0,1")  # fmt: skip
                plans.generate(session, staff, patient)
                for exercise in EXERCISES:
                    plan = plans.current_plan(session, patient)
                    if plan is not None and plan.item(exercise) is None:
                        add = partial(_add, exercise=exercise, author=doc.email)
                        plans.edit(session, staff, patient, add, what=f"add {exercise}")
                ids[name] = patient.id
            session.commit()
            return ids
    finally:
        engine.dispose()


@pytest.fixture
def live_app(tmp_path: Path) -> Any:
    """The app (SQLite) with the two live patients."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    ids = seed_live(url)
    return create_app(settings_for(url, tmp_path / "data")), ids


def _frame(seq: int, t: float) -> dict[str, Any]:
    standing = [[0.5, 0.1 + 0.025 * k, 0.0, 0.99] for k in range(33)]
    world = [[0.0, -0.8 + 0.05 * k, 0.0] for k in range(33)]
    return {"type": "frame", "seq": seq, "t": t, "lm": standing, "wl": world}


def test_socket_needs_a_patient_and_its_own_set(live_app: Any) -> None:
    """No session, another site or a clinician is refused; another patient's set cannot be
    attached; a malformed frame gets an error frame and the socket goes on; a reconnect with the
    set's id continues the same set."""
    app, _ = live_app
    with TestClient(app) as anonymous:
        assert _refused(anonymous, "/ws/coach?exercise=bodyweight_squat") == 4401
    with TestClient(app) as one, TestClient(app) as two:
        sign_in(one, "one@live.test", PASSWORD)
        sign_in(two, "two@live.test", PASSWORD)
        evil = {"origin": "http://evil.example"}
        assert _refused(one, "/ws/coach?exercise=bodyweight_squat", evil) == 4403
        with one.websocket_connect("/ws/coach?exercise=bodyweight_squat", headers=ORIGIN) as ws:
            hello = ws.receive_json()
            assert hello["type"] == "hello"
            live_id = hello["live_id"]
            ws.send_text("{not json")
            error = ws.receive_json()
            assert error["type"] == "error"
            assert "not valid JSON" in error["error"]
            ws.send_text(
                json.dumps({"type": "frame", "seq": 1, "t": 0.0, "lm": [[0, 0]], "wl": None})
            )
            assert ws.receive_json()["type"] == "error"
            ws.send_text(json.dumps(_frame(2, 0.1)))
            state = ws.receive_json()
            assert state["type"] == "state"
            assert state["seq"] == 2
            assert state["server_ms"] >= 0
        assert _refused(two, f"/ws/coach?exercise=bodyweight_squat&live={live_id}") == 4403
        with one.websocket_connect(f"/ws/coach?exercise=bodyweight_squat&live={live_id}",
                                   headers=ORIGIN) as ws:  # fmt: skip
            again = ws.receive_json()
            assert again["live_id"] == live_id
            ws.send_text(json.dumps(_frame(3, 0.2)))
            assert ws.receive_json()["type"] == "state"
            ws.send_text(json.dumps({"type": "finish"}))
            summary = ws.receive_json()
            assert summary["type"] == "summary"
            assert summary["job_id"]
        assert _refused(one, "/ws/coach?exercise=deadbug") == 4404


def _offline_count(clip: Path, exercise: str) -> int:
    from backrehab.coach.run import coach_sequence
    from backrehab.coach.specs import spec_for
    from backrehab.pose.pipeline import analyze_media

    return coach_sequence(analyze_media(clip), spec_for(exercise)).reps


@pytest.mark.slow
@pytest.mark.video
@pytest.mark.parametrize(
    ("clip", "exercise"),
    [("squat_side_01.mp4", "bodyweight_squat"), ("glute_bridge_side_01.mp4", "glute_bridge")],
)
def test_live_coach_in_the_browser_counts_the_clip(
    clip: str, exercise: str, media_dir: Path, labels: list[dict[str, Any]], tmp_path: Path
) -> None:
    """A patient opens the live coach, the fake camera plays a real clip, the in-browser pose
    sends landmarks, and the server's count equals the hand count and the offline count; the
    set is saved as a session log counted by the camera."""
    require_chromium()
    entry = next(x for x in labels if x["file"].endswith(clip))
    lead_s = 4.0
    _, movement_s = write_y4m(media_dir / clip, tmp_path / "camera.y4m", lead_s=lead_s)
    data = tmp_path / "data"
    data.mkdir()
    ids = seed_live(f"sqlite:///{data / 'backrehab.sqlite3'}")
    fake_camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={tmp_path / 'camera.y4m'}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with server(data) as base, browser(fake_camera) as chromium:
        page = chromium.new_page(viewport={"width": 900, "height": 1000})
        page.set_default_timeout(60_000)
        with screenshot_on_failure(page, f"live-{exercise}"):
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "one@live.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/me")
            page.goto(f"{base}/me/exercises/{exercise}/live")
            page.wait_for_selector("#live-start:visible", timeout=90_000)
            shown = time.monotonic()
            page.click("#live-start")
            time.sleep(max(0.0, lead_s - (time.monotonic() - shown)) + movement_s + 1.0)
            page.screenshot(path=str(artifacts_dir() / f"live-{exercise}.png"))
            page.click("#live-finish")
            page.wait_for_selector("#live-summary:visible")
            live_reps = int(page.inner_text("#summary-reps"))
            processed = page.evaluate("() => window.backrehabLive.processed()")
            page.fill("#summary-form-box input[name=pain_before]", "1")
            page.fill("#summary-form-box input[name=pain_during_max]", "2")
            page.fill("#summary-form-box input[name=pain_after]", "1")
            page.click("#summary-form-box button[type=submit]")
            page.wait_for_url(f"{base}/me")
    assert processed > 50, processed
    assert live_reps == entry["complete_reps"], (live_reps, entry["complete_reps"])
    assert live_reps == _offline_count(media_dir / clip, exercise)
    engine = make_engine(f"sqlite:///{data / 'backrehab.sqlite3'}")
    try:
        with Session(engine) as session:
            patient = session.get_one(Patient, ids["one"])
            logs = [log for log in sessions.logs(session, patient) if log.exercise_id == exercise]
            assert logs
            assert logs[-1].source == "coach"
            assert logs[-1].date == dt.date.today()
            assert session.query(AnalysisJob).filter_by(kind="live").count() == 1
    finally:
        engine.dispose()


def test_camera_pages_need_https_off_this_machine() -> None:
    """Plain HTTP or ws:// to another host is refused where HTTPS is required; localhost and
    HTTPS are fine."""
    from backrehab.web.live_ws import insecure

    assert insecure("http", "clinic.example:8000", True)
    assert insecure("ws", "10.0.0.5", True)
    assert not insecure("https", "clinic.example", True)
    assert not insecure("wss", "clinic.example", True)
    assert not insecure("http", "localhost:8000", True)
    assert not insecure("ws", "127.0.0.1:8000", True)
    assert not insecure("http", "clinic.example", False)


def test_live_page_refuses_without_assets_or_https(
    live_app: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without the vendored pose files the live page says what is missing (503); in production
    over plain HTTP to a clinic host it asks for https:// (400); otherwise it loads its module."""
    from backrehab.web import live_ws
    from backrehab.web.assets import assets_status

    app, _ = live_app
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "one@live.test", PASSWORD)
        ok = client.get("/me/exercises/bodyweight_squat/live")
        assert ok.status_code == 200, ok.text[:300]
        assert '<script type="module" src="/static/js/live.js">' in ok.text
        assert "Your video stays on this device." in ok.text
        monkeypatch.setattr(live_ws, "assets_status", lambda: assets_status(tmp_path))
        missing = client.get("/me/exercises/bodyweight_squat/live")
        assert missing.status_code == 503
        assert "make assets" in missing.text
    monkeypatch.setattr(app.state.settings, "require_https", True)
    with TestClient(app, base_url="http://clinic.example", follow_redirects=False) as client:
        sign_in(client, "one@live.test", PASSWORD)
        plain = client.get("/me/exercises/bodyweight_squat/live")
        assert plain.status_code == 400
        assert "https://" in plain.text


@pytest.mark.slow
@pytest.mark.video
def test_webcam_recording_is_counted_on_the_server(
    media_dir: Path, labels: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The exercise page's recorder (MediaRecorder, WebM) records a set from the fake camera,
    uploads it, and the server's count of the recording equals the clip's hand count."""
    require_chromium()
    clip = "squat_side_01.mp4"
    entry = next(x for x in labels if x["file"].endswith(clip))
    _, movement_s = write_y4m(media_dir / clip, tmp_path / "camera.y4m", lead_s=2.0, tail_s=3.0)
    data = tmp_path / "data"
    data.mkdir()
    seed_live(f"sqlite:///{data / 'backrehab.sqlite3'}")
    fake_camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={tmp_path / 'camera.y4m'}",
    ]
    with server(data) as base, browser(fake_camera) as chromium:
        page = chromium.new_page(viewport={"width": 900, "height": 1000})
        page.set_default_timeout(60_000)
        with screenshot_on_failure(page, "webcam-recording"):
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "one@live.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/me")
            page.goto(f"{base}/me/exercises/bodyweight_squat")
            page.click("#rec-start")
            page.wait_for_selector("#rec-stop:visible")
            time.sleep(2.0 + movement_s + 1.0)
            page.click("#rec-stop")
            page.wait_for_selector(".job-done .reps", timeout=240_000)
            reps = int(page.inner_text(".job-done .reps"))
            page.screenshot(path=str(artifacts_dir() / "webcam-recording.png"))
    assert reps == entry["complete_reps"], reps
