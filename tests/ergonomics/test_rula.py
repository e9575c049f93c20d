"""RULA scoring: worked examples, band boundaries, adjustments, action levels, properties, errors.

Expected values come from ``rula-reba-tables.json`` / clinical reference §5.1 and §5.3, traced by
hand through the tables; no other implementation is used as an oracle.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.assess.findings import Domain, Severity
from backrehab.ergonomics import (
    RulaInput,
    RulaScore,
    findings_from,
    from_dict,
    rula_action_level,
    rula_grand,
    score_from_dict,
    score_rula,
    score_to_json_dict,
)
from backrehab.errors import ConfigError, InvalidResponseError

REPO = Path(__file__).resolve().parents[2]

#: A neutral posture with every optional field given explicitly (no assumptions).
NEUTRAL: dict[str, Any] = {
    "upper_arm_flexion_deg": 0.0,
    "shoulder_raised": False,
    "upper_arm_abducted": False,
    "arm_supported_or_leaning": False,
    "lower_arm_flexion_deg": 80.0,
    "lower_arm_across_midline_or_out_to_side": False,
    "wrist_flexion_deg": 0.0,
    "wrist_bent_from_midline": False,
    "wrist_twist": 1,
    "neck_flexion_deg": 5.0,
    "neck_twisted": False,
    "neck_side_bending": False,
    "trunk_flexion_deg": 0.0,
    "trunk_sitting_well_supported": False,
    "trunk_twisted": False,
    "trunk_side_bending": False,
    "legs_supported_balanced": True,
    "muscle_use_arm": False,
    "muscle_use_neck_trunk_legs": False,
    "force_load_arm_kg": 0.0,
    "force_pattern_arm": "intermittent",
    "force_shock_or_rapid_buildup_arm": False,
    "force_load_neck_trunk_legs_kg": 0.0,
    "force_pattern_neck_trunk_legs": "intermittent",
    "force_shock_or_rapid_buildup_neck_trunk_legs": False,
}
REQUIRED = (
    "upper_arm_flexion_deg",
    "lower_arm_flexion_deg",
    "neck_flexion_deg",
    "trunk_flexion_deg",
)


def rula(tol: float = 0.0, **changes: Any) -> RulaScore:
    """Score the neutral posture with some fields changed."""
    return score_rula(RulaInput(**{**NEUTRAL, **changes}), neutral_tolerance_deg=tol)


# -- Worked examples -------------------------------------------------------------------------

WORKED = [
    pytest.param(
        {},
        {"upper_arm": 1, "lower_arm": 1, "wrist": 1, "posture_a": 1, "score_c": 1},
        {"neck": 1, "trunk": 1, "legs": 1, "posture_b": 1, "score_d": 1},
        1,
        id="ref5.3-all-parts-1-no-modifiers-grand-1",
    ),
    pytest.param(
        {
            "upper_arm_flexion_deg": 100.0,
            "shoulder_raised": True,
            "upper_arm_abducted": True,
            "lower_arm_flexion_deg": 30.0,
            "lower_arm_across_midline_or_out_to_side": True,
            "wrist_flexion_deg": 10.0,
            "wrist_twist": 2,
        },
        {"upper_arm": 6, "lower_arm": 3, "wrist": 2, "wrist_twist": 2, "posture_a": 9},
        {"posture_b": 1, "score_d": 1},
        5,  # Table C row 8+ (score C 9), column 1
        id="ref5.3-ua6-la3-any-wrist-posture-a-9",
    ),
    pytest.param(
        {
            "upper_arm_flexion_deg": 100.0,
            "shoulder_raised": True,
            "upper_arm_abducted": True,
            "lower_arm_flexion_deg": 30.0,
            "lower_arm_across_midline_or_out_to_side": True,
            "neck_flexion_deg": 30.0,
            "neck_twisted": True,
            "neck_side_bending": True,
            "trunk_flexion_deg": 70.0,
            "trunk_twisted": True,
            "trunk_side_bending": True,
        },
        {"posture_a": 9, "score_c": 9},
        {"neck": 5, "trunk": 6, "posture_b": 8, "score_d": 8},
        7,
        id="ref5.3-score-c-8plus-score-d-7plus-grand-7",
    ),
    pytest.param(
        {
            "upper_arm_flexion_deg": 25.0,
            "arm_supported_or_leaning": True,
            "lower_arm_flexion_deg": 110.0,
            "wrist_flexion_deg": -20.0,
            "wrist_bent_from_midline": True,
            "neck_flexion_deg": 25.0,
            "trunk_flexion_deg": 15.0,
            "muscle_use_arm": True,
            "muscle_use_neck_trunk_legs": True,
            "force_load_arm_kg": 0.5,
            "force_pattern_arm": "repeated",
        },
        # UA 2-1=1, LA 2, W 3+1=4, T 1 → TableA[1][2][4][1] = 3; C = 3+1+0 = 4
        {"upper_arm": 1, "lower_arm": 2, "wrist": 4, "posture_a": 3, "force_a": 0, "score_c": 4},
        # N 3, T 2, L 1 → TableB[3][2][1] = 3; D = 3+1+0 = 4; TableC[4][4] = 4
        {"neck": 3, "trunk": 2, "posture_b": 3, "score_d": 4},
        4,
        id="s5.1-tables-hand-traced-desk-typing-grand-4",
    ),
    pytest.param(
        {
            "upper_arm_flexion_deg": 60.0,
            "lower_arm_flexion_deg": 90.0,
            "wrist_flexion_deg": 20.0,
            "neck_flexion_deg": 15.0,
            "trunk_flexion_deg": 30.0,
            "legs_supported_balanced": False,
            "force_load_arm_kg": 12.0,
            "force_pattern_arm": "static",
        },
        # UA 3, LA 1, W 3, T 1 → TableA[3][1][3][1] = 4; C = 4+0+3 = 7
        {"upper_arm": 3, "lower_arm": 1, "wrist": 3, "posture_a": 4, "force_a": 3, "score_c": 7},
        # N 2, T 3, L 2 → TableB[2][3][2] = 5; D = 5+0+0 (own force given as 0) = 5
        {"neck": 2, "trunk": 3, "legs": 2, "posture_b": 5, "force_b": 0, "score_d": 5},
        7,  # TableC[7][5] = 7
        id="s5.1-tables-hand-traced-static-12kg-reach-grand-7",
    ),
]


@pytest.mark.parametrize(("changes", "group_a", "group_b", "grand"), WORKED)
def test_worked_examples(
    changes: dict[str, Any], group_a: dict[str, int], group_b: dict[str, int], grand: int
) -> None:
    """Worked examples reproduce every listed sub-score and the grand score exactly."""
    score = rula(**changes)
    got = score.sub_scores()
    assert {k: got[k] for k in group_a} == group_a
    assert {k: got[k] for k in group_b} == group_b
    assert score.grand == grand


def test_docs_example_parses_and_scores() -> None:
    """``docs/examples/rula-angles.json`` is valid, complete and scores 4 (action level 2)."""
    data = json.loads((REPO / "docs" / "examples" / "rula-angles.json").read_text())
    assert isinstance(from_dict("rula", data), RulaInput)
    score = score_from_dict("rula", data)
    assert isinstance(score, RulaScore)
    assert (score.posture_a, score.score_c, score.posture_b, score.score_d) == (3, 4, 3, 4)
    assert (score.grand, score.action_level) == (4, 2)
    assert score.assumptions == ()


# -- Band boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (-90, 2),
        (-20.5, 2),
        (-20, 1),
        (0, 1),
        (20, 1),
        (20.5, 2),
        (45, 2),
        (45.5, 3),
        (90, 3),
        (90.5, 4),
        (180, 4),
        (200, 4),
    ],
)
def test_upper_arm_bands(angle: float, expected: int) -> None:
    """Upper arm: -20..20 → 1 (ends included), <-20 or 20-45 → 2, 45-90 → 3, >90 → 4."""
    assert rula(upper_arm_flexion_deg=angle).upper_arm == expected


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 2), (59.9, 2), (60, 1), (80, 1), (100, 1), (100.1, 2), (170, 2)]
)
def test_lower_arm_bands(angle: float, expected: int) -> None:
    """Lower arm: elbow flexion 60-100 → 1 (ends included), otherwise 2."""
    assert rula(lower_arm_flexion_deg=angle).lower_arm == expected


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 1), (0.1, 2), (-0.1, 2), (15, 2), (-15, 2), (15.1, 3), (-15.1, 3), (80, 3)],
)
def test_wrist_bands(angle: float, expected: int) -> None:
    """Wrist: neutral (0) → 1, up to 15 either way → 2 (15 included), beyond → 3."""
    assert rula(wrist_flexion_deg=angle).wrist == expected


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(-30, 4), (-0.1, 4), (0, 1), (10, 1), (10.1, 2), (20, 2), (20.1, 3), (60, 3)],
)
def test_neck_bands(angle: float, expected: int) -> None:
    """Neck: 0-10 → 1, 10-20 → 2 (20 included), >20 → 3, any extension → 4."""
    assert rula(neck_flexion_deg=angle).neck == expected


@pytest.mark.parametrize(
    ("angle", "supported", "expected"),
    [
        (0, False, 1),
        (0.1, False, 2),
        (20, False, 2),
        (20.1, False, 3),
        (60, False, 3),
        (60.1, False, 4),
        (100, False, 4),
        (-10, False, 2),  # extension: no RULA band; scored on the flexion bands
        (-20.1, False, 3),
        (-15, True, 1),  # reclined against a backrest, hip-trunk angle >= 90
        (0, True, 1),
        (30, True, 3),  # forward flexion uses the flexion bands even when seated
    ],
)
def test_trunk_bands(angle: float, supported: bool, expected: int) -> None:
    """Trunk: upright → 1, 0-20 → 2, 20-60 → 3, >60 → 4; supported sitting rescues recline only."""
    score = rula(trunk_flexion_deg=angle, trunk_sitting_well_supported=supported)
    assert score.trunk == expected


def test_legs_score() -> None:
    """Legs: supported and balanced → 1, otherwise 2."""
    assert rula(legs_supported_balanced=True).legs == 1
    assert rula(legs_supported_balanced=False).legs == 2


@pytest.mark.parametrize(
    ("load_kg", "pattern", "shock", "expected"),
    [
        (0.0, "intermittent", False, 0),
        (1.9, "intermittent", False, 0),
        (1.9, "static", False, 0),
        (2.0, "intermittent", False, 1),
        (10.0, "intermittent", False, 1),  # "more than 10 kg" scores 2; exactly 10 kg scores 1
        (10.1, "intermittent", False, 2),
        (2.0, "static", False, 2),
        (10.0, "repeated", False, 2),
        (10.1, "static", False, 3),
        (50.0, "repeated", False, 3),
        (0.5, "intermittent", True, 3),
    ],
)
def test_force_load_levels(load_kg: float, pattern: str, shock: bool, expected: int) -> None:
    """Force/load: <2 kg 0, 2-10 intermittent 1, 2-10 sustained or >10 intermittent 2, else 3."""
    score = rula(
        force_load_arm_kg=load_kg,
        force_pattern_arm=pattern,
        force_shock_or_rapid_buildup_arm=shock,
        force_load_neck_trunk_legs_kg=load_kg,
        force_pattern_neck_trunk_legs=pattern,
        force_shock_or_rapid_buildup_neck_trunk_legs=shock,
    )
    assert (score.force_a, score.force_b) == (expected, expected)
    assert score.score_c == score.posture_a + expected
    assert score.score_d == score.posture_b + expected


def test_neck_trunk_legs_force_defaults_to_the_arm_force() -> None:
    """Without its own values, the neck/trunk/legs group uses the arm's load and says so."""
    data = {k: v for k, v in NEUTRAL.items() if "neck_trunk_legs" not in k or "muscle" in k}
    data |= {"force_load_arm_kg": 12.0, "force_pattern_arm": "static"}
    score = score_rula(RulaInput(**data))
    assert (score.force_a, score.force_b) == (3, 3)
    assert score.assumptions == (
        "force_load_neck_trunk_legs_kg not given; taken from force_load_arm_kg (12.0)",
        'force_pattern_neck_trunk_legs not given; taken from force_pattern_arm ("static")',
        "force_shock_or_rapid_buildup_neck_trunk_legs not given; taken from "
        "force_shock_or_rapid_buildup_arm (false)",
    )
    only_kg = score_rula(RulaInput(**{**data, "force_pattern_neck_trunk_legs": "intermittent"}))
    assert (only_kg.force_a, only_kg.force_b) == (3, 2)  # 12 kg taken over, own pattern kept
    own = rula(force_load_arm_kg=12.0, force_pattern_arm="static")
    assert (own.force_a, own.force_b) == (3, 0)


