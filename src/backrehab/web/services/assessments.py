"""A patient's assessment, built part by part: questionnaires, the red-flag screen, typed
endurance times and the camera analyses (posture, movement screens, holds, ergonomics).

Each part is stored under its name in ``AssessmentRecord.parts`` (findings + raw result); the
:class:`~backrehab.assess.findings.Assessment` document is rebuilt from the parts in a fixed
order (red flags first) after every change, so re-taking a part replaces it and nothing else.
Questionnaire scores also become dated outcomes for progress tracking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from backrehab.assess import from_media, questionnaires, red_flags
from backrehab.assess.endurance import EnduranceTest, times_from_mapping
from backrehab.assess.endurance_video import HoldTimingResult
from backrehab.assess.findings import Assessment, Finding
from backrehab.db.models import AssessmentRecord, Patient
from backrehab.db.repository import add_outcome, add_questionnaire, finding_rows
from backrehab.errors import InvalidResponseError
from backrehab.plan.rules import CONTEXT_KEY
from backrehab.web.services.actor import Actor, audit

PART_ORDER: Final = (
    "red_flags",
    "questionnaire",
    "endurance",
    "posture",
    "screen",
    "hold",
    "ergonomics",
)
"""Parts in document order, by the prefix of their name (``questionnaire.odi``...)."""

ENDURANCE_FIELDS: Final = ("flexor_s", "extensor_s", "side_left_s", "side_right_s")


def _order(name: str) -> tuple[int, str]:
    prefix = name.split(".", 1)[0]
    return (PART_ORDER.index(prefix) if prefix in PART_ORDER else len(PART_ORDER), name)


def latest_assessment(session: Session, patient: Patient) -> AssessmentRecord | None:
    """The patient's newest assessment record, or None."""
    stmt = (
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient.id)
        .order_by(AssessmentRecord.assessed_at.desc(), AssessmentRecord.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def start_assessment(session: Session, actor: Actor, patient: Patient) -> AssessmentRecord:
    """A new, empty assessment (a reassessment keeps the earlier ones unchanged)."""
    now = dt.datetime.now(dt.UTC)
    document = build_document(patient, {}, created_at=now)
    record = AssessmentRecord(
        patient_id=patient.id,
        assessed_at=now,
        schema_version=document.schema_version,
        document=document.model_dump(mode="json"),
        parts={},
    )
    session.add(record)
    session.flush()
    audit(session, actor, "create", "assessment", record.id, patient_id=patient.id)
    return record


def current_assessment(session: Session, actor: Actor, patient: Patient) -> AssessmentRecord:
    """The newest assessment, started if there is none."""
    return latest_assessment(session, patient) or start_assessment(session, actor, patient)


def build_document(
    patient: Patient, parts: Mapping[str, Any], *, created_at: dt.datetime
) -> Assessment:
    """The Assessment of ``parts`` in :data:`PART_ORDER`, with the patient's sex and context."""
    assessment = Assessment(
        created_at=created_at,
        patient_ref=patient.ref,
        settings={"sex": patient.sex, CONTEXT_KEY: dict(patient.context or {})},
    )
    for name in sorted(parts, key=_order):
        part = parts[name]
        assessment = assessment.with_findings(
            [Finding.model_validate(f) for f in part["findings"]],
            result_name=name,
            result=part["result"],
        )
    return assessment


def _store(session: Session, record: AssessmentRecord, patient: Patient) -> Assessment:
    document = build_document(patient, record.parts, created_at=record.assessed_at)
    record.document = document.model_dump(mode="json")
    record.findings.clear()
    session.flush()
    record.findings.extend(finding_rows(document.findings))
    session.flush()
    return document


def set_part(
    session: Session,
    actor: Actor,
    record: AssessmentRecord,
    patient: Patient,
    *,
    name: str,
    findings: list[dict[str, Any]],
    result: Any,
) -> Assessment:
    """Store (or replace) one part and rebuild the document; returns the new Assessment."""
    parts = dict(record.parts)
    parts[name] = {"findings": findings, "result": result}
    record.parts = parts
    document = _store(session, record, patient)
    audit(session, actor, "set_part", "assessment", record.id, part=name, patient_id=patient.id)
    return document


def refresh_context(session: Session, patient: Patient) -> None:
    """Write the patient's current sex and context into their newest assessment document."""
    record = latest_assessment(session, patient)
    if record is not None:
        _store(session, record, patient)


def load(record: AssessmentRecord) -> Assessment:
    """The validated Assessment of a record."""
    return Assessment.model_validate(record.document)


# --- parts that need no camera ---------------------------------------------------------------


def _outcome_values(result: dict[str, Any], employed: bool) -> dict[str, float]:
    name = result["instrument"]
    if name == "odi":
        return {"odi": result["percent"]} if result.get("percent") is not None else {}
    if name == "rmdq":
        return {"rmdq": result["score"]}
    if name == "nprs":
        mean = result.get("mean_of_three")
        return {"nprs": mean if mean is not None else result["current"]}
    if name == "psfs":
        return {"psfs": result["score"]}
    if name == "fabq":
        out = {"fabq_pa": result["physical_activity"]}
        if employed and result.get("work") is not None:
            out["fabq_w"] = result["work"]
        return out
    if name == "startback":
        return {
            "startback_total": result["total"],
            "startback_psychosocial": result["psychosocial"],
        }
    return {}


def answers_text(instrument: str, answers: str | list[Any]) -> str:
    """Answers as the questionnaire parser's text form (a list becomes ``"a,b,,c"``)."""
    if isinstance(answers, str):
        return answers
    if instrument == "psfs":
        raise InvalidResponseError('psfs: give the answers as text, e.g. "walk the dog=4;lift=2"')
    return ",".join("" if a is None else str(a) for a in answers)


def score_questionnaire(
    session: Session,
    actor: Actor,
    patient: Patient,
    *,
    instrument: str,
    answers: str | list[Any],
    taken_on: dt.date | None = None,
) -> dict[str, Any]:
    """Score one questionnaire, keep the answers, its outcomes and its assessment part.

    Returns the JSON-ready result (``instrument``, ``score`` and the instrument's sub-scores).
    Bad answers raise :class:`InvalidResponseError` naming the item; nothing is stored then.
    """
    if instrument not in questionnaires.INSTRUMENTS:
        raise InvalidResponseError(
            f"questionnaire: {instrument!r} is not one of {', '.join(questionnaires.INSTRUMENTS)}"
        )
    text = answers_text(instrument, answers)
    scored = questionnaires.score_instrument(
        instrument, questionnaires.parse_answers(instrument, text), employed=patient.employed
    )
    result = questionnaires.result_to_json_dict(scored)
    if not any(ch.isdigit() for ch in text):
        raise InvalidResponseError(f"{instrument}: no item was answered")
    if result.get("valid") is False:
        raise InvalidResponseError(
            f"{instrument}: only {result.get('answered')} sections answered; at least "
            f"{result.get('min_answered')} are needed for a score, so nothing was saved"
        )
    findings = [f.model_dump(mode="json") for f in questionnaires.findings_from(scored)]
    day = taken_on or dt.date.today()
    score = result.get("score")
    add_questionnaire(
        session,
        patient_id=patient.id,
        instrument=instrument,
        taken_on=day,
        answers={"text": text},
        score=float(score) if score is not None else None,
    )
    due = day + dt.timedelta(days=patient.questionnaire_interval_days)
    if patient.questionnaire_due_on is None or due > patient.questionnaire_due_on:
        patient.questionnaire_due_on = due
    for measure, value in _outcome_values(result, patient.employed).items():
        add_outcome(session, patient_id=patient.id, measure=measure, date=day, value=float(value))
    record = current_assessment(session, actor, patient)
    set_part(
        session,
        actor,
        record,
        patient,
        name=f"questionnaire.{instrument}",
        findings=findings,
        result=result,
    )
    return result


def screen_red_flags(
    session: Session, actor: Actor, patient: Patient, *, answers: Mapping[str, object]
) -> dict[str, Any]:
    """Run the red-flag screen (every question must be answered) and store its part."""
    intake = red_flags.intake_from_mapping(answers, require_all=True)
    result = red_flags.screen(intake)
    data: dict[str, Any] = result.model_dump(mode="json")
    findings = [f.model_dump(mode="json") for f in red_flags.findings_from(result)]
    record = current_assessment(session, actor, patient)
    set_part(session, actor, record, patient, name="red_flags", findings=findings, result=data)
    return data


def endurance_times(
    session: Session,
    actor: Actor,
    patient: Patient,
    *,
    times_s: Mapping[str, float | None],
    measured_on: dt.date | None = None,
) -> dict[str, Any]:
    """The McGill battery from typed times (any subset), combined with the tests of this
    assessment timed from video (:func:`rebuild_endurance`); stores its part and outcomes."""
    unknown = sorted(set(times_s) - set(ENDURANCE_FIELDS))
    if unknown:
        raise InvalidResponseError(f"endurance: unknown field(s) {', '.join(unknown)}")
    if all(times_s.get(k) is None for k in ENDURANCE_FIELDS):
        raise InvalidResponseError("endurance: give at least one hold time in seconds")
    typed = {k: v for k in ENDURANCE_FIELDS if (v := times_s.get(k)) is not None}
    times_from_mapping(typed)  # bad times named before anything is written
    day = measured_on or dt.date.today()
    for field, value in typed.items():
        add_outcome(
            session, patient_id=patient.id, measure=f"endurance.{field}", date=day, value=value
        )
    record = current_assessment(session, actor, patient)
    data = rebuild_endurance(session, actor, record, patient, typed_s=typed)
    assert data is not None  # at least one typed time
    return data


def _timed_holds(record: AssessmentRecord) -> list[from_media.TimedBatteryHold]:
    """The battery tests of this assessment timed from video (``hold.*`` parts of a flexor,
    Biering-Sorensen or side-bridge video in which a hold was found)."""
    out = []
    for name, part in sorted(record.parts.items()):
        result = part.get("result") or {}
        if not name.startswith("hold.") or "battery_test" not in result or not result["holds"]:
            continue
        timing = HoldTimingResult.model_validate(
            {k: v for k, v in result.items() if k in HoldTimingResult.model_fields}
        )
        test = EnduranceTest(result["battery_test"])
        out.append(from_media.TimedBatteryHold(test=test, video=name, timing=timing))
    return out


def rebuild_endurance(
    session: Session,
    actor: Actor,
    record: AssessmentRecord,
    patient: Patient,
    *,
    typed_s: Mapping[str, float | None] | None = None,
) -> dict[str, Any] | None:
    """One McGill battery for the visit: the typed times (``typed_s``, else those stored with
    the endurance part) and every battery test of this assessment timed from video, with the
    §3.3 ratios and flags across all of them. A typed time is the clinician's word: it takes the
    place of a video timing of the same test (which stays in its ``hold.*`` part). Stores the
    ``endurance`` part; returns its result (the findings are in the part), or None when there
    is nothing to combine.
    """
    stored = (record.parts.get("endurance") or {}).get("result") or {}
    typed = {
        k: v
        for k, v in (typed_s if typed_s is not None else stored.get("typed_s", {})).items()
        if v is not None
    }
    timed = [h for h in _timed_holds(record) if h.test.times_field not in typed]
    if not typed and not timed:
        return None
    data = from_media.endurance_battery(
        typed_s=typed,
        timed=timed,
        sex=patient.sex,  # type: ignore[arg-type]
    )
    data["typed_s"] = typed
    findings = data.pop("findings")
    set_part(session, actor, record, patient, name="endurance", findings=findings, result=data)
    return data
