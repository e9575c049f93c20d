"""McGill trunk endurance battery: hold times (seconds) in; ratios, imbalance flags, findings out.

Input: :class:`EnduranceTimes` (flexor, extensor, left and right side bridge; any may be missing)
and optionally sex. Output: an :class:`EnduranceResult` with the §3.3 ratios, every check against
its threshold (ratio targets; low endurance vs the §3.2 sex-matched means) and the findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backrehab.assess.findings import Domain, Finding, Severity, Side
from backrehab.errors import InvalidResponseError

Sex = Literal["male", "female"]
RatioName = Literal["flex_ext", "rl_sb", "sb_ext_right", "sb_ext_left"]
RATIO_NAMES: Final[tuple[RatioName, ...]] = ("flex_ext", "rl_sb", "sb_ext_right", "sb_ext_left")

SOURCE: Final = "McGill trunk endurance battery; McGill, Childs & Liebenson 1999"
NORMS_SOURCE: Final = (
    "McGill SM, Childs A, Liebenson C. Endurance times for low back stabilization exercises. "
    "Arch Phys Med Rehabil 1999;80(8):941-4 — healthy young adults, 31 men and 44 women "
    "(clinical reference §3.2; means agree with the abstract's ratios, SDs UNVERIFIED)"
)

_TOL: Final = 1e-9
"""Values within this of a threshold count as on it (1.05 is inside 0.95–1.05 despite rounding)."""


class EnduranceTest(StrEnum):
    """The four tests of the battery (clinical reference §3.1).

    ``EXTENSOR`` is the Biering-Sørensen test: ``EnduranceTest("biering_sorensen")`` gives it
    (no alias member, so that exhaustive ``match`` statements stay checkable by mypy).
    """

    FLEXOR = "flexor"
    EXTENSOR = "extensor"
    SIDE_BRIDGE_LEFT = "side_bridge_left"
    SIDE_BRIDGE_RIGHT = "side_bridge_right"

    @classmethod
    def _missing_(cls, value: object) -> EnduranceTest | None:
        """Accept ``"biering_sorensen"`` as the extensor test."""
        return cls.EXTENSOR if value == "biering_sorensen" else None

    @classmethod
    def from_hold_test(cls, test: str, side: str = "none") -> EnduranceTest:
        """Map a video hold-test name (``flexor``, ``biering_sorensen``, ``side_bridge`` with
        ``side`` left/right) to the battery test; anything else is an InvalidResponseError."""
        if test == "side_bridge" and side in ("left", "right"):
            return cls(f"side_bridge_{side}")
        if test in ("flexor", "extensor", "biering_sorensen"):
            return cls(test)
        raise InvalidResponseError(
            f"'{test}' (side '{side}') is not a test of the McGill endurance battery.",
            detail="expected flexor, biering_sorensen/extensor, side_bridge with side left/right",
        )

    @property
    def times_field(self) -> str:
        """Name of the matching :class:`EnduranceTimes` field."""
        return _TIMES_FIELD[self]

    @property
    def side(self) -> Side:
        """``left``/``right`` for the side bridges, ``none`` otherwise."""
        if self is EnduranceTest.SIDE_BRIDGE_LEFT:
            return "left"
        if self is EnduranceTest.SIDE_BRIDGE_RIGHT:
            return "right"
        return "none"


_TIMES_FIELD: Final[Mapping[EnduranceTest, str]] = MappingProxyType(
    {
        EnduranceTest.FLEXOR: "flexor_s",
        EnduranceTest.EXTENSOR: "extensor_s",
        EnduranceTest.SIDE_BRIDGE_LEFT: "side_left_s",
        EnduranceTest.SIDE_BRIDGE_RIGHT: "side_right_s",
    }
)


@dataclass(frozen=True, slots=True)
class NormativeTime:
    """Mean and standard deviation of a hold time, seconds."""

    mean_s: float
    sd_s: float


NORMS: Final[Mapping[Sex, Mapping[EnduranceTest, NormativeTime]]] = MappingProxyType(
    {
        "male": MappingProxyType(
            {
                EnduranceTest.EXTENSOR: NormativeTime(146.0, 51.0),
                EnduranceTest.FLEXOR: NormativeTime(144.0, 76.0),
                EnduranceTest.SIDE_BRIDGE_RIGHT: NormativeTime(94.0, 34.0),
                EnduranceTest.SIDE_BRIDGE_LEFT: NormativeTime(97.0, 35.0),
            }
        ),
        "female": MappingProxyType(
            {
                EnduranceTest.EXTENSOR: NormativeTime(189.0, 60.0),
                EnduranceTest.FLEXOR: NormativeTime(149.0, 99.0),
                EnduranceTest.SIDE_BRIDGE_RIGHT: NormativeTime(72.0, 31.0),
                EnduranceTest.SIDE_BRIDGE_LEFT: NormativeTime(77.0, 35.0),
            }
        ),
    }
)
"""§3.2 normative hold times by sex (source: :data:`NORMS_SOURCE`)."""

PUBLISHED_RATIOS: Final[Mapping[Sex, Mapping[RatioName, float]]] = MappingProxyType(
    {
        "male": MappingProxyType(
            {"flex_ext": 0.99, "rl_sb": 0.96, "sb_ext_right": 0.64, "sb_ext_left": 0.66}
        ),
        "female": MappingProxyType(
            {"flex_ext": 0.79, "rl_sb": 0.94, "sb_ext_right": 0.38, "sb_ext_left": 0.40}
        ),
    }
)
"""§3.2 group ratios as published (source: :data:`NORMS_SOURCE`)."""


def _invalid(exc: ValidationError, what: str) -> InvalidResponseError:
    """One InvalidResponseError naming every field a ValidationError complains about."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(input)"
        parts.append(f"{field}: {err['msg']} (got {err.get('input')!r})")
    return InvalidResponseError(f"Invalid {what}: {'; '.join(parts)}.", detail=str(exc))