# -- Neutral tolerance -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "angle", "part", "published", "tolerant"),
    [
        ("wrist_flexion_deg", 3.0, "wrist", 2, 1),
        ("wrist_flexion_deg", -5.0, "wrist", 2, 1),
        ("neck_flexion_deg", -3.0, "neck", 4, 1),
        ("trunk_flexion_deg", 4.0, "trunk", 2, 1),
        ("trunk_flexion_deg", -5.0, "trunk", 2, 1),
        ("upper_arm_flexion_deg", 20.5, "upper_arm", 2, 2),  # no other edge moves
        ("neck_flexion_deg", 10.5, "neck", 2, 2),
        ("wrist_flexion_deg", 15.5, "wrist", 3, 3),
        ("trunk_flexion_deg", 5.1, "trunk", 2, 2),
    ],
)
def test_neutral_tolerance_only_widens_zero_boundaries(
    field: str, angle: float, part: str, published: int, tolerant: int
) -> None:
    """A 5° neutral tolerance treats small angles as neutral and leaves other band edges alone."""
    assert getattr(rula(**{field: angle}), part) == published
    score = rula(5.0, **{field: angle})
    assert getattr(score, part) == tolerant
    assert score.neutral_tolerance_deg == 5.0


@pytest.mark.parametrize("tol", [-0.1, 5.1, math.nan, math.inf, True])
def test_bad_neutral_tolerance_is_a_config_error(tol: Any) -> None:
    """A neutral tolerance outside 0-5 (or not a number) raises ConfigError naming it."""
    with pytest.raises(ConfigError, match="neutral_tolerance_deg"):
        rula(tol)


