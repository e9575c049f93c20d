"""Tests of the plan engine; small builders of findings and assessments shared by them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backrehab.assess.findings import Assessment, Domain, Finding, Severity
from backrehab.assess.red_flags import MESSAGES

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "assessments"

_DOMAINS = {
    "safety": Domain.SAFETY,
    "psychosocial": Domain.PSYCHOSOCIAL,
    "pain": Domain.PAIN,
    "disability": Domain.DISABILITY,
    "endurance": Domain.ENDURANCE,
    "movement": Domain.MOVEMENT,
    "posture": Domain.POSTURE,
    "ergonomics": Domain.ERGONOMICS,
}


def finding(
    code: str,
    severity: str = "mild",
    *,
    side: str = "none",
    confidence: float = 1.0,
    **evidence: Any,
) -> Finding:
    """A finding with the domain taken from the code's first part."""
    return Finding(
        code=code,
        domain=_DOMAINS[code.split(".")[0]],
        severity=Severity(severity),
        title=code,
        side=side,  # type: ignore[arg-type]
        confidence=confidence,
        source="test",
        evidence=evidence,
    )


def red_flag(level: str, *triggers: str) -> Finding:
    """A red-flag screen finding of ``level`` (emergency, urgent, review or none)."""
    severity = {"emergency": "critical", "urgent": "severe", "review": "moderate"}.get(
        level, "normal"
    )
    return finding(
        f"safety.red_flag.{level}",
        severity,
        triggers=list(triggers),
        message=MESSAGES[level],  # type: ignore[index]
        level=level,
        allow_plan=level in ("review", "none"),
    )


def startback(risk: str) -> Finding:
    """A STarT Back finding of the given risk group."""
    severity = {"low": "normal", "medium": "moderate", "high": "severe"}[risk]
    return finding("psychosocial.startback_risk", severity, risk=risk, psychosocial=0)


def assessment(*findings: Finding, context: dict[str, Any] | None = None) -> Assessment:
    """An assessment with these findings (a clean red-flag screen unless one is given)."""
    items = list(findings)
    if not any(f.code.startswith("safety.") for f in items):
        items.insert(0, red_flag("none"))
    settings: dict[str, Any] = {}
    if context is not None:
        settings["patient_context"] = context
    return Assessment(patient_ref="test", findings=tuple(items), settings=settings)
