"""Live coaching in the browser: the socket's rules (sign-in, ownership, origin, HTTPS, limits,
malformed frames, reconnect) with the test client and a real uvicorn, the registry's per-patient
limit, and end to end in headless Chromium with a fake camera fed from real clips: the server's
count equals the hand count and the offline path's count."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from backrehab.assess.red_flags import QUESTION_IDS
from backrehab.coach.specs import spec_for
from backrehab.coach.wire import MAX_MESSAGE_BYTES, read_stream
from backrehab.db import make_engine, upgrade
from backrehab.db.models import AnalysisJob, AuditEntry, Patient
from backrehab.db.repository import NotFoundError, create_clinic, create_user
from backrehab.web import live_ws
from backrehab.web.app import create_app
from backrehab.web.services import assessments, patients, plans, sessions
from backrehab.web.services.actor import Actor
from backrehab.web.services.live import MAX_SETS_PER_PATIENT, LiveRegistry
from tests.coach.streams import DEMO_STREAM, replay
from tests.web.apps import settings_for, sign_in
from tests.web.browser import (
    artifacts_dir,
    browser,
    free_port,
    require_chromium,
    screenshot_on_failure,
    server,
)
from tests.web.y4m import write_y4m

PASSWORD = "live-pass-123"
EXERCISES = ("bodyweight_squat", "glute_bridge")
BASE = "http://localhost"  # the camera works over plain HTTP on this machine only
ORIGIN = {"origin": BASE}
SQUAT = "ws://localhost/ws/coach?exercise=bodyweight_squat"
CLEAR = {**dict.fromkeys(QUESTION_IDS, False), "age_years": 40, "new_episode": False}


def _add(history: Any, *, exercise: str, author: str) -> Any:
    return history.add(exercise, author=author, reason="camera practice")


def _refusal(
    client: TestClient, url: str, headers: dict[str, str] = ORIGIN
) -> tuple[int, str, dict[str, Any]]:
    """(close code, close reason, error frame) of a socket the server refuses: it is accepted
    first (a close before accepting would fail the handshake here, and reach a browser as a bare
    1006), then gets one error frame, then the close."""
    with client.websocket_connect(url, headers=headers) as ws:
        frame = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert frame["type"] == "error", frame
    assert frame["close_code"] == closed.value.code
    return closed.value.code, closed.value.reason, frame


def _refused(client: TestClient, url: str, headers: dict[str, str] = ORIGIN) -> int:
    """The close code of a socket the server refuses (accepted, error frame, close)."""
    code, reason, frame = _refusal(client, url, headers)
    assert reason
    assert frame["error"].startswith(reason.removesuffix("..."))
    return code


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


def _local(app: Any, **kwargs: Any) -> TestClient:
    """A test client of this machine (``http://localhost``)."""
    return TestClient(app, base_url=BASE, **kwargs)


def _frame(seq: int, t: float) -> dict[str, Any]:
    standing = [[0.5, 0.1 + 0.025 * k, 0.0, 0.99] for k in range(33)]
    world = [[0.0, -0.8 + 0.05 * k, 0.0] for k in range(33)]
    return {"type": "frame", "seq": seq, "t": t, "lm": standing, "wl": world}


def test_socket_needs_a_patient_and_its_own_set(live_app: Any) -> None:
    """No session, another site or a clinician is refused; another patient's set cannot be
    attached; a malformed frame gets an error frame and the socket goes on; a reconnect with the
    set's id continues the same set."""
    app, _ = live_app
    with _local(app) as anonymous:
        assert _refused(anonymous, SQUAT) == 4401
    with _local(app) as one, _local(app) as two:
        sign_in(one, "one@live.test", PASSWORD)
        sign_in(two, "two@live.test", PASSWORD)
        evil = {"origin": "http://evil.example"}
        assert _refused(one, SQUAT, evil) == 4403
        with one.websocket_connect(SQUAT, headers=ORIGIN) as ws:
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
        assert _refused(two, f"{SQUAT}&live={live_id}") == 4403
        with one.websocket_connect(f"{SQUAT}&live={live_id}", headers=ORIGIN) as ws:
            again = ws.receive_json()
            assert again["live_id"] == live_id
            ws.send_text(json.dumps(_frame(3, 0.2)))
            assert ws.receive_json()["type"] == "state"
            ws.send_text(json.dumps({"type": "finish"}))
            summary = ws.receive_json()
            assert summary["type"] == "summary"
            assert summary["job_id"]
        assert _refused(one, "ws://localhost/ws/coach?exercise=deadbug") == 4404
        code, reason, _ = _refusal(one, f"{SQUAT}&live={live_id}")  # finished: gone
        assert code == 4410
        assert "could not be resumed" in reason


def _stream_lines() -> list[str]:
    """The committed demo stream (two real squats), one wire message per line."""
    with gzip.open(DEMO_STREAM, "rt", encoding="utf-8") as lines:
        return [line.strip() for line in lines if line.strip()]


def _send_all(ws: Any, lines: list[str]) -> list[dict[str, Any]]:
    """Send each frame and read its reply (a state); the states."""
    states = []
    for line in lines:
        ws.send_text(line)
        reply = ws.receive_json()
        assert reply["type"] == "state", reply
        states.append(reply)
    return states


def _finish(ws: Any) -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "finish"}))
    summary: dict[str, Any] = ws.receive_json()
    assert summary["type"] == "summary", summary
    return summary


