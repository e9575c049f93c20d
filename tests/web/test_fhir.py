"""FHIR R4 export of a patient built through the web services (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.assess import questionnaires
from backrehab.db.models import Outcome, Patient, QuestionnaireResponse
from backrehab.db.repository import add_outcome
from backrehab.plan.dosing import describe_dose
from backrehab.web.services import assessments, plans
from backrehab.web.services.fhir import (
    LOINC,
    MEASURE_SYSTEM,
    UCUM,
    FhirExportError,
    patient_bundle,
    validate_bundle,
)
from tests.web.conftest import ENDURANCE_S, LOGGED, QUESTIONNAIRES, SeededDb

pytestmark = pytest.mark.slow


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _codes(resource: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in resource["code"]["coding"] if c["system"] == system]


def _by_measure(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for obs in _resources(bundle, "Observation"):
        for code in _codes(obs, MEASURE_SYSTEM):
            out.setdefault(code, []).append(obs)
    return out


def _patient(session: Session, ident: int) -> Patient:
    return session.get_one(Patient, ident)


def test_bundle_is_valid_fhir_and_lossless(seeded_session: Session, seeded_db: SeededDb) -> None:
    """The bundle of a fully assessed patient passes the R4B models, and re-serialising it
    through the models gives back exactly the same JSON (nothing was dropped or coerced)."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    bundle = patient_bundle(session, _patient(session, seeded_clinic.patient_id))
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    model = Bundle.model_validate(bundle)
    assert json.loads(model.model_dump_json()) == bundle
    json.dumps(bundle, allow_nan=False)  # strict JSON
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    references = [ref for e in bundle["entry"] for ref in _references(e["resource"])]
    assert references
    assert set(references) <= set(full_urls), "every reference resolves inside the bundle"


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def test_resource_counts_match_the_database(seeded_session: Session, seeded_db: SeededDb) -> None:
    """One Patient, one Observation per stored outcome and per valued camera finding, one
    QuestionnaireResponse per stored questionnaire, one CarePlan."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    bundle = patient_bundle(session, patient)
    outcomes = session.scalars(select(Outcome).where(Outcome.patient_id == patient.id)).all()
    stored_q = session.scalars(
        select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient.id)
    ).all()
    record = assessments.latest_assessment(session, patient)
    assert record is not None
    camera = [
        f
        for name, part in record.parts.items()
        if name.split(".")[0] in ("posture", "ergonomics")
        for f in part["findings"]
        if f["value"] is not None
    ]
    assert len(camera) >= 3, "the posture photo and the RULA analysis gave measurements"
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == {
        "Patient": 1,
        "Observation": len(outcomes) + len(camera),
        "QuestionnaireResponse": len(stored_q),
        "CarePlan": 1,
    }
    assert len(stored_q) == len(QUESTIONNAIRES) + 1


def test_patient_resource(seeded_session: Session, seeded_db: SeededDb) -> None:
    """The Patient carries the pseudonymous reference under the clinic's identifier system, the
    display name and the gender; a patient without them has neither."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    bundle = patient_bundle(session, _patient(session, seeded_clinic.patient_id))
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"] == [
        {"system": f"urn:backrehab:clinic:{seeded_clinic.clinic_id}:patient", "value": "P-001"}
    ]
    assert patient["name"] == [{"text": "Ada Example"}]
    assert patient["gender"] == "female"
    bare = patient_bundle(session, _patient(session, seeded_clinic.bare_patient_id))
    (resource,) = _resources(bare, "Patient")
    assert "name" not in resource
    assert "gender" not in resource
    assert resource["identifier"][0]["value"] == "P-003"
    assert [e["resource"]["resourceType"] for e in bare["entry"]] == ["Patient"]


