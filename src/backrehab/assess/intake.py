"""A whole assessment from one intake document: questionnaires, red flags, endurance, posture,
movement screens and ergonomics, bundled as an :class:`~backrehab.assess.findings.Assessment`.

Input: a JSON-ready mapping (see ``docs/assessment-intake.md``); media paths are resolved against
a base folder. Output: an Assessment with every finding, the raw results and the settings used.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab.assess import from_media, questionnaires, red_flags
from backrehab.assess.endurance import EnduranceSettings, EnduranceTest, times_from_mapping
from backrehab.assess.endurance_video import HoldSettings, HoldTest
from backrehab.assess.findings import Assessment, Finding
from backrehab.assess.posture import PostureSettings
from backrehab.assess.screens import ScreenSettings, ScreenTest
from backrehab.config import AnalysisConfig
from backrehab.ergonomics.from_pose import PoseErgoSettings
from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.pose.posefile import PoseCache

_M = TypeVar("_M", bound=BaseModel)


class ScreenRequest(BaseModel):
    """One movement-screen video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    video: str
    test: ScreenTest


class HoldRequest(BaseModel):
    """One endurance-hold video.

    A battery test (``flexor``, ``biering_sorensen``, ``side_bridge``) joins the visit's McGill
    battery with the typed times; ``side`` (side bridge only) is the side it was filmed for,
    checked against the side seen in the video (default: the side seen).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    video: str
    test: HoldTest
    side: Literal["left", "right"] | None = None

    @property
    def battery_test(self) -> EnduranceTest | None:
        """The battery test this video times when known before timing, else None (a plank,
        or a side bridge without ``side``)."""
        if self.test == "plank" or (self.test == "side_bridge" and self.side is None):
            return None
        return EnduranceTest.from_hold_test(self.test, self.side or "none")


class QuestionnaireAnswers(BaseModel):
    """Answers of one questionnaire with the version of the form they were given on.

    ``version`` is checked by :func:`~backrehab.assess.questionnaires.check_version`: for the
    ODI only v2.1a is accepted (ODI v1.0 and the Fritz-modified ODI are refused, §1.1).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    answers: str
    version: str | None = None


class ErgoRequest(BaseModel):
    """One workstation photo."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    photo: str
    method: Literal["rula", "reba"] = "rula"
    neutral_photo: str | None = Field(
        None, description="side view of the same person upright, to calibrate the neck (§4.5)"
    )


class SettingsOverrides(BaseModel):
    """Changes to the PROJECT DEFAULT thresholds, per part; each maps a setting to its value.

    Keys are the fields of :class:`~backrehab.assess.questionnaires.QuestionnaireSettings`,
    :class:`~backrehab.assess.red_flags.RedFlagSettings`,
    :class:`~backrehab.assess.endurance.EnduranceSettings`,
    :class:`~backrehab.assess.posture.PostureSettings`,
    :class:`~backrehab.assess.screens.ScreenSettings`,
    :class:`~backrehab.assess.endurance_video.HoldSettings` and
    :class:`~backrehab.ergonomics.from_pose.PoseErgoSettings`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    questionnaires: dict[str, Any] = Field(default_factory=dict)
    red_flags: dict[str, Any] = Field(default_factory=dict)
    endurance: dict[str, Any] = Field(default_factory=dict)
    posture: dict[str, Any] = Field(default_factory=dict)
    screens: dict[str, Any] = Field(default_factory=dict)
    holds: dict[str, Any] = Field(default_factory=dict)
    ergonomics: dict[str, Any] = Field(default_factory=dict)