class EnduranceTimes(BaseModel):
    """Hold times of one battery, seconds (None = test not done), and sex for the norms.

    Times must be finite numbers ≥ 0 (strict: no strings or booleans); a bad value raises
    :class:`~backrehab.errors.InvalidResponseError` naming the field. ``sex`` None means the
    absolute times are not compared with the norms.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    flexor_s: float | None = Field(None, ge=0, allow_inf_nan=False)
    extensor_s: float | None = Field(None, ge=0, allow_inf_nan=False)
    side_left_s: float | None = Field(None, ge=0, allow_inf_nan=False)
    side_right_s: float | None = Field(None, ge=0, allow_inf_nan=False)
    sex: Sex | None = None

    def __init__(
        self,
        *,
        flexor_s: float | None = None,
        extensor_s: float | None = None,
        side_left_s: float | None = None,
        side_right_s: float | None = None,
        sex: Sex | None = None,
    ) -> None:
        try:
            super().__init__(
                flexor_s=flexor_s,
                extensor_s=extensor_s,
                side_left_s=side_left_s,
                side_right_s=side_right_s,
                sex=sex,
            )
        except ValidationError as exc:
            raise _invalid(exc, "endurance input") from exc

    def time_of(self, test: EnduranceTest) -> float | None:
        """The hold time of ``test`` in seconds, or None."""
        value: float | None = getattr(self, test.times_field)
        return value


def times_from_mapping(data: Mapping[str, object]) -> EnduranceTimes:
    """Build :class:`EnduranceTimes` from untrusted data (CLI, web form, JSON).

    Parameters
    ----------
    data
        ``flexor_s``, ``extensor_s``, ``side_left_s``, ``side_right_s`` (numbers ≥ 0 or None) and
        ``sex`` ("male", "female" or None); missing keys are None.

    Returns
    -------
    EnduranceTimes

    Raises
    ------
    InvalidResponseError
        Unknown key, negative, non-finite or non-numeric time, or unknown sex; names the field.

    References
    ----------
    .. [1] McGill SM, Childs A, Liebenson C. Arch Phys Med Rehabil 1999;80(8):941-4.
    """
    unknown = sorted(str(k) for k in data if k not in EnduranceTimes.model_fields)
    if unknown:
        raise InvalidResponseError(
            f"Unknown endurance field(s): {', '.join(unknown)}.",
            detail=f"known fields: {', '.join(EnduranceTimes.model_fields)}",
        )
    try:
        return EnduranceTimes.model_validate(dict(data))
    except ValidationError as exc:  # the custom __init__ raised; pydantic wrapped it
        for err in exc.errors():
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, InvalidResponseError):
                raise cause from exc
        raise _invalid(exc, "endurance input") from exc


class EnduranceSettings(BaseModel):
    """Flag thresholds: McGill ratio targets (§3.3) and PROJECT DEFAULT grading and low endurance.

    A check is flagged ``mild`` just over its target and ``moderate`` beyond the ``*_moderate``
    value (PROJECT DEFAULT). The battery is a screening aid from young healthy adults' norms, so
    no endurance result is graded above moderate.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    flex_ext_max: float = Field(1.00, gt=0, description="flexion/extension above this: flag (§3.3)")
    flex_ext_moderate: float = Field(
        1.25, gt=0, description="above this: moderate (PROJECT DEFAULT)"
    )
    side_bridge_asymmetry_max: float = Field(
        0.05, ge=0, description="|right/left - 1| above this: flag (§3.3, outside 0.95–1.05)"
    )
    side_bridge_asymmetry_moderate: float = Field(
        0.15, ge=0, description="|right/left - 1| above this: moderate (PROJECT DEFAULT)"
    )
    sb_ext_max: float = Field(
        0.75, gt=0, description="side bridge/extension above this on either side: flag (§3.3)"
    )
    sb_ext_moderate: float = Field(1.00, gt=0, description="above this: moderate (PROJECT DEFAULT)")
    low_endurance_fraction: float = Field(
        0.50,
        gt=0,
        le=1,
        description="time below this share of the sex-matched mean: low "
        "endurance (§3.3 PROJECT DEFAULT)",
    )
    low_endurance_moderate_fraction: float = Field(
        0.25, ge=0, le=1, description="below this share: moderate (PROJECT DEFAULT)"
    )

    @model_validator(mode="after")
    def _grading_in_order(self) -> EnduranceSettings:
        if self.flex_ext_moderate < self.flex_ext_max:
            raise ValueError("flex_ext_moderate must be >= flex_ext_max")
        if self.side_bridge_asymmetry_moderate < self.side_bridge_asymmetry_max:
            raise ValueError("side_bridge_asymmetry_moderate must be >= side_bridge_asymmetry_max")
        if self.sb_ext_moderate < self.sb_ext_max:
            raise ValueError("sb_ext_moderate must be >= sb_ext_max")
        if self.low_endurance_moderate_fraction > self.low_endurance_fraction:
            raise ValueError("low_endurance_moderate_fraction must be <= low_endurance_fraction")
        return self


