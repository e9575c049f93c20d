"""FHIR R4 export of one patient. Input: a session and a :class:`~backrehab.db.models.Patient`.
Output: a ``collection`` Bundle (JSON-ready dict) with the Patient, one Observation per outcome
value and per camera measurement (UCUM units), one QuestionnaireResponse per questionnaire and
the CarePlan of the current plan version, validated by the models of :data:`FHIR_MODELS`.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.assess import questionnaires
from backrehab.assess.findings import Finding
from backrehab.db.models import (
    AssessmentRecord,
    Outcome,
    Patient,
    PlanRecord,
    QuestionnaireResponse,
    SessionLogRecord,
)
from backrehab.errors import BackrehabError
from backrehab.plan.dosing import describe_dose
from backrehab.plan.engine import Plan, PlanItem
from backrehab.plan.history import PlanHistory
from backrehab.web.services import plans

FHIR_MODELS: Final = "fhir.resources.R4B"
"""The models the Bundle is validated with. fhir.resources 8 ships R5 (default), R4B and STU3;
R4B (4.3.0) changed only the medication-definition, evidence and subscription resources, so
Patient, Observation, QuestionnaireResponse, CarePlan and Bundle are those of R4 (4.0.1)
(https://hl7.org/fhir/R4B/r4b-explanation.html)."""

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
MEASURE_SYSTEM: Final = "urn:backrehab:measure"
"""Our own CodeSystem: outcome measure names (``odi``, ``endurance.flexor_s``...) and finding
codes (``posture.forward_head``...), always given next to a LOINC code where one exists."""
EXERCISE_SYSTEM: Final = "urn:backrehab:exercise"
"""Our own CodeSystem of exercise-library ids (plan activities)."""
QUESTIONNAIRE_CANONICAL: Final = "urn:backrehab:questionnaire:{instrument}"
CATEGORY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
_NAMESPACE: Final = uuid.UUID("6f1c2a4e-3b7d-5e8f-9a0b-1c2d3e4f5a6b")


class FhirExportError(BackrehabError):
    """The export does not satisfy the FHIR models: a bug in this module, never bad input."""


@dataclass(frozen=True, slots=True)
class Measure:
    """How one stored outcome measure is coded: display, UCUM unit, LOINC code (or None)."""

    display: str
    ucum: str
    loinc: str | None = None
    loinc_display: str = ""
    instrument: str | None = None


MEASURES: Final[Mapping[str, Measure]] = {
    # LOINC codes checked on loinc.org (2026): 97909-6 "Oswestry disability index score ODI"
    # (panel 97908-8); 91351-7 "Total score [STarT Back]" and 91350-9 "Distress subscore
    # [STarT Back]" (the psychosocial "psych score", items 5-9; panel 91349-1).
    "odi": Measure(
        "Oswestry Disability Index (percent)",
        "%",
        "97909-6",
        "Oswestry disability index score ODI",
        "odi",
    ),
    "startback_total": Measure(
        "STarT Back total score", "{score}", "91351-7", "Total score [STarT Back]", "startback"
    ),
    "startback_psychosocial": Measure(
        "STarT Back psychosocial subscore",
        "{score}",
        "91350-9",
        "Distress subscore [STarT Back]",
        "startback",
    ),
    # No LOINC code found for the RMDQ, the PSFS or the FABQ subscales: our own codes only.
    "rmdq": Measure("Roland-Morris Disability Questionnaire score", "{score}", None, "", "rmdq"),
    "psfs": Measure("Patient-Specific Functional Scale mean rating", "{score}", None, "", "psfs"),
    "fabq_pa": Measure("FABQ physical activity subscale", "{score}", None, "", "fabq"),
    "fabq_w": Measure("FABQ work subscale", "{score}", None, "", "fabq"),
    # LOINC 72514-3 is one reported 0-10 rating; the stored NPRS outcome is the mean of the
    # current, least and worst pain in 24 h when all three were given, so it is not claimed.
    "nprs": Measure(
        "Numeric Pain Rating Scale (mean of current, least and worst in 24 h, else current)",
        "{score}",
        None,
        "",
        "nprs",
    ),
    "endurance.flexor_s": Measure("Trunk flexor endurance hold time", "s"),
    "endurance.extensor_s": Measure("Trunk extensor (Biering-Sørensen) hold time", "s"),
    "endurance.side_left_s": Measure("Side bridge hold time, left", "s"),
    "endurance.side_right_s": Measure("Side bridge hold time, right", "s"),
}
"""Every outcome measure the web services store (``assessments._outcome_values`` and the
endurance battery), with its coding. An unknown measure stops the export (:class:`FhirExportError`)
rather than leaving a value without a unit."""

FINDING_UNITS: Final[Mapping[str, tuple[str, str]]] = {
    "deg": ("deg", "deg"),
    "s": ("s", "s"),
    "points": ("{score}", "score"),
    "percent": ("%", "%"),
    "ratio": ("1", "ratio"),
    "trunk_lengths": ("{trunk_lengths}", "trunk lengths"),
}
"""Finding unit -> (UCUM code, unit text) for camera measurements."""

CAMERA_PARTS: Final = ("posture", "screen", "hold", "ergonomics")
"""Assessment parts (name prefixes) that come from a photo or video analysis."""

_CODES: Final[Mapping[tuple[str, str], frozenset[str]]] = {
    # Required bindings, which the fhir.resources models do not check (R4 value sets).
    ("Bundle", "type"): frozenset({"collection"}),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Observation", "status"): frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled"}
        | {"entered-in-error", "unknown"}
    ),
    ("QuestionnaireResponse", "status"): frozenset(
        {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
    ),
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
}
_ACTIVITY_STATUS: Final = frozenset(
    {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped"}
    | {"unknown", "entered-in-error"}
)
_DAYS_OF_WEEK: Final = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"})


def _uid(patient: Patient, kind: str, key: object) -> str:
    """A stable UUID of one resource (the same data gives the same Bundle)."""
    return str(uuid.uuid5(_NAMESPACE, f"{patient.clinic_id}:{patient.id}:{kind}:{key}"))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": display}]}]


def _quantity(value: float, ucum: str, unit: str) -> dict[str, Any]:
    if not math.isfinite(value):
        raise FhirExportError("FHIR export: a measured value is not a finite number.")
    return {"value": value, "unit": unit, "system": UCUM, "code": ucum}


def _instant(value: dt.datetime) -> str:
    """A FHIR instant in UTC, written the way the models write it (``...Z``)."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def patient_resource(patient: Patient) -> dict[str, Any]:
    """The Patient: pseudonymous reference as identifier, display name if any, gender."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _uid(patient, "patient", patient.id),
        "identifier": [
            {"system": f"urn:backrehab:clinic:{patient.clinic_id}:patient", "value": patient.ref}
        ],
        "active": True,
    }
    if patient.display_name.strip():
        resource["name"] = [{"text": patient.display_name.strip()}]
    if patient.sex in ("female", "male"):
        resource["gender"] = patient.sex
    return resource