class Intake(BaseModel):
    """Everything gathered at an assessment visit (every part optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_ref: str = ""
    sex: Literal["female", "male"] | None = None
    employed: bool = True
    questionnaires: dict[str, str | QuestionnaireAnswers] = Field(default_factory=dict)
    red_flags: dict[str, Any] | None = None
    endurance_times_s: dict[str, Any] | None = None
    posture_photos: dict[Literal["front", "side"], list[str]] = Field(default_factory=dict)
    screens: list[ScreenRequest] = Field(default_factory=list)
    holds: list[HoldRequest] = Field(default_factory=list)
    ergonomics: list[ErgoRequest] = Field(default_factory=list)
    settings: SettingsOverrides = Field(default_factory=SettingsOverrides)


@dataclasses.dataclass(frozen=True, slots=True)
class AssessmentSettings:
    """Every threshold an assessment uses (PROJECT DEFAULT values unless overridden)."""

    questionnaires: questionnaires.QuestionnaireSettings
    red_flags: red_flags.RedFlagSettings
    endurance: EnduranceSettings
    posture: PostureSettings
    screens: ScreenSettings
    holds: HoldSettings
    ergonomics: PoseErgoSettings

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready: part -> setting -> value."""
        return {
            "questionnaires": dataclasses.asdict(self.questionnaires),
            "red_flags": self.red_flags.model_dump(mode="json"),
            "endurance": self.endurance.model_dump(mode="json"),
            "posture": self.posture.model_dump(mode="json"),
            "screens": self.screens.model_dump(mode="json"),
            "holds": self.holds.model_dump(mode="json"),
            "ergonomics": self.ergonomics.model_dump(mode="json"),
        }


def _problems(exc: ValidationError, where: str) -> str:
    return "; ".join(
        f"{'.'.join([where, *(str(p) for p in e['loc'])])}: {e['msg']}" for e in exc.errors()[:5]
    )


def _invalid_settings(where: str, exc: ValidationError | ConfigError) -> InvalidResponseError:
    if isinstance(exc, ValidationError):
        return InvalidResponseError(f"Invalid intake: {_problems(exc, where)}", detail=str(exc))
    return InvalidResponseError(f"Invalid intake: {where}: {exc.user_message}", detail=exc.detail)


def _questionnaire_settings(data: Mapping[str, Any]) -> questionnaires.QuestionnaireSettings:
    """QuestionnaireSettings from overrides, with strict types; errors name the field."""
    where = "settings.questionnaires"
    hints = get_type_hints(questionnaires.QuestionnaireSettings)
    for name, value in data.items():
        if name not in hints:
            raise InvalidResponseError(
                f"Invalid intake: {where}.{name}: not a setting; known: {', '.join(hints)}."
            )
        whole = hints[name] is int
        ok = not isinstance(value, bool) and isinstance(value, int if whole else int | float)
        if not ok:
            raise InvalidResponseError(
                f"Invalid intake: {where}.{name}: must be a "
                f"{'whole number' if whole else 'number'}, got {value!r}."
            )
    try:
        return questionnaires.QuestionnaireSettings(**data)
    except ConfigError as exc:
        raise _invalid_settings(where, exc) from exc


def _build(part: str, model: type[_M], data: Mapping[str, Any]) -> _M:
    """Validate the overrides of one part (strict types) into its settings model.

    Raises InvalidResponseError naming ``settings.<part>.<field>`` for an unknown setting, a
    value of the wrong type or out of range, or values that contradict each other.
    """
    try:
        return model.model_validate(dict(data), strict=True)
    except ValidationError as exc:
        raise _invalid_settings(f"settings.{part}", exc) from exc


def assessment_settings(intake: Intake) -> AssessmentSettings:
    """The thresholds of an intake: the defaults with its ``settings`` overrides applied.

    The screens' ``sex`` (FPPA limits) is the intake's ``sex`` unless the screens settings give
    one.

    Raises
    ------
    InvalidResponseError
        An unknown setting, a value of the wrong type, or an inconsistent set of values; the
        message names ``settings.<part>.<field>``.
    """
    o = intake.settings
    screens = {"sex": intake.sex, **o.screens}
    return AssessmentSettings(
        questionnaires=_questionnaire_settings(o.questionnaires),
        red_flags=_build("red_flags", red_flags.RedFlagSettings, o.red_flags),
        endurance=_build("endurance", EnduranceSettings, o.endurance),
        posture=_build("posture", PostureSettings, o.posture),
        screens=_build("screens", ScreenSettings, screens),
        holds=_build("holds", HoldSettings, o.holds),
        ergonomics=_build("ergonomics", PoseErgoSettings, o.ergonomics),
    )


