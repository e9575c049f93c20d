"""Red-flag safety screen: yes/no intake answers in, a safety level that can block the plan out.

Input: a :class:`RedFlagIntake` (one boolean per question of clinical reference §9.1-9.3, age and
whether this is a new episode). Output: a :class:`SafetyResult` (emergency, urgent, review or none,
the message to show, the answers that fired, UTC time) and its findings. Runs before every plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab.assess.findings import Domain, Finding, Severity
from backrehab.errors import BackrehabError, ConfigError, InvalidResponseError

Tier = Literal["emergency", "urgent", "review"]
SafetyLevel = Literal["emergency", "urgent", "review", "none"]

TIERS: Final[tuple[Tier, ...]] = ("emergency", "urgent", "review")

EMERGENCY_TEXT: Final = (
    "Seek emergency care now (call emergency services / go to the emergency department)"
)
URGENT_TEXT: Final = "See your doctor or clinician within 24–48 hours before starting exercises"
REVIEW_TEXT: Final = (
    "You can start your exercise plan. Some of your answers should be checked by your clinician: "
    "please mention them at your next appointment."
)
MESSAGES: Final[Mapping[SafetyLevel, str]] = MappingProxyType(
    {"emergency": EMERGENCY_TEXT, "urgent": URGENT_TEXT, "review": REVIEW_TEXT, "none": ""}
)

AGE_TRIGGER_ID: Final = "age_risk_new_episode"
"""Trigger id of the age rule (age outside the configured range with a new episode)."""

SOURCE: Final = (
    "Red-flag screen, clinical reference §9; AHCPR guideline 14 (1994); "
    "Delitto et al., JOSPT 2012 low back pain CPG"
)


@dataclass(frozen=True, slots=True)
class RedFlagQuestion:
    """One screening question.

    Attributes
    ----------
    id
        Stable snake_case id; also the field name in :class:`RedFlagIntake`. Never rename.
    tier
        ``emergency`` (§9.1), ``urgent`` (§9.2) or ``review`` (§9.3).
    question
        Plain-language question for patients (our own wording; a clinician must review it).
    reason
        Clinician-facing reason: what the answer may point to, with the source tag of §10.
    """

    id: str
    tier: Tier
    question: str
    reason: str


_CES = "suspected cauda equina syndrome; emergency decompression is time-critical [S27]"

QUESTIONS: Final[tuple[RedFlagQuestion, ...]] = (
    # §9.1 EMERGENCY
    RedFlagQuestion(
        "new_bladder_dysfunction",
        "emergency",
        "Since your back pain began, have you had new trouble passing urine, been unable to pass "
        "urine, stopped feeling when your bladder is full, or leaked urine without meaning to?",
        f"New urinary difficulty, retention, loss of bladder-filling sensation or incontinence: "
        f"{_CES}.",
    ),
    RedFlagQuestion(
        "new_bowel_incontinence",
        "emergency",
        "Since your back pain began, have you lost control of your bowels or soiled yourself "
        "without meaning to?",
        f"New faecal incontinence or loss of bowel control: {_CES}.",
    ),
    RedFlagQuestion(
        "saddle_numbness",
        "emergency",
        "Is there numbness or an odd feeling between your legs, around your genitals, bottom or "
        "inner thighs (where you would sit on a saddle), or a new loss of sexual feeling or "
        "function?",
        f"Saddle anaesthesia or new loss of sexual sensation/function: {_CES}.",
    ),
    RedFlagQuestion(
        "bilateral_sciatica",
        "emergency",
        "Do you have pain running down both legs, or numbness or weakness in both legs?",
        f"Bilateral sciatica or bilateral leg numbness/weakness: {_CES}.",
    ),
    RedFlagQuestion(
        "progressive_leg_weakness",
        "emergency",
        "Is a leg weak or getting weaker quickly, for example your foot drags or slaps, your knee "
        "gives way, or walking has become difficult?",
        f"Rapidly progressive or severe leg weakness (foot drop, knee giving way) or gait "
        f"disturbance: {_CES}.",
    ),
    RedFlagQuestion(
        "perianal_numbness_or_flatus_loss",
        "emergency",
        "Have you lost control of passing wind, or is the skin around your back passage numb?",
        f"Loss of flatus control or perianal numbness: {_CES}.",
    ),
    RedFlagQuestion(
        "new_or_worsening_neuro_deficit",
        "emergency",
        "Has weakness or numbness in your legs or body appeared for the first time, or got worse, "
        "in the last few days?",
        "New or worsening neurological deficit (weakness, numbness, reflex loss): same-day "
        "assessment [S27][S28].",
    ),
    RedFlagQuestion(
        "fever_or_systemically_unwell",
        "emergency",
        "Along with your back pain, do you have a fever, shivering attacks, or feel generally "
        "very unwell?",
        "Back pain with fever/rigors or systemic illness, especially with IV drug use, "
        "immunosuppression, recent infection or spinal procedure: possible spinal infection or "
        "epidural abscess [S27].",
    ),
    RedFlagQuestion(
        "pulsating_abdominal_mass",
        "emergency",
        "Did severe pain in your back or tummy start suddenly, together with a throbbing lump in "
        "your tummy, fainting, or a known swelling of the main artery (aortic aneurysm)?",
        "Sudden severe back/abdominal pain with a pulsatile abdominal mass, syncope or known "
        "aneurysm (especially age > 60 or vascular disease): possible abdominal aortic aneurysm "
        "[S27].",
    ),
    RedFlagQuestion(
        "cancer_history_with_neuro_symptoms",
        "emergency",
        "Have you ever had cancer, and is your back pain new and joined by numbness, tingling or "
        "weakness anywhere in your legs or body?",
        "History of cancer with new back pain plus any neurological symptom: possible metastatic "
        "spinal cord compression [S27].",
    ),
    RedFlagQuestion(
        "major_trauma",
        "emergency",
        "Did your back pain start after a serious accident, such as a fall from a height or a "
        "road accident, or after a wound near your spine?",
        "Back pain after major trauma or a penetrating wound near the spine: possible fracture or "
        "spinal injury [S27].",
    ),
    RedFlagQuestion(
        "minor_trauma_severe_central_pain",
        "emergency",
        "After a small fall or knock, do you have severe pain in the middle of your spine that "
        "only eases when you lie down?",
        "Severe central back pain after minor trauma, relieved only by lying down: possible "
        "vertebral fracture [S27].",
    ),
    # §9.2 URGENT
    RedFlagQuestion(
        "cancer_history",
        "urgent",
        "Have you ever had cancer?",
        "History of cancer with new back pain: possible spinal metastasis [S27][S28].",
    ),
    RedFlagQuestion(
        "unexplained_weight_loss",
        "urgent",
        "Have you lost weight recently without trying (for example more than 10 kg in 6 months)?",
        "Unexplained weight loss: possible malignancy or infection [S27].",
    ),
    RedFlagQuestion(
        "constant_progressive_night_pain",
        "urgent",
        "Is your pain there all the time and getting worse, not eased by rest or changing "
        "position, very bad at night, or worse when you lie on your back?",
        "Constant progressive pain not eased by rest or position, severe night pain or pain worse "
        "supine: possible tumour or infection [S27][S28].",
    ),
    RedFlagQuestion(
        "thoracic_pain",
        "urgent",
        "Is your main pain in the middle of your back, between the shoulder blades or at the "
        "level of your ribs?",
        "Thoracic pain: serious-pathology flag [S28].",
    ),
    RedFlagQuestion(
        "minor_trauma_fracture_risk",
        "urgent",
        "Did the pain start after a minor fall or heavy lifting, and are you older or have you "
        "been told you have thin bones (osteoporosis)?",
        "Minor trauma or strenuous lifting in an older or osteoporotic person: possible fragility "
        "fracture [S27].",
    ),
    RedFlagQuestion(
        "long_term_corticosteroids",
        "urgent",
        "Have you taken steroid tablets (such as prednisolone) for several months or longer?",
        "Long-term corticosteroid use: fracture risk (§9.2 lists it with minor-trauma fracture "
        "risk; screened on its own here, to be confirmed by a clinician) [S27].",
    ),
    RedFlagQuestion(
        "widespread_neuro_symptoms",
        "urgent",
        "Do you have numbness, tingling or weakness in several parts of your body that has been "
        "there a while without changing?",
        "Widespread, stable neurological symptoms (new or worsening deficits are emergency items) "
        "[S28].",
    ),
    RedFlagQuestion(
        "structural_deformity",
        "urgent",
        "Has the shape of your spine changed visibly, for example a new hump or a sideways bend?",
        "Structural spinal deformity [S28].",
    ),
    RedFlagQuestion(
        "severe_flexion_restriction",
        "urgent",
        "For several weeks, have you been almost unable to bend forward, for example not able to "
        "reach your knees?",
        "Persistent severe restriction of lumbar flexion [S28].",
    ),
    RedFlagQuestion(
        "multisite_pain_systemic_illness",
        "urgent",
        "Do you have pain in several parts of your body, and have you had cancer or an illness "
        "affecting your whole body?",
        "Pain at several body sites with a history of cancer or systemic illness [S28].",
    ),
    RedFlagQuestion(
        "recent_bacterial_infection",
        "urgent",
        "Have you recently had a bacterial infection, such as a bladder or urine infection?",
        "Recent bacterial infection (e.g. urinary tract) with back pain: possible spinal "
        "infection [S27].",
    ),
    # §9.3 ROUTINE REVIEW
    RedFlagQuestion(
        "inflammatory_features",
        "review",
        "Did your back pain come on slowly before the age of 40, with morning stiffness lasting "
        "more than 30 minutes, easing with exercise but not with rest, or waking you in the "
        "second half of the night?",
        "Features of inflammatory back pain: rheumatology assessment (clinical convention, "
        "UNVERIFIED list).",
    ),
    RedFlagQuestion(
        "no_improvement_4_weeks",
        "review",
        "Have you had care for your back for 4 weeks or more without it getting noticeably better?",
        "No meaningful improvement after 4 weeks of care: review trigger; pain persisting "
        "> 6 weeks is listed among imaging triggers [S27].",
    ),
    RedFlagQuestion(
        "psychosocial_high_risk",
        "review",
        "Do worry, low mood or fear of hurting your back often stop you from doing everyday "
        "things?",
        "Yellow flags (STarT Back high risk or elevated FABQ; may also be set from those scores): "
        "psychologically informed care [S3][S5].",
    ),
)
"""The single source of question ids, tiers and texts, in §9 order (emergency, urgent, review)."""

QUESTION_IDS: Final[tuple[str, ...]] = tuple(q.id for q in QUESTIONS)
QUESTION_BY_ID: Final[Mapping[str, RedFlagQuestion]] = MappingProxyType(
    {q.id: q for q in QUESTIONS}
)
_TIER_OF: Final[Mapping[str, Tier]] = {q.id: q.tier for q in QUESTIONS}
# Trigger order: table order, with the age rule at its §9.2 place (after the fracture items).
_TRIGGER_ORDER: Final[tuple[str, ...]] = (
    *QUESTION_IDS[: QUESTION_IDS.index("long_term_corticosteroids") + 1],
    AGE_TRIGGER_ID,
    *QUESTION_IDS[QUESTION_IDS.index("long_term_corticosteroids") + 1 :],
)
_EXTRA_FIELDS: Final[tuple[str, ...]] = ("age_years", "new_episode")


class RedFlagIntake(BaseModel):
    """Answers to the red-flag questions of :data:`QUESTIONS` (True = yes), age and episode.

    Field names are the question ids; every answer defaults to False (not reported). Answers must
    be real booleans (strict). Build it from untrusted data with :func:`intake_from_mapping`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # §9.1 emergency
    new_bladder_dysfunction: bool = False
    new_bowel_incontinence: bool = False
    saddle_numbness: bool = False
    bilateral_sciatica: bool = False
    progressive_leg_weakness: bool = False
    perianal_numbness_or_flatus_loss: bool = False
    new_or_worsening_neuro_deficit: bool = False
    fever_or_systemically_unwell: bool = False
    pulsating_abdominal_mass: bool = False
    cancer_history_with_neuro_symptoms: bool = False
    major_trauma: bool = False
    minor_trauma_severe_central_pain: bool = False
    # §9.2 urgent
    cancer_history: bool = False
    unexplained_weight_loss: bool = False
    constant_progressive_night_pain: bool = False
    thoracic_pain: bool = False
    minor_trauma_fracture_risk: bool = False
    long_term_corticosteroids: bool = False
    widespread_neuro_symptoms: bool = False
    structural_deformity: bool = False
    severe_flexion_restriction: bool = False
    multisite_pain_systemic_illness: bool = False
    recent_bacterial_infection: bool = False
    # §9.3 routine review
    inflammatory_features: bool = False
    no_improvement_4_weeks: bool = False
    psychosocial_high_risk: bool = False
    # context for the age rule (§9.2)
    age_years: int | None = Field(None, ge=0, le=130, description="age in years, if given")
    new_episode: bool = Field(False, description="a new episode of back pain, not a known one")

    def answered_yes(self) -> tuple[str, ...]:
        """Ids of the questions answered yes, in table order."""
        return tuple(qid for qid in QUESTION_IDS if getattr(self, qid))