def test_scores_are_coded_with_loinc_and_ucum(seeded_session: Session, seeded_db: SeededDb) -> None:
    """ODI (97909-6, %), STarT Back total (91351-7) and distress subscore (91350-9) carry LOINC
    codes; every score carries our own code, a {score} or % UCUM unit, the survey category and
    a link to the questionnaire response it came from."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    bundle = patient_bundle(session, patient)
    measures = _by_measure(bundle)
    stored = {
        (o.measure, o.date.isoformat()): o.value
        for o in session.scalars(select(Outcome).where(Outcome.patient_id == patient.id))
    }
    odi = measures["odi"]
    assert len(odi) == 2
    for obs in odi:
        assert _codes(obs, LOINC) == ["97909-6"]
        assert obs["valueQuantity"]["code"] == "%"
        assert obs["valueQuantity"]["system"] == UCUM
        assert obs["valueQuantity"]["value"] == stored[("odi", obs["effectiveDateTime"])]
        assert obs["status"] == "final"
        assert obs["category"][0]["coding"][0]["code"] == "survey"
    assert _codes(measures["startback_total"][0], LOINC) == ["91351-7"]
    assert _codes(measures["startback_psychosocial"][0], LOINC) == ["91350-9"]
    for name in ("rmdq", "nprs", "psfs", "fabq_pa", "fabq_w"):
        (obs,) = measures[name]
        assert _codes(obs, LOINC) == [], f"{name} has no LOINC code of its own"
        assert obs["valueQuantity"]["code"] == "{score}"
        assert obs["valueQuantity"]["value"] == stored[(name, obs["effectiveDateTime"])]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    for name, instrument in (("fabq_w", "fabq"), ("startback_total", "startback"), ("odi", "odi")):
        for obs in measures[name]:
            (link,) = obs["derivedFrom"]
            source = by_url[link["reference"]]
            assert source["resourceType"] == "QuestionnaireResponse"
            assert source["questionnaire"] == f"urn:backrehab:questionnaire:{instrument}"
            assert source["authored"] == obs["effectiveDateTime"]


def test_endurance_and_camera_measurements(seeded_session: Session, seeded_db: SeededDb) -> None:
    """Typed endurance times are exam Observations in seconds; camera measurements of the real
    photo are exam Observations with their finding code, UCUM unit (deg, {score}) and method."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    measures = _by_measure(patient_bundle(session, patient))
    for field, seconds in ENDURANCE_S.items():
        (obs,) = measures[f"endurance.{field}"]
        assert obs["valueQuantity"] == {"value": seconds, "unit": "s", "system": UCUM, "code": "s"}
        assert obs["category"][0]["coding"][0]["code"] == "exam"
    record = assessments.latest_assessment(session, patient)
    assert record is not None
    posture = {f["code"]: f for f in record.parts["posture.side"]["findings"]}
    (cva,) = measures["posture.craniovertebral_proxy"]
    assert cva["valueQuantity"]["code"] == "deg"
    assert cva["valueQuantity"]["value"] == posture["posture.craniovertebral_proxy"]["value"]
    assert "camera analysis (posture.side)" in cva["method"]["text"]
    (rula,) = measures["ergonomics.rula"]
    assert rula["valueQuantity"]["code"] == "{score}"
    rula_value = record.parts["ergonomics.rula"]["findings"][0]["value"]
    assert rula["valueQuantity"]["value"] == rula_value
    assert 1 <= rula_value <= 7
    assert rula["effectiveDateTime"].endswith("Z")


def test_questionnaire_responses_hold_the_answers(
    seeded_session: Session, seeded_db: SeededDb
) -> None:
    """Each QuestionnaireResponse is completed, points at our canonical of its instrument and
    lists the parsed answers item by item (two ODI ticks as two answers, PSFS activities as
    text with a decimal rating), then the score."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    bundle = patient_bundle(session, _patient(session, seeded_clinic.patient_id))
    found = _resources(bundle, "QuestionnaireResponse")
    first_day = min(r["authored"] for r in found)  # the full set; a later ODI follows
    responses = {
        r["questionnaire"].rsplit(":", 1)[1]: r for r in found if r["authored"] == first_day
    }
    assert set(responses) == {name for name, _ in QUESTIONNAIRES}
    for instrument, text in QUESTIONNAIRES:
        response = responses[instrument]
        assert response["status"] == "completed"
        parsed = questionnaires.parse_answers(instrument, text)
        items = response["item"]
        assert items[-1]["linkId"] == "score"
        assert [i["linkId"] for i in items[:-1]] == [str(n) for n in range(1, len(parsed) + 1)]
    odi = responses["odi"]["item"]
    assert odi[7]["answer"] == [{"valueInteger": 1}, {"valueInteger": 2}]
    assert odi[0]["answer"] == [{"valueInteger": 2}]
    psfs = responses["psfs"]["item"]
    assert psfs[1] == {"linkId": "2", "text": "lift my child", "answer": [{"valueDecimal": 2.5}]}
    assert psfs[-1]["answer"] == [{"valueDecimal": 3.25}]
    nprs = responses["nprs"]["item"]
    assert [i["answer"][0]["valueInteger"] for i in nprs[:3]] == [5, 3, 7]


def test_careplan_of_the_current_version(seeded_session: Session, seeded_db: SeededDb) -> None:
    """The CarePlan is the newest plan version (active, intent plan): one activity per item
    with the exercise, the dose in words, the schedule days, the reasons and the logged
    sessions; the notes give the version's reason and each item's reasons."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    history = plans.history(session, patient)
    assert history is not None
    assert history.latest.version >= 2
    plan = history.current
    (care,) = _resources(patient_bundle(session, patient), "CarePlan")
    assert care["status"] == "active"
    assert care["intent"] == "plan"
    assert care["title"].endswith(f"version {history.latest.version}")
    assert len(care["activity"]) == len(plan.items)
    for item, activity in zip(plan.items, care["activity"], strict=True):
        detail = activity["detail"]
        assert detail["code"]["coding"][0]["code"] == item.exercise_id
        assert detail["code"]["text"] == item.name
        assert detail["description"].startswith(describe_dose(item.dose))
        assert detail["scheduledTiming"]["repeat"]["dayOfWeek"] == list(item.schedule.days)
        assert [r["text"] for r in detail["reasonCode"]] == [r.title for r in item.reasons]
        if item.exercise_id in LOGGED:
            assert detail["status"] == "in-progress"
            assert activity["progress"][0]["text"].startswith(
                f"{len(seeded_clinic.logged_days)} session(s) logged"
            )
        else:
            assert detail["status"] == "scheduled"
            assert "progress" not in activity
    notes = [n["text"] for n in care["note"]]
    assert notes[0].startswith(f"Version {history.latest.version} ")
    assert history.latest.reason in notes[0]
    for item in plan.items:
        assert any(n.startswith(f"{item.name}: {item.reasons[0].title}") for n in notes)