def check_intake(intake: Intake) -> AssessmentSettings:
    """Check what the models alone cannot, before any media is analysed; return the settings.

    Raises
    ------
    InvalidResponseError
        Bad settings, an unknown questionnaire or bad answers (naming the item), bad red-flag
        answers, or bad endurance times (unknown field, not a number, negative, or none given);
        the message names the field.
    """
    unknown = sorted(
        k for k in intake.questionnaires if k.strip().lower() not in questionnaires.INSTRUMENTS
    )
    if unknown:
        raise InvalidResponseError(
            f"Invalid intake: questionnaires: unknown instrument(s) {', '.join(unknown)}; "
            f"known: {', '.join(questionnaires.INSTRUMENTS)}."
        )
    chosen = assessment_settings(intake)
    for name, entry in intake.questionnaires.items():  # cheap: score now, fail early
        _score_questionnaire(intake, name, entry, chosen)
    if intake.red_flags is not None:
        red_flags.intake_from_mapping(intake.red_flags)
    given: dict[EnduranceTest, str] = {}
    if intake.endurance_times_s is not None:
        times = intake.endurance_times_s
        if "sex" in times:
            raise InvalidResponseError(
                "Invalid intake: endurance_times_s.sex: give sex once, at the top of the intake."
            )
        typed = times_from_mapping(times)  # unknown fields and bad times are named here
        if all(v is None for v in times.values()):
            raise InvalidResponseError(
                "Invalid intake: endurance_times_s gives no hold time (flexor_s, extensor_s, "
                "side_left_s, side_right_s)."
            )
        given = {
            t: f"endurance_times_s.{t.times_field}"
            for t in EnduranceTest
            if typed.time_of(t) is not None
        }
    for k, hold in enumerate(intake.holds):
        if hold.side is not None and hold.test != "side_bridge":
            raise InvalidResponseError(
                f"Invalid intake: holds.{k}.side: only a side_bridge has a side, not a {hold.test}."
            )
        test = hold.battery_test
        if test is None:
            continue
        if test in given:
            raise InvalidResponseError(
                f"Invalid intake: holds.{k}: the {test.value.replace('_', ' ')} test is already "
                f"given by {given[test]}; give each battery test once, typed or from one video."
            )
        given[test] = f"holds.{k}"
    return chosen


def _score_questionnaire(
    intake: Intake,
    name: str,
    entry: str | QuestionnaireAnswers,
    chosen: AssessmentSettings,
) -> questionnaires.QuestionnaireResult:
    """Score one questionnaire of the intake; a refused version names ``questionnaires.<name>``."""
    answers, version = (entry, None) if isinstance(entry, str) else (entry.answers, entry.version)
    try:
        questionnaires.check_version(name, version)
    except InvalidResponseError as exc:
        raise InvalidResponseError(
            f"Invalid intake: questionnaires.{name}.version: {exc.user_message}",
            detail=exc.detail,
        ) from exc
    return questionnaires.score_instrument(
        name,
        questionnaires.parse_answers(name, answers),
        employed=intake.employed,
        settings=chosen.questionnaires,
        version=version,
    )


def parse_intake(data: Mapping[str, Any]) -> Intake:
    """Validate an intake document; problems name the field.

    Questionnaire names, test names, methods, views, endurance fields and settings are all
    checked here (see :func:`check_intake`), before any media is analysed.
    """
    try:
        intake = Intake.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidResponseError(f"Invalid intake: {problems}", detail=str(exc)) from exc
    check_intake(intake)
    return intake


_YELLOW_FLAG = "psychosocial_high_risk"


def _yellow_flags(results: list[questionnaires.QuestionnaireResult]) -> list[str]:
    """§9.3 yellow flags in the questionnaire results: STarT Back high risk, elevated FABQ."""
    found = []
    for r in results:
        if isinstance(r, questionnaires.StartBackResult) and r.risk == "high":
            found.append("STarT Back high risk")
        if isinstance(r, questionnaires.FabqResult) and (r.elevated_pa or r.elevated_work):
            found.append("elevated FABQ")
    return found