class RedFlagSettings(BaseModel):
    """The age rule of §9.2 (PROJECT DEFAULT values; AHCPR lists age alone as a flag)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    age_min_years: int = Field(20, ge=0, description="younger than this with a new episode")
    age_max_years: int = Field(
        50, ge=0, description="older than this with a new episode (some lists use 55)"
    )
    age_alone_level: Literal["urgent", "review"] = Field(
        "review",
        description="tier of the age rule without another urgent item; with one it is urgent "
        "(PROJECT DEFAULT: review, to limit false alarms; AHCPR: urgent)",
    )


class SafetyResult(BaseModel):
    """Outcome of one red-flag screen; persist it, since only a clinician may clear a block.

    Attributes
    ----------
    level
        ``emergency``, ``urgent``, ``review`` or ``none`` (highest tier with a trigger).
    allow_plan
        False for emergency and urgent: no exercise plan may be generated.
    message
        Text to show the patient (:data:`EMERGENCY_TEXT`, :data:`URGENT_TEXT`,
        :data:`REVIEW_TEXT`, or empty for ``none``).
    triggers
        Every id that fired (question ids and :data:`AGE_TRIGGER_ID`), in table order.
    trigger_tiers
        The tier each trigger counted in (the age rule can be urgent or review).
    screened_at
        When the screen ran (UTC).
    notes
        Remarks for the clinician (e.g. age not given, so the age rule was not applied).
    settings
        The settings used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: SafetyLevel
    allow_plan: bool
    message: str
    triggers: tuple[str, ...] = ()
    trigger_tiers: dict[str, Tier] = Field(default_factory=dict)
    screened_at: datetime
    notes: tuple[str, ...] = ()
    settings: RedFlagSettings = Field(default_factory=RedFlagSettings)

    def triggers_in(self, tier: Tier) -> tuple[str, ...]:
        """Triggers that counted in ``tier``, in table order."""
        return tuple(t for t in self.triggers if self.trigger_tiers.get(t) == tier)