# -- Adjustments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "part", "delta"),
    [
        ({"shoulder_raised": True}, "upper_arm", 1),
        ({"upper_arm_abducted": True}, "upper_arm", 1),
        ({"shoulder_raised": True, "upper_arm_abducted": True}, "upper_arm", 2),
        ({"arm_supported_or_leaning": True}, "upper_arm", -1),
        ({"lower_arm_across_midline_or_out_to_side": True}, "lower_arm", 1),
        ({"wrist_bent_from_midline": True}, "wrist", 1),
        ({"wrist_twist": 2}, "wrist_twist", 1),
        ({"neck_twisted": True}, "neck", 1),
        ({"neck_side_bending": True}, "neck", 1),
        ({"neck_twisted": True, "neck_side_bending": True}, "neck", 2),
        ({"trunk_twisted": True}, "trunk", 1),
        ({"trunk_side_bending": True}, "trunk", 1),
        ({"trunk_twisted": True, "trunk_side_bending": True}, "trunk", 2),
        ({"legs_supported_balanced": False}, "legs", 1),
        ({"muscle_use_arm": True}, "muscle_a", 1),
        ({"muscle_use_arm": True}, "score_c", 1),
        ({"muscle_use_neck_trunk_legs": True}, "muscle_b", 1),
        ({"muscle_use_neck_trunk_legs": True}, "score_d", 1),
    ],
)
def test_each_adjustment_changes_its_score_by_the_documented_amount(
    changes: dict[str, Any], part: str, delta: int
) -> None:
    """Each adjustment moves its body-part score by its documented delta (from a mid band)."""
    # start from mid bands so that +1 and -1 are both visible
    base_angles = {"upper_arm_flexion_deg": 30.0, "neck_flexion_deg": 5.0}
    before = rula(**base_angles)
    after = rula(**base_angles, **changes)
    assert getattr(after, part) - getattr(before, part) == delta


