"""RULA (Rapid Upper Limb Assessment) scoring: body angles and adjustments to a grand score 1-7.

Input: a :class:`~backrehab.ergonomics.schema.RulaInput` (degrees, kg, yes/no items). Output: a
:class:`~backrehab.ergonomics.schema.RulaScore` naming every sub-score, the action level (1-4)
and the inputs that were assumed. Rules and tables: clinical reference §5.1.
"""

from __future__ import annotations

from typing import Final, TypeVar

from backrehab.ergonomics.schema import (
    ForcePattern,
    RulaInput,
    RulaScore,
    check_neutral_tolerance,
)
from backrehab.ergonomics.tables import (
    check_score,
    lower_arm_base_score,
    rula_action_level,
    rula_table_a,
    rula_table_b,
    rula_table_c,
    upper_arm_base_score,
)

#: Force/load thresholds in kg: below ``_LIGHT_KG`` scores 0; above ``_HEAVY_KG`` is "more than
#: 10 kg" (exactly 10 kg belongs to the 2-10 kg band, McAtamney & Corlett 1993).
_LIGHT_KG: Final = 2.0
_HEAVY_KG: Final = 10.0

_T = TypeVar("_T")


def _upper_arm(flexion_deg: float, *, raised: bool, abducted: bool, supported: bool) -> int:
    """Upper-arm score 1-6: base band plus adjustments, at least 1."""
    score = upper_arm_base_score(flexion_deg) + int(raised) + int(abducted) - int(supported)
    return max(score, 1)


def _lower_arm(flexion_deg: float, *, across_or_out: bool) -> int:
    """Lower-arm score 1-3."""
    return lower_arm_base_score(flexion_deg) + int(across_or_out)


def _wrist(flexion_deg: float, *, bent: bool, tolerance_deg: float) -> int:
    """Wrist score 1-4; |angle| <= tolerance counts as neutral."""
    size = abs(flexion_deg)
    base = 1 if size <= tolerance_deg else 2 if size <= 15.0 else 3
    return base + int(bent)


def _neck(flexion_deg: float, *, twisted: bool, side_bending: bool, tolerance_deg: float) -> int:
    """Neck score 1-6; extension starts below -tolerance."""
    if flexion_deg < -tolerance_deg:
        base = 4
    elif flexion_deg <= 10.0:
        base = 1
    elif flexion_deg <= 20.0:
        base = 2
    else:
        base = 3
    return base + int(twisted) + int(side_bending)


def _flexion_band(size_deg: float) -> int:
    """Trunk band 2-4 for a lean of this size (> 0)."""
    return 2 if size_deg <= 20.0 else 3 if size_deg <= 60.0 else 4


def _trunk(
    flexion_deg: float,
    *,
    sitting_supported: bool,
    twisted: bool,
    side_bending: bool,
    tolerance_deg: float,
) -> int:
    """Trunk score 1-6 (extension handling: see score_rula)."""
    if flexion_deg > tolerance_deg:
        base = _flexion_band(flexion_deg)
    elif flexion_deg >= -tolerance_deg or sitting_supported:
        base = 1
    else:  # unsupported backward lean: RULA has no band; scored on the flexion bands
        base = _flexion_band(-flexion_deg)
    return base + int(twisted) + int(side_bending)


def force_load_score(load_kg: float, pattern: ForcePattern, shock_or_rapid_buildup: bool) -> int:
    """RULA force/load score (0-3) of one body group.

    0: below 2 kg (any pattern; held or repeated light loads count through muscle use);
    1: 2-10 kg intermittent; 2: 2-10 kg static or repeated, or more than 10 kg intermittent;
    3: more than 10 kg static or repeated, or shock / rapid build-up of force of any size.
    Exactly 2 kg and exactly 10 kg belong to the 2-10 kg band.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
       upper limb disorders. Applied Ergonomics 1993;24(2):91-99.
    """
    if shock_or_rapid_buildup:
        return 3
    if load_kg < _LIGHT_KG:
        return 0
    sustained = pattern != "intermittent"
    if load_kg <= _HEAVY_KG:
        return 2 if sustained else 1
    return 3 if sustained else 2