class PlanBlockedError(BackrehabError):
    """A red flag forbids generating an exercise plan; ``user_message`` is the text to show."""

    def __init__(
        self, user_message: str, *, level: SafetyLevel, triggers: tuple[str, ...], detail: str = ""
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.level = level
        self.triggers = triggers


def screen(
    intake: RedFlagIntake,
    *,
    settings: RedFlagSettings | None = None,
    now: datetime | None = None,
) -> SafetyResult:
    """Screen the intake answers for red flags (clinical reference §9 implementation).

    Emergency beats urgent beats review: the level is the highest tier with a trigger, and every
    trigger of every tier is kept. The age rule (PROJECT DEFAULT): age < ``age_min_years`` or
    > ``age_max_years`` with a new episode counts as urgent only together with another urgent
    answer, otherwise as a review trigger (``settings.age_alone_level``).

    Parameters
    ----------
    intake
        The answers.
    settings
        Age-rule settings; defaults to :class:`RedFlagSettings`.
    now
        Time of the screen (timezone-aware; converted to UTC). Defaults to the current time.

    Returns
    -------
    SafetyResult
        Level, whether a plan is allowed, the message to show, the triggers and the time.

    Raises
    ------
    ConfigError
        ``now`` has no timezone, or the age range is empty.

    References
    ----------
    .. [1] AHCPR Clinical Practice Guideline 14, Acute Low Back Problems in Adults (1994),
       red-flag table (NCBI Bookshelf NBK52120).
    .. [2] Delitto A et al. Low Back Pain Clinical Practice Guidelines. JOSPT 2012;42(4):A1-A57.
    """
    s = settings if settings is not None else RedFlagSettings()
    if s.age_min_years > s.age_max_years:
        raise ConfigError(
            "The red-flag age range is empty: age_min_years is above age_max_years.",
            detail=f"age_min_years={s.age_min_years}, age_max_years={s.age_max_years}",
        )
    if now is None:
        screened_at = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ConfigError("The screening time must carry a timezone.", detail=f"now={now!r}")
    else:
        screened_at = now.astimezone(UTC)

    tiers: dict[str, Tier] = {qid: _TIER_OF[qid] for qid in intake.answered_yes()}
    notes: list[str] = []
    if intake.age_years is None:
        notes.append("Age not given: the age rule (§9.2) was not applied.")
    elif intake.new_episode and not (s.age_min_years <= intake.age_years <= s.age_max_years):
        with_urgent = any(t == "urgent" for t in tiers.values())
        tiers[AGE_TRIGGER_ID] = "urgent" if with_urgent else s.age_alone_level
    triggers = tuple(t for t in _TRIGGER_ORDER if t in tiers)

    level: SafetyLevel = next((t for t in TIERS if t in tiers.values()), "none")
    return SafetyResult(
        level=level,
        allow_plan=level in ("review", "none"),
        message=MESSAGES[level],
        triggers=triggers,
        trigger_tiers={t: tiers[t] for t in triggers},
        screened_at=screened_at,
        notes=tuple(notes),
        settings=s,
    )


_FINDING_SEVERITY: Final[Mapping[SafetyLevel, Severity]] = {
    "emergency": Severity.CRITICAL,
    "urgent": Severity.SEVERE,
    "review": Severity.MODERATE,
    "none": Severity.NORMAL,
}
_FINDING_TITLE: Final[Mapping[SafetyLevel, str]] = {
    "emergency": "Emergency warning signs: seek emergency care now",
    "urgent": "Urgent warning signs: see a doctor within 24–48 hours",
    "review": "Answers for your clinician to review",
    "none": "No warning signs reported",
}
_FINDING_NORM: Final[Mapping[SafetyLevel, str]] = {
    "emergency": "no answer of §9.1 (emergency) is yes",
    "urgent": "no answer of §9.2 (urgent) is yes",
    "review": "no answer of §9.3 (routine review) is yes",
    "none": "no red-flag answer is yes (clinical reference §9)",
}


def findings_from(result: SafetyResult) -> list[Finding]:
    """Findings of a red-flag screen, most severe first.

    One finding per tier with a trigger: ``safety.red_flag.emergency`` (critical),
    ``safety.red_flag.urgent`` (severe), ``safety.red_flag.review`` (moderate); domain safety;
    evidence holds that tier's triggers, the message to show (the result's), the overall level,
    whether a plan is allowed and the time. A screen
    without triggers gives the single finding ``safety.red_flag.none`` (normal).

    Parameters
    ----------
    result
        Output of :func:`screen`.

    Returns
    -------
    list of Finding

    References
    ----------
    .. [1] AHCPR Clinical Practice Guideline 14, Acute Low Back Problems in Adults (1994).
    .. [2] Delitto A et al. Low Back Pain Clinical Practice Guidelines. JOSPT 2012;42(4):A1-A57.
    """
    levels: list[SafetyLevel] = [t for t in TIERS if result.triggers_in(t)] or ["none"]
    return [
        Finding(
            code=f"safety.red_flag.{lvl}",
            domain=Domain.SAFETY,
            severity=_FINDING_SEVERITY[lvl],
            title=_FINDING_TITLE[lvl],
            norm=_FINDING_NORM[lvl],
            source=SOURCE,
            evidence={
                "triggers": list(result.triggers_in(lvl)) if lvl != "none" else [],
                "message": result.message,
                "level": result.level,
                "allow_plan": result.allow_plan,
                "screened_at": result.screened_at.isoformat(),
                "notes": list(result.notes),
            },
        )
        for lvl in levels
    ]


def require_plan_allowed(result: SafetyResult) -> None:
    """Raise :class:`PlanBlockedError` (with the message to show) unless a plan is allowed.

    Parameters
    ----------
    result
        Output of :func:`screen`.

    Raises
    ------
    PlanBlockedError
        For ``emergency`` and ``urgent`` results.

    References
    ----------
    .. [1] Clinical reference §9: red flags stop plan generation and route to care.
    """
    if not result.allow_plan:
        raise PlanBlockedError(
            result.message,
            level=result.level,
            triggers=result.triggers,
            detail=f"red-flag level {result.level}; triggers: {', '.join(result.triggers)}",
        )


def intake_from_mapping(data: Mapping[str, object], *, require_all: bool = False) -> RedFlagIntake:
    """Build a :class:`RedFlagIntake` from untrusted data (CLI, web form, JSON).

    Parameters
    ----------
    data
        Question id -> True/False, plus optional ``age_years`` (int or None) and
        ``new_episode`` (bool). Missing questions count as "no" unless ``require_all``.
    require_all
        Refuse data that does not answer every question of :data:`QUESTIONS`.

    Returns
    -------
    RedFlagIntake

    Raises
    ------
    InvalidResponseError
        An unknown id, a non-boolean answer, a bad age, or (with ``require_all``) a missing
        answer; the message names the ids.

    References
    ----------
    .. [1] Clinical reference §9 (question list and tiers).
    """
    unknown = [str(k) for k in data if k not in _TIER_OF and k not in _EXTRA_FIELDS]
    if unknown:
        raise InvalidResponseError(
            f"Unknown red-flag question id(s): {', '.join(sorted(unknown))}.",
            detail=f"known ids: {', '.join((*QUESTION_IDS, *_EXTRA_FIELDS))}",
        )
    bad = [k for k in (*QUESTION_IDS, "new_episode") if k in data and not isinstance(data[k], bool)]
    if bad:
        shown = "; ".join(f"{k}={data[k]!r}" for k in bad)
        raise InvalidResponseError(
            f"Red-flag answer(s) must be true or false: {', '.join(bad)}.", detail=shown
        )
    if require_all:
        missing = [k for k in QUESTION_IDS if k not in data]
        if missing:
            raise InvalidResponseError(f"Red-flag question(s) not answered: {', '.join(missing)}.")
    age = data.get("age_years")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise InvalidResponseError(
            "age_years must be a whole number of years from 0 to 130, or empty.",
            detail=f"age_years={age!r}",
        )
    try:
        return RedFlagIntake.model_validate(dict(data))
    except ValidationError as exc:  # pragma: no cover - the checks above cover every field
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        raise InvalidResponseError(
            f"Invalid red-flag answer(s): {', '.join(fields)}.", detail=str(exc)
        ) from exc
