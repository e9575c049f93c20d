"""REBA scoring: worked examples, band boundaries, adjustments, action levels, properties, errors.

Expected values come from ``rula-reba-tables.json`` / clinical reference §5.2 and §5.3, traced by
hand through the tables; no other implementation is used as an oracle.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.assess.findings import Domain, Severity
from backrehab.ergonomics import (
    RebaInput,
    RebaScore,
    findings_from,
    from_dict,
    reba_action_level,
    reba_grand,
    score_from_dict,
    score_reba,
    score_to_json_dict,
)
from backrehab.errors import ConfigError, InvalidResponseError

REPO = Path(__file__).resolve().parents[2]

#: A neutral standing posture with every optional field given explicitly (no assumptions).
NEUTRAL: dict[str, Any] = {
    "trunk_flexion_deg": 0.0,
    "trunk_twisted_or_side_flexed": False,
    "neck_flexion_deg": 10.0,
    "neck_twisted_or_side_flexed": False,
    "legs_bilateral_weight_bearing": True,
    "sitting": False,
    "knee_flexion_deg": 0.0,
    "load_kg": 0.0,
    "load_shock_or_rapid_buildup": False,
    "upper_arm_flexion_deg": 0.0,
    "upper_arm_abducted_or_rotated": False,
    "shoulder_raised": False,
    "arm_supported_leaning_or_gravity_assisted": False,
    "lower_arm_flexion_deg": 80.0,
    "wrist_flexion_deg": 0.0,
    "wrist_deviated_or_twisted": False,
    "coupling": "good",
    "activity_static_over_1_min": False,
    "activity_repeated_over_4_per_min": False,
    "activity_rapid_large_changes_or_unstable_base": False,
}
REQUIRED = (
    "trunk_flexion_deg",
    "neck_flexion_deg",
    "knee_flexion_deg",
    "upper_arm_flexion_deg",
    "lower_arm_flexion_deg",
)


def reba(tol: float = 0.0, **changes: Any) -> RebaScore:
    """Score the neutral posture with some fields changed."""
    return score_reba(RebaInput(**{**NEUTRAL, **changes}), neutral_tolerance_deg=tol)


# -- Worked examples -------------------------------------------------------------------------

WORKED = [
    pytest.param(
        {},
        {"trunk": 1, "neck": 1, "legs": 1, "posture_a": 1, "load": 0, "score_a": 1},
        {"upper_arm": 1, "lower_arm": 1, "wrist": 1, "posture_b": 1, "coupling": 0, "score_b": 1},
        1,
        id="ref5.3-all-parts-1-no-modifiers-reba-1",
    ),
    pytest.param(
        {
            "trunk_flexion_deg": 70.0,
            "trunk_twisted_or_side_flexed": True,
            "neck_flexion_deg": 30.0,
            "neck_twisted_or_side_flexed": True,
            "knee_flexion_deg": 45.0,
            "load_kg": 15.0,
            "load_shock_or_rapid_buildup": True,
        },
        # T 5, N 3, L 1+1 → TableA[5][3][2] = 8; A = 8+3 = 11
        {"trunk": 5, "neck": 3, "legs": 2, "posture_a": 8, "load": 3, "score_a": 11},
        {"posture_b": 1, "score_b": 1},
        11,  # TableC[11][1] = 11, no activity
        id="s5.2-tables-hand-traced-deep-twisted-lift-reba-11",
    ),
    pytest.param(
        {
            "trunk_flexion_deg": 70.0,
            "trunk_twisted_or_side_flexed": True,
            "neck_flexion_deg": 30.0,
            "neck_twisted_or_side_flexed": True,
            "legs_bilateral_weight_bearing": False,
            "knee_flexion_deg": 90.0,
            "load_kg": 15.0,
            "load_shock_or_rapid_buildup": True,
            "activity_static_over_1_min": True,
            "activity_repeated_over_4_per_min": True,
            "activity_rapid_large_changes_or_unstable_base": True,
        },
        # T 5, N 3, L 2+2 → TableA[5][3][4] = 9; A = 9+3 = 12
        {"legs": 4, "posture_a": 9, "score_a": 12},
        {"score_b": 1, "table_c": 12},
        15,  # ref §5.3: A = 12 → C = 12 for any B; + activity 3
        id="ref5.3-score-a-12-table-c-12-reba-15",
    ),
    pytest.param(
        {
            "trunk_flexion_deg": 45.0,
            "trunk_twisted_or_side_flexed": True,
            "neck_flexion_deg": 25.0,
            "knee_flexion_deg": 40.0,
            "load_kg": 12.0,
            "upper_arm_flexion_deg": 50.0,
            "lower_arm_flexion_deg": 40.0,
            "wrist_flexion_deg": 10.0,
            "coupling": "fair",
        },
        # T 3+1 = 4, N 2, L 1+1 = 2 → TableA[4][2][2] = 6; A = 6+2 = 8
        {"trunk": 4, "neck": 2, "legs": 2, "posture_a": 6, "load": 2, "score_a": 8},
        # UA 3, LA 2, W 1 → TableB[3][2][1] = 4; B = 4+1 = 5; TableC[8][5] = 10
        {"upper_arm": 3, "lower_arm": 2, "wrist": 1, "posture_b": 4, "score_b": 5, "table_c": 10},
        10,
        id="s5.2-tables-hand-traced-box-from-low-shelf-reba-10",
    ),
    pytest.param(
        {
            "sitting": True,
            "knee_flexion_deg": 90.0,
            "neck_flexion_deg": 25.0,
            "upper_arm_flexion_deg": 30.0,
            "lower_arm_flexion_deg": 110.0,
            "wrist_flexion_deg": 20.0,
            "wrist_deviated_or_twisted": True,
            "coupling": "poor",
            "activity_repeated_over_4_per_min": True,
        },
        # T 1, N 2, L 1 (sitting: no +2) → TableA[1][2][1] = 1; A = 1
        {"trunk": 1, "neck": 2, "legs": 1, "posture_a": 1, "score_a": 1},
        # UA 2, LA 2, W 3 → TableB[2][2][3] = 4; B = 4+2 = 6; TableC[1][6] = 3
        {"upper_arm": 2, "lower_arm": 2, "wrist": 3, "posture_b": 4, "score_b": 6, "table_c": 3},
        4,
        id="s5.2-tables-hand-traced-seated-assembly-reba-4",
    ),
]


@pytest.mark.parametrize(("changes", "group_a", "group_b", "grand"), WORKED)
def test_worked_examples(
    changes: dict[str, Any], group_a: dict[str, int], group_b: dict[str, int], grand: int
) -> None:
    """Worked examples reproduce every listed sub-score and the REBA score exactly."""
    score = reba(**changes)
    got = score.sub_scores()
    assert {k: got[k] for k in group_a} == group_a
    assert {k: got[k] for k in group_b} == group_b
    assert score.grand == grand


def test_docs_example_parses_and_scores() -> None:
    """``docs/examples/reba-angles.json`` is valid, complete and scores 10 (action level 3)."""
    data = json.loads((REPO / "docs" / "examples" / "reba-angles.json").read_text())
    assert isinstance(from_dict("reba", data), RebaInput)
    score = score_from_dict("reba", data)
    assert isinstance(score, RebaScore)
    assert (score.score_a, score.score_b, score.table_c) == (8, 5, 10)
    assert (score.grand, score.action_level, score.risk) == (10, 3, "high")
    assert score.assumptions == ()


# -- Band boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0, 1),
        (0.1, 2),
        (20, 2),
        (20.1, 3),
        (60, 3),
        (60.1, 4),
        (120, 4),
        (-0.1, 2),
        (-20, 2),
        (-20.1, 3),
        (-60, 3),
        (-80, 3),
    ],
)
def test_trunk_bands(angle: float, expected: int) -> None:
    """Trunk: upright 1; ±0-20 → 2 (20 included); 20-60 flexion or >20 extension → 3; >60 → 4."""
    assert reba(trunk_flexion_deg=angle).trunk == expected


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 1), (20, 1), (20.1, 2), (45, 2), (-0.1, 2), (-30, 2)]
)
def test_neck_bands(angle: float, expected: int) -> None:
    """Neck: 0-20 flexion → 1 (20 included); >20 or any extension → 2."""
    assert reba(neck_flexion_deg=angle).neck == expected


@pytest.mark.parametrize(
    ("bilateral", "sitting", "knee", "expected"),
    [
        (True, False, 0, 1),
        (True, False, 29.9, 1),
        (True, False, 30, 2),
        (True, False, 60, 2),
        (True, False, 60.1, 3),
        (True, False, 120, 3),
        (False, False, 0, 2),
        (False, False, 45, 3),
        (False, False, 90, 4),
        (True, True, 90, 1),  # sitting: no +2 for knees above 60
        (False, True, 90, 1),  # sitting scores base 1
        (True, True, 45, 2),  # the +1 for 30-60 still applies when sitting
    ],
)
def test_legs_bands(bilateral: bool, sitting: bool, knee: float, expected: int) -> None:
    """Legs: bilateral/walking/sitting 1, else 2; +1 knees 30-60, +2 above 60 (not sitting)."""
    score = reba(legs_bilateral_weight_bearing=bilateral, sitting=sitting, knee_flexion_deg=knee)
    assert score.legs == expected


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
        (200, 4),
    ],
)
def test_upper_arm_bands(angle: float, expected: int) -> None:
    """Upper arm: -20..20 → 1 (ends included), <-20 or 20-45 → 2, 45-90 → 3, >90 → 4."""
    assert reba(upper_arm_flexion_deg=angle).upper_arm == expected


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 2), (59.9, 2), (60, 1), (100, 1), (100.1, 2), (-10, 2)]
)
def test_lower_arm_bands(angle: float, expected: int) -> None:
    """Lower arm: elbow flexion 60-100 → 1 (ends included), otherwise 2."""
    assert reba(lower_arm_flexion_deg=angle).lower_arm == expected


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 1), (15, 1), (-15, 1), (15.1, 2), (-15.1, 2), (70, 2)]
)
def test_wrist_bands(angle: float, expected: int) -> None:
    """Wrist: up to 15 flexion or extension → 1 (15 included), beyond → 2."""
    assert reba(wrist_flexion_deg=angle).wrist == expected


@pytest.mark.parametrize(
    ("load_kg", "shock", "expected"),
    [
        (0, False, 0),
        (4.9, False, 0),
        (5, False, 1),
        (10, False, 1),
        (10.1, False, 2),
        (0, True, 1),
        (5, True, 2),
        (20, True, 3),
    ],
)
def test_load_levels(load_kg: float, shock: bool, expected: int) -> None:
    """Load: <5 kg 0, 5-10 kg 1 (both included), >10 kg 2; +1 for shock or rapid build-up."""
    score = reba(load_kg=load_kg, load_shock_or_rapid_buildup=shock)
    assert score.load == expected
    assert score.score_a == score.posture_a + expected


@pytest.mark.parametrize(
    ("coupling", "expected"), [("good", 0), ("fair", 1), ("poor", 2), ("unacceptable", 3)]
)
def test_coupling_levels(coupling: str, expected: int) -> None:
    """Coupling: good 0, fair 1, poor 2, unacceptable 3, added to posture B."""
    score = reba(coupling=coupling)
    assert score.coupling == expected
    assert score.score_b == score.posture_b + expected


# -- Neutral tolerance -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "angle", "part", "published", "tolerant"),
    [
        ("trunk_flexion_deg", 4.0, "trunk", 2, 1),
        ("trunk_flexion_deg", -5.0, "trunk", 2, 1),
        ("neck_flexion_deg", -3.0, "neck", 2, 1),
        ("trunk_flexion_deg", 20.5, "trunk", 3, 3),  # no other edge moves
        ("neck_flexion_deg", 20.5, "neck", 2, 2),
        ("wrist_flexion_deg", 15.5, "wrist", 2, 2),
        ("knee_flexion_deg", 29.0, "legs", 1, 1),
    ],
)
def test_neutral_tolerance_only_widens_zero_boundaries(
    field: str, angle: float, part: str, published: int, tolerant: int
) -> None:
    """A 5° neutral tolerance treats small trunk/neck angles as neutral and moves nothing else."""
    assert getattr(reba(**{field: angle}), part) == published
    assert getattr(reba(5.0, **{field: angle}), part) == tolerant


@pytest.mark.parametrize("tol", [-1.0, 6.0, math.nan])
def test_bad_neutral_tolerance_is_a_config_error(tol: float) -> None:
    """A neutral tolerance outside 0-5 raises ConfigError naming it."""
    with pytest.raises(ConfigError, match="neutral_tolerance_deg"):
        reba(tol)


# -- Adjustments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "part", "delta"),
    [
        ({"trunk_twisted_or_side_flexed": True}, "trunk", 1),
        ({"neck_twisted_or_side_flexed": True}, "neck", 1),
        ({"knee_flexion_deg": 45.0}, "legs", 1),
        ({"knee_flexion_deg": 75.0}, "legs", 2),
        ({"legs_bilateral_weight_bearing": False}, "legs", 1),
        ({"upper_arm_abducted_or_rotated": True}, "upper_arm", 1),
        ({"shoulder_raised": True}, "upper_arm", 1),
        ({"upper_arm_abducted_or_rotated": True, "shoulder_raised": True}, "upper_arm", 2),
        ({"arm_supported_leaning_or_gravity_assisted": True}, "upper_arm", -1),
        ({"wrist_deviated_or_twisted": True}, "wrist", 1),
        ({"load_shock_or_rapid_buildup": True}, "load", 1),
        ({"activity_static_over_1_min": True}, "activity", 1),
        ({"activity_repeated_over_4_per_min": True}, "activity", 1),
        ({"activity_rapid_large_changes_or_unstable_base": True}, "activity", 1),
        ({"activity_static_over_1_min": True}, "grand", 1),
        (
            {
                "activity_static_over_1_min": True,
                "activity_repeated_over_4_per_min": True,
                "activity_rapid_large_changes_or_unstable_base": True,
            },
            "grand",
            3,
        ),
    ],
)
def test_each_adjustment_changes_its_score_by_the_documented_amount(
    changes: dict[str, Any], part: str, delta: int
) -> None:
    """Each adjustment moves its score by its documented delta (from a mid band)."""
    base = {"upper_arm_flexion_deg": 30.0}
    before = reba(**base)
    after = reba(**base, **changes)
    assert getattr(after, part) - getattr(before, part) == delta


def test_twist_and_side_flexion_add_one_point_once() -> None:
    """Twist or side-flexion is one adjustment (+1 once): the worst trunk is 5, neck 3."""
    score = reba(
        trunk_flexion_deg=80.0,
        trunk_twisted_or_side_flexed=True,
        neck_flexion_deg=40.0,
        neck_twisted_or_side_flexed=True,
    )
    assert (score.trunk, score.neck) == (5, 3)


def test_arm_support_never_takes_upper_arm_below_one() -> None:
    """Upper arm 1 with the arm supported stays 1."""
    assert reba(arm_supported_leaning_or_gravity_assisted=True).upper_arm == 1


# -- Action levels ---------------------------------------------------------------------------

LEVELS = [
    (1, 0, "negligible", Severity.NORMAL),
    (2, 1, "low", Severity.NORMAL),
    (3, 1, "low", Severity.NORMAL),
    (4, 2, "medium", Severity.MILD),
    (5, 2, "medium", Severity.MILD),
    (6, 2, "medium", Severity.MILD),
    (7, 2, "medium", Severity.MILD),
    (8, 3, "high", Severity.MODERATE),
    (9, 3, "high", Severity.MODERATE),
    (10, 3, "high", Severity.MODERATE),
    (11, 4, "very high", Severity.SEVERE),
    (12, 4, "very high", Severity.SEVERE),
    (13, 4, "very high", Severity.SEVERE),
    (14, 4, "very high", Severity.SEVERE),
    (15, 4, "very high", Severity.SEVERE),
]


@pytest.mark.parametrize(("grand", "level", "risk", "severity"), LEVELS)
def test_action_level_at_each_reba_score(
    grand: int, level: int, risk: str, severity: Severity
) -> None:
    """1 → AL0, 2-3 → AL1, 4-7 → AL2, 8-10 → AL3, 11-15 → AL4; severity follows the level."""
    assert (reba_action_level(grand).level, reba_action_level(grand).risk) == (level, risk)
    score = _score_with_grand(grand)
    assert (score.grand, score.action_level, score.risk) == (grand, level, risk)
    assert findings_from(score)[0].severity is severity


def _score_with_grand(grand: int) -> RebaScore:
    """A real REBA score with the wanted grand score (first hit of a small posture grid)."""
    for trunk, load, coupling, activity in itertools.product(
        (0.0, 10.0, 30.0, 70.0), (0.0, 7.0, 12.0), ("good", "poor", "unacceptable"), range(4)
    ):
        bent = trunk > 60
        score = reba(
            trunk_flexion_deg=trunk,
            trunk_twisted_or_side_flexed=bent,
            neck_flexion_deg=30.0 if bent else 10.0,
            neck_twisted_or_side_flexed=bent,
            knee_flexion_deg=90.0 if bent else 0.0,
            load_kg=load,
            load_shock_or_rapid_buildup=bent,
            coupling=coupling,
            upper_arm_flexion_deg=60.0,
            activity_static_over_1_min=activity >= 1,
            activity_repeated_over_4_per_min=activity >= 2,
            activity_rapid_large_changes_or_unstable_base=activity >= 3,
        )
        if score.grand == grand:
            return score
    raise AssertionError(f"no posture found with REBA {grand}")


# -- Properties ------------------------------------------------------------------------------


def _finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


VALID_INPUTS = st.fixed_dictionaries(
    {
        "trunk_flexion_deg": _finite(-90, 180),
        "neck_flexion_deg": _finite(-120, 120),
        "knee_flexion_deg": _finite(-30, 180),
        "upper_arm_flexion_deg": _finite(-180, 240),
        "lower_arm_flexion_deg": _finite(-30, 180),
    },
    optional={
        "wrist_flexion_deg": _finite(-120, 120),
        "load_kg": _finite(0, 1000),
        "coupling": st.sampled_from(["good", "fair", "poor", "unacceptable"]),
        **{
            name: st.booleans()
            for name in (
                "trunk_twisted_or_side_flexed",
                "neck_twisted_or_side_flexed",
                "legs_bilateral_weight_bearing",
                "sitting",
                "load_shock_or_rapid_buildup",
                "upper_arm_abducted_or_rotated",
                "shoulder_raised",
                "arm_supported_leaning_or_gravity_assisted",
                "wrist_deviated_or_twisted",
                "activity_static_over_1_min",
                "activity_repeated_over_4_per_min",
                "activity_rapid_large_changes_or_unstable_base",
            )
        },
    },
)


@settings(max_examples=300, deadline=None)
@given(data=VALID_INPUTS, tol=_finite(0, 5))
def test_any_valid_input_scores_in_range(data: dict[str, Any], tol: float) -> None:
    """Any valid input gives a REBA score 1-15, consistent sums and the matching action level."""
    score = score_from_dict("reba", data, neutral_tolerance_deg=tol)
    assert isinstance(score, RebaScore)
    assert 1 <= score.grand <= 15
    assert score.score_a == score.posture_a + score.load
    assert score.score_b == score.posture_b + score.coupling
    assert score.grand == score.table_c + score.activity
    assert score.action_level == reba_action_level(score.grand).level
    assert {text.split()[0] for text in score.assumptions}.isdisjoint(data)


RANGES = {
    "trunk": (1, 5),
    "neck": (1, 3),
    "legs": (1, 4),
    "load": (0, 3),
    "upper_arm": (1, 6),
    "lower_arm": (1, 2),
    "wrist": (1, 3),
    "coupling": (0, 3),
    "activity": (0, 3),
}
TABLE_INPUTS = st.fixed_dictionaries(
    {name: st.integers(min_value=lo, max_value=hi) for name, (lo, hi) in RANGES.items()}
)


@settings(max_examples=500, deadline=None)
@given(parts=TABLE_INPUTS, which=st.sampled_from(sorted(RANGES)))
def test_grand_never_decreases_when_one_table_input_increases(
    parts: dict[str, int], which: str
) -> None:
    """Raising any one body-part, load, coupling or activity score by 1 never lowers REBA."""
    if parts[which] == RANGES[which][1]:
        parts = {**parts, which: parts[which] - 1}
    lower = reba_grand(**parts)
    higher = reba_grand(**{**parts, which: parts[which] + 1})
    assert 1 <= lower <= higher <= 15


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("trunk", 6),
        ("neck", 0),
        ("legs", 5),
        ("load", 4),
        ("upper_arm", 7),
        ("lower_arm", 3),
        ("wrist", 4),
        ("coupling", -1),
        ("activity", 4),
    ],
)
def test_reba_grand_rejects_out_of_range_scores(name: str, value: int) -> None:
    """A table input outside its range raises InvalidResponseError naming it."""
    parts = {n: lo for n, (lo, _) in RANGES.items()} | {name: value}
    with pytest.raises(InvalidResponseError, match=name):
        reba_grand(**parts)


# -- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_field_is_named(field: str) -> None:
    """A missing required angle raises InvalidResponseError naming it."""
    data = {k: v for k, v in NEUTRAL.items() if k != field}
    with pytest.raises(InvalidResponseError, match=field):
        from_dict("reba", data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trunk_flexion_deg", 400.0),
        ("trunk_flexion_deg", -91.0),
        ("neck_flexion_deg", -400.0),
        ("knee_flexion_deg", 181.0),
        ("upper_arm_flexion_deg", 241.0),
        ("lower_arm_flexion_deg", -31.0),
        ("wrist_flexion_deg", 121.0),
        ("load_kg", -0.5),
        ("knee_flexion_deg", math.nan),
        ("load_kg", "12"),
        ("sitting", "no"),
        ("sitting", 0),
        ("coupling", "excellent"),
        ("coupling", 1),
        ("trunk_twisted", True),  # RULA's name; REBA has one twist-or-side-flexion item
        ("neck_side_bending", True),
    ],
)
def test_bad_field_is_named(field: str, value: Any) -> None:
    """A wrong type, out-of-range value or unknown key raises InvalidResponseError naming it."""
    with pytest.raises(InvalidResponseError, match=field):
        from_dict("reba", {**NEUTRAL, field: value})


def test_unknown_method_lists_the_methods() -> None:
    """An unknown method raises InvalidResponseError listing the methods."""
    with pytest.raises(InvalidResponseError, match="rula, reba"):
        from_dict("owas", NEUTRAL)


def test_rula_data_is_not_valid_reba_data() -> None:
    """Feeding the wrong method's fields is refused, naming the unknown and missing fields."""
    with pytest.raises(InvalidResponseError, match="knee_flexion_deg"):
        from_dict("reba", {"upper_arm_flexion_deg": 0.0, "trunk_flexion_deg": 0.0})