# --- questionnaires --------------------------------------------------------------------------


def _answer(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, tuple):  # several ticked statements of one ODI section
        return [a for v in value for a in _answer(v)]
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int):
        return [{"valueInteger": value}]
    if isinstance(value, float):
        return [{"valueDecimal": value}]
    return [{"valueString": str(value)}]


_NPRS_ITEMS: Final = ("Pain now", "Least pain in the last 24 h", "Worst pain in the last 24 h")


def _items(instrument: str, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Items of one stored questionnaire (answers kept as the parser's text form)."""
    text = answers.get("text")
    if not isinstance(text, str):
        raise FhirExportError(
            f"FHIR export: a stored {instrument} questionnaire has no answer text.",
            detail=f"answers={dict(answers)!r}",
        )
    parsed = questionnaires.parse_answers(instrument, text)
    items: list[dict[str, Any]] = []
    for number, value in enumerate(parsed, start=1):
        item: dict[str, Any] = {"linkId": str(number)}
        if instrument == "psfs":
            activity, rating = value
            item["text"] = activity
            item["answer"] = [{"valueDecimal": float(rating)}]
        else:
            if instrument == "nprs":
                item["text"] = _NPRS_ITEMS[number - 1]
            answer = _answer(value)
            if answer:
                item["answer"] = answer
        items.append(item)
    return items


def questionnaire_resource(
    patient: Patient, row: QuestionnaireResponse, subject: dict[str, str]
) -> dict[str, Any]:
    """One QuestionnaireResponse (status completed) with the answers and the score."""
    items = _items(row.instrument, row.answers)
    if row.score is not None:
        items.append(
            {"linkId": "score", "text": "Score", "answer": [{"valueDecimal": float(row.score)}]}
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _uid(patient, "questionnaire", row.id),
        "identifier": {
            "system": f"urn:backrehab:clinic:{patient.clinic_id}:questionnaire",
            "value": str(row.id),
        },
        "questionnaire": QUESTIONNAIRE_CANONICAL.format(instrument=row.instrument),
        "status": "completed",
        "subject": subject,
        "authored": row.taken_on.isoformat(),
        "item": items,
    }


# --- observations ----------------------------------------------------------------------------


def outcome_observation(
    patient: Patient,
    row: Outcome,
    subject: dict[str, str],
    derived_from: str | None,
) -> dict[str, Any]:
    """One Observation of a stored outcome value (survey or exam category)."""
    measure = MEASURES.get(row.measure)
    if measure is None:
        raise FhirExportError(
            f"FHIR export: the outcome measure {row.measure!r} has no FHIR coding yet.",
            detail="add it to backrehab.web.services.fhir.MEASURES",
        )
    coding = [{"system": MEASURE_SYSTEM, "code": row.measure, "display": measure.display}]
    if measure.loinc is not None:
        coding.insert(0, {"system": LOINC, "code": measure.loinc, "display": measure.loinc_display})
    survey = measure.instrument is not None
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uid(patient, "outcome", row.id),
        "status": "final",
        "category": _category("survey", "Survey") if survey else _category("exam", "Exam"),
        "code": {"coding": coding, "text": measure.display},
        "subject": subject,
        "effectiveDateTime": row.date.isoformat(),
        "valueQuantity": _quantity(row.value, measure.ucum, measure.ucum.strip("{}")),
    }
    if derived_from is not None:
        resource["derivedFrom"] = [{"reference": derived_from}]
    return resource


def camera_findings(record: AssessmentRecord) -> Iterator[tuple[str, Finding]]:
    """(part name, finding) of the camera parts of an assessment that carry a value."""
    for name in sorted(record.parts):
        if name.split(".", 1)[0] not in CAMERA_PARTS:
            continue
        for raw in record.parts[name].get("findings", []):
            finding = Finding.model_validate(raw)
            if finding.value is not None:
                yield name, finding


def finding_observation(
    patient: Patient,
    record: AssessmentRecord,
    part: str,
    index: int,
    finding: Finding,
    subject: dict[str, str],
) -> dict[str, Any]:
    """One Observation (category exam) of a camera measurement."""
    assert finding.value is not None
    unit = FINDING_UNITS.get(finding.unit)
    if unit is None:
        raise FhirExportError(
            f"FHIR export: the unit {finding.unit!r} of {finding.code} has no UCUM code yet.",
            detail="add it to backrehab.web.services.fhir.FINDING_UNITS",
        )
    notes = [f"severity: {finding.severity.value}", f"confidence {finding.confidence:g}"]
    if finding.norm:
        notes.append(f"norm: {finding.norm}")
    if finding.side != "none":
        notes.append(f"side: {finding.side}")
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uid(patient, "finding", f"{record.id}:{part}:{index}"),
        "status": "final",
        "category": _category("exam", "Exam"),
        "code": {
            "coding": [{"system": MEASURE_SYSTEM, "code": finding.code, "display": finding.title}],
            "text": finding.title,
        },
        "subject": subject,
        "effectiveDateTime": _instant(record.assessed_at),
        "valueQuantity": _quantity(finding.value, *unit),
        "method": {
            "text": f"camera analysis ({part})" + (f"; {finding.source}" if finding.source else "")
        },
        "note": [{"text": "; ".join(notes)}],
    }
    return resource


