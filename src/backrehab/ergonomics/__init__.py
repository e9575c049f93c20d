"""Workplace posture scores: RULA (upper limb, 1-7) and REBA (whole body, 1-15).

Angles in degrees and yes/no adjustments in, frozen results naming every sub-score out, plus JSON
and :class:`~backrehab.assess.findings.Finding` conversion. Field reference:
``docs/ergonomics-angles.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backrehab.ergonomics.reba import reba_grand, score_reba
from backrehab.ergonomics.rula import rula_grand, score_rula
from backrehab.ergonomics.schema import (
    METHODS,
    RebaInput,
    RebaScore,
    RulaInput,
    RulaScore,
    findings_from,
    from_dict,
    score_to_json_dict,
    side_from_dict,
)
from backrehab.ergonomics.tables import ActionLevel, reba_action_level, rula_action_level


def score_from_dict(
    method: str, data: Mapping[str, Any], *, neutral_tolerance_deg: float = 0.0
) -> RulaScore | RebaScore:
    """Validate plain data with :func:`from_dict` and score it with the named method.

    Parameters
    ----------
    method
        ``"rula"`` or ``"reba"``.
    data
        The angles and adjustments (e.g. a parsed ``--angles`` JSON file).
    neutral_tolerance_deg
        Neutral band around 0° (0-5), see :func:`score_rula` / :func:`score_reba`.

    Raises
    ------
    InvalidResponseError
        Unknown method or invalid data; the message names the method list or the fields.
    ConfigError
        If ``neutral_tolerance_deg`` is outside 0-5.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA. Applied Ergonomics 1993;24(2):91-99.
    .. [2] Hignett S, McAtamney L. REBA. Applied Ergonomics 2000;31(2):201-205.
    """
    inp = from_dict(method, data)
    if isinstance(inp, RulaInput):
        return score_rula(inp, neutral_tolerance_deg=neutral_tolerance_deg)
    return score_reba(inp, neutral_tolerance_deg=neutral_tolerance_deg)


__all__ = [
    "METHODS",
    "ActionLevel",
    "RebaInput",
    "RebaScore",
    "RulaInput",
    "RulaScore",
    "findings_from",
    "from_dict",
    "reba_action_level",
    "reba_grand",
    "rula_action_level",
    "rula_grand",
    "score_from_dict",
    "score_reba",
    "score_rula",
    "score_to_json_dict",
    "side_from_dict",
]
