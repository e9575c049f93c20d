"""The JSON API route by route: the happy path, and 401/403/404/413/422 with their bodies, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from backrehab.assess.red_flags import QUESTION_IDS
from tests.web.apps import PHOTO, App, running, settings_for

TODAY = dt.date.today()


def test_health_and_openapi(app: App) -> None:
    """/healthz answers 200 with the database reachable; /openapi.json documents the API."""
    client = app.client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
    schema = client.get("/openapi.json").json()
    assert "/api/v1/patients" in schema["paths"]
    assert "/api/v1/patients/{patient_id}/sessions" in schema["paths"]


def test_health_says_503_when_the_database_is_down(tmp_path: Path) -> None:
    """With the database unreachable /healthz answers 503 (the app itself still starts)."""
    settings = settings_for(
        "postgresql+psycopg://nobody@127.0.0.1:9/none", tmp_path, run_migrations=False
    )
    with running(settings) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_patients_need_a_login(app: App) -> None:
    """GET /api/v1/patients without credentials is a 401 with a message."""
    response = app.client().get("/api/v1/patients")
    assert response.status_code == 401
    assert response.json() == {"error": "Please sign in."}


def test_login_cookie_and_wrong_password(app: App) -> None:
    """A good login sets an HttpOnly SameSite cookie and gives a CSRF token; a wrong password
    is a 401 that does not say which part was wrong."""
    client = app.client()
    bad = client.post("/api/v1/login", json={"email": "doc@a.test", "password": "nope"})
    assert bad.status_code == 401
    assert bad.json() == {"error": "Wrong e-mail address or password."}
    unknown = client.post("/api/v1/login", json={"email": "who@x.test", "password": "nope"})
    assert unknown.json() == bad.json()
    good = client.post("/api/v1/login", json={"email": "doc@a.test", "password": "correct-horse-9"})
    assert good.status_code == 200
    assert good.json()["role"] == "clinician"
    assert good.json()["csrf_token"]
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_login_is_rate_limited(db_url: str, tmp_path: Path) -> None:
    """After the allowed failures a further login attempt is a 429, even with the right
    password, until a minute has passed."""
    from backrehab.db import upgrade
    from tests.web.apps import seed_world

    upgrade(db_url)
    seed_world(db_url, tmp_path / "d")
    with running(settings_for(db_url, tmp_path / "d", login_attempts_per_minute=3)) as client:
        for _ in range(3):
            assert (
                client.post(
                    "/api/v1/login", json={"email": "doc@a.test", "password": "x"}
                ).status_code
                == 401
            )
        blocked = client.post(
            "/api/v1/login", json={"email": "doc@a.test", "password": "correct-horse-9"}
        )
    assert blocked.status_code == 429
    assert "wait a minute" in blocked.json()["error"]


def test_state_changes_need_the_csrf_token(app: App) -> None:
    """A signed-in POST without the CSRF header is a 403; with it the request goes through."""
    client = app.client("clinician")
    token = client.headers.pop("X-CSRF-Token")
    body = {"ref": "NEW-1", "display_name": "New"}
    refused = client.post("/api/v1/patients", json=body)
    assert refused.status_code == 403
    assert "reload the page" in refused.json()["error"]
    created = client.post("/api/v1/patients", json=body, headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_create_patient(app: App) -> None:
    """Staff create patients (with a login if asked); a reused reference is a 409 and a bad body
    a 422, each naming the field; a patient may not create patients (403)."""
    client = app.client("clinician")
    created = client.post(
        "/api/v1/patients",
        json={"ref": "NEW-2", "display_name": "Nell", "sex": "female",
              "email": "nell@a.test", "password": "long-enough-1"},
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json()["ref"] == "NEW-2"
    assert created.json()["questionnaire_interval_days"] == 28
    again = client.post("/api/v1/patients", json={"ref": "NEW-2"})
    assert again.status_code == 409
    assert "already used" in again.json()["error"]
    bad = client.post("/api/v1/patients", json={"ref": "has spaces"})
    assert bad.status_code == 422
    assert bad.json()["error"].startswith("ref:")
    short = client.post(
        "/api/v1/patients", json={"ref": "NEW-3", "email": "s@a.test", "password": "x"}
    )
    assert short.status_code == 422
    assert "password" in short.json()["error"]
    assert app.client("patient").post("/api/v1/patients", json={"ref": "X"}).status_code == 403
    nell = app.client()
    assert (
        nell.post(
            "/api/v1/login", json={"email": "nell@a.test", "password": "long-enough-1"}
        ).status_code
        == 200
    )


def test_patient_list_and_read(app: App) -> None:
    """Staff list their clinic's patients, a patient only themself; another clinic's patient is
    a 404."""
    staff = app.client("clinician").get("/api/v1/patients").json()
    assert {p["ref"] for p in staff} == {"P1", "P2"}
    mine = app.client("patient").get("/api/v1/patients").json()
    assert [p["ref"] for p in mine] == ["P1"]
    other = app.client("other_clinician").get(f"/api/v1/patients/{app.world.p1}")
    assert other.status_code == 404
    assert other.json()["error"] == f"No patient with id {app.world.p1}."


def test_settings(app: App) -> None:
    """PATCH settings changes what is given and validates the plan context by name."""
    client = app.client("clinician")
    url = f"/api/v1/patients/{app.world.p1}/settings"
    changed = client.patch(url, json={"auto_progression": True, "questionnaire_interval_days": 14})
    assert changed.status_code == 200
    assert changed.json()["auto_progression"] is True
    assert changed.json()["questionnaire_interval_days"] == 14
    bad = client.patch(url, json={"context": {"directional_preference": "sideways"}})
    assert bad.status_code == 422
    assert "directional_preference" in bad.json()["error"]


def test_questionnaires(app: App) -> None:
    """ODI 16/45 is 35.6 %; a bad answer is a 422 naming the item and stores nothing; a
    patient may fill in their own questionnaire."""
    client = app.client("clinician")
    url = f"/api/v1/patients/{app.world.p1}/questionnaires"
    odi = client.post(url, json={"instrument": "odi", "answers": "1,2,3,1,2,1,2,na,2,2"})
    assert odi.status_code == 201
    assert odi.json()["percent"] == 35.6
    assert odi.json()["band"] == "moderate"
    as_list = client.post(
        url, json={"instrument": "startback", "answers": [1, 1, 0, 1, 1, 1, 1, 0, 3]}
    )
    assert as_list.json()["risk"] == "high"
    bad = client.post(url, json={"instrument": "startback", "answers": "1,1,0,1,1,1,1,0,9"})
    assert bad.status_code == 422
    assert "item 9" in bad.json()["error"]
    unknown = client.post(url, json={"instrument": "sf36", "answers": "1"})
    assert unknown.status_code == 422
    own = app.client("patient").post(url, json={"instrument": "nprs", "answers": "4,2,6"})
    assert own.status_code == 201
    assert own.json()["score"] == 4


def test_red_flags_block_the_plan(app: App) -> None:
    """Every question must be answered (422 names the missing ones); an emergency answer gives
    a blocked plan with the referral message."""
    client = app.client("clinician")
    p2 = app.world.p2
    partial = client.post(
        f"/api/v1/patients/{p2}/red-flags", json={"answers": {"saddle_numbness": True}}
    )
    assert partial.status_code == 422
    assert "not answered: new_bladder_dysfunction" in partial.json()["error"]
    answers = {**dict.fromkeys(QUESTION_IDS, False), "saddle_numbness": True}
    screened = client.post(f"/api/v1/patients/{p2}/red-flags", json={"answers": answers})
    assert screened.status_code == 201
    assert screened.json()["level"] == "emergency"
    plan = client.post(f"/api/v1/patients/{p2}/plan", json={})
    assert plan.status_code == 201
    assert plan.json()["plan"]["blocked"] is True
    assert plan.json()["plan"]["message"]
    assert plan.json()["plan"]["items"] == []


def test_endurance(app: App) -> None:
    """Typed McGill times give the ratios; no time at all is a 422; a negative time is a 422."""
    client = app.client("clinician")
    url = f"/api/v1/patients/{app.world.p1}/endurance"
    ok = client.post(
        url, json={"flexor_s": 100, "extensor_s": 80, "side_left_s": 40, "side_right_s": 60}
    )
    assert ok.status_code == 201
    assert ok.json()["flags"]
    assert client.post(url, json={}).status_code == 422
    negative = client.post(url, json={"flexor_s": -1})
    assert negative.status_code == 422
    assert negative.json()["error"].startswith("flexor_s:")


def test_plan_read_and_edits(app: App) -> None:
    """The plan comes with its versions; add, re-dose and remove each make a new version with
    who and why; an unknown exercise and a missing plan are refused clearly."""
    client = app.client("clinician")
    base = f"/api/v1/patients/{app.world.p1}/plan"
    first = client.get(base).json()
    assert first["version"] == 1
    assert all(item["reasons"] for item in first["plan"]["items"])
    added = client.post(
        f"{base}/items", json={"exercise_id": "glute_bridge", "reason": "hip extensor strength"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["version"] == 2
    assert added.json()["versions"][-1]["author"] == "doc@a.test"
    redosed = client.put(
        f"{base}/items/glute_bridge/dose",
        json={"dose": {"sets": 2, "reps": 8, "days_per_week": 3}, "reason": "start easier"},
    )
    assert redosed.status_code == 200, redosed.text
    assert redosed.json()["version"] == 3
    removed = client.post(f"{base}/items/glute_bridge/remove", json={"reason": "hip pain"})
    assert removed.json()["version"] == 4
    assert "glute_bridge" not in [i["exercise_id"] for i in removed.json()["plan"]["items"]]
    unknown = client.post(f"{base}/items", json={"exercise_id": "moonwalk", "reason": "x"})
    assert unknown.status_code == 422
    assert "not in the exercise library" in unknown.json()["error"]
    none = client.get(f"/api/v1/patients/{app.world.p2}/plan")
    assert none.status_code == 404
    assert none.json()["error"] == "There is no plan for this patient yet."
    ics = client.get(f"{base}/routine.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR")


def test_sessions_and_proposals(app: App) -> None:
    """A logged set gets its §6.2 zone and proposals; a future day or an exercise outside the
    plan is a 422; the clinician approves a proposal (a new plan version) or rejects it."""
    patient = app.client("patient")
    w = app.world
    url = f"/api/v1/patients/{w.p1}/sessions"
    body = {"exercise_id": w.exercise_p1, "date": TODAY.isoformat(), "pain_before": 1,
            "pain_during_max": 7, "pain_after": 6, "done_sets": 1, "done_reps": 1}  # fmt: skip
    logged = patient.post(url, json=body)
    assert logged.status_code == 201, logged.text
    assert logged.json()["zone"] == "red"
    assert logged.json()["proposals"][0]["action"] in (
        "step_back",
        "switch_to_regression",
        "flag_review",
    )
    future = patient.post(url, json={**body, "date": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert "future" in future.json()["error"]
    outside = patient.post(url, json={**body, "exercise_id": "deadbug"})
    assert outside.status_code == 422
    assert "not in the plan" in outside.json()["error"]
    assert len(patient.get(url).json()) == 3
    staff = app.client("clinician")
    pending = staff.get(f"/api/v1/patients/{w.p1}/proposals?status=pending").json()
    assert pending
    latest = pending[-1]["proposal_id"]
    assert (
        patient.post(f"/api/v1/patients/{w.p1}/proposals/{latest}/approve", json={}).status_code
        == 403
    )
    decided = staff.post(
        f"/api/v1/patients/{w.p1}/proposals/{latest}/reject", json={"note": "watch"}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "rejected"
    again = staff.post(f"/api/v1/patients/{w.p1}/proposals/{latest}/approve", json={})
    assert again.status_code == 422
    missing = staff.post(f"/api/v1/patients/{w.p1}/proposals/nope@2000-01-01/approve", json={})
    assert missing.status_code == 404
    assert "not found" in missing.json()["error"]


def test_approving_changes_the_plan(app: App) -> None:
    """An approved proposal that changes the dose adds a plan version by the clinician."""
    staff = app.client("clinician")
    w = app.world
    before = staff.get(f"/api/v1/patients/{w.p1}/plan").json()["version"]
    pending = staff.get(f"/api/v1/patients/{w.p1}/proposals?status=pending").json()
    approved = staff.post(
        f"/api/v1/patients/{w.p1}/proposals/{pending[-1]['proposal_id']}/approve", json={}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    after = staff.get(f"/api/v1/patients/{w.p1}/plan").json()
    changes = approved.json()["proposed_dose"] != approved.json()["current_dose"]
    assert after["version"] == before + (1 if changes else 0)


def test_next_morning(app: App) -> None:
    """The next-morning report of a logged day is stored; a day without logs is a 404."""
    client = app.client("patient")
    url = f"/api/v1/patients/{app.world.p1}/next-morning"
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    ok = client.post(url, json={"date": day, "next_morning_pain": 3, "usual_pain": 2})
    assert ok.status_code == 200
    assert ok.json()[0]["zone"] == "red"  # worse than usual the next morning
    none = client.post(url, json={"date": "2001-01-01", "next_morning_pain": 1, "usual_pain": 1})
    assert none.status_code == 404
    assert "nothing was logged" in none.json()["error"]


def test_progress_report_and_fhir(app: App) -> None:
    """Progress has trends marked against the baseline; the report is a PDF; FHIR is a Bundle;
    a patient without questionnaires gets a clear 422 for the report."""
    staff = app.client("clinician")
    progress = staff.get(f"/api/v1/patients/{app.world.p1}/progress").json()
    assert progress["missing"] == ""
    assert "odi" in progress["trends"]
    pdf = staff.get(f"/api/v1/patients/{app.world.p1}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bundle = staff.get(f"/api/v1/patients/{app.world.p1}/fhir").json()
    assert bundle["resourceType"] == "Bundle"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} >= {"Patient", "CarePlan"}
    empty = staff.get(f"/api/v1/patients/{app.world.p2}/report.pdf")
    assert empty.status_code == 422
    assert "no questionnaire" in empty.json()["error"]


def test_media_upload_and_job(app: App) -> None:
    """A posture photo is analysed in the background (here inline) and its job holds the
    findings and the overlay; content decides the type, not the name."""
    staff = app.client("clinician")
    url = f"/api/v1/patients/{app.world.p1}/media"
    job = staff.post(
        url,
        files={"file": ("desk.jpg", PHOTO.read_bytes(), "image/jpeg")},
        data={"kind": "ergonomics", "param": "rula"},
    )
    assert job.status_code == 202, job.text
    done = staff.get(f"/api/v1/jobs/{job.json()['id']}").json()
    assert done["status"] == "done", done
    assert done["result"]["method"] == "rula"
    assert done["result"]["overlay_media_id"]
    text = staff.post(url, files={"file": ("a.jpg", b"hello world", "image/jpeg")},
                      data={"kind": "posture", "param": "side"})  # fmt: skip
    assert text.status_code == 422
    assert "content decides" in text.json()["error"]
    wrong = staff.post(url, files={"file": ("a.mp4", PHOTO.read_bytes(), "video/mp4")},
                       data={"kind": "screen", "param": "squat"})  # fmt: skip
    assert wrong.status_code == 422
    assert "needs a video, not a photo" in wrong.json()["error"]
    bad_param = staff.post(url, files={"file": ("a.jpg", PHOTO.read_bytes(), "image/jpeg")},
                           data={"kind": "posture", "param": "top"})  # fmt: skip
    assert bad_param.status_code == 422
    assert "view 'top'" in bad_param.json()["error"]
    patient = app.client("patient").post(
        url, files={"file": ("a.jpg", PHOTO.read_bytes(), "image/jpeg")},
        data={"kind": "posture", "param": "side"},
    )  # fmt: skip
    assert patient.status_code == 422
    assert "only upload recordings" in patient.json()["error"]
    other = app.client("other_clinician").get(f"/api/v1/jobs/{job.json()['id']}")
    assert other.status_code == 404


def test_upload_over_the_limit_is_413(db_url: str, tmp_path: Path) -> None:
    """An upload larger than the configured limit is refused while it is read (413)."""
    from backrehab.db import upgrade
    from tests.web.apps import seed_world, sign_in

    upgrade(db_url)
    world = seed_world(db_url, tmp_path / "d")
    settings = settings_for(db_url, tmp_path / "d", max_photo_mb=0.01, max_video_mb=0.01)
    with running(settings) as client:
        sign_in(client, "doc@a.test")
        response = client.post(
            f"/api/v1/patients/{world.p1}/media",
            files={"file": ("big.jpg", io.BytesIO(b"\xff\xd8\xff" + b"0" * 50_000), "image/jpeg")},
            data={"kind": "posture", "param": "side"},
        )
    assert response.status_code == 413
    assert "limit" in response.json()["error"]


def test_exercise_library(app: App) -> None:
    """The library lists every exercise; an unknown id is a 404."""
    client = app.client("patient")
    ids = {e["id"] for e in client.get("/api/v1/exercises").json()}
    assert {"glute_bridge", "bird_dog", "bodyweight_squat"} <= ids
    assert client.get("/api/v1/exercises/glute_bridge").json()["category"]
    assert client.get("/api/v1/exercises/nope").status_code == 404


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_clinic_export_is_for_admins(app: App, role: str) -> None:
    """Only an admin exports the clinic; the document is the versioned clinic format."""
    assert app.client(role).get("/api/v1/clinic/export").status_code == 403
    document = app.client("admin").get("/api/v1/clinic/export").json()
    assert document["format"] == "backrehab-clinic"
    assert {p["ref"] for p in document["tables"]["patients"]} == {"P1", "P2"}


def test_me_and_logout(app: App) -> None:
    """/me names the signed-in user; logout (with the CSRF token) clears the session, after
    which /me is a 401; logout without the token is a 403 and keeps the session."""
    client = app.client("clinician")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == app.world.emails["clinician"]
    assert me.json()["role"] == "clinician"
    assert "password_hash" not in me.json()
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/api/v1/logout").status_code == 403
    assert client.get("/api/v1/me").status_code == 200
    out = client.post("/api/v1/logout", headers={"X-CSRF-Token": token})
    assert out.status_code == 204
    client.cookies.clear()  # what the browser does with the expired cookie
    after = client.get("/api/v1/me")
    assert after.status_code == 401
    assert after.json() == {"error": "Please sign in."}
    assert app.client().get("/api/v1/me").status_code == 401


def test_logout_ends_the_session_on_the_server(app: App) -> None:
    """After logout the old session cookie, sent again (copied, or a browser that kept it), is a
    401 on /api/v1/me: logout ends the session on the server, not only in the browser."""
    client = app.client("clinician")
    name = app.settings.session_cookie_name
    old = client.cookies.get(name)
    assert old
    assert client.post("/api/v1/logout").status_code == 204
    assert client.cookies.get(name) is None  # the reply deleted it
    client.cookies.set(name, old)
    after = client.get("/api/v1/me")
    assert after.status_code == 401
    assert after.json() == {"error": "Please sign in."}


def test_assessments_start_and_read(app: App) -> None:
    """Staff start a (re)assessment and read the newest one with its parts; without one the read
    is a 404 with a message; a patient may not read the clinician's assessment (403)."""
    client = app.client("clinician")
    url = f"/api/v1/patients/{app.world.p2}"
    none_yet = client.post("/api/v1/patients", json={"ref": "NEW-A", "display_name": "Ann"}).json()[
        "id"
    ]
    missing = client.get(f"/api/v1/patients/{none_yet}/assessment")
    assert missing.status_code == 404
    assert missing.json() == {"error": "This patient has no assessment yet."}
    started = client.post(f"{url}/assessments")
    assert started.status_code == 201
    assert started.json()["parts"] == []
    scored = client.post(
        f"{url}/questionnaires",
        json={"instrument": "rmdq", "answers": [1] * 6 + [0] * 18},
    )
    assert scored.status_code == 201
    latest = client.get(f"{url}/assessment")
    assert latest.status_code == 200
    assert latest.json()["id"] == started.json()["id"]
    assert "questionnaire.rmdq" in latest.json()["parts"]
    again = client.post(f"{url}/assessments")
    assert again.json()["id"] != started.json()["id"]
    assert client.get(f"{url}/assessment").json()["parts"] == []
    patient = app.client("patient").get(f"/api/v1/patients/{app.world.p1}/assessment")
    assert patient.status_code == 403