# --- care plan -------------------------------------------------------------------------------


def _timing(item: PlanItem) -> dict[str, Any] | None:
    days = list(item.schedule.days)
    if not days:
        return None
    repeat: dict[str, Any] = {
        "dayOfWeek": days,
        "timeOfDay": [f"{item.schedule.time_of_day}:00"],
    }
    if item.schedule.minutes > 0:
        repeat.update(duration=round(item.schedule.minutes, 2), durationUnit="min")
    return {"repeat": repeat}


def _progress(logs: list[SessionLogRecord]) -> list[dict[str, Any]]:
    if not logs:
        return []
    zones = Counter(log.zone or "not judged" for log in logs)
    shown = ", ".join(f"{zone} {count}" for zone, count in sorted(zones.items()))
    text = (
        f"{len(logs)} session(s) logged, {logs[0].date.isoformat()} to "
        f"{logs[-1].date.isoformat()}; zones: {shown}"
    )
    return [{"text": text}]


def _activity(item: PlanItem, logs: list[SessionLogRecord]) -> dict[str, Any]:
    days = ", ".join(item.schedule.days) or "no days"
    detail: dict[str, Any] = {
        "code": {
            "coding": [{"system": EXERCISE_SYSTEM, "code": item.exercise_id, "display": item.name}],
            "text": item.name,
        },
        "reasonCode": [{"text": r.title} for r in item.reasons],
        "status": "in-progress" if logs else "scheduled",
        "description": f"{describe_dose(item.dose)} ({item.setting}; {days})",
    }
    timing = _timing(item)
    if timing is not None:
        detail["scheduledTiming"] = timing
    activity: dict[str, Any] = {"detail": detail}
    progress = _progress(logs)
    if progress:
        activity["progress"] = progress
    return activity


