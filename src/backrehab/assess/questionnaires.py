"""Scoring of the back-pain questionnaires: ODI v2.1a, RMDQ-24, STarT Back, NPRS, PSFS and FABQ.

Input: item answers (whole numbers, yes/no ticks, or PSFS activity ratings; ``None`` = missing).
Output: frozen result models holding the raw answers, sub-scores and the headline ``score`` (ODI in
percent, the others in points), plus :class:`~backrehab.assess.findings.Finding` objects.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Literal, NoReturn

from pydantic import BaseModel, ConfigDict

from backrehab.assess.findings import Domain, Finding, Severity
from backrehab.errors import ConfigError, InvalidResponseError

__all__ = [
    "DEFAULT_SETTINGS",
    "INSTRUMENTS",
    "FabqResult",
    "NprsResult",
    "OdiResult",
    "PsfsResult",
    "QuestionnaireResult",
    "QuestionnaireSettings",
    "RmdqResult",
    "StartBackResult",
    "check_version",
    "findings_from",
    "nprs_band",
    "odi_band",
    "parse_answers",
    "result_to_json_dict",
    "score_fabq",
    "score_instrument",
    "score_nprs",
    "score_odi",
    "score_psfs",
    "score_rmdq",
    "score_startback",
    "startback_risk",
]

Instrument = Literal["odi", "rmdq", "startback", "nprs", "psfs", "fabq"]
INSTRUMENTS: Final[tuple[Instrument, ...]] = ("odi", "rmdq", "startback", "nprs", "psfs", "fabq")

OdiBand = Literal["minimal", "moderate", "severe", "very severe", "bed-bound or exaggerated"]
NprsBand = Literal["none", "mild", "moderate", "severe"]
StartBackRisk = Literal["low", "medium", "high"]

# Instrument names as people write them, used in every error message.
_LABELS: Final[Mapping[str, str]] = {
    "odi": "ODI",
    "rmdq": "RMDQ",
    "startback": "STarT Back",
    "nprs": "NPRS",
    "psfs": "PSFS",
    "fabq": "FABQ",
}

# Versions and references (as cited in docs/clinical reference, section 10).
ODI_VERSION: Final = "ODI v2.1a"
ODI_REFERENCE: Final = (
    "Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-53"
)
RMDQ_VERSION: Final = "RMDQ (24-item)"
RMDQ_REFERENCE: Final = "Roland MO, Morris RW. Spine 1983;8:141-4"
STARTBACK_VERSION: Final = "Keele STarT Back Screening Tool (9-item)"
STARTBACK_REFERENCE: Final = (
    "Hill JC et al. A primary care back pain screening tool. Arthritis Rheum 2008;59(5):632-41"
)
NPRS_VERSION: Final = "NPRS 0-10"
NPRS_REFERENCE: Final = (
    "Childs JD, Piva SR, Fritz JM. Responsiveness of the NPRS in patients with LBP. Spine 2005"
)
PSFS_VERSION: Final = "PSFS 0-10"
PSFS_REFERENCE: Final = (
    "Stratford P et al. Assessing disability and change on individual patients. "
    "Physiother Can 1995;47:258-63"
)
FABQ_VERSION: Final = "FABQ (16-item)"
FABQ_REFERENCE: Final = "Waddell G et al. Fear-Avoidance Beliefs Questionnaire (FABQ). Pain 1993"

ODI_SECTIONS: Final = 10
RMDQ_ITEMS: Final = 24
STARTBACK_ITEMS: Final = 9
FABQ_ITEMS: Final = 16
PSFS_MAX_ACTIVITIES: Final = 5

# ODI bands (Fairbank & Pynsent 2000): upper bound of each band on the integer percentage.
_ODI_BANDS: Final[tuple[tuple[int, OdiBand], ...]] = (
    (20, "minimal"),
    (40, "moderate"),
    (60, "severe"),
    (80, "very severe"),
    (100, "bed-bound or exaggerated"),
)
_STARTBACK_PSYCHOSOCIAL: Final = (5, 6, 7, 8, 9)
_FABQ_PA_ITEMS: Final = (2, 3, 4, 5)
_FABQ_WORK_ITEMS: Final = (6, 7, 9, 10, 11, 12, 15)
_FABQ_WORK_SECTION: Final = range(6, 17)  # items about work; may be left blank when not employed


def _check_min_answered(min_answered: int) -> None:
    if isinstance(min_answered, bool) or not isinstance(min_answered, int):
        raise ConfigError(
            f"ODI settings: min_answered must be a whole number, got {min_answered!r}"
        )
    if not 1 <= min_answered <= ODI_SECTIONS:
        raise ConfigError(f"ODI settings: min_answered must be 1-10, got {min_answered}")


def _check_fabq_cutoffs(pa_cutoff: int, work_cutoff: int) -> None:
    if not 0 <= pa_cutoff <= 24:
        raise ConfigError(f"FABQ settings: pa_cutoff must be 0-24, got {pa_cutoff}")
    if not 0 <= work_cutoff <= 42:
        raise ConfigError(f"FABQ settings: work_cutoff must be 0-42, got {work_cutoff}")


def _check_nprs_cutoffs(mild_max: int, moderate_max: int) -> None:
    if not 1 <= mild_max < moderate_max < 10:
        raise ConfigError(
            "NPRS settings: need 1 <= mild_max < moderate_max < 10, "
            f"got {mild_max} and {moderate_max}"
        )


@dataclass(frozen=True, slots=True)
class QuestionnaireSettings:
    """The PROJECT DEFAULT numbers of the questionnaire rules, in one place.

    Attributes
    ----------
    odi_min_answered
        ODI is scored only when at least this many of the 10 sections are answered.
    fabq_pa_cutoff, fabq_work_cutoff
        FABQ physical-activity / work scores *above* these are "elevated" (> 14, > 29).
    fabq_work_high_cutoff
        FABQ work score above which the fear-avoidance finding is ``severe`` (> 34, "high risk of
        not returning to work").
    nprs_mild_max, nprs_moderate_max
        NPRS display bands: 0 none, 1..mild_max mild, ..moderate_max moderate, above severe.
    rmdq_normal_max, rmdq_mild_max, rmdq_moderate_max
        RMDQ finding severity: 0..normal_max normal, ..mild_max mild, ..moderate_max moderate,
        above severe (0-2 normal follows the "recovered" cut-off of Kamper et al. 2010).
    psfs_normal_min, psfs_mild_min, psfs_moderate_min
        PSFS finding severity (lower is worse): mean >= normal_min normal, >= mild_min mild,
        >= moderate_min moderate, below severe.

    Bad values raise :class:`~backrehab.errors.ConfigError`.
    """

    odi_min_answered: int = 8
    fabq_pa_cutoff: int = 14
    fabq_work_cutoff: int = 29
    fabq_work_high_cutoff: int = 34
    nprs_mild_max: int = 3
    nprs_moderate_max: int = 6
    rmdq_normal_max: int = 2
    rmdq_mild_max: int = 8
    rmdq_moderate_max: int = 16
    psfs_normal_min: float = 9.0
    psfs_mild_min: float = 7.0
    psfs_moderate_min: float = 4.0

    def __post_init__(self) -> None:
        _check_min_answered(self.odi_min_answered)
        _check_fabq_cutoffs(self.fabq_pa_cutoff, self.fabq_work_cutoff)
        if not self.fabq_work_cutoff <= self.fabq_work_high_cutoff <= 42:
            raise ConfigError(
                "FABQ settings: fabq_work_high_cutoff must lie between fabq_work_cutoff and 42, "
                f"got {self.fabq_work_high_cutoff}"
            )
        _check_nprs_cutoffs(self.nprs_mild_max, self.nprs_moderate_max)
        if not 0 <= self.rmdq_normal_max < self.rmdq_mild_max < self.rmdq_moderate_max < 24:
            raise ConfigError(
                "RMDQ settings: need 0 <= rmdq_normal_max < rmdq_mild_max < rmdq_moderate_max "
                f"< 24, got {self.rmdq_normal_max}, {self.rmdq_mild_max}, "
                f"{self.rmdq_moderate_max}"
            )
        if not 0 < self.psfs_moderate_min < self.psfs_mild_min < self.psfs_normal_min <= 10:
            raise ConfigError(
                "PSFS settings: need 0 < psfs_moderate_min < psfs_mild_min < psfs_normal_min "
                f"<= 10, got {self.psfs_moderate_min}, {self.psfs_mild_min}, "
                f"{self.psfs_normal_min}"
            )


DEFAULT_SETTINGS: Final = QuestionnaireSettings()


# --------------------------------------------------------------------------------------------
# Result models
# --------------------------------------------------------------------------------------------


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OdiResult(_Result):
    """Oswestry Disability Index v2.1a.

    ``answers`` as given (a tuple where several statements were ticked); ``section_scores`` 0-5
    or None (missing); ``raw_sum`` of the answered sections; ``percent`` rounded half-up to one
    decimal (None when not ``valid``); ``band`` from the percentage rounded half-up to an integer.
    ``score`` = ``percent``.
    """

    instrument: Literal["odi"] = "odi"
    version: str = ODI_VERSION
    reference: str = ODI_REFERENCE
    answers: tuple[int | tuple[int, ...] | None, ...]
    section_scores: tuple[int | None, ...]
    answered: int
    raw_sum: int
    min_answered: int
    valid: bool
    percent_unrounded: float | None
    percent: float | None
    band: OdiBand | None
    score: float | None


class RmdqResult(_Result):
    """Roland-Morris Disability Questionnaire: ``score`` = number of ticked items (0-24)."""

    instrument: Literal["rmdq"] = "rmdq"
    version: str = RMDQ_VERSION
    reference: str = RMDQ_REFERENCE
    answers: tuple[bool | int | None, ...]
    item_scores: tuple[int, ...]
    ticked_items: tuple[int, ...]
    score: int


class StartBackResult(_Result):
    """Keele STarT Back: ``total`` 0-9, ``psychosocial`` (items 5-9) 0-5, ``risk``.

    ``item_scores`` holds the scored items (item 9 becomes 1 only for "very much"/"extremely").
    ``score`` = ``total``.
    """

    instrument: Literal["startback"] = "startback"
    version: str = STARTBACK_VERSION
    reference: str = STARTBACK_REFERENCE
    answers: tuple[bool | int, ...]
    item_scores: tuple[int, ...]
    total: int
    psychosocial: int
    risk: StartBackRisk
    score: int


class NprsResult(_Result):
    """Numeric Pain Rating Scale 0-10: ``score`` = current pain; ``band`` of the current pain.

    ``mean_of_three`` (current, best and worst in 24 h; unrounded) only when all three are given.
    ``mild_max`` and ``moderate_max`` record the band cut-offs used.
    """

    instrument: Literal["nprs"] = "nprs"
    version: str = NPRS_VERSION
    reference: str = NPRS_REFERENCE
    current: int
    best: int | None
    worst: int | None
    mean_of_three: float | None
    band: NprsBand
    mild_max: int
    moderate_max: int
    score: int


class PsfsResult(_Result):
    """Patient-Specific Functional Scale: ``score`` = mean rating (0-10, higher is better)."""

    instrument: Literal["psfs"] = "psfs"
    version: str = PSFS_VERSION
    reference: str = PSFS_REFERENCE
    activities: tuple[tuple[str, float], ...]
    score: float


class FabqResult(_Result):
    """Fear-Avoidance Beliefs Questionnaire.

    ``physical_activity`` (items 2-5, 0-24), ``work`` (items 6, 7, 9, 10, 11, 12, 15, 0-42; None
    when not employed), ``elevated_pa`` / ``elevated_work`` (None when not employed) against
    ``pa_cutoff`` / ``work_cutoff``. ``score`` = ``physical_activity``.
    """

    instrument: Literal["fabq"] = "fabq"
    version: str = FABQ_VERSION
    reference: str = FABQ_REFERENCE
    answers: tuple[int | None, ...]
    employed: bool
    physical_activity: int
    work: int | None
    pa_cutoff: int
    work_cutoff: int
    elevated_pa: bool
    elevated_work: bool | None
    score: int


QuestionnaireResult = (
    OdiResult | RmdqResult | StartBackResult | NprsResult | PsfsResult | FabqResult
)


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _fail(instrument: str, item: int | None, message: str) -> NoReturn:
    """Raise InvalidResponseError naming the instrument and (1-based) item."""
    where = _LABELS.get(instrument, instrument)
    if item is not None:
        where = f"{where} item {item}"
    raise InvalidResponseError(f"{where}: {message}")


def _as_list(instrument: str, answers: object) -> list[Any]:
    """The answers as a list; strings and mappings are refused."""
    if isinstance(answers, str | bytes | Mapping) or not isinstance(answers, Iterable):
        _fail(
            instrument,
            1,
            f"answers must be a list of values, one per item, got {type(answers).__name__}",
        )
    return list(answers)


def _check_count(instrument: str, answers: list[Any], expected: int) -> None:
    """Exactly ``expected`` answers; the message names the first missing or extra item."""
    got = len(answers)
    if got < expected:
        _fail(
            instrument,
            got + 1,
            f"no answer; expected {expected} answers (one per item), got {got}",
        )
    if got > expected:
        _fail(
            instrument,
            expected + 1,
            f"not part of the questionnaire; expected {expected} answers, got {got}",
        )


def _as_int(
    value: object, *, instrument: str, item: int, low: int, high: int, allow_bool: bool = False
) -> int:
    """A whole number in ``low..high`` (bools only for yes/no items)."""
    if isinstance(value, bool):
        if not allow_bool:
            _fail(
                instrument,
                item,
                f"answer {value!r} is a yes/no value; expected a whole number {low}-{high}",
            )
        return int(value)
    if not isinstance(value, numbers.Integral):
        _fail(instrument, item, f"answer {value!r} is not a whole number {low}-{high}")
    number = int(value)
    if not low <= number <= high:
        _fail(instrument, item, f"answer {number} is out of range {low}-{high}")
    return number


def _round_half_up(value: Fraction, places: int) -> Fraction:
    """Decimal half-up rounding of a non-negative exact value (not banker's rounding)."""
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


# --------------------------------------------------------------------------------------------
# ODI
# --------------------------------------------------------------------------------------------


def odi_band(percent: float | Fraction) -> OdiBand:
    """Disability band of an ODI percentage.

    The percentage is rounded half-up to an integer first (PROJECT DEFAULT: the developers give
    integer ranges only), then banded 0-20 minimal, 21-40 moderate, 41-60 severe, 61-80 very
    severe (the developers' "crippled"), 81-100 bed-bound or exaggerated.

    Parameters
    ----------
    percent
        ODI percentage, 0-100. Floats are read as the decimal they print as (20.45 is 20.45).

    Returns
    -------
    str
        One of "minimal", "moderate", "severe", "very severe", "bed-bound or exaggerated".

    Raises
    ------
    InvalidResponseError
        When the percentage is not a number in 0-100.

    References
    ----------
    .. [1] Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-53.
    """
    if isinstance(percent, bool) or not isinstance(percent, numbers.Real):
        _fail("odi", None, f"percentage {percent!r} is not a number")
    if isinstance(percent, float) and not math.isfinite(percent):
        _fail("odi", None, f"percentage {percent!r} is not a number")
    exact = Fraction(repr(float(percent))) if isinstance(percent, float) else Fraction(percent)
    if not 0 <= exact <= 100:
        _fail("odi", None, f"percentage {percent} is out of range 0-100")
    whole = _round_half_up(exact, 0)
    for upper, band in _ODI_BANDS:
        if whole <= upper:
            return band
    raise AssertionError("unreachable: percentage checked to be <= 100")  # pragma: no cover


def _odi_section(value: object, item: int) -> tuple[int | tuple[int, ...] | None, int | None]:
    """(raw answer as stored, section score) of one ODI section."""
    if value is None:
        return None, None
    if isinstance(value, list | tuple):
        if not value:
            return None, None  # no statement ticked = missing
        ticks = tuple(_as_int(tick, instrument="odi", item=item, low=0, high=5) for tick in value)
        return ticks, max(ticks)  # rule 2: several ticks -> the highest
    score = _as_int(value, instrument="odi", item=item, low=0, high=5)
    return score, score


_ODI_ACCEPTED: Final = "2.1a"
_ODI_PREFIXES: Final = ("oswestrydisabilityindex", "oswestry", "odi", "version", "ver", "v")


def _normalised_odi_version(version: str) -> str:
    """Lower case without spaces, hyphens, underscores and the usual prefixes: ``ODI v2.1a``,
    ``v2.1a``, ``2.1A``, ``Oswestry Disability Index version 2.1a`` all give ``2.1a``."""
    text = "".join(ch for ch in version.lower() if ch not in " -_\t")
    changed = True
    while changed:
        changed = False
        for prefix in _ODI_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
                break
    return text


def check_version(instrument: str, version: str | None) -> None:
    """Refuse a questionnaire form that this module does not score.

    Only the ODI has versions to tell apart: v2.1a is scored; ODI v1.0 (different
    pain-intensity statements) and the Fritz-modified ODI (section 8 replaced by
    employment/homemaking) are refused at import (clinical reference §1.1), as is anything else.
    Accepted spellings of v2.1a: ``2.1a``, ``v2.1a``, ``ODI v2.1a``, ``ODI 2.1a``, ``V2.1A``,
    ``Oswestry Disability Index version 2.1a`` (case, spaces and hyphens ignored). ``None``
    means not stated (v2.1a is assumed).

    Parameters
    ----------
    instrument
        Instrument name (any case).
    version
        The form's version as given with the answers, or None.

    Raises
    ------
    InvalidResponseError
        An ODI version other than v2.1a (the message says why), a version that is not a
        string, or a version given for another instrument (only the ODI has one to check).
    """
    name = _instrument_name(instrument)
    if version is None:
        return
    label = _LABELS[name]
    if name != "odi":
        raise InvalidResponseError(
            f"{label}: a questionnaire version is only checked for the ODI (v2.1a); "
            f"leave it out for the {label}.",
            detail=f"version={version!r}",
        )
    if not isinstance(version, str):
        raise InvalidResponseError(
            f"ODI version must be text such as 'v2.1a', got {version!r}.",
            detail=f"version={version!r}",
        )
    norm = _normalised_odi_version(version)
    if norm == _ODI_ACCEPTED:
        return
    if "fritz" in norm or "modified" in norm or norm.startswith("m"):
        why = (
            "the Fritz-modified ODI replaces section 8 (sex life) with employment/homemaking, "
            "so it is not v2.1a"
        )
    elif norm in ("1", "1.0", "1a", "1.0a"):
        why = "ODI v1.0 has different pain-intensity statements, so it is not v2.1a"
    else:
        why = "only ODI v2.1a is scored"
    raise InvalidResponseError(
        f"ODI version {version!r} is refused: {why} (clinical reference §1.1). Use the ODI "
        "v2.1a form.",
        detail=f"version={version!r}",
    )


def score_odi(
    answers: Sequence[int | Sequence[int] | None],
    *,
    min_answered: int = DEFAULT_SETTINGS.odi_min_answered,
    version: str | None = None,
) -> OdiResult:
    """Score the Oswestry Disability Index v2.1a.

    Parameters
    ----------
    answers
        10 section answers, each 0 (first statement, least limitation) to 5. ``None`` (or an
        empty list) is a missing / not-applicable section. A list or tuple of several ticked
        statements scores the highest of them.
    min_answered
        PROJECT DEFAULT 8: with fewer answered sections the result is not ``valid`` and
        ``percent``, ``band`` and ``score`` are None.
    version
        The form's version as imported, or None (not stated); anything but v2.1a is refused
        (see :func:`check_version`).

    Returns
    -------
    OdiResult
        ``percent = 100 * raw_sum / (5 * answered)``, rounded half-up to one decimal (16/45 ->
        35.6); ``band`` from the percentage rounded half-up to an integer.

    Raises
    ------
    InvalidResponseError
        Wrong number of answers, an answer that is not a whole number, or out of 0-5; a version
        other than v2.1a (ODI v1.0, Fritz-modified ODI, ...).
    ConfigError
        ``min_answered`` outside 1-10.

    References
    ----------
    .. [1] Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-53.
    .. [2] Roland M, Fairbank J. The Roland-Morris Disability Questionnaire and the Oswestry
       Disability Questionnaire. Spine 2000;25(24):3115-24.
    """
    _check_min_answered(min_answered)
    check_version("odi", version)
    values = _as_list("odi", answers)
    _check_count("odi", values, ODI_SECTIONS)
    raw: list[int | tuple[int, ...] | None] = []
    sections: list[int | None] = []
    for item, value in enumerate(values, start=1):
        stored, section = _odi_section(value, item)
        raw.append(stored)
        sections.append(section)
    answered_scores = [s for s in sections if s is not None]
    answered = len(answered_scores)
    raw_sum = sum(answered_scores)
    valid = answered >= min_answered
    percent_unrounded: float | None = None
    percent: float | None = None
    band: OdiBand | None = None
    if valid:
        exact = Fraction(100 * raw_sum, 5 * answered)
        percent_unrounded = float(exact)
        percent = float(_round_half_up(exact, 1))
        band = odi_band(exact)
    return OdiResult(
        answers=tuple(raw),
        section_scores=tuple(sections),
        answered=answered,
        raw_sum=raw_sum,
        min_answered=min_answered,
        valid=valid,
        percent_unrounded=percent_unrounded,
        percent=percent,
        band=band,
        score=percent,
    )


# --------------------------------------------------------------------------------------------
# RMDQ
# --------------------------------------------------------------------------------------------


def score_rmdq(answers: Sequence[bool | int | None]) -> RmdqResult:
    """Score the 24-item Roland-Morris Disability Questionnaire.

    Parameters
    ----------
    answers
        24 ticks: ``True`` / 1 = ticked ("describes me today"); ``False`` / 0 / ``None`` = not
        ticked (or not applicable).

    Returns
    -------
    RmdqResult
        ``score`` = number of ticked items, 0-24 (higher = more disability).

    Raises
    ------
    InvalidResponseError
        Wrong number of answers, a value that is not a tick (e.g. 2, a float or a string).

    References
    ----------
    .. [1] Roland MO, Morris RW. A study of the natural history of back pain. Part I. Spine
       1983;8:141-4.
    """
    values = _as_list("rmdq", answers)
    _check_count("rmdq", values, RMDQ_ITEMS)
    raw: list[bool | int | None] = []
    scores: list[int] = []
    for item, value in enumerate(values, start=1):
        if value is None:
            raw.append(None)
            scores.append(0)
            continue
        score = _as_int(value, instrument="rmdq", item=item, low=0, high=1, allow_bool=True)
        raw.append(value if isinstance(value, bool) else score)
        scores.append(score)
    return RmdqResult(
        answers=tuple(raw),
        item_scores=tuple(scores),
        ticked_items=tuple(i for i, s in enumerate(scores, start=1) if s),
        score=sum(scores),
    )


# --------------------------------------------------------------------------------------------
# STarT Back
# --------------------------------------------------------------------------------------------


def startback_risk(total: int, psychosocial: int) -> StartBackRisk:
    """STarT Back risk group from the total (0-9) and the psychosocial subscale (0-5).

    ``total <= 3`` low; otherwise ``psychosocial <= 3`` medium; otherwise (4 or 5) high.

    References
    ----------
    .. [1] Hill JC et al. A primary care back pain screening tool. Arthritis Rheum
       2008;59(5):632-41.
    """
    if total <= 3:
        return "low"
    if psychosocial <= 3:
        return "medium"
    return "high"


def score_startback(answers: Sequence[bool | int]) -> StartBackResult:
    """Score the Keele STarT Back Screening Tool.

    Parameters
    ----------
    answers
        9 answers. Items 1-8: 1 = agree, 0 = disagree (bools accepted). Item 9 (bothersomeness):
        0 not at all, 1 slightly, 2 moderately, 3 very much, 4 extremely; only 3 and 4 score 1.
        Missing answers are refused: the tool has no missing-item rule.

    Returns
    -------
    StartBackResult
        ``total`` = items 1-9 (0-9), ``psychosocial`` = items 5-9 (0-5), ``risk`` low / medium /
        high (Hill 2008).

    Raises
    ------
    InvalidResponseError
        Wrong number of answers, a missing answer, wrong type or out of range.

    References
    ----------
    .. [1] Hill JC et al. A primary care back pain screening tool. Arthritis Rheum
       2008;59(5):632-41.
    """
    values = _as_list("startback", answers)
    _check_count("startback", values, STARTBACK_ITEMS)
    raw: list[bool | int] = []
    scores: list[int] = []
    for item, value in enumerate(values, start=1):
        if value is None:
            _fail(
                "startback",
                item,
                "answer missing; every item is needed (the tool has no missing-item rule)",
            )
        if item < STARTBACK_ITEMS:
            score = _as_int(
                value, instrument="startback", item=item, low=0, high=1, allow_bool=True
            )
            raw.append(value if isinstance(value, bool) else score)
        else:
            level = _as_int(value, instrument="startback", item=item, low=0, high=4)
            raw.append(level)
            score = 1 if level >= 3 else 0
        scores.append(score)
    total = sum(scores)
    psychosocial = sum(scores[i - 1] for i in _STARTBACK_PSYCHOSOCIAL)
    return StartBackResult(
        answers=tuple(raw),
        item_scores=tuple(scores),
        total=total,
        psychosocial=psychosocial,
        risk=startback_risk(total, psychosocial),
        score=total,
    )


# --------------------------------------------------------------------------------------------
# NPRS
# --------------------------------------------------------------------------------------------


def nprs_band(
    value: int,
    *,
    mild_max: int = DEFAULT_SETTINGS.nprs_mild_max,
    moderate_max: int = DEFAULT_SETTINGS.nprs_moderate_max,
) -> NprsBand:
    """Display band of a 0-10 pain rating (PROJECT DEFAULT: 0 none, 1-3 mild, 4-6 moderate,
    7-10 severe). Not for clinical decisions; raises InvalidResponseError outside 0-10."""
    _check_nprs_cutoffs(mild_max, moderate_max)
    value = _as_int(value, instrument="nprs", item=1, low=0, high=10)
    if value <= 0:
        return "none"
    if value <= mild_max:
        return "mild"
    if value <= moderate_max:
        return "moderate"
    return "severe"


def score_nprs(
    current: int,
    best: int | None = None,
    worst: int | None = None,
    *,
    mild_max: int = DEFAULT_SETTINGS.nprs_mild_max,
    moderate_max: int = DEFAULT_SETTINGS.nprs_moderate_max,
) -> NprsResult:
    """Score the 11-point Numeric Pain Rating Scale.

    Parameters
    ----------
    current, best, worst
        Whole numbers 0 (no pain) to 10 (worst imaginable): pain now (item 1), least (item 2) and
        worst (item 3) in the last 24 h. ``best`` and ``worst`` are optional. The order
        best <= current <= worst is *not* enforced (patients occasionally rate now above their
        24-hour worst).
    mild_max, moderate_max
        PROJECT DEFAULT display bands (3 and 6).

    Returns
    -------
    NprsResult
        ``score`` = ``current``; ``mean_of_three`` when all three are given; ``band``.

    Raises
    ------
    InvalidResponseError
        A rating that is missing (current), not a whole number, or out of 0-10.
    ConfigError
        Band cut-offs out of order.

    References
    ----------
    .. [1] Childs JD, Piva SR, Fritz JM. Responsiveness of the numeric pain rating scale in
       patients with low back pain. Spine 2005 (mean of three; not read, UNVERIFIED).
    """
    _check_nprs_cutoffs(mild_max, moderate_max)
    if current is None:
        _fail("nprs", 1, "current pain is missing; it is required")
    now = _as_int(current, instrument="nprs", item=1, low=0, high=10)
    least = None if best is None else _as_int(best, instrument="nprs", item=2, low=0, high=10)
    most = None if worst is None else _as_int(worst, instrument="nprs", item=3, low=0, high=10)
    mean = None if least is None or most is None else (now + least + most) / 3
    return NprsResult(
        current=now,
        best=least,
        worst=most,
        mean_of_three=mean,
        band=nprs_band(now, mild_max=mild_max, moderate_max=moderate_max),
        mild_max=mild_max,
        moderate_max=moderate_max,
        score=now,
    )


# --------------------------------------------------------------------------------------------
# PSFS
# --------------------------------------------------------------------------------------------


def score_psfs(activities: Sequence[tuple[str, int | float]]) -> PsfsResult:
    """Score the Patient-Specific Functional Scale.

    Parameters
    ----------
    activities
        1 to 5 ``(activity text, rating)`` pairs; rating 0 (unable to perform) to 10 (able to
        perform at the pre-problem level); the text must not be blank.

    Returns
    -------
    PsfsResult
        ``activities`` (text stripped, rating as float) and ``score`` = mean rating (higher is
        better, unrounded).

    Raises
    ------
    InvalidResponseError
        No activity or more than 5, blank text, or a rating that is not a number in 0-10.

    References
    ----------
    .. [1] Stratford P et al. Assessing disability and change on individual patients: a report
       of a patient specific measure. Physiother Can 1995;47:258-63.
    """
    values = _as_list("psfs", activities)
    if not values:
        _fail("psfs", 1, "no activity given; name 1 to 5 activities with a rating 0-10")
    if len(values) > PSFS_MAX_ACTIVITIES:
        _fail(
            "psfs",
            PSFS_MAX_ACTIVITIES + 1,
            f"too many activities; at most {PSFS_MAX_ACTIVITIES}, got {len(values)}",
        )
    pairs: list[tuple[str, float]] = []
    for item, entry in enumerate(values, start=1):
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            _fail("psfs", item, f"expected (activity, rating), got {entry!r}")
        text, rating = entry
        if not isinstance(text, str) or not text.strip():
            _fail("psfs", item, f"activity text {text!r} must be a non-empty text")
        if isinstance(rating, bool) or not isinstance(rating, numbers.Real):
            _fail("psfs", item, f"rating {rating!r} is not a number 0-10")
        number = float(rating)
        if not math.isfinite(number) or not 0 <= number <= 10:
            _fail("psfs", item, f"rating {rating!r} is out of range 0-10")
        pairs.append((text.strip(), number))
    return PsfsResult(activities=tuple(pairs), score=sum(r for _, r in pairs) / len(pairs))


# --------------------------------------------------------------------------------------------
# FABQ
# --------------------------------------------------------------------------------------------


def score_fabq(
    answers: Sequence[int | None],
    *,
    employed: bool = True,
    pa_cutoff: int = DEFAULT_SETTINGS.fabq_pa_cutoff,
    work_cutoff: int = DEFAULT_SETTINGS.fabq_work_cutoff,
) -> FabqResult:
    """Score the Fear-Avoidance Beliefs Questionnaire.

    Parameters
    ----------
    answers
        16 answers, 0 (completely disagree) to 6 (completely agree). Missing answers are refused,
        except that the work items 6-16 may be left blank (``None``) when ``employed`` is False.
    employed
        When False, the work scale is not scored: ``work`` and ``elevated_work`` are None (not 0).
    pa_cutoff, work_cutoff
        PROJECT DEFAULT flags: physical activity > 14, work > 29 are "elevated".

    Returns
    -------
    FabqResult
        ``physical_activity`` = items 2+3+4+5 (0-24); ``work`` = items 6+7+9+10+11+12+15
        (0-42); the elevated flags; ``score`` = ``physical_activity``.

    Raises
    ------
    InvalidResponseError
        Wrong number of answers, a missing answer, wrong type or out of range.
    ConfigError
        Cut-offs outside the scale ranges.

    References
    ----------
    .. [1] Waddell G et al. A Fear-Avoidance Beliefs Questionnaire (FABQ) and the role of
       fear-avoidance beliefs in chronic low back pain and disability. Pain 1993.
    .. [2] George SZ, Fritz JM, Childs JD. Investigation of elevated fear-avoidance beliefs for
       patients with low back pain. JOSPT 2008;38(2):50-8.
    """
    _check_fabq_cutoffs(pa_cutoff, work_cutoff)
    values = _as_list("fabq", answers)
    _check_count("fabq", values, FABQ_ITEMS)
    scores: list[int | None] = []
    for item, value in enumerate(values, start=1):
        if value is None:
            if not employed and item in _FABQ_WORK_SECTION:
                scores.append(None)
                continue
            _fail("fabq", item, "answer missing; every item is needed")
        scores.append(_as_int(value, instrument="fabq", item=item, low=0, high=6))
    physical_activity = sum(scores[i - 1] or 0 for i in _FABQ_PA_ITEMS)
    work = sum(scores[i - 1] or 0 for i in _FABQ_WORK_ITEMS) if employed else None
    return FabqResult(
        answers=tuple(scores),
        employed=employed,
        physical_activity=physical_activity,
        work=work,
        pa_cutoff=pa_cutoff,
        work_cutoff=work_cutoff,
        elevated_pa=physical_activity > pa_cutoff,
        elevated_work=None if work is None else work > work_cutoff,
        score=physical_activity,
    )


# --------------------------------------------------------------------------------------------
# Text input, dispatch and JSON
# --------------------------------------------------------------------------------------------


def _instrument_name(instrument: str) -> Instrument:
    name = instrument.strip().lower() if isinstance(instrument, str) else ""
    for known in INSTRUMENTS:
        if name == known:
            return known
    raise InvalidResponseError(
        f"Unknown instrument {instrument!r}; known instruments: {', '.join(sorted(INSTRUMENTS))}"
    )


def _parse_int_field(instrument: str, item: int, field: str) -> int | None:
    text = field.strip()
    if not text or text.lower() == "na":
        return None
    try:
        return int(text)
    except ValueError:
        _fail(instrument, item, f"answer {text!r} is not a whole number (or empty / na)")


def _parse_psfs(text: str) -> list[tuple[str, float]]:
    parts = [p for p in text.split(";") if p.strip()]
    pairs: list[tuple[str, float]] = []
    for item, part in enumerate(parts, start=1):
        activity, sep, rating = part.rpartition("=")
        if not sep:
            _fail("psfs", item, f"{part.strip()!r} must look like 'activity text=rating'")
        try:
            number = float(rating.strip())
        except ValueError:
            _fail("psfs", item, f"rating {rating.strip()!r} is not a number 0-10")
        pairs.append((activity.strip(), number))
    return pairs


def parse_answers(instrument: str, text: str) -> list[Any]:
    """Parse answers typed on the command line.

    Forms:

    * ``odi``, ``rmdq``, ``startback``, ``fabq``: ``"a,b,c,..."``, one whole number per item;
      an empty field or ``na`` (any case) is a missing answer (None). For ODI, several ticked
      statements in one section may be joined with ``|`` (``"2|3"`` -> ``(2, 3)``).
    * ``nprs``: ``"current,best,worst"``; best and worst are optional (``"6"``, ``"6,,8"``).
    * ``psfs``: ``"activity text=rating;activity=rating"``, e.g. ``"walk the dog=4;lift child=2"``
      (the last ``=`` of each part separates the rating; empty parts are ignored).

    Parameters
    ----------
    instrument
        One of odi, rmdq, startback, nprs, psfs, fabq (any case).
    text
        The answers as typed.

    Returns
    -------
    list
        Values for :func:`score_instrument` (counts and ranges are checked there): ints and None,
        tuples of ticks for ODI, ``(activity, rating)`` pairs for PSFS.

    Raises
    ------
    InvalidResponseError
        Unknown instrument (the message lists the known ones) or a field that is not a number.
    """
    name = _instrument_name(instrument)
    if not isinstance(text, str):
        _fail(name, 1, f"answers must be text, got {type(text).__name__}")
    if name == "psfs":
        return _parse_psfs(text)
    fields = text.split(",")
    if name == "nprs" and len(fields) > 3:
        _fail("nprs", 4, "expected at most 3 ratings: current,best,worst")
    out: list[Any] = []
    for item, field in enumerate(fields, start=1):
        if name == "odi" and "|" in field:
            ticks = [_parse_int_field(name, item, tick) for tick in field.split("|")]
            if any(tick is None for tick in ticks):
                _fail(name, item, f"{field.strip()!r} has an empty tick")
            out.append(tuple(ticks))
        else:
            out.append(_parse_int_field(name, item, field))
    return out


def score_instrument(
    instrument: str,
    answers: Sequence[Any],
    *,
    employed: bool = True,
    settings: QuestionnaireSettings = DEFAULT_SETTINGS,
    version: str | None = None,
) -> QuestionnaireResult:
    """Score any instrument by name.

    Parameters
    ----------
    instrument
        odi, rmdq, startback, nprs, psfs or fabq (any case).
    answers
        As for the instrument's own function; for ``nprs`` a list ``[current, best, worst]``
        (1 to 3 values), for ``psfs`` a list of ``(activity, rating)`` pairs.
    employed
        FABQ only: whether the work scale is scored.
    settings
        PROJECT DEFAULT numbers (ODI minimum answered sections, FABQ and NPRS cut-offs).
    version
        The form's version as imported, or None; checked by :func:`check_version` (ODI: only
        v2.1a; other instruments: must be None).

    Returns
    -------
    QuestionnaireResult
        The instrument's result model.

    Raises
    ------
    InvalidResponseError
        Unknown instrument, bad answers (the message names the item) or a refused version.
    """
    name = _instrument_name(instrument)
    check_version(name, version)
    if name == "odi":
        return score_odi(answers, min_answered=settings.odi_min_answered)
    if name == "rmdq":
        return score_rmdq(answers)
    if name == "startback":
        return score_startback(answers)
    if name == "nprs":
        values = _as_list("nprs", answers)
        if not values:
            _fail("nprs", 1, "current pain is missing; it is required")
        if len(values) > 3:
            _fail(
                "nprs", 4, f"expected at most 3 ratings (current, best, worst), got {len(values)}"
            )
        padded = [*values, None, None][:3]
        return score_nprs(
            padded[0],
            padded[1],
            padded[2],
            mild_max=settings.nprs_mild_max,
            moderate_max=settings.nprs_moderate_max,
        )
    if name == "psfs":
        return score_psfs(answers)
    return score_fabq(
        answers,
        employed=employed,
        pa_cutoff=settings.fabq_pa_cutoff,
        work_cutoff=settings.fabq_work_cutoff,
    )


def result_to_json_dict(result: QuestionnaireResult) -> dict[str, Any]:
    """JSON-ready dict of a result.

    Always has ``instrument`` and ``score``; ODI adds ``percent`` and ``band``; STarT Back
    ``total``, ``psychosocial`` and ``risk``; FABQ ``physical_activity`` and ``work`` (these keys
    are a CLI contract). All other result fields are included as well.
    """
    return result.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------

_ODI_SEVERITY: Final[Mapping[OdiBand, Severity]] = {
    "minimal": Severity.NORMAL,
    "moderate": Severity.MILD,
    "severe": Severity.MODERATE,
    "very severe": Severity.SEVERE,
    "bed-bound or exaggerated": Severity.SEVERE,
}
_STARTBACK_SEVERITY: Final[Mapping[StartBackRisk, Severity]] = {
    "low": Severity.NORMAL,
    "medium": Severity.MODERATE,
    "high": Severity.SEVERE,
}
_NPRS_SEVERITY: Final[Mapping[NprsBand, Severity]] = {
    "none": Severity.NORMAL,
    "mild": Severity.MILD,
    "moderate": Severity.MODERATE,
    "severe": Severity.SEVERE,
}


def _source(result: QuestionnaireResult) -> str:
    return f"{result.version}; {result.reference}"


def _odi_findings(result: OdiResult) -> list[Finding]:
    if not result.valid or result.band is None:
        return []
    return [
        Finding(
            code="disability.odi",
            domain=Domain.DISABILITY,
            severity=_ODI_SEVERITY[result.band],
            title=f"Back-related disability (ODI): {result.band}",
            value=result.percent,
            unit="percent",
            norm="0-20 % minimal disability (bands 0-20/21-40/41-60/61-80/81-100 after rounding "
            "half-up to an integer, project default)",
            source=_source(result),
            evidence={
                "band": result.band,
                "raw_sum": result.raw_sum,
                "answered": result.answered,
                "section_scores": list(result.section_scores),
                "percent_unrounded": result.percent_unrounded,
            },
        )
    ]


def _rmdq_findings(result: RmdqResult, settings: QuestionnaireSettings) -> list[Finding]:
    s = settings
    if result.score <= s.rmdq_normal_max:
        severity = Severity.NORMAL
    elif result.score <= s.rmdq_mild_max:
        severity = Severity.MILD
    elif result.score <= s.rmdq_moderate_max:
        severity = Severity.MODERATE
    else:
        severity = Severity.SEVERE
    return [
        Finding(
            code="disability.rmdq",
            domain=Domain.DISABILITY,
            severity=severity,
            title=f"Back-related disability (RMDQ): {result.score} of 24",
            value=float(result.score),
            unit="points",
            norm=f"0-{s.rmdq_normal_max} normal, {s.rmdq_normal_max + 1}-{s.rmdq_mild_max} mild, "
            f"{s.rmdq_mild_max + 1}-{s.rmdq_moderate_max} moderate, "
            f"{s.rmdq_moderate_max + 1}-24 severe (project default)",
            source=_source(result),
            evidence={"ticked_items": list(result.ticked_items)},
        )
    ]


def _startback_findings(result: StartBackResult) -> list[Finding]:
    return [
        Finding(
            code="psychosocial.startback_risk",
            domain=Domain.PSYCHOSOCIAL,
            severity=_STARTBACK_SEVERITY[result.risk],
            title=f"STarT Back risk: {result.risk}",
            value=float(result.total),
            unit="points",
            norm="total <= 3 low; total >= 4 with psychosocial subscale <= 3 medium; "
            "psychosocial subscale 4-5 high (Hill 2008)",
            source=_source(result),
            evidence={"risk": result.risk, "psychosocial": result.psychosocial},
        )
    ]


def _nprs_findings(result: NprsResult) -> list[Finding]:
    return [
        Finding(
            code="pain.nprs",
            domain=Domain.PAIN,
            severity=_NPRS_SEVERITY[result.band],
            title=f"Current pain: {result.current}/10 ({result.band})",
            value=float(result.current),
            unit="points",
            norm=f"0 none, 1-{result.mild_max} mild, {result.mild_max + 1}-{result.moderate_max} "
            f"moderate, {result.moderate_max + 1}-10 severe (project default display bands)",
            source=_source(result),
            evidence={
                "band": result.band,
                "best": result.best,
                "worst": result.worst,
                "mean_of_three": result.mean_of_three,
            },
        )
    ]


def _psfs_findings(result: PsfsResult, settings: QuestionnaireSettings) -> list[Finding]:
    s = settings
    if result.score >= s.psfs_normal_min:
        severity = Severity.NORMAL
    elif result.score >= s.psfs_mild_min:
        severity = Severity.MILD
    elif result.score >= s.psfs_moderate_min:
        severity = Severity.MODERATE
    else:
        severity = Severity.SEVERE
    return [
        Finding(
            code="disability.psfs",
            domain=Domain.DISABILITY,
            severity=severity,
            title=f"Limitation in chosen activities (PSFS): mean {result.score:.1f} of 10",
            value=result.score,
            unit="points",
            norm=f"mean >= {s.psfs_normal_min:g} normal, >= {s.psfs_mild_min:g} mild, "
            f">= {s.psfs_moderate_min:g} moderate, below severe; lower is worse "
            "(project default)",
            source=_source(result),
            evidence={"activities": [[text, rating] for text, rating in result.activities]},
        )
    ]


def _fabq_findings(result: FabqResult, settings: QuestionnaireSettings) -> list[Finding]:
    elevated = [
        name
        for name, flag in (
            ("physical_activity", result.elevated_pa),
            ("work", result.elevated_work),
        )
        if flag
    ]
    evidence: dict[str, Any] = {
        "elevated_scales": elevated,
        "physical_activity": result.physical_activity,
        "work": result.work,
        "pa_cutoff": result.pa_cutoff,
        "work_cutoff": result.work_cutoff,
    }
    norm = (
        f"physical activity <= {result.pa_cutoff}, work <= {result.work_cutoff} "
        "(project default; prognostic, not diagnostic)"
    )
    if not elevated:
        return [
            Finding(
                code="psychosocial.fear_avoidance",
                domain=Domain.PSYCHOSOCIAL,
                severity=Severity.NORMAL,
                title="Fear-avoidance beliefs (FABQ) not elevated",
                value=float(result.physical_activity),
                unit="points",
                norm=norm,
                source=_source(result),
                evidence=evidence,
            )
        ]
    high_work = result.work is not None and result.work > settings.fabq_work_high_cutoff
    value = result.physical_activity if elevated[0] == "physical_activity" else result.work
    scales = " and ".join(name.replace("_", " ") for name in elevated)
    evidence["work_high_cutoff"] = settings.fabq_work_high_cutoff
    return [
        Finding(
            code="psychosocial.fear_avoidance",
            domain=Domain.PSYCHOSOCIAL,
            severity=Severity.SEVERE if high_work else Severity.MODERATE,
            title=f"Elevated fear-avoidance beliefs (FABQ {scales})",
            value=None if value is None else float(value),
            unit="points",
            norm=norm,
            source=_source(result),
            evidence=evidence,
        )
    ]


def findings_from(
    result: QuestionnaireResult, *, settings: QuestionnaireSettings = DEFAULT_SETTINGS
) -> list[Finding]:
    """Turn a questionnaire result into findings for the plan engine.

    Codes and severities:

    * ``disability.odi`` (value in percent): minimal -> normal, moderate -> mild, severe ->
      moderate, very severe and bed-bound -> severe. An ODI that is not ``valid`` (too few
      sections answered) gives no finding.
    * ``disability.rmdq`` (points): PROJECT DEFAULT cut-offs 0-2 normal (the "recovered" level of
      Kamper et al. 2010), 3-8 mild, 9-16 moderate, 17-24 severe.
    * ``psychosocial.startback_risk`` (value = total; evidence: psychosocial subscale and risk):
      low -> normal, medium -> moderate, high -> severe.
    * ``pain.nprs`` (value = current pain): none / mild / moderate / severe band -> the same
      severity (normal for none).
    * ``disability.psfs`` (value = mean; lower is worse): PROJECT DEFAULT cut-offs mean >= 9
      normal, >= 7 mild, >= 4 moderate, below 4 severe.
    * ``psychosocial.fear_avoidance``: when FABQ physical activity > 14 or work > 29 (PROJECT
      DEFAULT), severity moderate, or severe when work > 34 (high risk of not returning to work);
      value = the first elevated scale (physical activity, then work), the elevated scales in
      ``evidence["elevated_scales"]``. Otherwise one informational ``normal`` finding with the
      physical-activity score.

    Every finding has confidence 1.0 and ``source`` = instrument version and reference.

    Parameters
    ----------
    result
        Any questionnaire result.
    settings
        PROJECT DEFAULT cut-offs for RMDQ, PSFS and the FABQ work "high" level.

    Returns
    -------
    list of Finding

    References
    ----------
    .. [1] Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-53.
    .. [2] Roland MO, Morris RW. Spine 1983;8:141-4.
    .. [3] Hill JC et al. A primary care back pain screening tool. Arthritis Rheum
       2008;59(5):632-41.
    .. [4] Stratford P et al. Physiother Can 1995;47:258-63.
    .. [5] Waddell G et al. Fear-Avoidance Beliefs Questionnaire (FABQ). Pain 1993.
    .. [6] Kamper SJ et al. How little pain and disability do patients with low back pain have to
       experience to feel that they have recovered? Eur Spine J 2010;19:1495-1501.
    """
    if isinstance(result, OdiResult):
        return _odi_findings(result)
    if isinstance(result, RmdqResult):
        return _rmdq_findings(result, settings)
    if isinstance(result, StartBackResult):
        return _startback_findings(result)
    if isinstance(result, NprsResult):
        return _nprs_findings(result)
    if isinstance(result, PsfsResult):
        return _psfs_findings(result, settings)
    if isinstance(result, FabqResult):
        return _fabq_findings(result, settings)
    raise InvalidResponseError(f"No findings for a result of type {type(result).__name__}")