def test_arm_support_never_takes_upper_arm_below_one() -> None:
    """Upper arm 1 with arm supported stays 1 (clamp_min 1)."""
    assert rula(upper_arm_flexion_deg=0.0, arm_supported_or_leaning=True).upper_arm == 1


def test_maximal_adjustments_reach_the_documented_maxima() -> None:
    """All adjustments on the worst bands give upper arm 6, lower arm 3, wrist 4, neck/trunk 6."""
    score = rula(
        upper_arm_flexion_deg=120.0,
        shoulder_raised=True,
        upper_arm_abducted=True,
        lower_arm_flexion_deg=120.0,
        lower_arm_across_midline_or_out_to_side=True,
        wrist_flexion_deg=40.0,
        wrist_bent_from_midline=True,
        neck_flexion_deg=-10.0,
        neck_twisted=True,
        neck_side_bending=True,
        trunk_flexion_deg=80.0,
        trunk_twisted=True,
        trunk_side_bending=True,
    )
    assert (score.upper_arm, score.lower_arm, score.wrist, score.neck, score.trunk) == (
        6,
        3,
        4,
        6,
        6,
    )


# -- Action levels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grand", "level", "severity"),
    [
        (1, 1, Severity.NORMAL),
        (2, 1, Severity.NORMAL),
        (3, 2, Severity.MILD),
        (4, 2, Severity.MILD),
        (5, 3, Severity.MODERATE),
        (6, 3, Severity.MODERATE),
        (7, 4, Severity.SEVERE),
    ],
)
def test_action_level_at_each_grand_score(grand: int, level: int, severity: Severity) -> None:
    """Grand 1-2 → AL1, 3-4 → AL2, 5-6 → AL3, 7 → AL4; finding severity follows the level."""
    assert rula_action_level(grand).level == level
    reached = _score_with_grand(grand)
    assert (reached.grand, reached.action_level) == (grand, level)
    assert findings_from(reached)[0].severity is severity