def _media_paths(intake: Intake, base: Path) -> list[Path]:
    paths = [base / p for photos in intake.posture_photos.values() for p in photos]
    paths += [base / r.video for r in intake.screens]
    paths += [base / r.video for r in intake.holds]
    paths += [base / r.photo for r in intake.ergonomics]
    paths += [base / r.neutral_photo for r in intake.ergonomics if r.neutral_photo]
    return paths


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

    Every media file is checked to exist before anything is analysed. The red-flag screen runs
    first; its findings come first. When the intake has a red-flag part, a STarT Back high risk
    or an elevated FABQ also answers ``psychosocial_high_risk`` (routine review, §9.3), with a
    note saying so; without a red-flag part no screen is invented. The typed endurance times
    and the battery-test hold videos (flexor, Biering-Sørensen, side bridges) form one McGill
    battery (result ``endurance``, with each test's source); each video's holds are also kept as
    ``hold.<k>.<test>``. Nothing is skipped silently:
    a part that cannot be assessed raises its own clear error. ``Assessment.settings`` records
    the analysis configuration, sex, employment and every threshold used (see
    :class:`AssessmentSettings`).

    Raises
    ------
    InvalidResponseError
        A media file is missing, or any part's input is invalid (the message names it).
    """
    chosen = check_intake(intake)
    base = Path(base_dir)
    missing = [str(p) for p in _media_paths(intake, base) if not p.is_file()]
    if missing:
        raise InvalidResponseError(
            f"Intake media not found: {', '.join(missing)} (paths are relative to {base})."
        )
    config = config or AnalysisConfig()
    assessment = Assessment(
        patient_ref=intake.patient_ref,
        settings={
            "analysis": config.model_dump(mode="json"),
            "sex": intake.sex,
            "employed": intake.employed,
            **chosen.to_json_dict(),
        },
    )
    scored = [
        (name, _score_questionnaire(intake, name, entry, chosen))
        for name, entry in intake.questionnaires.items()
    ]
    if intake.red_flags is not None:
        answers = dict(intake.red_flags)
        yellow = _yellow_flags([result for _, result in scored])
        derived = bool(yellow) and answers.get(_YELLOW_FLAG) is not True
        if derived:
            answers[_YELLOW_FLAG] = True
        safety = red_flags.screen(red_flags.intake_from_mapping(answers), settings=chosen.red_flags)
        if derived:
            note = f"{_YELLOW_FLAG} set from the questionnaires ({'; '.join(yellow)}), §9.3."
            safety = safety.model_copy(update={"notes": (*safety.notes, note)})
        assessment = assessment.with_findings(
            red_flags.findings_from(safety),
            result_name="red_flags",
            result=safety.model_dump(mode="json"),
        )
    for name, result in scored:
        assessment = assessment.with_findings(
            questionnaires.findings_from(result, settings=chosen.questionnaires),
            result_name=f"questionnaire.{name}",
            result=questionnaires.result_to_json_dict(result),
        )
    battery_holds = {  # video-timed battery tests join the typed times in one battery
        k: from_media.time_battery_hold(
            base / hold.video,
            hold.battery_test or hold.test,
            settings=chosen.holds,
            config=config,
            cache=cache,
        )
        for k, hold in enumerate(intake.holds)
        if hold.test != "plank"
    }
    if intake.endurance_times_s is not None or battery_holds:
        data = from_media.endurance_battery(
            typed_s=intake.endurance_times_s,
            timed=list(battery_holds.values()),
            sex=intake.sex,
            settings=chosen.endurance,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name="endurance", result=data
        )
    for view, photos in intake.posture_photos.items():
        data = from_media.posture_from_photos(
            [base / p for p in photos],
            view=view,
            settings=chosen.posture,
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"posture.{view}", result=data
        )
    for k, req in enumerate(intake.screens):
        data = from_media.screen_from_video(
            base / req.video, req.test, settings=chosen.screens, config=config, cache=cache
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"screen.{k}.{req.test}", result=data
        )
    for k, hold in enumerate(intake.holds):
        if k in battery_holds:  # its findings are the battery's, above
            timed = battery_holds[k]
            data = {
                **timed.timing.model_dump(mode="json"),
                "battery_test": timed.test.value,
                "in_battery": "endurance",
            }
            assessment = assessment.with_findings(
                [], result_name=f"hold.{k}.{hold.test}", result=data
            )
            continue
        data = from_media.hold_from_video(
            base / hold.video,
            hold.test,
            sex=intake.sex,
            settings=chosen.holds,
            endurance_settings=chosen.endurance,
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")), result_name=f"hold.{k}.{hold.test}", result=data
        )
    for k, ergo in enumerate(intake.ergonomics):
        data = from_media.ergonomics_from_photo(
            base / ergo.photo,
            ergo.method,
            neutral_photo=base / ergo.neutral_photo if ergo.neutral_photo else None,
            settings=chosen.ergonomics,
            config=config,
            cache=cache,
        )
        assessment = assessment.with_findings(
            _findings(data.pop("findings")),
            result_name=f"ergonomics.{k}.{ergo.method}",
            result=data,
        )
    return assessment
