"""REBA (Rapid Entire Body Assessment) scoring: body angles and items to a REBA score 1-15.

Input: a :class:`~backrehab.ergonomics.schema.RebaInput` (degrees, kg, yes/no items, coupling).
Output: a :class:`~backrehab.ergonomics.schema.RebaScore` naming every sub-score, the action level
(0-4) and the inputs that were assumed. Rules and tables: clinical reference §5.2.
"""

from __future__ import annotations

from typing import Final

from backrehab.ergonomics.schema import RebaInput, RebaScore, check_neutral_tolerance
from backrehab.ergonomics.tables import (
    REBA_COUPLING_LEVELS,
    check_score,
    lower_arm_base_score,
    reba_action_level,
    reba_table_a,
    reba_table_b,
    reba_table_c,
    upper_arm_base_score,
)

#: Load thresholds in kg: below 5 kg scores 0, 5-10 kg (both included) 1, above 10 kg 2.
_LIGHT_KG: Final = 5.0
_HEAVY_KG: Final = 10.0


def _trunk(flexion_deg: float, *, twisted_or_side_flexed: bool, tolerance_deg: float) -> int:
    """Trunk score 1-5; |angle| <= tolerance counts as upright."""
    size = abs(flexion_deg)
    if size <= tolerance_deg:
        base = 1
    elif size <= 20.0:
        base = 2
    elif flexion_deg < 0.0 or size <= 60.0:
        base = 3
    else:
        base = 4
    return base + int(twisted_or_side_flexed)


def _neck(flexion_deg: float, *, twisted_or_side_flexed: bool, tolerance_deg: float) -> int:
    """Neck score 1-3; extension starts below -tolerance."""
    base = 1 if -tolerance_deg <= flexion_deg <= 20.0 else 2
    return base + int(twisted_or_side_flexed)


def _legs(*, bilateral: bool, sitting: bool, knee_flexion_deg: float) -> int:
    """Legs score 1-4, with at most one knee adjustment."""
    base = 1 if bilateral or sitting else 2
    if 30.0 <= knee_flexion_deg <= 60.0:
        knee = 1
    elif knee_flexion_deg > 60.0 and not sitting:
        knee = 2
    else:
        knee = 0
    return base + knee


def _upper_arm(flexion_deg: float, *, abducted: bool, raised: bool, supported: bool) -> int:
    """Upper-arm score 1-6: base band plus adjustments, at least 1."""
    score = upper_arm_base_score(flexion_deg) + int(abducted) + int(raised) - int(supported)
    return max(score, 1)


def _wrist(flexion_deg: float, *, deviated_or_twisted: bool) -> int:
    """Wrist score 1-3."""
    base = 1 if abs(flexion_deg) <= 15.0 else 2
    return base + int(deviated_or_twisted)


def load_score(load_kg: float, shock_or_rapid_buildup: bool) -> int:
    """REBA load/force score (0-3): 0 below 5 kg, 1 for 5-10 kg, 2 above 10 kg; +1 for shock.

    Exactly 5 kg and exactly 10 kg score 1.

    References
    ----------
    .. [1] Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics
       2000;31(2):201-205.
    """
    base = 0 if load_kg < _LIGHT_KG else 1 if load_kg <= _HEAVY_KG else 2
    return base + int(shock_or_rapid_buildup)


def _combine(
    trunk: int,
    neck: int,
    legs: int,
    load: int,
    upper_arm: int,
    lower_arm: int,
    wrist: int,
    coupling: int,
    activity: int,
) -> tuple[int, int, int, int, int, int]:
    """(posture_a, score_a, posture_b, score_b, table_c, grand); validates every score."""
    posture_a = reba_table_a(trunk, neck, legs)
    score_a = posture_a + check_score("load", load, 0, 3)
    posture_b = reba_table_b(upper_arm, lower_arm, wrist)
    score_b = posture_b + check_score("coupling", coupling, 0, 3)
    table_c = reba_table_c(score_a, score_b)
    grand = table_c + check_score("activity", activity, 0, 3)
    return posture_a, score_a, posture_b, score_b, table_c, grand


def reba_grand(
    *,
    trunk: int,
    neck: int,
    legs: int,
    load: int,
    upper_arm: int,
    lower_arm: int,
    wrist: int,
    coupling: int,
    activity: int,
) -> int:
    """REBA score (1-15) from body-part, load, coupling and activity scores (tables only).

    Parameters
    ----------
    trunk, neck, legs
        Group A scores after adjustments: 1-5, 1-3, 1-4.
    load
        Load/force score, 0-3.
    upper_arm, lower_arm, wrist
        Group B scores after adjustments: 1-6, 1-2, 1-3.
    coupling
        Coupling score, 0-3.
    activity
        Activity score, 0-3.

    Returns
    -------
    int
        ``TableC[TableA + load][TableB + coupling] + activity``.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics
       2000;31(2):201-205.
    """
    return _combine(trunk, neck, legs, load, upper_arm, lower_arm, wrist, coupling, activity)[5]