def _combine(
    upper_arm: int,
    lower_arm: int,
    wrist: int,
    wrist_twist: int,
    muscle_a: int,
    force_a: int,
    neck: int,
    trunk: int,
    legs: int,
    muscle_b: int,
    force_b: int,
) -> tuple[int, int, int, int, int]:
    """(posture_a, score_c, posture_b, score_d, grand); validates every score's range."""
    posture_a = rula_table_a(upper_arm, lower_arm, wrist, wrist_twist)
    score_c = (
        posture_a + check_score("muscle_a", muscle_a, 0, 1) + check_score("force_a", force_a, 0, 3)
    )
    posture_b = rula_table_b(neck, trunk, legs)
    score_d = (
        posture_b + check_score("muscle_b", muscle_b, 0, 1) + check_score("force_b", force_b, 0, 3)
    )
    return posture_a, score_c, posture_b, score_d, rula_table_c(score_c, score_d)


def rula_grand(
    *,
    upper_arm: int,
    lower_arm: int,
    wrist: int,
    wrist_twist: int,
    muscle_a: int,
    force_a: int,
    neck: int,
    trunk: int,
    legs: int,
    muscle_b: int,
    force_b: int,
) -> int:
    """RULA grand score (1-7) from body-part, muscle-use and force scores (tables only).

    Parameters
    ----------
    upper_arm, lower_arm, wrist, wrist_twist
        Group A scores after adjustments: 1-6, 1-3, 1-4, 1-2.
    muscle_a, force_a
        Arm/wrist muscle use (0-1) and force/load (0-3).
    neck, trunk, legs
        Group B scores after adjustments: 1-6, 1-6, 1-2.
    muscle_b, force_b
        Neck/trunk/legs muscle use (0-1) and force/load (0-3).

    Returns
    -------
    int
        ``TableC[min(TableA + muscle_a + force_a, 8)][min(TableB + muscle_b + force_b, 7)]``.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
       upper limb disorders. Applied Ergonomics 1993;24(2):91-99.
    """
    return _combine(
        upper_arm,
        lower_arm,
        wrist,
        wrist_twist,
        muscle_a,
        force_a,
        neck,
        trunk,
        legs,
        muscle_b,
        force_b,
    )[4]


