"""End to end in a real browser (Debian's Chromium via Playwright) against a real server: a
clinician signs in, creates a patient, fills in the ODI and the STarT Back, uploads a photo and
gets a RULA score, generates the plan; the patient signs in, sees the routine, uploads a squat
clip and sees the repetition count. Screenshots are kept as test artefacts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from backrehab.db import make_engine, upgrade
from backrehab.db.repository import create_clinic, create_user
from tests.conftest import BUNDLED_MEDIA, DEMO_CLIP
from tests.web.browser import (
    artifacts_dir,
    browser,
    require_chromium,
    screenshot_on_failure,
    server,
)

pytestmark = [pytest.mark.slow, pytest.mark.video]

CLINICIAN = ("physio@clinic.test", "physio-pass-1")
PATIENT = ("robin@patient.test", "robin-pass-1")


def _seed_clinician(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'backrehab.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            clinic = create_clinic(session, name="Browser Test Clinic")
            create_user(session, email=CLINICIAN[0], password=CLINICIAN[1], role="clinician",
                        clinic_id=clinic.id, display_name="Dr Browser")  # fmt: skip
            session.commit()
    finally:
        engine.dispose()


def _sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def _answer(page: Any, answers: list[int]) -> None:
    for number, value in enumerate(answers, start=1):
        page.check(f"input[name=item_{number}][value='{value}']")
    page.click("button:has-text('Save answers')")


def test_clinician_and_patient_in_the_browser(tmp_path: Path) -> None:
    """The whole clinic workflow and the patient's camera set, clicked through in Chromium."""
    require_chromium()
    shots = artifacts_dir()
    data = tmp_path / "data"
    data.mkdir()
    _seed_clinician(data)
    with server(data) as base, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        with screenshot_on_failure(page, "clinician"):
            _clinician(page, base, shots)
        patient = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        patient.set_default_timeout(60_000)
        with screenshot_on_failure(patient, "patient"):
            _patient(patient, base, shots)


def _clinician(page: Any, base: str, shots: Path) -> None:
    if True:
        _sign_in(page, base, *CLINICIAN)
        page.wait_for_url(f"{base}/clinic")
        page.click("text=New patient")
        page.fill("input[name=ref]", "BR-001")
        page.fill("input[name=display_name]", "Robin Test")
        page.check("input[name=sex][value=female]")
        page.fill("input[name=email]", PATIENT[0])
        page.fill("input[name=password]", PATIENT[1])
        page.click("button:has-text('Create patient')")
        page.wait_for_selector("text=Patient BR-001 created.")
        patient_url = page.url
        page.fill("input[name=budget_min]", "45")
        page.click("button:has-text('Save settings')")
        page.wait_for_selector("text=Settings saved.")
        page.click("nav.tabs >> text=Assessment")
        page.click("a:has-text('ODI')")
        _answer(page, [2, 1, 2, 1, 2, 1, 0, 1, 2, 1])
        page.wait_for_selector("text=ODI scored: 26.0")
        page.click("a:has-text('STARTBACK')")
        _answer(page, [1, 0, 1, 1, 1, 1, 0, 0, 2])
        page.wait_for_selector("text=STARTBACK scored")
        upload = page.locator("form.upload[data-kind=ergonomics]")
        upload.locator("select[name=param]").select_option("rula")
        upload.locator("input[type=file]").set_input_files(
            str(BUNDLED_MEDIA / "sitting_upright_side_01.jpg")
        )
        upload.locator("button").click()
        page.wait_for_selector(".job-done >> text=RULA score", timeout=120_000)
        score = page.locator(".job-done >> text=RULA score").inner_text()
        assert re.search(r"RULA score \d", score), score
        page.screenshot(path=str(shots / "clinician-assessment.png"), full_page=True)
        page.click("nav.tabs >> text=Plan")
        page.click("button:has-text('Generate the plan')")
        page.wait_for_selector("text=generated")
        page.select_option("select[name=exercise_id]", "bodyweight_squat")
        page.fill("form[action$='/plan/add'] input[name=reason]", "squat pattern practice")
        page.click("form[action$='/plan/add'] button")
        page.wait_for_selector("text=bodyweight_squat added.")
        assert page.locator("article.plan-item").count() >= 2
        page.screenshot(path=str(shots / "clinician-plan.png"), full_page=True)
        assert patient_url.startswith(f"{base}/clinic/patients/")


def _patient(patient: Any, base: str, shots: Path) -> None:
    if True:
        _sign_in(patient, base, *PATIENT)
        patient.wait_for_url(f"{base}/me")
        patient.wait_for_selector("text=My programme this week")
        patient.click("ul.programme >> text=Bodyweight squat")
        patient.locator("#recorder input[type=file]").set_input_files(str(DEMO_CLIP))
        patient.click("#recorder button:has-text('Upload and count')")
        patient.wait_for_selector(".job-done .reps", timeout=240_000)
        reps = patient.locator(".job-done .reps").inner_text()
        assert reps == "2", reps  # the clip's two hand-counted squats
        patient.screenshot(path=str(shots / "patient-count.png"), full_page=True)