def _score_with_grand(grand: int) -> RulaScore:
    """A real RULA score with the wanted grand score (score C varied, D = 1)."""
    for c_changes in _C_LADDER:
        score = rula(**c_changes)
        if score.grand == grand:
            return score
    raise AssertionError(f"no ladder step gives grand {grand}")


_C_LADDER: list[dict[str, Any]] = [
    {},
    {"wrist_flexion_deg": 10.0},
    {"upper_arm_flexion_deg": 30.0, "wrist_flexion_deg": 10.0},
    {"upper_arm_flexion_deg": 100.0},
    {"upper_arm_flexion_deg": 100.0, "shoulder_raised": True},
    {"upper_arm_flexion_deg": 100.0, "shoulder_raised": True, "neck_flexion_deg": 30.0},
    {
        "upper_arm_flexion_deg": 100.0,
        "shoulder_raised": True,
        "trunk_flexion_deg": 30.0,
        "legs_supported_balanced": False,
    },
    {"upper_arm_flexion_deg": 100.0, "shoulder_raised": True, "neck_flexion_deg": -5.0},
    {
        "upper_arm_flexion_deg": 100.0,
        "shoulder_raised": True,
        "upper_arm_abducted": True,
        "trunk_flexion_deg": 70.0,
    },
]


# -- Properties ------------------------------------------------------------------------------


def _finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


PATTERNS = st.sampled_from(["intermittent", "static", "repeated"])
VALID_INPUTS = st.fixed_dictionaries(
    {
        "upper_arm_flexion_deg": _finite(-180, 240),
        "lower_arm_flexion_deg": _finite(-30, 180),
        "neck_flexion_deg": _finite(-120, 120),
        "trunk_flexion_deg": _finite(-90, 180),
    },
    optional={
        "wrist_flexion_deg": _finite(-120, 120),
        "wrist_twist": st.sampled_from([1, 2]),
        "force_load_arm_kg": _finite(0, 1000),
        "force_pattern_arm": PATTERNS,
        "force_load_neck_trunk_legs_kg": st.none() | _finite(0, 1000),
        "force_pattern_neck_trunk_legs": st.none() | PATTERNS,
        **{
            name: st.booleans()
            for name in (
                "shoulder_raised",
                "upper_arm_abducted",
                "arm_supported_or_leaning",
                "lower_arm_across_midline_or_out_to_side",
                "wrist_bent_from_midline",
                "neck_twisted",
                "neck_side_bending",
                "trunk_sitting_well_supported",
                "trunk_twisted",
                "trunk_side_bending",
                "legs_supported_balanced",
                "muscle_use_arm",
                "muscle_use_neck_trunk_legs",
                "force_shock_or_rapid_buildup_arm",
            )
        },
    },
)