def _plan_notes(history: PlanHistory, plan: Plan) -> list[dict[str, Any]]:
    latest = history.latest
    notes = [f"Version {latest.version} ({latest.action}) by {latest.author}: {latest.reason}"]
    if plan.blocked:
        notes.append(f"On hold: {plan.message}")
        if plan.triggers:
            notes.append("Red-flag answers: " + ", ".join(plan.triggers))
    for item in plan.items:
        why = "; ".join(
            r.title + (f" (findings: {', '.join(r.findings)})" if r.findings else "")
            for r in item.reasons
        )
        notes.append(f"{item.name}: {why}")
    notes.extend(n.text for n in plan.notices)
    notes.extend(f"Deferred {d.exercise_id}: {d.reason}" for d in plan.deferred)
    notes.extend(f"Excluded {e.exercise_id}: {e.reason}" for e in plan.excluded)
    return [{"text": n} for n in notes]


def careplan_resource(
    session: Session,
    patient: Patient,
    record: PlanRecord,
    history: PlanHistory,
    subject: dict[str, str],
) -> dict[str, Any]:
    """The CarePlan of the current plan version (on-hold when a red flag blocked the plan)."""
    plan = history.current
    stmt = (
        select(SessionLogRecord)
        .where(SessionLogRecord.patient_id == patient.id)
        .order_by(SessionLogRecord.date, SessionLogRecord.id)
    )
    by_exercise: dict[str, list[SessionLogRecord]] = {}
    for log in session.scalars(stmt):
        by_exercise.setdefault(log.exercise_id, []).append(log)
    latest = history.latest
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": _uid(patient, "plan", f"{record.id}:{latest.version}"),
        "identifier": [
            {
                "system": f"urn:backrehab:clinic:{patient.clinic_id}:plan",
                "value": f"{record.id}/v{latest.version}",
            }
        ],
        "status": "on-hold" if plan.blocked else "active",
        "intent": "plan",
        "title": f"Back rehabilitation plan, version {latest.version}",
        "description": (
            plan.message
            if plan.blocked
            else f"{len(plan.items)} item(s); home budget {plan.budget_min:g} min a day"
        ),
        "subject": subject,
        "period": {"start": _instant(history.versions[0].timestamp)},
        "created": _instant(history.versions[0].timestamp),
        "author": {"display": latest.author},
        "activity": [_activity(i, by_exercise.get(i.exercise_id, [])) for i in plan.items],
        "note": _plan_notes(history, plan),
    }
    if not resource["activity"]:
        del resource["activity"]
    return resource


# --- the bundle ------------------------------------------------------------------------------


