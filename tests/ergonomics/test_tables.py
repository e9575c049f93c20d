"""The transcribed RULA/REBA tables equal ``rula-reba-tables.json`` cell by cell.

The JSON (clinical reference §5, checked against the papers and independent implementations) is
the source of truth; no other library is used as an oracle.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backrehab.ergonomics import tables as t
from backrehab.errors import InvalidResponseError

REPO = Path(__file__).resolve().parents[2]


def _shared_dir() -> Path:
    env = os.environ.get("BACKREHAB_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The shared JSON; skips with a visible reason when absent (fails in CI)."""
    path = _shared_dir() / "rula-reba-tables.json"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"rula-reba-tables.json missing in CI: {path}")
        pytest.skip(f"rula-reba-tables.json not found at {path} (set BACKREHAB_SHARED_DIR)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _shape(nested: Any) -> tuple[int, ...]:
    shape: list[int] = []
    while isinstance(nested, list | tuple):
        shape.append(len(nested))
        nested = nested[0]
    return tuple(shape)


def _cell(nested: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        nested = nested[i]
    return nested


def _cells(nested: Any) -> Iterator[tuple[int, ...]]:
    return itertools.product(*(range(n) for n in _shape(nested)))


TABLES = {
    ("rula", "table_a"): t.RULA_TABLE_A,
    ("rula", "table_b"): t.RULA_TABLE_B,
    ("rula", "table_c"): t.RULA_TABLE_C,
    ("reba", "table_a"): t.REBA_TABLE_A,
    ("reba", "table_b"): t.REBA_TABLE_B,
    ("reba", "table_c"): t.REBA_TABLE_C,
}
TABLE_IDS = [f"{m}-{name}" for m, name in TABLES]


@pytest.mark.parametrize(("method", "name"), list(TABLES), ids=TABLE_IDS)
def test_every_cell_equals_json(spec: dict[str, Any], method: str, name: str) -> None:
    """Every cell of each lookup table equals the JSON's nested ``values`` (1-based note aside)."""
    ours = TABLES[(method, name)]
    theirs = spec[method][name]["values"]
    assert _shape(ours) == _shape(theirs)
    mismatches = [
        (tuple(i + 1 for i in idx), _cell(ours, idx), _cell(theirs, idx))
        for idx in _cells(theirs)
        if _cell(ours, idx) != _cell(theirs, idx)
    ]
    assert mismatches == [], f"(1-based index, ours, json): {mismatches}"
    assert sum(1 for _ in _cells(ours)) == sum(1 for _ in _cells(theirs))


@pytest.mark.parametrize(("method", "name"), list(TABLES), ids=TABLE_IDS)
def test_table_dimensions_match_json_index_order(
    spec: dict[str, Any], method: str, name: str
) -> None:
    """Each dimension's length equals the score range named in the JSON's ``index_order``."""
    order: list[str] = spec[method][name]["index_order"]
    expected = []
    for label in order:
        match = re.search(r"\b1(?:-|\.\.)(\d+)", label)
        assert match, label
        expected.append(int(match.group(1)))
    assert list(_shape(TABLES[(method, name)])) == expected


WORKSHEETS = [
    ("rula", "table_a", lambda key: tuple(int(k) - 1 for k in key.split(","))),
    ("rula", "table_b", lambda key: (int(key) - 1,)),
    ("reba", "table_a", lambda key: (int(key) - 1,)),
    ("reba", "table_b", lambda key: (int(key) - 1,)),
]


@pytest.mark.parametrize(
    ("method", "name", "index"), WORKSHEETS, ids=[f"{m}-{n}-worksheet" for m, n, _ in WORKSHEETS]
)
def test_worksheet_rows_equal_tables(
    spec: dict[str, Any], method: str, name: str, index: Any
) -> None:
    """The JSON's flat worksheet rows (a second transcription) equal our tables row by row."""
    rows: dict[str, list[int]] = spec[method][name]["worksheet_rows"]
    ours = TABLES[(method, name)]
    for key, row in rows.items():
        flat = list(itertools.chain.from_iterable(_flatten(_cell(ours, index(key)))))
        assert flat == row, f"{method} {name} worksheet row {key}"


def _flatten(nested: Any) -> Iterator[list[int]]:
    if isinstance(nested[0], int):
        yield list(nested)
    else:
        for part in nested:
            yield from _flatten(part)


def test_rula_table_a_is_1993_paper_not_worksheet_variant(spec: dict[str, Any]) -> None:
    """The 11 rows that differ in the circulating worksheet variant hold the 1993-paper values."""
    rows = spec["rula"]["table_a_known_variant"]["rows_that_differ"]
    assert len(rows) == 11
    for key, versions in rows.items():
        ua, la = (int(k) for k in key.split(","))
        flat = [v for pair in t.RULA_TABLE_A[ua - 1][la - 1] for v in pair]
        assert flat == versions["original"], key
        assert flat != versions["worksheet_variant"], key


def test_rula_action_levels_match_json(spec: dict[str, Any]) -> None:
    """RULA action-level bands equal the JSON's (1-2, 3-4, 5-6, 7)."""
    expected = [(a["level"], *a["grand_score"]) for a in spec["rula"]["action_levels"]]
    assert [(a.level, a.grand_min, a.grand_max) for a in t.RULA_ACTION_LEVELS] == expected


def test_reba_action_levels_and_risk_words_match_json(spec: dict[str, Any]) -> None:
    """REBA action-level bands and risk words equal the JSON's."""
    expected = [
        (a["action_level"], *a["reba_score"], a["risk"]) for a in spec["reba"]["action_levels"]
    ]
    ours = [(a.level, a.grand_min, a.grand_max, a.risk) for a in t.REBA_ACTION_LEVELS]
    assert ours == expected


def test_reba_coupling_labels_match_json(spec: dict[str, Any]) -> None:
    """Coupling labels in score order equal the JSON's (good 0 ... unacceptable 3)."""
    levels = spec["reba"]["body_part_rules"]["coupling"]["levels"]
    assert [lv["label"] for lv in sorted(levels, key=lambda lv: lv["score"])] == list(
        t.REBA_COUPLING_LEVELS
    )


# The boundary conventions implemented in rula.py / reba.py rest on these exact rule texts; if the
# JSON's wording changes, the implementation must be reviewed.
RULE_TEXTS = {
    ("rula", "upper_arm"): [
        "20 deg extension to 20 deg flexion",
        "extension > 20 deg, or flexion > 20 and <= 45 deg",
        "flexion > 45 and <= 90 deg",
        "flexion > 90 deg",
    ],
    ("rula", "lower_arm"): ["elbow flexion 60-100 deg", "elbow flexion < 60 or > 100 deg"],
    ("rula", "wrist"): [
        "neutral",
        "0-15 deg flexion or extension",
        "> 15 deg flexion or extension",
    ],
    ("rula", "neck"): [
        "0-10 deg flexion",
        "> 10 and <= 20 deg flexion",
        "> 20 deg flexion",
        "in extension",
    ],
    ("rula", "trunk"): [
        "upright / sitting well supported with hip-trunk angle >= 90 deg",
        "0-20 deg flexion",
        "> 20 and <= 60 deg flexion",
        "> 60 deg flexion",
    ],
    ("reba", "trunk"): [
        "upright",
        "0-20 deg flexion or 0-20 deg extension",
        "> 20 and <= 60 deg flexion, or > 20 deg extension",
        "> 60 deg flexion",
    ],
    ("reba", "neck"): ["0-20 deg flexion", "> 20 deg flexion or any extension"],
    ("reba", "upper_arm"): [
        "20 deg extension to 20 deg flexion",
        "> 20 deg extension, or > 20 and <= 45 deg flexion",
        "> 45 and <= 90 deg flexion",
        "> 90 deg flexion",
    ],
    ("reba", "wrist"): ["0-15 deg flexion or extension", "> 15 deg flexion or extension"],
}


@pytest.mark.parametrize(
    ("method", "part"), list(RULE_TEXTS), ids=[f"{m}-{p}" for m, p in RULE_TEXTS]
)
def test_json_rule_texts_are_the_ones_implemented(
    spec: dict[str, Any], method: str, part: str
) -> None:
    """The JSON's band wording is unchanged from the wording the boundaries were coded from."""
    base = spec[method]["body_part_rules"][part]["base"]
    assert [b["condition"] for b in base] == RULE_TEXTS[(method, part)]


@pytest.mark.parametrize(
    ("method", "part", "deltas"),
    [
        ("rula", "upper_arm", [1, 1, -1]),
        ("rula", "lower_arm", [1]),
        ("rula", "wrist", [1]),
        ("rula", "neck", [1, 1]),
        ("rula", "trunk", [1, 1]),
        ("reba", "trunk", [1]),
        ("reba", "neck", [1]),
        ("reba", "legs", [1, 2]),
        ("reba", "upper_arm", [1, 1, -1]),
        ("reba", "wrist", [1]),
        ("reba", "load_force", [1]),
    ],
)
def test_json_adjustments_are_the_ones_implemented(
    spec: dict[str, Any], method: str, part: str, deltas: list[int]
) -> None:
    """The JSON lists exactly the adjustments (and deltas) the input models have fields for."""
    rules = spec[method]["body_part_rules"][part]
    assert [a["delta"] for a in rules["adjustments"]] == deltas


def test_json_has_no_worked_examples_left_unchecked(spec: dict[str, Any]) -> None:
    """The JSON holds no worked examples yet; if some are added, they must be wired into tests."""

    def keys(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    found = sorted({k for k in keys(spec) if "example" in k.lower() or "worked" in k.lower()})
    assert found == [], f"add these worked examples to test_rula/test_reba: {found}"


# -- Suggested unit tests of clinical reference §5.3, at table level ------------------------


def test_ref_5_3_all_ones_give_one() -> None:
    """§5.3: all parts 1, no modifiers → RULA 1 and REBA 1."""
    assert t.rula_table_a(1, 1, 1, 1) == 1
    assert t.rula_table_b(1, 1, 1) == 1
    assert t.rula_table_c(1, 1) == 1
    assert t.reba_table_a(1, 1, 1) == 1
    assert t.reba_table_b(1, 1, 1) == 1
    assert t.reba_table_c(1, 1) == 1


@pytest.mark.parametrize(("wrist", "twist"), list(itertools.product(range(1, 5), (1, 2))))
def test_ref_5_3_rula_ua6_la3_any_wrist_gives_9(wrist: int, twist: int) -> None:
    """§5.3: RULA upper arm 6, lower arm 3, any wrist/twist → posture A 9."""
    assert t.rula_table_a(6, 3, wrist, twist) == 9


@pytest.mark.parametrize(("c", "d"), [(8, 7), (9, 7), (8, 13), (13, 13)])
def test_ref_5_3_rula_c8_d7_gives_7(c: int, d: int) -> None:
    """§5.3: RULA score C 8+ and score D 7+ → grand 7."""
    assert t.rula_table_c(c, d) == 7


@pytest.mark.parametrize("b", range(1, 13))
def test_ref_5_3_reba_a12_gives_12(b: int) -> None:
    """§5.3: REBA score A 12 → table C 12 for every score B."""
    assert t.reba_table_c(12, b) == 12


def test_ref_5_3_reba_b12_gives_12_only_from_a9() -> None:
    """§5.3 also says "B = 12 → C 12"; the JSON gives 12 in column B 12 only for A ≥ 9.

    Discrepancy kept visible: the reference's shorthand is not a property of Table C.
    """
    column = [t.reba_table_c(a, 12) for a in range(1, 13)]
    assert column == [7, 8, 8, 9, 9, 10, 11, 11, 12, 12, 12, 12]


# -- Properties of the tables ---------------------------------------------------------------


@pytest.mark.parametrize(("method", "name"), list(TABLES), ids=TABLE_IDS)
def test_tables_never_decrease_along_any_axis(method: str, name: str) -> None:
    """Raising any one table index by 1 never lowers the looked-up score (exhaustive)."""
    table = TABLES[(method, name)]
    shape = _shape(table)
    for idx in _cells(table):
        for axis in range(len(shape)):
            if idx[axis] + 1 < shape[axis]:
                up = tuple(i + (1 if a == axis else 0) for a, i in enumerate(idx))
                assert _cell(table, up) >= _cell(table, idx), (idx, axis)


def test_rula_grand_at_most_two_only_when_c_and_d_at_most_two() -> None:
    """McAtamney & Corlett 1993, stage 3: a grand score of 1-2 needs scores C and D both ≤ 2."""
    for c, d in itertools.product(range(1, 14), repeat=2):
        assert (t.rula_table_c(c, d) <= 2) == (c <= 2 and d <= 2), (c, d)


@pytest.mark.parametrize(
    ("func", "args", "name"),
    [
        (t.rula_table_a, (7, 1, 1, 1), "upper_arm"),
        (t.rula_table_a, (1, 0, 1, 1), "lower_arm"),
        (t.rula_table_a, (1, 1, 5, 1), "wrist"),
        (t.rula_table_a, (1, 1, 1, 3), "wrist_twist"),
        (t.rula_table_b, (0, 1, 1), "neck"),
        (t.rula_table_b, (1, 7, 1), "trunk"),
        (t.rula_table_b, (1, 1, 3), "legs"),
        (t.rula_table_c, (0, 1), "score_c"),
        (t.rula_table_c, (1, 14), "score_d"),
        (t.reba_table_a, (6, 1, 1), "trunk"),
        (t.reba_table_a, (1, 4, 1), "neck"),
        (t.reba_table_a, (1, 1, 5), "legs"),
        (t.reba_table_b, (7, 1, 1), "upper_arm"),
        (t.reba_table_b, (1, 3, 1), "lower_arm"),
        (t.reba_table_b, (1, 1, 4), "wrist"),
        (t.reba_table_c, (13, 1), "score_a"),
        (t.reba_table_c, (1, 0), "score_b"),
        (t.rula_table_a, (True, 1, 1, 1), "upper_arm"),
        (t.reba_table_c, (1.0, 1), "score_a"),
        (t.rula_action_level, (8,), "rula grand score"),
        (t.reba_action_level, (0,), "reba score"),
    ],
)
def test_lookups_reject_out_of_range_scores_naming_them(func: Any, args: Any, name: str) -> None:
    """A score outside its table range (or not an int) raises, naming the score."""
    with pytest.raises(InvalidResponseError, match=name):
        func(*args)