@settings(max_examples=300, deadline=None)
@given(data=VALID_INPUTS, tol=_finite(0, 5))
def test_any_valid_input_scores_in_range(data: dict[str, Any], tol: float) -> None:
    """Any valid input gives a grand score 1-7, consistent sums and the matching action level."""
    score = score_from_dict("rula", data, neutral_tolerance_deg=tol)
    assert isinstance(score, RulaScore)
    assert 1 <= score.grand <= 7
    assert score.score_c == score.posture_a + score.muscle_a + score.force_a
    assert score.score_d == score.posture_b + score.muscle_b + score.force_b
    assert score.action_level == rula_action_level(score.grand).level
    given_fields = set(data)
    for text in score.assumptions:
        assert text.split()[0] not in given_fields or data[text.split()[0]] is None


RANGES = {
    "upper_arm": (1, 6),
    "lower_arm": (1, 3),
    "wrist": (1, 4),
    "wrist_twist": (1, 2),
    "muscle_a": (0, 1),
    "force_a": (0, 3),
    "neck": (1, 6),
    "trunk": (1, 6),
    "legs": (1, 2),
    "muscle_b": (0, 1),
    "force_b": (0, 3),
}
TABLE_INPUTS = st.fixed_dictionaries(
    {name: st.integers(min_value=lo, max_value=hi) for name, (lo, hi) in RANGES.items()}
)


@settings(max_examples=500, deadline=None)
@given(parts=TABLE_INPUTS, which=st.sampled_from(sorted(RANGES)))
def test_grand_never_decreases_when_one_table_input_increases(
    parts: dict[str, int], which: str
) -> None:
    """Raising any one body-part, muscle or force score by 1 never lowers the grand score."""
    if parts[which] == RANGES[which][1]:
        parts = {**parts, which: parts[which] - 1}
    lower = rula_grand(**parts)
    higher = rula_grand(**{**parts, which: parts[which] + 1})
    assert 1 <= lower <= higher <= 7


# -- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_field_is_named(field: str) -> None:
    """A missing required angle raises InvalidResponseError naming it."""
    data = {k: v for k, v in NEUTRAL.items() if k != field}
    with pytest.raises(InvalidResponseError, match=field):
        from_dict("rula", data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("upper_arm_flexion_deg", 400.0),
        ("upper_arm_flexion_deg", -181.0),
        ("lower_arm_flexion_deg", 200.0),
        ("wrist_flexion_deg", -400.0),
        ("neck_flexion_deg", 400.0),
        ("trunk_flexion_deg", -100.0),
        ("trunk_flexion_deg", math.nan),
        ("neck_flexion_deg", math.inf),
        ("force_load_arm_kg", -1.0),
        ("force_load_neck_trunk_legs_kg", 5000.0),
        ("upper_arm_flexion_deg", "30"),
        ("trunk_flexion_deg", True),
        ("shoulder_raised", 1),
        ("neck_twisted", "yes"),
        ("wrist_twist", 3),
        ("wrist_twist", 0),
        ("wrist_twist", 1.5),
        ("wrist_twist", True),
        ("force_pattern_arm", "sometimes"),
        ("force_pattern_neck_trunk_legs", "constant"),
        ("no_such_field", 1),
    ],
)
def test_bad_field_is_named(field: str, value: Any) -> None:
    """A wrong type, out-of-range value or unknown key raises InvalidResponseError naming it."""
    with pytest.raises(InvalidResponseError, match=field) as info:
        from_dict("rula", {**NEUTRAL, field: value})
    assert info.value.detail