def test_a_reconnect_keeps_the_set_and_its_count(
    live_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real landmark stream (two squats) sent half, cut, then the rest on a socket reconnected
    with the set's id: the final count equals that of the same stream sent in one go."""
    monkeypatch.setattr(live_ws, "BURST", 10_000.0)  # the stream is replayed faster than 30 fps
    app, _ = live_app
    lines = _stream_lines()
    half = len(lines) // 2
    spec = spec_for("bodyweight_squat")
    frames = read_stream(DEMO_STREAM)
    whole = replay(spec, frames)[0].reps
    assert 0 < replay(spec, frames[half:])[0].reps < whole  # a fresh set would count fewer
    with _local(app) as client:
        sign_in(client, "one@live.test", PASSWORD)
        with client.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            ws.receive_json()
            _send_all(ws, lines)
            uninterrupted = _finish(ws)["reps"]
        with client.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            live_id = ws.receive_json()["live_id"]
            before = _send_all(ws, lines[:half])[-1]["reps"]
        # the socket is gone (a network drop); the set stays on the server
        with client.websocket_connect(f"{SQUAT}&live={live_id}", headers=ORIGIN) as ws:
            hello = ws.receive_json()
            assert hello["live_id"] == live_id
            assert hello["state"]["reps"] == before
            _send_all(ws, lines[half:])
            resumed = _finish(ws)
    assert uninterrupted == whole > 0
    assert resumed["reps"] == uninterrupted
    assert resumed["live_id"] == live_id
    with Session(app.state.engine) as session:  # two sets started, one resumed: all audited
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.in_(("live_start", "live_resume")))
        ).all()
    assert sorted(actions) == ["live_resume", "live_start", "live_start"]


def test_a_set_lost_in_a_restart_is_gone_not_retried(live_app: Any) -> None:
    """After a server restart (a new app, same database) a reconnect with the old set's id is
    refused with 4410 and tells the patient to start a new set; a new set then works."""
    app, _ = live_app
    with _local(app) as client:
        sign_in(client, "one@live.test", PASSWORD)
        with client.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            live_id = ws.receive_json()["live_id"]
    restarted = create_app(app.state.settings)
    with _local(restarted) as client:
        sign_in(client, "one@live.test", PASSWORD)
        code, reason, frame = _refusal(client, f"{SQUAT}&live={live_id}")
        assert code == live_ws.CLOSE_GONE == 4410
        assert "could not be resumed" in frame["error"]
        assert "new set" in reason
        with client.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            hello = ws.receive_json()
            assert hello["type"] == "hello"
            assert hello["live_id"] != live_id


def test_a_clinician_socket_is_forbidden(live_app: Any) -> None:
    """A signed-in clinician is not a patient: the socket is refused with 4403 and says so."""
    app, _ = live_app
    with _local(app) as client:
        sign_in(client, "doc@live.test", PASSWORD)
        code, _, frame = _refusal(client, SQUAT)
    assert code == live_ws.CLOSE_FORBIDDEN == 4403
    assert "Only a patient" in frame["error"]


def _read_until_closed(ws: Any, replies: list[dict[str, Any]]) -> None:
    """Append every reply until the server closes the socket (WebSocketDisconnect)."""
    while True:
        replies.append(ws.receive_json())


@contextmanager
def _new_squat_set(app: Any) -> Iterator[Any]:
    """Patient one signed in on this machine, with the socket of a new squat set open (its
    hello read)."""
    with _local(app) as client:
        sign_in(client, "one@live.test", PASSWORD)
        with client.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            ws.receive_json()
            yield ws