def score_reba(inp: RebaInput, *, neutral_tolerance_deg: float = 0.0) -> RebaScore:
    """Score one REBA posture (group B for one arm; score both arms and keep the worse).

    Boundaries follow ``rula-reba-tables.json``; a band's upper limit belongs to that band:

    * Trunk: 1 upright (0°), 2 for flexion or extension up to 20° (20° included), 3 for flexion
      above 20° up to 60° or extension above 20°, 4 for flexion above 60°; +1 once if twisted or
      side-flexed (the 2000 paper's single adjustment; Table A allows trunk 1-5 only).
    * Neck: 1 for 0-20° flexion (20° included), 2 above 20° or in extension (any negative
      angle); +1 once if twisted or side-flexed.
    * Legs: 1 bilateral weight bearing, walking or sitting, else 2; +1 for knee flexion 30-60°
      (both included), +2 above 60° except when sitting; at most one knee adjustment.
    * Upper arm: as RULA (1 for -20° to +20°, 2, 3 above 45° up to 90°, 4 above 90°); +1 abducted
      or rotated, +1 shoulder raised, -1 supported, leaning or gravity-assisted, at least 1.
    * Lower arm: 1 for elbow flexion 60-100° (both included), else 2.
    * Wrist: 1 for flexion or extension up to 15° (15° included), 2 above; +1 deviated or
      twisted.
    * Load: see :func:`load_score`. Coupling: good 0, fair 1, poor 2, unacceptable 3.
      Activity: +1 for each of the three items.

    ``neutral_tolerance_deg`` (default 0 = the published rule, at most 5°) widens only the
    zero boundaries, for camera angles that are rarely exactly 0: |trunk| ≤ tolerance is
    upright and neck extension starts below -tolerance.

    Parameters
    ----------
    inp
        The angles and items.
    neutral_tolerance_deg
        Half-width of the neutral band around 0°, in degrees (0-5).

    Returns
    -------
    RebaScore
        Every sub-score, the REBA score (1-15), the action level (0-4) with its risk word and
        texts, and the inputs that were assumed because they were not given.

    Raises
    ------
    ConfigError
        If ``neutral_tolerance_deg`` is outside 0-5.

    References
    ----------
    .. [1] Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics
       2000;31(2):201-205.
    """
    tol = check_neutral_tolerance(neutral_tolerance_deg)
    trunk = _trunk(
        inp.trunk_flexion_deg,
        twisted_or_side_flexed=inp.trunk_twisted_or_side_flexed,
        tolerance_deg=tol,
    )
    neck = _neck(
        inp.neck_flexion_deg,
        twisted_or_side_flexed=inp.neck_twisted_or_side_flexed,
        tolerance_deg=tol,
    )
    legs = _legs(
        bilateral=inp.legs_bilateral_weight_bearing,
        sitting=inp.sitting,
        knee_flexion_deg=inp.knee_flexion_deg,
    )
    load = load_score(inp.load_kg, inp.load_shock_or_rapid_buildup)
    upper_arm = _upper_arm(
        inp.upper_arm_flexion_deg,
        abducted=inp.upper_arm_abducted_or_rotated,
        raised=inp.shoulder_raised,
        supported=inp.arm_supported_leaning_or_gravity_assisted,
    )
    lower_arm = lower_arm_base_score(inp.lower_arm_flexion_deg)
    wrist = _wrist(inp.wrist_flexion_deg, deviated_or_twisted=inp.wrist_deviated_or_twisted)
    coupling = REBA_COUPLING_LEVELS.index(inp.coupling)
    activity = (
        int(inp.activity_static_over_1_min)
        + int(inp.activity_repeated_over_4_per_min)
        + int(inp.activity_rapid_large_changes_or_unstable_base)
    )
    posture_a, score_a, posture_b, score_b, table_c, grand = _combine(
        trunk, neck, legs, load, upper_arm, lower_arm, wrist, coupling, activity
    )
    level = reba_action_level(grand)
    return RebaScore(
        trunk=trunk,
        neck=neck,
        legs=legs,
        posture_a=posture_a,
        load=load,
        score_a=score_a,
        upper_arm=upper_arm,
        lower_arm=lower_arm,
        wrist=wrist,
        posture_b=posture_b,
        coupling=coupling,
        score_b=score_b,
        table_c=table_c,
        activity=activity,
        grand=grand,
        action_level=level.level,
        risk=level.risk,
        action=level.action,
        advice=level.advice,
        assumptions=inp.assumptions(),
        neutral_tolerance_deg=tol,
    )