# -- Assumptions, JSON and findings ----------------------------------------------------------


def test_missing_optional_fields_are_listed_as_assumed() -> None:
    """Only the required angles given: every optional field is listed; none when all given."""
    score = score_from_dict("reba", {k: NEUTRAL[k] for k in REQUIRED})
    assert [text.split()[0] for text in score.assumptions] == [
        k for k in NEUTRAL if k not in REQUIRED
    ]
    assert 'coupling not given; assumed "good"' in score.assumptions
    assert reba().assumptions == ()


def test_score_to_json_dict_has_the_contract_keys() -> None:
    """JSON dict: method, score, action_level, side first, then every sub-score."""
    score = reba(trunk_flexion_deg=30.0, load_kg=8.0)
    out = score_to_json_dict(score, side="bilateral")
    assert list(out)[:4] == ["method", "score", "action_level", "side"]
    assert (out["method"], out["score"], out["side"]) == ("reba", score.grand, "bilateral")
    assert {k: out[k] for k in RebaScore.SUB_SCORES} == score.sub_scores()
    assert json.loads(json.dumps(out)) == out


def test_finding_carries_code_value_evidence_and_provenance() -> None:
    """One finding: stable code, ergonomics domain, REBA score in points, sub-scores and advice."""
    score = reba(trunk_flexion_deg=30.0, load_kg=8.0)
    (finding,) = findings_from(score, side="right", confidence=0.6)
    assert finding.code == "ergonomics.reba"
    assert finding.domain is Domain.ERGONOMICS
    assert (finding.value, finding.unit, finding.side) == (float(score.grand), "points", "right")
    assert finding.source == "REBA; Hignett & McAtamney 2000"
    assert "11-15 = action level 4 (very high)" in finding.norm
    for name, value in score.sub_scores().items():
        assert finding.evidence[name] == value
    assert finding.evidence["advice"] == reba_action_level(score.grand).advice