def test_a_flood_gets_error_frames_then_the_policy_close(live_app: Any) -> None:
    """Frames sent far faster than 60 a second: the refused ones get a "too many frames" error
    frame, and past the refusal budget the socket closes with 1008."""
    app, _ = live_app
    line = _stream_lines()[0]
    with _new_squat_set(app) as ws:
        for _ in range(int(live_ws.BURST) + live_ws.MAX_REFUSED + 400):
            ws.send_text(line)
        replies: list[dict[str, Any]] = []
        with pytest.raises(WebSocketDisconnect) as closed:
            _read_until_closed(ws, replies)
    assert closed.value.code == live_ws.CLOSE_POLICY == 1008
    too_many = [r for r in replies if r["type"] == "error" and "Too many" in r["error"]]
    assert len(too_many) > live_ws.MAX_REFUSED
    assert replies[-1]["close_code"] == 1008
    assert sum(r["type"] == "state" for r in replies) >= live_ws.BURST


def test_an_oversized_message_gets_an_error_frame(live_app: Any) -> None:
    """A message over the 16 KB limit gets an error frame naming the limit; the socket goes on."""
    app, _ = live_app
    line = _stream_lines()[0]
    with _new_squat_set(app) as ws:
        ws.send_text(line + " " * MAX_MESSAGE_BYTES)
        error = ws.receive_json()
        assert error["type"] == "error"
        assert f"over the limit of {MAX_MESSAGE_BYTES} bytes" in error["error"]
        assert "close_code" not in error
        ws.send_text(line)
        assert ws.receive_json()["type"] == "state"


@contextmanager
def _uvicorn(app: Any) -> Iterator[str]:
    """The app served by a real uvicorn on a free port (in a thread); yields ``host:port``."""
    import uvicorn

    port = free_port()
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not web.started:
            assert thread.is_alive(), "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        web.should_exit = True
        thread.join(timeout=10)


def test_a_real_client_sees_the_refusal_code_and_reason(live_app: Any) -> None:
    """Through uvicorn, as a browser connects: a refused socket completes the handshake (not an
    HTTP 403), receives the error frame, and sees the 44xx close code and its reason."""
    from websockets.exceptions import ConnectionClosedError
    from websockets.sync.client import connect
    from websockets.typing import Origin

    app, _ = live_app
    with _uvicorn(app) as address:
        url = f"ws://{address}/ws/coach?exercise=bodyweight_squat"
        with connect(url, origin=Origin(f"http://{address}"), open_timeout=10) as ws:
            frame = json.loads(ws.recv(timeout=10))
            with pytest.raises(ConnectionClosedError) as closed:
                ws.recv(timeout=10)
    assert frame["type"] == "error"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == frame["close_code"] == 4401
    assert closed.value.rcvd.reason == frame["error"]


def test_a_patient_keeps_at_most_three_sets_losing_the_least_recently_used() -> None:
    """A fourth set of a patient forgets that patient's least recently used set (a reconnect to
    it is refused), never another patient's."""
    registry = LiveRegistry()
    other = registry.start(2, "bodyweight_squat")
    first, second, third = (registry.start(1, "bodyweight_squat") for _ in range(3))
    assert MAX_SETS_PER_PATIENT == 3
    assert registry.attach(first.live_id, 1, "bodyweight_squat") is first  # used again
    fourth = registry.start(1, "bodyweight_squat")
    assert registry.ids_of(1) == [third.live_id, first.live_id, fourth.live_id]
    with pytest.raises(NotFoundError):
        registry.attach(second.live_id, 1, "bodyweight_squat")
    fifth = registry.start(1, "bodyweight_squat")
    assert registry.ids_of(1) == [first.live_id, fourth.live_id, fifth.live_id]
    assert registry.ids_of(2) == [other.live_id]
    assert registry.attach(other.live_id, 2, "bodyweight_squat") is other


def test_a_fourth_socket_set_makes_the_first_gone(live_app: Any) -> None:
    """Over the socket: opening a fourth set evicts the patient's least recently used one, and
    a reconnect to it gets 4410; the other patient's set is untouched."""
    app, _ = live_app
    with _local(app) as one, _local(app) as two:
        sign_in(one, "one@live.test", PASSWORD)
        sign_in(two, "two@live.test", PASSWORD)
        with two.websocket_connect(SQUAT, headers=ORIGIN) as ws:
            theirs = ws.receive_json()["live_id"]
        mine = []
        for _ in range(MAX_SETS_PER_PATIENT + 1):
            with one.websocket_connect(SQUAT, headers=ORIGIN) as ws:
                mine.append(ws.receive_json()["live_id"])
        assert _refused(one, f"{SQUAT}&live={mine[0]}") == 4410
        for live_id in mine[1:]:
            with one.websocket_connect(f"{SQUAT}&live={live_id}", headers=ORIGIN) as ws:
                assert ws.receive_json()["live_id"] == live_id
        with two.websocket_connect(f"{SQUAT}&live={theirs}", headers=ORIGIN) as ws:
            assert ws.receive_json()["live_id"] == theirs


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