@pytest.mark.parametrize("method", ["owas", "", "rula2", None])
def test_unknown_method_lists_the_methods(method: Any) -> None:
    """An unknown method raises InvalidResponseError listing rula and reba."""
    with pytest.raises(InvalidResponseError, match="rula, reba"):
        score_from_dict(method, NEUTRAL)


def test_method_name_is_case_insensitive() -> None:
    """``RULA`` and `` rula `` select RULA."""
    assert score_from_dict("RULA", NEUTRAL).method == "rula"
    assert from_dict(" rula ", NEUTRAL) == RulaInput(**NEUTRAL)


@pytest.mark.parametrize("data", [[1, 2], "angles", None, 3.0])
def test_data_that_is_not_an_object_is_rejected(data: Any) -> None:
    """Data that is not a mapping raises InvalidResponseError."""
    with pytest.raises(InvalidResponseError, match="JSON object"):
        from_dict("rula", data)


def test_inputs_and_scores_are_frozen() -> None:
    """Input and result models cannot be changed after creation."""
    inp = RulaInput(**NEUTRAL)
    score = score_rula(inp)
    with pytest.raises(ValueError, match="frozen"):
        inp.neck_twisted = True  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        score.grand = 7  # type: ignore[misc]


# -- Assumptions, JSON and findings ----------------------------------------------------------


def test_no_assumptions_when_every_field_is_given() -> None:
    """A fully specified input lists no assumptions."""
    assert rula().assumptions == ()


def test_missing_optional_fields_are_listed_as_assumed() -> None:
    """Only the required angles given: every optional field is listed, in schema order."""
    score = score_from_dict("rula", {k: NEUTRAL[k] for k in REQUIRED})
    names = [text.split()[0] for text in score.assumptions]
    assert names == [k for k in NEUTRAL if k not in REQUIRED]
    assert "shoulder_raised not given; assumed false" in score.assumptions
    assert "wrist_twist not given; assumed 1" in score.assumptions
    assert score.grand == 1


def test_score_to_json_dict_has_the_contract_keys() -> None:
    """JSON dict: method, score, action_level, side first, then every sub-score; serialisable."""
    score = rula(upper_arm_flexion_deg=60.0)
    out = score_to_json_dict(score, side="right")
    assert list(out)[:4] == ["method", "score", "action_level", "side"]
    assert (out["method"], out["score"], out["side"]) == ("rula", score.grand, "right")
    assert {k: out[k] for k in RulaScore.SUB_SCORES} == score.sub_scores()
    assert score_to_json_dict(score)["side"] == "none"
    assert json.loads(json.dumps(out)) == out


def test_score_to_json_dict_rejects_an_unknown_side() -> None:
    """An unknown side is a ConfigError naming the allowed sides."""
    with pytest.raises(ConfigError, match="left, right, bilateral, none"):
        score_to_json_dict(rula(), side="up")


def test_finding_carries_code_value_evidence_and_provenance() -> None:
    """One finding: stable code, ergonomics domain, grand in points, sub-scores and advice."""
    score = rula(upper_arm_flexion_deg=60.0, trunk_flexion_deg=30.0)
    (finding,) = findings_from(score, side="left", confidence=0.8, source_note="video 3")
    assert finding.code == "ergonomics.rula"
    assert finding.domain is Domain.ERGONOMICS
    assert (finding.value, finding.unit) == (float(score.grand), "points")
    assert (finding.side, finding.confidence) == ("left", 0.8)
    assert "McAtamney & Corlett 1993" in finding.source
    assert finding.source.endswith("video 3")
    assert "7 = action level 4" in finding.norm
    for name, value in score.sub_scores().items():
        assert finding.evidence[name] == value
    assert finding.evidence["advice"] == score.advice == rula_action_level(score.grand).advice


@pytest.mark.parametrize(("side", "confidence"), [("up", 1.0), ("left", 1.5), ("left", -0.1)])
def test_findings_reject_bad_side_or_confidence(side: str, confidence: float) -> None:
    """A bad side or a confidence outside 0-1 raises ConfigError."""
    with pytest.raises(ConfigError):
        findings_from(rula(), side=side, confidence=confidence)