def test_blocked_plan_is_on_hold(seeded_session: Session, seeded_db: SeededDb) -> None:
    """A red flag's blocked plan is an on-hold CarePlan without activities whose notes carry
    the referral message and the red-flag answers."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.blocked_patient_id)
    plan = plans.current_plan(session, patient)
    assert plan is not None
    assert plan.blocked
    (care,) = _resources(patient_bundle(session, patient), "CarePlan")
    assert care["status"] == "on-hold"
    assert "activity" not in care
    notes = [n["text"] for n in care["note"]]
    assert f"On hold: {plan.message}" in notes
    assert any("saddle_numbness" in n for n in notes)


def test_export_is_stable(seeded_session: Session, seeded_db: SeededDb) -> None:
    """The same data gives the same resources and ids (only the bundle timestamp moves), and
    another patient's data never appears."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    first, second = patient_bundle(session, patient), patient_bundle(session, patient)
    assert first["entry"] == second["entry"]
    assert "Sam South" not in json.dumps(first)


def test_validation_catches_model_and_code_errors(
    seeded_session: Session, seeded_db: SeededDb
) -> None:
    """The bundle check fails on a structural error (a missing required status, an unknown
    field, a bad date) and on a code outside a required value set (gender, CarePlan status)."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    bundle = patient_bundle(session, _patient(session, seeded_clinic.patient_id))
    validate_bundle(bundle)
    index = {
        e["resource"]["resourceType"]: i for i, e in reversed(list(enumerate(bundle["entry"])))
    }

    def broken(kind: str, **change: Any) -> dict[str, Any]:
        copied = copy.deepcopy(bundle)
        resource = copied["entry"][index[kind]]["resource"]
        for key, value in change.items():
            if value is None:
                del resource[key]
            else:
                resource[key] = value
        return copied

    cases = [
        (broken("Observation", status=None), "status"),
        (broken("Observation", colour="red"), "colour"),
        (broken("Observation", effectiveDateTime="yesterday"), "effectiveDateTime"),
        (broken("Patient", gender="f"), "Patient.gender"),
        (broken("CarePlan", status="ongoing"), "CarePlan.status"),
    ]
    for document, named in cases:
        with pytest.raises(FhirExportError) as caught:
            validate_bundle(document)
        assert named in str(caught.value)


def test_unknown_measure_stops_the_export(seeded_session: Session, seeded_db: SeededDb) -> None:
    """An outcome measure without a FHIR coding is an error naming it, not a unitless value."""
    session, seeded_clinic = seeded_session, seeded_db.clinic
    patient = _patient(session, seeded_clinic.patient_id)
    add_outcome(
        session,
        patient_id=patient.id,
        measure="grip_kg",
        date=max(seeded_clinic.logged_days),
        value=30,
    )
    with pytest.raises(FhirExportError, match="grip_kg"):
        patient_bundle(session, patient)