def score_rula(inp: RulaInput, *, neutral_tolerance_deg: float = 0.0) -> RulaScore:
    """Score one RULA posture (one body side).

    Boundaries follow ``rula-reba-tables.json``; a band's upper limit belongs to that band:

    * Upper arm: 1 for -20° to +20° (both included), 2 beyond -20° or above 20° up to 45°, 3 above
      45° up to 90°, 4 above 90°; +1 shoulder raised, +1 abducted, -1 supported or leaning, at
      least 1.
    * Lower arm: 1 for elbow flexion 60-100° (both included), else 2; +1 across the midline or out
      to the side.
    * Wrist: 1 neutral, 2 for flexion or extension up to 15° (15° included), 3 above; +1 bent
      from the midline. Wrist twist is given as 1 or 2.
    * Neck: 1 for 0-10° flexion, 2 above 10° up to 20°, 3 above 20°, 4 in extension (any
      negative angle); +1 twisted, +1 side-bending.
    * Trunk: 1 upright (0°), 2 above 0° up to 20° flexion, 3 above 20° up to 60°, 4 above 60°;
      +1 twisted, +1 side-bending. RULA defines no band for trunk extension: a backward lean
      scores 1 when ``trunk_sitting_well_supported`` (a reclined, supported seat), otherwise it
      is scored by its size on the flexion bands (as REBA scores extension), so that a
      non-neutral trunk never counts as upright. A forward-flexed trunk is scored on the
      flexion bands even when seated.
    * Legs: 1 supported and balanced, else 2.
    * Muscle use: +1 per group when static (held > 1 min) or repeated > 4 times/min (the 1993
      paper; not the "> 10 minutes" of some worksheets).
    * Force/load: see :func:`force_load_score`; exactly 10 kg intermittent scores 1.

    "Neutral" and "upright" mean exactly 0° in the published rules. Camera angles are rarely
    exactly 0, so ``neutral_tolerance_deg`` (default 0 = the published rule, at most 5°) widens
    only those zero boundaries: |wrist| ≤ tolerance is neutral, neck extension starts below
    -tolerance, and |trunk| ≤ tolerance is upright. No other band edge moves.

    Parameters
    ----------
    inp
        The angles and adjustments.
    neutral_tolerance_deg
        Half-width of the neutral band around 0°, in degrees (0-5).

    Returns
    -------
    RulaScore
        Every sub-score, the grand score (1-7), the action level (1-4) with its texts, and the
        inputs that were assumed because they were not given.

    Raises
    ------
    ConfigError
        If ``neutral_tolerance_deg`` is outside 0-5.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
       upper limb disorders. Applied Ergonomics 1993;24(2):91-99.
    """
    tol = check_neutral_tolerance(neutral_tolerance_deg)
    upper_arm = _upper_arm(
        inp.upper_arm_flexion_deg,
        raised=inp.shoulder_raised,
        abducted=inp.upper_arm_abducted,
        supported=inp.arm_supported_or_leaning,
    )
    lower_arm = _lower_arm(
        inp.lower_arm_flexion_deg, across_or_out=inp.lower_arm_across_midline_or_out_to_side
    )
    wrist = _wrist(inp.wrist_flexion_deg, bent=inp.wrist_bent_from_midline, tolerance_deg=tol)
    neck = _neck(
        inp.neck_flexion_deg,
        twisted=inp.neck_twisted,
        side_bending=inp.neck_side_bending,
        tolerance_deg=tol,
    )
    trunk = _trunk(
        inp.trunk_flexion_deg,
        sitting_supported=inp.trunk_sitting_well_supported,
        twisted=inp.trunk_twisted,
        side_bending=inp.trunk_side_bending,
        tolerance_deg=tol,
    )
    legs = 1 if inp.legs_supported_balanced else 2
    muscle_a = int(inp.muscle_use_arm)
    muscle_b = int(inp.muscle_use_neck_trunk_legs)
    force_a = force_load_score(
        inp.force_load_arm_kg, inp.force_pattern_arm, inp.force_shock_or_rapid_buildup_arm
    )
    force_b = force_load_score(
        _or(inp.force_load_neck_trunk_legs_kg, inp.force_load_arm_kg),
        _or(inp.force_pattern_neck_trunk_legs, inp.force_pattern_arm),
        _or(
            inp.force_shock_or_rapid_buildup_neck_trunk_legs,
            inp.force_shock_or_rapid_buildup_arm,
        ),
    )
    posture_a, score_c, posture_b, score_d, grand = _combine(
        upper_arm,
        lower_arm,
        wrist,
        inp.wrist_twist,
        muscle_a,
        force_a,
        neck,
        trunk,
        legs,
        muscle_b,
        force_b,
    )
    level = rula_action_level(grand)
    return RulaScore(
        upper_arm=upper_arm,
        lower_arm=lower_arm,
        wrist=wrist,
        wrist_twist=inp.wrist_twist,
        posture_a=posture_a,
        muscle_a=muscle_a,
        force_a=force_a,
        score_c=score_c,
        neck=neck,
        trunk=trunk,
        legs=legs,
        posture_b=posture_b,
        muscle_b=muscle_b,
        force_b=force_b,
        score_d=score_d,
        grand=grand,
        action_level=level.level,
        risk=level.risk,
        action=level.action,
        advice=level.advice,
        assumptions=inp.assumptions(),
        neutral_tolerance_deg=tol,
    )


def _or(value: _T | None, fallback: _T) -> _T:
    """``value`` unless it is None, then ``fallback``."""
    return fallback if value is None else value