def _check_codes(bundle: Mapping[str, Any]) -> None:
    """Codes of required bindings, which the models accept whatever they are."""
    problems: list[str] = []
    if bundle.get("type") not in _CODES[("Bundle", "type")]:
        problems.append(f"Bundle.type {bundle.get('type')!r}")
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        for (rtype, field), allowed in _CODES.items():
            if rtype == kind and field in resource and resource[field] not in allowed:
                problems.append(f"{kind}.{field} {resource[field]!r}")
        for activity in resource.get("activity", []):
            detail = activity.get("detail", {})
            if detail.get("status") not in _ACTIVITY_STATUS:
                problems.append(f"CarePlan.activity.detail.status {detail.get('status')!r}")
            days = detail.get("scheduledTiming", {}).get("repeat", {}).get("dayOfWeek", [])
            problems.extend(
                f"Timing.repeat.dayOfWeek {d!r}" for d in days if d not in _DAYS_OF_WEEK
            )
    if problems:
        raise FhirExportError(
            "FHIR export: codes outside their required value sets.", detail="; ".join(problems)
        )


def validate_bundle(bundle: Mapping[str, Any]) -> None:
    """Check ``bundle`` with the :data:`FHIR_MODELS` models and the required value sets."""
    try:
        Bundle.model_validate(dict(bundle))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise FhirExportError(
            "FHIR export: the bundle does not match the FHIR R4 models.", detail=problems
        ) from exc
    _check_codes(bundle)


def patient_bundle(session: Session, patient: Patient) -> dict[str, Any]:
    """The patient's FHIR R4 Bundle (type ``collection``), validated.

    Coding: LOINC 97909-6 (ODI percent), 91351-7 (STarT Back total) and 91350-9 (STarT Back
    psychosocial / distress subscore); every other measure (RMDQ, NPRS, PSFS, FABQ subscales,
    endurance hold times, camera measurements) carries only our own code in
    :data:`MEASURE_SYSTEM`, which is also given next to each LOINC code. Units are UCUM
    (``%``, ``{score}``, ``s``, ``deg``, ``1``). The caller records the read in the audit log.

    Raises
    ------
    FhirExportError
        The bundle fails the FHIR models or a required value set (a bug, not bad input), or a
        stored measure or unit has no coding yet.
    """
    patient_res = patient_resource(patient)
    subject = {"reference": f"urn:uuid:{patient_res['id']}"}
    entries = [_entry(patient_res)]

    rows = session.scalars(
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.patient_id == patient.id)
        .order_by(QuestionnaireResponse.taken_on, QuestionnaireResponse.id)
    ).all()
    responses = [questionnaire_resource(patient, row, subject) for row in rows]
    by_day = {
        (row.instrument, row.taken_on): res["id"] for row, res in zip(rows, responses, strict=True)
    }

    outcomes = session.scalars(
        select(Outcome).where(Outcome.patient_id == patient.id).order_by(Outcome.date, Outcome.id)
    ).all()
    for row in outcomes:
        instrument = MEASURES[row.measure].instrument if row.measure in MEASURES else None
        source = by_day.get((instrument, row.date)) if instrument else None
        derived = f"urn:uuid:{source}" if source else None
        entries.append(_entry(outcome_observation(patient, row, subject, derived)))

    records = session.scalars(
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient.id)
        .order_by(AssessmentRecord.assessed_at, AssessmentRecord.id)
    ).all()
    for record in records:
        for index, (part, finding) in enumerate(camera_findings(record)):
            entries.append(
                _entry(finding_observation(patient, record, part, index, finding, subject))
            )
    entries.extend(_entry(r) for r in responses)

    plan_row = plans.plan_record(session, patient)
    history = plans.history(session, patient)
    if plan_row is not None and history is not None:
        entries.append(_entry(careplan_resource(session, patient, plan_row, history, subject)))

    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _uid(patient, "bundle", patient.id),
        "type": "collection",
        "timestamp": _instant(dt.datetime.now(dt.UTC)),
        "entry": entries,
    }
    validate_bundle(bundle)
    return bundle


__all__ = [
    "CAMERA_PARTS",
    "FHIR_MODELS",
    "FINDING_UNITS",
    "MEASURES",
    "MEASURE_SYSTEM",
    "FhirExportError",
    "patient_bundle",
    "validate_bundle",
]