def test_camera_pages_need_https_off_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain HTTP or ws:// to another host is refused where HTTPS is required, which is the
    default in development too; localhost, 127.0.0.1, ::1 and HTTPS are fine; only an explicit
    BACKREHAB_REQUIRE_HTTPS=false turns it off."""
    from backrehab.web.live_ws import insecure
    from backrehab.web.settings import Settings

    assert insecure("http", "clinic.example:8000", True)
    assert insecure("ws", "10.0.0.5", True)
    assert insecure("http", "192.168.1.20:8000", True)
    assert not insecure("https", "clinic.example", True)
    assert not insecure("wss", "clinic.example", True)
    assert not insecure("http", "localhost:8000", True)
    assert not insecure("ws", "127.0.0.1:8000", True)
    assert not insecure("http", "[::1]:8000", True)
    assert not insecure("http", "clinic.example", False)
    monkeypatch.delenv("BACKREHAB_REQUIRE_HTTPS", raising=False)
    assert Settings(environment="development").https_required
    assert Settings(environment="production", secret_key="k" * 40).https_required
    monkeypatch.setenv("BACKREHAB_REQUIRE_HTTPS", "false")
    assert not Settings().https_required


def test_live_page_refuses_without_assets(
    live_app: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without the vendored pose files the live page says what is missing (503); otherwise it
    loads its module."""
    from backrehab.web.assets import assets_status

    app, _ = live_app
    with _local(app, follow_redirects=False) as client:
        sign_in(client, "one@live.test", PASSWORD)
        ok = client.get("/me/exercises/bodyweight_squat/live")
        assert ok.status_code == 200, ok.text[:300]
        assert '<script type="module" src="/static/js/live.js">' in ok.text
        assert "Your video stays on this device." in ok.text
        monkeypatch.setattr(live_ws, "assets_status", lambda: assets_status(tmp_path))
        missing = client.get("/me/exercises/bodyweight_squat/live")
        assert missing.status_code == 503
        assert "make assets" in missing.text


def test_plain_http_to_another_host_is_refused_by_default(
    live_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default settings, plain HTTP to a clinic host gets an explanatory 400 page and
    the socket an error frame and 4426, even with a forged X-Forwarded-Proto (only uvicorn's
    trusted proxies set the scheme); over HTTPS both work; BACKREHAB_REQUIRE_HTTPS=false (a
    trusted network) lets plain HTTP through."""
    app, _ = live_app
    assert app.state.settings.https_required
    page = "/me/exercises/bodyweight_squat/live"
    socket = "//clinic.example/ws/coach?exercise=bodyweight_squat"
    for forged in ({}, {"x-forwarded-proto": "https"}):
        with TestClient(app, base_url="http://clinic.example", follow_redirects=False) as client:
            sign_in(client, "one@live.test", PASSWORD)
            plain = client.get(page, headers=forged)
            assert plain.status_code == 400
            assert "https://" in plain.text
            assert "secure connection" in plain.text
            headers = {"origin": "http://clinic.example", **forged}
            code, _, frame = _refusal(client, f"ws:{socket}", headers)
            assert code == live_ws.CLOSE_INSECURE == 4426
            assert "wss://" in frame["error"]
    with TestClient(app, base_url="https://clinic.example", follow_redirects=False) as client:
        sign_in(client, "one@live.test", PASSWORD)
        assert client.get(page).status_code != 400  # 200, or 503 where the assets are missing
        with client.websocket_connect(
            f"wss:{socket}", headers={"origin": "https://clinic.example"}
        ) as ws:
            assert ws.receive_json()["type"] == "hello"
    monkeypatch.setattr(app.state.settings, "require_https", False)
    with TestClient(app, base_url="http://clinic.example", follow_redirects=False) as client:
        sign_in(client, "one@live.test", PASSWORD)
        assert client.get(page).status_code != 400
        with client.websocket_connect(
            f"ws:{socket}", headers={"origin": "http://clinic.example"}
        ) as ws:
            assert ws.receive_json()["type"] == "hello"


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
