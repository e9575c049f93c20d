"""The server-rendered pages: sign-in, the clinician's and the patient's pages, their forms
(CSRF checked), and the error pages; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from backrehab.assess.red_flags import QUESTION_IDS
from tests.web.apps import PHOTO, App, csrf_of

TODAY = dt.date.today()


def _form(client: object, url: str, data: dict[str, str], **kwargs: object) -> object:
    token = csrf_of(client)  # type: ignore[arg-type]
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)  # type: ignore[attr-defined]


def test_sign_in_form_and_front_door(app: App) -> None:
    """The front door sends visitors to sign in, and each role to its home page; a wrong
    password shows the form again with the message (401)."""
    visitor = app.client()
    assert visitor.get("/").headers["location"] == "/login"
    page = visitor.get("/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    token = csrf_of(visitor)
    wrong = visitor.post(
        "/login", data={"email": "doc@a.test", "password": "x", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert "Wrong e-mail address or password." in wrong.text
    forged = visitor.post("/login", data={"email": "doc@a.test", "password": "correct-horse-9"})
    assert forged.status_code == 403
    assert app.client("clinician", via_form=True).get("/").headers["location"] == "/clinic"
    assert app.client("patient", via_form=True).get("/").headers["location"] == "/me"


def test_pages_send_anonymous_visitors_to_sign_in(app: App) -> None:
    """A page asked for without a session redirects to the sign-in page, keeping the target."""
    response = app.client().get(f"/clinic/patients/{app.world.p1}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/clinic/patients/{app.world.p1}"


def test_dashboard_shows_what_needs_attention(app: App) -> None:
    """The patient list names the clinic's patients and flags pending proposals and due
    questionnaires."""
    page = app.client("clinician").get("/clinic")
    assert page.status_code == 200
    assert "Pat One" in page.text
    assert "to approve" in page.text
    assert "questionnaire due" in page.text  # P2 has never filled one in
    assert "Quinn" not in page.text  # another clinic


def test_new_patient_form(app: App) -> None:
    """Creating a patient redirects to their page; a bad reference shows the form again with
    the problem, keeping what was typed (but never the password)."""
    client = app.client("clinician", via_form=True)
    bad = _form(
        client,
        "/clinic/patients/new",
        {"ref": "bad ref", "display_name": "Zoe", "password": "secret-123"},
    )
    assert bad.status_code == 422
    assert "patient reference" in bad.text
    assert 'value="Zoe"' in bad.text
    assert "secret-123" not in bad.text
    good = _form(
        client,
        "/clinic/patients/new",
        {"ref": "Z-1", "display_name": "Zoe", "sex": "female", "employed": "yes"},
    )
    assert good.status_code == 303
    patient_page = client.get(good.headers["location"])
    assert "Zoe" in patient_page.text
    assert "Patient Z-1 created." in patient_page.text


def test_assessment_forms(app: App) -> None:
    """The ODI form scores the answers; a missing STarT Back item shows the form again naming
    it; the red-flag screen and endurance times are saved; the findings table lists them."""
    client = app.client("clinician", via_form=True)
    base = f"/clinic/patients/{app.world.p2}"
    form = client.get(f"{base}/questionnaires/odi")
    assert form.status_code == 200
    assert form.text.count('type="radio"') == 60  # 10 sections x 6 statements
    answers = {f"item_{n}": str(v) for n, v in enumerate((1, 2, 3, 1, 2, 1, 2, 0, 2, 2), start=1)}
    scored = _form(client, f"{base}/questionnaires/odi", answers)
    assert scored.status_code == 303
    assert "ODI scored: 32.0" in client.get(scored.headers["location"]).text
    missing = _form(client, f"{base}/questionnaires/startback", {"item_1": "1"})
    assert missing.status_code == 422
    assert "item 2" in missing.text
    assert 'value="1" checked' in missing.text
    red = _form(
        client, f"{base}/red-flags", {**dict.fromkeys(QUESTION_IDS, "no"), "age_years": "50"}
    )
    assert red.status_code == 303
    endurance = _form(client, f"{base}/endurance", {"flexor_s": "90", "extensor_s": "110"})
    assert endurance.status_code == 303
    page = client.get(f"{base}/assessment")
    assert "Back-related disability" in page.text
    assert "endurance" in page.text.lower()


def test_upload_shows_the_job_and_its_overlay(app: App) -> None:
    """An uploaded workstation photo is analysed and the assessment page shows its RULA score
    and the overlay, served only to people who may see the patient."""
    client = app.client("clinician", via_form=True)
    base = f"/clinic/patients/{app.world.p1}"
    response = _form(
        client, f"{base}/upload", {"kind": "ergonomics", "param": "rula"},
        files={"file": (PHOTO.name, PHOTO.read_bytes(), "image/jpeg")},
    )  # fmt: skip
    assert response.status_code == 303
    page = client.get(f"{base}/assessment").text
    assert "RULA score" in page
    overlay = re.search(r'src="/media/(\d+)"', page)
    assert overlay is not None
    image = client.get(f"/media/{overlay.group(1)}")
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert app.client("other_clinician").get(f"/media/{overlay.group(1)}").status_code == 404


def test_plan_page_edits_and_reasons(app: App) -> None:
    """The plan page shows each item's reasons; adding and removing an item are new versions
    listed in the history; an edit without a reason is refused with the message."""
    client = app.client("clinician", via_form=True)
    base = f"/clinic/patients/{app.world.p1}/plan"
    page = client.get(base).text
    assert "Why this item" in page
    assert "startback" in page.lower()
    added = _form(client, f"{base}/add", {"exercise_id": "glute_bridge", "reason": "strength"})
    assert added.status_code == 303
    removed = _form(client, f"{base}/items/glute_bridge/remove", {"reason": ""})
    assert removed.status_code == 422
    assert "reason" in removed.text
    removed = _form(client, f"{base}/items/glute_bridge/remove", {"reason": "knee pain"})
    assert removed.status_code == 303
    history = client.get(base).text
    assert "knee pain" in history
    assert "v3" in history


def test_proposal_buttons(app: App) -> None:
    """Approving from the patient page decides the proposal and says so."""
    client = app.client("clinician", via_form=True)
    w = app.world
    page = client.get(f"/clinic/patients/{w.p1}").text
    assert "Proposals waiting for you" in page
    decided = _form(
        client, f"/clinic/patients/{w.p1}/proposals/{w.proposal_p1}/reject", {"note": "no"}
    )
    assert decided.status_code == 303
    assert "rejected" in client.get(decided.headers["location"]).text


def test_settings_form_saves_context(app: App) -> None:
    """The settings form saves auto-progression and the plan context (directional preference,
    clinic days)."""
    client = app.client("clinician", via_form=True)
    w = app.world
    saved = _form(
        client, f"/clinic/patients/{w.p1}/settings",
        {"auto_progression": "yes", "directional_preference": "extension", "clinic_tue": "1",
         "questionnaire_interval_days": "21"},
    )  # fmt: skip
    assert saved.status_code == 303
    data = app.client("clinician").get(f"/api/v1/patients/{w.p1}").json()
    assert data["auto_progression"] is True
    assert data["context"]["directional_preference"] == "extension"
    assert data["context"]["clinic_days"] == ["tue"]
    assert data["questionnaire_interval_days"] == 21


def test_patient_today_log_and_progress(app: App) -> None:
    """The patient sees today's routine, logs a set by hand with pain and effort, and sees it
    on their progress page; a missing pain field shows the form again."""
    client = app.client("patient", via_form=True)
    home = client.get("/me")
    assert home.status_code == 200
    exercise = app.world.exercise_p1
    page = client.get(f"/me/exercises/{exercise}")
    assert page.status_code == 200
    assert "Log it by hand" in page.text
    incomplete = _form(
        client, f"/me/exercises/{exercise}/log", {"done_sets": "1", "done_reps": "1"}
    )
    assert incomplete.status_code == 422
    assert "pain before" in incomplete.text
    logged = _form(
        client, f"/me/exercises/{exercise}/log",
        {"done_sets": "1", "done_reps": "1", "pain_before": "1", "pain_during_max": "2",
         "pain_after": "1", "rpe": "3", "form_report": "all"},
    )  # fmt: skip
    assert logged.status_code == 303
    assert "Saved." in client.get("/me").text
    progress = client.get("/me/progress")
    assert progress.status_code == 200
    assert "<svg" in progress.text
    assert "Recent sessions" in progress.text
    calendar = client.get("/me/routine.ics")
    assert calendar.text.startswith("BEGIN:VCALENDAR")


def test_patient_questionnaire_and_morning(app: App) -> None:
    """A patient fills in the NPRS and reports yesterday's next-morning pain."""
    client = app.client("patient", via_form=True)
    nprs = _form(client, "/me/questionnaires/nprs", {"item_1": "3", "item_2": "1", "item_3": "5"})
    assert nprs.status_code == 303
    home = client.get("/me").text
    assert "How is your back this morning?" in home
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    morning = _form(
        client, "/me/next-morning", {"day": day, "next_morning_pain": "2", "usual_pain": "2"}
    )
    assert morning.status_code == 303


def test_security_headers(app: App) -> None:
    """Pages carry a strict CSP (no inline script, wasm only), no-store caching, nosniff and
    frame denial; vendored static files are cacheable."""
    client = app.client("clinician")
    response = client.get("/clinic")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "unsafe-inline" not in csp
    assert "connect-src 'self'" in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text
    assert " style=" not in response.text
    static = client.get("/static/js/htmx-2.0.11.min.js")
    assert static.status_code == 200
    assert "max-age" in static.headers["cache-control"]


def test_error_pages(app: App) -> None:
    """A missing patient is a 404 page; a clinician opening a patient page is a 403 page."""
    staff = app.client("clinician", via_form=True)
    missing = staff.get("/clinic/patients/999999")
    assert missing.status_code == 404
    assert "No patient with id 999999." in missing.text
    assert staff.get("/me").status_code == 403