CheckCode = Literal[
    "flexor_extensor_imbalance",
    "side_bridge_asymmetry",
    "lateral_extensor_imbalance",
    "low_endurance.flexor",
    "low_endurance.extensor",
    "low_endurance.side_bridge_left",
    "low_endurance.side_bridge_right",
]


class EnduranceCheck(BaseModel):
    """One computed check (a ratio target or a hold time vs its norm), flagged or not.

    ``code`` is the finding code without the ``endurance.`` prefix; ``threshold`` the value that
    flags (ratio, or seconds for low endurance); ``side`` the weaker side (asymmetry), the side(s)
    over the target (lateral/extensor) or the tested side (side-bridge times).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: CheckCode
    value: float
    unit: Literal["ratio", "s"]
    threshold: float
    flagged: bool
    severity: Severity
    side: Side = "none"
    norm: str
    evidence: dict[str, float | str] = Field(default_factory=dict)


class EnduranceResult(BaseModel):
    """Ratios, checks and remarks of one battery.

    Attributes
    ----------
    times, settings
        The input and the thresholds used.
    flex_ext, rl_sb, sb_ext_right, sb_ext_left
        The §3.3 ratios, None when they cannot be computed (see ``not_computed``).
    not_computed
        Ratio name -> why it is None (a test missing, or a 0 s denominator).
    norm_sex
        Sex whose norms the times were compared with, or None (no comparison).
    percent_of_norm
        Test -> hold time as a percentage of the sex-matched §3.2 mean.
    checks
        Every check that could be made, flagged or not, in a stable order.
    notes
        Remarks for the reader (no sex given, norms' population).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    times: EnduranceTimes
    settings: EnduranceSettings
    flex_ext: float | None
    rl_sb: float | None
    sb_ext_right: float | None
    sb_ext_left: float | None
    not_computed: dict[str, str]
    norm_sex: Sex | None
    percent_of_norm: dict[EnduranceTest, float]
    checks: tuple[EnduranceCheck, ...]
    notes: tuple[str, ...]

    @property
    def flags(self) -> tuple[EnduranceCheck, ...]:
        """The flagged checks."""
        return tuple(c for c in self.checks if c.flagged)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """Codes of the flagged checks, e.g. ``("side_bridge_asymmetry",)``."""
        return tuple(c.code for c in self.flags)

    def ratio(self, name: RatioName) -> float | None:
        """A ratio by name."""
        value: float | None = getattr(self, name)
        return value


_CHECK_ORDER: Final[tuple[EnduranceTest, ...]] = (
    EnduranceTest.FLEXOR,
    EnduranceTest.EXTENSOR,
    EnduranceTest.SIDE_BRIDGE_LEFT,
    EnduranceTest.SIDE_BRIDGE_RIGHT,
)

_LOW_CODE: Final[Mapping[EnduranceTest, CheckCode]] = MappingProxyType(
    {
        EnduranceTest.FLEXOR: "low_endurance.flexor",
        EnduranceTest.EXTENSOR: "low_endurance.extensor",
        EnduranceTest.SIDE_BRIDGE_LEFT: "low_endurance.side_bridge_left",
        EnduranceTest.SIDE_BRIDGE_RIGHT: "low_endurance.side_bridge_right",
    }
)
_TEST_LABEL: Final[Mapping[EnduranceTest, str]] = MappingProxyType(
    {
        EnduranceTest.FLEXOR: "trunk flexor",
        EnduranceTest.EXTENSOR: "back extensor",
        EnduranceTest.SIDE_BRIDGE_LEFT: "left side bridge",
        EnduranceTest.SIDE_BRIDGE_RIGHT: "right side bridge",
    }
)


def _f(value: float | None) -> float | str:
    """A time for evidence: seconds, or "not done"."""
    return "not done" if value is None else value


def _ratio(
    num: float | None, den: float | None, num_field: str, den_field: str
) -> tuple[float | None, str]:
    """num/den, or None with the reason."""
    if num is None or den is None:
        missing = [f for f, v in ((num_field, num), (den_field, den)) if v is None]
        return None, f"test not done: {', '.join(missing)} missing"
    if den == 0:
        return None, f"{den_field} is 0 s, so {num_field}/{den_field} is undefined"
    return num / den, ""


def _grade_over(value: float, limit: float, moderate: float) -> tuple[bool, Severity]:
    """Flagged when over ``limit`` (beyond the tolerance); moderate when over ``moderate``."""
    if value <= limit + _TOL:
        return False, Severity.NORMAL
    return True, Severity.MODERATE if value > moderate + _TOL else Severity.MILD


def evaluate_endurance(
    times: EnduranceTimes, *, settings: EnduranceSettings | None = None
) -> EnduranceResult:
    """Compute the §3.3 ratios and flags, and compare hold times with the §3.2 norms.

    Ratios: ``flex_ext = flexor/extensor``, ``rl_sb = right/left side bridge``,
    ``sb_ext_right = right side bridge/extensor``, ``sb_ext_left = left side bridge/extensor``;
    a ratio whose tests are missing or whose denominator is 0 s is None, with the reason.
    Flags (McGill targets): ``flexor_extensor_imbalance`` if flex_ext > 1.00,
    ``side_bridge_asymmetry`` if |rl_sb − 1| > 0.05, ``lateral_extensor_imbalance`` if the larger
    side bridge/extension ratio > 0.75. ``low_endurance.<test>`` (PROJECT DEFAULT) if a time is
    below 50 % of the sex-matched mean; only when ``times.sex`` is given. Values within 1e-9 of a
    threshold count as on it (not over). Grading (PROJECT DEFAULT): mild when flagged, moderate
    beyond the ``*_moderate`` setting.

    Parameters
    ----------
    times
        The hold times (a partial battery is fine).
    settings
        Thresholds; defaults to :class:`EnduranceSettings`.

    Returns
    -------
    EnduranceResult

    References
    ----------
    .. [1] McGill SM, Childs A, Liebenson C. Endurance times for low back stabilization
       exercises: clinical targets for testing and training from a normal database. Arch Phys
       Med Rehabil 1999;80(8):941-4.
    .. [2] Clinical reference §3.3 [S11]: McGill ratio targets as reproduced by ACE and clinical
       sites (matassessment.com; graychiropractic.ca).
    """
    s = settings if settings is not None else EnduranceSettings()
    t = times
    not_computed: dict[str, str] = {}
    ratios: dict[RatioName, float | None] = {}
    specs: tuple[tuple[RatioName, float | None, float | None, str, str], ...] = (
        ("flex_ext", t.flexor_s, t.extensor_s, "flexor_s", "extensor_s"),
        ("rl_sb", t.side_right_s, t.side_left_s, "side_right_s", "side_left_s"),
        ("sb_ext_right", t.side_right_s, t.extensor_s, "side_right_s", "extensor_s"),
        ("sb_ext_left", t.side_left_s, t.extensor_s, "side_left_s", "extensor_s"),
    )
    for name, num, den, num_field, den_field in specs:
        value, why = _ratio(num, den, num_field, den_field)
        ratios[name] = value
        if value is None:
            not_computed[name] = why

    checks: list[EnduranceCheck] = []
    flex_ext = ratios["flex_ext"]
    if flex_ext is not None:
        flagged, severity = _grade_over(flex_ext, s.flex_ext_max, s.flex_ext_moderate)
        checks.append(
            EnduranceCheck(
                code="flexor_extensor_imbalance",
                value=flex_ext,
                unit="ratio",
                threshold=s.flex_ext_max,
                flagged=flagged,
                severity=severity,
                norm=f"flexion/extension ≤ {s.flex_ext_max:.2f} (McGill target); moderate above "
                f"{s.flex_ext_moderate:.2f} (PROJECT DEFAULT)",
                evidence={"flexor_s": _f(t.flexor_s), "extensor_s": _f(t.extensor_s)},
            )
        )
    rl_sb = ratios["rl_sb"]
    if rl_sb is not None:
        deviation = abs(rl_sb - 1.0)
        flagged, severity = _grade_over(
            deviation, s.side_bridge_asymmetry_max, s.side_bridge_asymmetry_moderate
        )
        weaker: Side = "none"
        if flagged:
            weaker = "left" if rl_sb > 1.0 else "right"
        lo, hi = 1.0 - s.side_bridge_asymmetry_max, 1.0 + s.side_bridge_asymmetry_max
        mlo, mhi = 1.0 - s.side_bridge_asymmetry_moderate, 1.0 + s.side_bridge_asymmetry_moderate
        checks.append(
            EnduranceCheck(
                code="side_bridge_asymmetry",
                value=rl_sb,
                unit="ratio",
                threshold=s.side_bridge_asymmetry_max,
                flagged=flagged,
                severity=severity,
                side=weaker,
                norm=f"right/left side bridge within {lo:.2f}–{hi:.2f} (McGill target); "
                f"moderate outside {mlo:.2f}–{mhi:.2f} (PROJECT DEFAULT)",
                evidence={
                    "side_right_s": _f(t.side_right_s),
                    "side_left_s": _f(t.side_left_s),
                    "deviation_from_1": deviation,
                },
            )
        )
    lateral = {
        side: r
        for side, r in (("right", ratios["sb_ext_right"]), ("left", ratios["sb_ext_left"]))
        if r is not None
    }
    if lateral:
        top = max(lateral.values())
        flagged, severity = _grade_over(top, s.sb_ext_max, s.sb_ext_moderate)
        over = [k for k, r in lateral.items() if r > s.sb_ext_max + _TOL]
        side: Side = "bilateral" if len(over) == 2 else ("left" if over == ["left"] else "none")
        if over == ["right"]:
            side = "right"
        evidence: dict[str, float | str] = {"extensor_s": _f(t.extensor_s)}
        evidence.update({f"sb_ext_{k}": v for k, v in lateral.items()})
        checks.append(
            EnduranceCheck(
                code="lateral_extensor_imbalance",
                value=top,
                unit="ratio",
                threshold=s.sb_ext_max,
                flagged=flagged,
                severity=severity,
                side=side,
                norm=f"side bridge/extension ≤ {s.sb_ext_max:.2f} on each side (McGill target); "
                f"moderate above {s.sb_ext_moderate:.2f} (PROJECT DEFAULT)",
                evidence=evidence,
            )
        )

    notes = [
        "Norms are from healthy young adults (McGill 1999); athletes and older workers differ "
        "substantially, so read the results as trends for this person. Ratios are the primary "
        "output."
    ]
    percent: dict[EnduranceTest, float] = {}
    if t.sex is None:
        notes.append("Sex not given: hold times were not compared with the norms (ratios only).")
    else:
        for test in _CHECK_ORDER:
            time_s = t.time_of(test)
            if time_s is None:
                continue
            mean_s = NORMS[t.sex][test].mean_s
            percent[test] = 100.0 * time_s / mean_s
            limit_s = s.low_endurance_fraction * mean_s
            moderate_s = s.low_endurance_moderate_fraction * mean_s
            flagged = time_s < limit_s - _TOL
            severity = Severity.NORMAL
            if flagged:
                severity = Severity.MODERATE if time_s < moderate_s - _TOL else Severity.MILD
            checks.append(
                EnduranceCheck(
                    code=_LOW_CODE[test],
                    value=time_s,
                    unit="s",
                    threshold=limit_s,
                    flagged=flagged,
                    severity=severity,
                    side=test.side,
                    norm=f"≥ {s.low_endurance_fraction:.0%} of the {t.sex} mean "
                    f"{mean_s:g} s = {limit_s:g} s (PROJECT DEFAULT; McGill 1999 young adults)",
                    evidence={
                        "norm_mean_s": mean_s,
                        "percent_of_mean": percent[test],
                        "sex": t.sex,
                    },
                )
            )
    return EnduranceResult(
        times=t,
        settings=s,
        flex_ext=ratios["flex_ext"],
        rl_sb=ratios["rl_sb"],
        sb_ext_right=ratios["sb_ext_right"],
        sb_ext_left=ratios["sb_ext_left"],
        not_computed=not_computed,
        norm_sex=t.sex,
        percent_of_norm=percent,
        checks=tuple(checks),
        notes=tuple(notes),
    )


def _title(check: EnduranceCheck) -> str:
    code = check.code
    if code == "flexor_extensor_imbalance":
        return (
            "Trunk flexors outlast the back extensors"
            if check.flagged
            else "Flexor/extensor endurance balance within target"
        )
    if code == "side_bridge_asymmetry":
        return (
            f"Side bridge weaker on the {check.side}" if check.flagged else "Side bridges balanced"
        )
    if code == "lateral_extensor_imbalance":
        return (
            "Side bridge long compared with the back extensor hold"
            if check.flagged
            else "Side bridge/extensor balance within target"
        )
    label = _TEST_LABEL[EnduranceTest(code.removeprefix("low_endurance."))]
    return f"Low {label} endurance" if check.flagged else f"{label.capitalize()} endurance not low"


_CHECK_TESTS: Final[Mapping[str, tuple[EnduranceTest, ...]]] = MappingProxyType(
    {
        "flexor_extensor_imbalance": (EnduranceTest.FLEXOR, EnduranceTest.EXTENSOR),
        "side_bridge_asymmetry": (EnduranceTest.SIDE_BRIDGE_LEFT, EnduranceTest.SIDE_BRIDGE_RIGHT),
        "lateral_extensor_imbalance": (
            EnduranceTest.EXTENSOR,
            EnduranceTest.SIDE_BRIDGE_LEFT,
            EnduranceTest.SIDE_BRIDGE_RIGHT,
        ),
        **{code: (test,) for test, code in _LOW_CODE.items()},
    }
)
"""The tests whose times each check uses."""


def _check_confidence(
    check: EnduranceCheck, result: EnduranceResult, confidence: Mapping[EnduranceTest, float]
) -> float:
    """The lowest confidence of the tests a check uses (a test not listed counts 1.0)."""
    used = [t for t in _CHECK_TESTS[check.code] if result.times.time_of(t) is not None]
    return min((float(confidence.get(t, 1.0)) for t in used), default=1.0)


def findings_from(
    result: EnduranceResult,
    *,
    include_normal: bool = True,
    confidence: Mapping[EnduranceTest, float] | None = None,
) -> list[Finding]:
    """Findings of an endurance battery, one per check, in the order of ``result.checks``.

    Codes: ``endurance.flexor_extensor_imbalance``, ``endurance.side_bridge_asymmetry`` (side =
    the weaker side), ``endurance.lateral_extensor_imbalance`` (side = the side over the target,
    ``bilateral`` if both), ``endurance.low_endurance.<test>`` (test = flexor, extensor,
    side_bridge_left, side_bridge_right; side for the side bridges). Unit ``ratio`` or ``s``;
    severity normal within the target (kept to show progress), mild when flagged, moderate well
    over the target (PROJECT DEFAULT, see :class:`EnduranceSettings`).

    Parameters
    ----------
    result
        Output of :func:`evaluate_endurance`.
    include_normal
        Also return the checks within their targets (severity normal).
    confidence
        Test -> 0-1, how far its time can be trusted (a video timing's confidence); tests not
        given count 1.0 (typed by a clinician). A finding takes the lowest confidence of the
        tests it uses.

    Returns
    -------
    list of Finding

    References
    ----------
    .. [1] McGill SM, Childs A, Liebenson C. Arch Phys Med Rehabil 1999;80(8):941-4.
    .. [2] Clinical reference §3.3 [S11] (ratio targets).
    """
    return [
        Finding(
            code=f"endurance.{c.code}",
            domain=Domain.ENDURANCE,
            severity=c.severity,
            title=_title(c),
            value=c.value,
            unit=c.unit,
            norm=c.norm,
            side=c.side,
            confidence=_check_confidence(c, result, confidence or {}),
            source=SOURCE,
            evidence={"threshold": c.threshold, **c.evidence},
        )
        for c in result.checks
        if include_normal or c.flagged
    ]
