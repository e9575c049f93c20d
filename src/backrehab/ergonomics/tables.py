"""RULA and REBA lookup tables, action levels and the pure functions that read them.

Inputs are body-part and group scores (integers, 1-based as on the worksheets); outputs are table
scores and :class:`ActionLevel` records. The tables are transcribed from the project's checked
``rula-reba-tables.json`` (clinical reference §5) and tested cell by cell against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backrehab.errors import InvalidResponseError

Table2 = tuple[tuple[int, ...], ...]
Table3 = tuple[tuple[tuple[int, ...], ...], ...]
Table4 = tuple[tuple[tuple[tuple[int, ...], ...], ...], ...]

# --------------------------------------------------------------------------------------------
# RULA (McAtamney & Corlett 1993)
# --------------------------------------------------------------------------------------------

#: RULA Table A, indexed ``[upper_arm-1][lower_arm-1][wrist-1][wrist_twist-1]``
#: (upper arm 1-6, lower arm 1-3, wrist 1-4, wrist twist 1-2). 1993-paper values, not the
#: circulating worksheet variant (clinical reference §5.3).
RULA_TABLE_A: Final[Table4] = (
    # each line: one lower-arm score; pairs: wrist 1..4, each as (twist 1, twist 2)
    (  # upper arm 1
        ((1, 2), (2, 2), (2, 3), (3, 3)),
        ((2, 2), (2, 2), (3, 3), (3, 3)),
        ((2, 3), (3, 3), (3, 3), (4, 4)),
    ),
    (  # upper arm 2
        ((2, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
    ),
    (  # upper arm 3
        ((3, 3), (4, 4), (4, 4), (5, 5)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
    ),
    (  # upper arm 4
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 5), (5, 5), (6, 6)),
    ),
    (  # upper arm 5
        ((5, 5), (5, 5), (5, 6), (6, 7)),
        ((5, 6), (6, 6), (6, 7), (7, 7)),
        ((6, 6), (6, 7), (7, 7), (7, 8)),
    ),
    (  # upper arm 6
        ((7, 7), (7, 7), (7, 8), (8, 9)),
        ((8, 8), (8, 8), (8, 9), (9, 9)),
        ((9, 9), (9, 9), (9, 9), (9, 9)),
    ),
)

#: RULA Table B, indexed ``[neck-1][trunk-1][legs-1]`` (neck 1-6, trunk 1-6, legs 1-2).
RULA_TABLE_B: Final[Table3] = (
    # each line: one neck score; pairs: trunk 1..6, each as (legs 1, legs 2)
    ((1, 3), (2, 3), (3, 4), (5, 5), (6, 6), (7, 7)),
    ((2, 3), (2, 3), (4, 5), (5, 5), (6, 7), (7, 7)),
    ((3, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 7)),
    ((5, 5), (5, 6), (6, 7), (7, 7), (7, 7), (8, 8)),
    ((7, 7), (7, 7), (7, 8), (8, 8), (8, 8), (8, 8)),
    ((8, 8), (8, 8), (8, 8), (8, 9), (9, 9), (9, 9)),
)

#: RULA Table C, indexed ``[min(score_c, 8)-1][min(score_d, 7)-1]``.
RULA_TABLE_C: Final[Table2] = (
    # columns: score D 1..7+
    (1, 2, 3, 3, 4, 5, 5),  # score C 1
    (2, 2, 3, 4, 4, 5, 5),  # 2
    (3, 3, 3, 4, 4, 5, 6),  # 3
    (3, 3, 3, 4, 5, 6, 6),  # 4
    (4, 4, 4, 5, 6, 7, 7),  # 5
    (4, 4, 5, 6, 6, 7, 7),  # 6
    (5, 5, 6, 6, 7, 7, 7),  # 7
    (5, 5, 6, 7, 7, 7, 7),  # 8+
)

# --------------------------------------------------------------------------------------------
# REBA (Hignett & McAtamney 2000)
# --------------------------------------------------------------------------------------------

#: REBA Table A, indexed ``[trunk-1][neck-1][legs-1]`` (trunk 1-5, neck 1-3, legs 1-4).
REBA_TABLE_A: Final[Table3] = (
    # each line: one trunk score; groups: neck 1..3, each as (legs 1, 2, 3, 4)
    ((1, 2, 3, 4), (1, 2, 3, 4), (3, 3, 5, 6)),
    ((2, 3, 4, 5), (3, 4, 5, 6), (4, 5, 6, 7)),
    ((2, 4, 5, 6), (4, 5, 6, 7), (5, 6, 7, 8)),
    ((3, 5, 6, 7), (5, 6, 7, 8), (6, 7, 8, 9)),
    ((4, 6, 7, 8), (6, 7, 8, 9), (7, 8, 9, 9)),
)

#: REBA Table B, indexed ``[upper_arm-1][lower_arm-1][wrist-1]`` (upper arm 1-6, lower arm 1-2,
#: wrist 1-3).
REBA_TABLE_B: Final[Table3] = (
    # each line: one upper-arm score; groups: lower arm 1..2, each as (wrist 1, 2, 3)
    ((1, 2, 2), (1, 2, 3)),
    ((1, 2, 3), (2, 3, 4)),
    ((3, 4, 5), (4, 5, 5)),
    ((4, 5, 5), (5, 6, 7)),
    ((6, 7, 8), (7, 8, 8)),
    ((7, 8, 8), (8, 9, 9)),
)

#: REBA Table C, indexed ``[score_a-1][score_b-1]`` (both 1-12).
REBA_TABLE_C: Final[Table2] = (
    # columns: score B 1..12
    (1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7),  # score A 1
    (1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8),  # 2
    (2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8),  # 3
    (3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9),  # 4
    (4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9),  # 5
    (6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10),  # 6
    (7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11),  # 7
    (8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11),  # 8
    (9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12),  # 9
    (10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12),  # 10
    (11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12),  # 11
    (12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12),  # 12
)

#: REBA coupling labels; the position is the coupling score (0-3).
REBA_COUPLING_LEVELS: Final[tuple[str, ...]] = ("good", "fair", "poor", "unacceptable")

# --------------------------------------------------------------------------------------------
# Action levels
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionLevel:
    """One action level: the grand-score band it covers and what it means, in our own words.

    Attributes
    ----------
    level
        The method's action level (RULA 1-4, REBA 0-4).
    grand_min, grand_max
        Inclusive band of grand scores.
    risk
        Short risk label (REBA's published words; for RULA our own summary).
    action
        What the method asks for at this level.
    advice
        Plain-language posture advice for the person assessed.
    """

    level: int
    grand_min: int
    grand_max: int
    risk: str
    action: str
    advice: str


#: RULA action levels (McAtamney & Corlett 1993, as summarised by Cornell Ergonomics Web).
RULA_ACTION_LEVELS: Final[tuple[ActionLevel, ...]] = (
    ActionLevel(
        1,
        1,
        2,
        "acceptable",
        "Posture is acceptable as long as it is not held or repeated for long periods.",
        "Keep varying your position and take short movement breaks.",
    ),
    ActionLevel(
        2,
        3,
        4,
        "investigate",
        "Look into the task further; some changes may be needed.",
        "Bring the work closer and to elbow height so the arms, neck and back can stay nearer to "
        "neutral, and break up long holds.",
    ),
    ActionLevel(
        3,
        5,
        6,
        "change soon",
        "Investigate the task and change it soon.",
        "Rearrange the workstation or task soon: reduce reaching, bending and twisting, support "
        "the arms, and cut holding time and repetitions.",
    ),
    ActionLevel(
        4,
        7,
        7,
        "change now",
        "Investigate the task and change it now.",
        "Change this task now: avoid the posture, reduce the load, and ask for an ergonomic "
        "review of the workstation.",
    ),
)

#: REBA action levels and risk words (Hignett & McAtamney 2000).
REBA_ACTION_LEVELS: Final[tuple[ActionLevel, ...]] = (
    ActionLevel(
        0,
        1,
        1,
        "negligible",
        "No action needed.",
        "Keep moving and varying your position as usual.",
    ),
    ActionLevel(
        1,
        2,
        3,
        "low",
        "Action may be needed.",
        "Check the task for easy improvements, such as working closer to the body and taking "
        "short breaks.",
    ),
    ActionLevel(
        2,
        4,
        7,
        "medium",
        "Action is needed.",
        "Reduce bending, twisting and reaching, keep loads close to the body, and plan changes "
        "to the task.",
    ),
    ActionLevel(
        3,
        8,
        10,
        "high",
        "Action is needed soon.",
        "Change the task soon: raise or lower the work, use lifting aids or a second person, and "
        "shorten time in this posture.",
    ),
    ActionLevel(
        4,
        11,
        15,
        "very high",
        "Action is needed now.",
        "Stop or change this task now and arrange an ergonomic review before doing it again.",
    ),
)

# --------------------------------------------------------------------------------------------
# Pure lookups
# --------------------------------------------------------------------------------------------


def check_score(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an integer in ``[low, high]``, else :class:`InvalidResponseError`.

    Booleans are refused (``True`` is not a score). The message names ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidResponseError(
            f"{name} must be a whole number from {low} to {high}.", detail=f"got {value!r}"
        )
    if not low <= value <= high:
        raise InvalidResponseError(
            f"{name} must be from {low} to {high}, got {value}.", detail=f"got {value!r}"
        )
    return value


def rula_table_a(upper_arm: int, lower_arm: int, wrist: int, wrist_twist: int) -> int:
    """RULA posture score A (1-9) from the group-A body-part scores.

    Parameters
    ----------
    upper_arm, lower_arm, wrist, wrist_twist
        Body-part scores after adjustments: 1-6, 1-3, 1-4 and 1-2.

    Returns
    -------
    int
        ``RULA_TABLE_A[upper_arm-1][lower_arm-1][wrist-1][wrist_twist-1]``.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
       upper limb disorders. Applied Ergonomics 1993;24(2):91-99.
    """
    ua = check_score("upper_arm", upper_arm, 1, 6)
    la = check_score("lower_arm", lower_arm, 1, 3)
    wr = check_score("wrist", wrist, 1, 4)
    wt = check_score("wrist_twist", wrist_twist, 1, 2)
    return RULA_TABLE_A[ua - 1][la - 1][wr - 1][wt - 1]


def rula_table_b(neck: int, trunk: int, legs: int) -> int:
    """RULA posture score B (1-9) from the neck (1-6), trunk (1-6) and legs (1-2) scores.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA. Applied Ergonomics 1993;24(2):91-99.
    """
    nk = check_score("neck", neck, 1, 6)
    tr = check_score("trunk", trunk, 1, 6)
    lg = check_score("legs", legs, 1, 2)
    return RULA_TABLE_B[nk - 1][tr - 1][lg - 1]


def rula_table_c(score_c: int, score_d: int) -> int:
    """RULA grand score (1-7) from score C (wrist/arm, >= 1) and score D (neck/trunk/legs, >= 1).

    Scores above the table's last row (C 8+) or column (D 7+) use that row or column.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number from 1 to 13 (the largest reachable value).

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA. Applied Ergonomics 1993;24(2):91-99.
    """
    c = check_score("score_c", score_c, 1, 13)
    d = check_score("score_d", score_d, 1, 13)
    return RULA_TABLE_C[min(c, 8) - 1][min(d, 7) - 1]


def reba_table_a(trunk: int, neck: int, legs: int) -> int:
    """REBA posture score A (1-9) from the trunk (1-5), neck (1-3) and legs (1-4) scores.

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics
       2000;31(2):201-205.
    """
    tr = check_score("trunk", trunk, 1, 5)
    nk = check_score("neck", neck, 1, 3)
    lg = check_score("legs", legs, 1, 4)
    return REBA_TABLE_A[tr - 1][nk - 1][lg - 1]


def reba_table_b(upper_arm: int, lower_arm: int, wrist: int) -> int:
    """REBA posture score B (1-9) from the upper arm (1-6), lower arm (1-2) and wrist (1-3).

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number in its range; the message names it.

    References
    ----------
    .. [1] Hignett S, McAtamney L. REBA. Applied Ergonomics 2000;31(2):201-205.
    """
    ua = check_score("upper_arm", upper_arm, 1, 6)
    la = check_score("lower_arm", lower_arm, 1, 2)
    wr = check_score("wrist", wrist, 1, 3)
    return REBA_TABLE_B[ua - 1][la - 1][wr - 1]


def reba_table_c(score_a: int, score_b: int) -> int:
    """REBA score C (1-12) from score A and score B (both 1-12).

    Raises
    ------
    InvalidResponseError
        If a score is not a whole number from 1 to 12.

    References
    ----------
    .. [1] Hignett S, McAtamney L. REBA. Applied Ergonomics 2000;31(2):201-205.
    """
    a = check_score("score_a", score_a, 1, 12)
    b = check_score("score_b", score_b, 1, 12)
    return REBA_TABLE_C[a - 1][b - 1]


def _level(levels: tuple[ActionLevel, ...], name: str, grand: int) -> ActionLevel:
    """The action level whose band holds ``grand`` (range-checked)."""
    check_score(name, grand, levels[0].grand_min, levels[-1].grand_max)
    return next(lv for lv in levels if lv.grand_min <= grand <= lv.grand_max)


def rula_action_level(grand: int) -> ActionLevel:
    """The RULA action level (1-4) of a grand score (1-7).

    1-2 → 1, 3-4 → 2, 5-6 → 3, 7 → 4.

    References
    ----------
    .. [1] McAtamney L, Corlett EN. RULA. Applied Ergonomics 1993;24(2):91-99.
    """
    return _level(RULA_ACTION_LEVELS, "rula grand score", grand)


def reba_action_level(grand: int) -> ActionLevel:
    """The REBA action level (0-4) of a REBA score (1-15).

    1 → 0, 2-3 → 1, 4-7 → 2, 8-10 → 3, 11-15 → 4.

    References
    ----------
    .. [1] Hignett S, McAtamney L. REBA. Applied Ergonomics 2000;31(2):201-205.
    """
    return _level(REBA_ACTION_LEVELS, "reba score", grand)


def upper_arm_base_score(flexion_deg: float) -> int:
    """Upper-arm base score (1-4), identical in RULA and REBA.

    1: 20° extension to 20° flexion, both ends included; 2: extension beyond 20°, or flexion
    above 20° up to 45°; 3: above 45° up to 90°; 4: above 90° (``rula-reba-tables.json``).
    """
    if flexion_deg < -20.0:
        return 2
    if flexion_deg <= 20.0:
        return 1
    if flexion_deg <= 45.0:
        return 2
    if flexion_deg <= 90.0:
        return 3
    return 4


def lower_arm_base_score(flexion_deg: float) -> int:
    """Lower-arm base score (1-2), identical in RULA and REBA.

    1: elbow flexion 60-100°, both ends included; 2: below 60° or above 100°.
    """
    return 1 if 60.0 <= flexion_deg <= 100.0 else 2
