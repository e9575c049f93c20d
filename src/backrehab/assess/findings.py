"""One finding type for every assessment result, and the assessment that bundles them.

Input: results of questionnaires, red-flag screens, endurance tests, posture, movement screens and
ergonomics. Output: :class:`Finding` (stable code, domain, severity, value with unit, norm, side,
confidence, source) and :class:`Assessment`, which round-trips through JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab import __version__
from backrehab.errors import BackrehabError


class AssessmentFileError(BackrehabError, ValueError):
    """An assessment JSON document is unreadable or does not match the schema."""


class Domain(StrEnum):
    """What a finding is about."""

    PAIN = "pain"
    DISABILITY = "disability"
    PSYCHOSOCIAL = "psychosocial"
    POSTURE = "posture"
    MOVEMENT = "movement"
    ENDURANCE = "endurance"
    ERGONOMICS = "ergonomics"
    SAFETY = "safety"


class Severity(StrEnum):
    """How much a finding matters, from within norms to an emergency.

    ``normal``: within the norm (kept so that progress can be shown); ``mild``, ``moderate``,
    ``severe``: increasing departure from the norm or limitation; ``critical``: stop and refer
    (red flags).
    """

    NORMAL = "normal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 (normal) to 4 (critical), for sorting."""
        return list(Severity).index(self)


Side = Literal["left", "right", "bilateral", "none"]


class Finding(BaseModel):
    """One assessment result that the plan engine can act on.

    Attributes
    ----------
    code
        Stable identifier, dotted, e.g. ``posture.forward_head`` or ``disability.odi``. Plan rules
        match on it; never rename a code.
    domain, severity
        See :class:`Domain` and :class:`Severity`.
    title
        Short plain-language statement for people, e.g. "Forward head posture".
    value, unit
        The measured value and its unit (``deg``, ``percent``, ``points``, ``s``, ``ratio``), or
        None for yes/no findings.
    norm
        The reference the value was compared with, in words (e.g. "< 3 deg (project default)").
    side
        ``left``, ``right``, ``bilateral`` or ``none``.
    confidence
        0-1: how far the measurement can be trusted (1 for questionnaires; visibility and view
        for camera measures).
    source
        Instrument or test, and the reference (e.g. "ODI v2.1a; Fairbank & Pynsent 2000").
    evidence
        Extra numbers or texts behind the finding (sub-scores, frames used, rule thresholds).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
    domain: Domain
    severity: Severity
    title: str
    value: float | None = None
    unit: str = ""
    norm: str = ""
    side: Side = "none"
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    source: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)


class Assessment(BaseModel):
    """Findings with the raw results and the settings that produced them.

    ``results`` maps an instrument or test name to its full result (JSON-ready dicts), so that
    nothing measured is lost; ``settings`` records the configuration used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    patient_ref: str = ""
    findings: tuple[Finding, ...] = ()
    results: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    backrehab_version: str = __version__

    def with_findings(
        self,
        findings: list[Finding] | tuple[Finding, ...],
        *,
        result_name: str = "",
        result: Any = None,
    ) -> Assessment:
        """A copy with more findings (and optionally one more raw result)."""
        results = dict(self.results)
        if result_name:
            results[result_name] = result
        return self.model_copy(update={"findings": (*self.findings, *findings), "results": results})

    def by_domain(self, domain: Domain) -> list[Finding]:
        """Findings of one domain, most severe first (stable order otherwise)."""
        picked = [f for f in self.findings if f.domain is domain]
        return sorted(picked, key=lambda f: -f.severity.rank)

    def to_json(self) -> str:
        """JSON text (UTF-8, indented)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> Assessment:
        """Parse :meth:`to_json` output; a malformed document is an :class:`AssessmentFileError`."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
            )
            raise AssessmentFileError(
                f"Invalid assessment document: {problems}", detail=str(exc)
            ) from exc
