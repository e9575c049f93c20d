"""A whole assessment from one intake document: questionnaires, red flags, endurance, posture,
movement screens and ergonomics, bundled as an :class:`~backrehab.assess.findings.Assessment`.

Input: a JSON-ready mapping (see ``docs/assessment-intake.md``); media paths are resolved against
a base folder. Output: an Assessment with every finding, the raw results and the settings used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab.assess import from_media, questionnaires, red_flags
from backrehab.assess.findings import Assessment, Finding
from backrehab.config import AnalysisConfig
from backrehab.errors import InvalidResponseError
from backrehab.pose.posefile import PoseCache


class ScreenRequest(BaseModel):
    """One movement-screen video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    video: str
    test: str


class HoldRequest(BaseModel):
    """One endurance-hold video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    video: str
    test: str


class ErgoRequest(BaseModel):
    """One workstation photo."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    photo: str
    method: str = "rula"


class Intake(BaseModel):
    """Everything gathered at an assessment visit (every part optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_ref: str = ""
    sex: Literal["female", "male"] | None = None
    employed: bool = True
    questionnaires: dict[str, str] = Field(default_factory=dict)
    red_flags: dict[str, Any] | None = None
    endurance_times_s: dict[str, float] | None = None
    posture_photos: dict[str, list[str]] = Field(default_factory=dict)
    screens: list[ScreenRequest] = Field(default_factory=list)
    holds: list[HoldRequest] = Field(default_factory=list)
    ergonomics: list[ErgoRequest] = Field(default_factory=list)


def parse_intake(data: Mapping[str, Any]) -> Intake:
    """Validate an intake document; problems name the field."""
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidResponseError(f"Invalid intake: {problems}", detail=str(exc)) from exc


def _findings(data: list[dict[str, Any]]) -> list[Finding]:
    return [Finding.model_validate(f) for f in data]


def build_assessment(
    intake: Intake,
    *,
    base_dir: str | os.PathLike[str] = ".",
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
) -> Assessment:
    """Run every instrument the intake asks for and bundle the results.

    The red-flag screen runs first; its findings come first. Nothing is skipped silently: a
    part that cannot be assessed raises its own clear error.
    """
    base = Path(base_dir)
    config = config or AnalysisConfig()
    assessment = Assessment(
        patient_ref=intake.patient_ref,
        settings={"analysis": config.model_dump(), "sex": intake.sex},
    )
    if intake.red_flags is not None:
        safety = red_flags.screen(red_flags.intake_from_mapping(intake.red_flags))
        assessment = assessment.with_findings(
            red_flags.findings_from(safety),
            result_name="red_flags",
            result=safety.model_dump(mode="json"),
        )
    for name, answers in intake.questionnaires.items():
        result = questionnaires.score_instrument(
            name, questionnaires.parse_answers(name, answers), employed=intake.employed
        )
        assessment = assessment.with_findings(
            questionnaires.findings_from(result),
            result_name=f"questionnaire.{name}",
            result=questionnaires.result_to_json_dict(result),
        )
    if intake.endurance_times_s is not None:
        times = intake.endurance_times_s
        data = from_media.endurance_from_times(
            flexor_s=times.get("flexor_s"),
            extensor_s=times.get("extensor_s"),
            side_left_s=times.get("side_left_s"),
            side_right_s=times.get("side_right_s"),
            sex=intake.sex,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name="endurance", result=data
        )
    for view, photos in intake.posture_photos.items():
        if view not in ("front", "side"):
            raise InvalidResponseError(f"posture_photos: view must be front or side, not '{view}'.")
        data = from_media.posture_from_photos(
            [base / p for p in photos],
            view=view,  # type: ignore[arg-type]
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"posture.{view}", result=data
        )
    for k, req in enumerate(intake.screens):
        data = from_media.screen_from_video(
            base / req.video,
            req.test,  # type: ignore[arg-type]
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"screen.{k}.{req.test}", result=data
        )
    for k, hold in enumerate(intake.holds):
        data = from_media.hold_from_video(
            base / hold.video,
            hold.test,  # type: ignore[arg-type]
            sex=intake.sex,
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"hold.{k}.{hold.test}", result=data
        )
    for k, ergo in enumerate(intake.ergonomics):
        data = from_media.ergonomics_from_photo(
            base / ergo.photo, ergo.method, config=config, cache=cache
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")),
            result_name=f"ergonomics.{k}.{ergo.method}",
            result=data,
        )
    return assessment
