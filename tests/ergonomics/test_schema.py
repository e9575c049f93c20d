"""The angles file's optional ``side``: read, checked, ignored by the score, reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backrehab.ergonomics import from_dict, score_from_dict, side_from_dict
from backrehab.errors import InvalidResponseError
from tests.cli_helpers import cli_fails, cli_json

REPO = Path(__file__).resolve().parents[2]
RULA_EXAMPLE = REPO / "docs" / "examples" / "rula-angles.json"
REBA_EXAMPLE = REPO / "docs" / "examples" / "reba-angles.json"


def _example(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.parametrize("side", ["left", "right"])
def test_side_is_read_and_does_not_change_the_score(side: str) -> None:
    """``side`` left/right is returned by side_from_dict and leaves the score as without it."""
    data = {**_example(REBA_EXAMPLE), "side": side}
    assert side_from_dict(data) == side
    assert score_from_dict("reba", data) == score_from_dict("reba", _example(REBA_EXAMPLE))
    assert side_from_dict(_example(REBA_EXAMPLE)) == "none"


@pytest.mark.parametrize("bad", ["up", "Left", 1, None, "bilateral"])
def test_bad_side_is_refused_naming_it(bad: object) -> None:
    """A side other than "left"/"right" is refused by from_dict with a message naming 'side'."""
    data = {**_example(RULA_EXAMPLE), "side": bad}
    with pytest.raises(InvalidResponseError, match="'side' must be one of left, right"):
        from_dict("rula", data)


def test_cli_ergo_reports_the_side_of_the_angles_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ergo --angles reports the file's side in ``side`` and on the finding; a bad one exits 2."""
    path = tmp_path / "angles.json"
    path.write_text(json.dumps({**_example(REBA_EXAMPLE), "side": "left"}))
    data = cli_json(["ergo", "--method", "reba", "--angles", str(path)], capsys)
    assert data["side"] == "left"
    assert data["findings"][0]["side"] == "left"
    assert data["score"] == 10
    path.write_text(json.dumps({**_example(REBA_EXAMPLE), "side": "middle"}))
    assert "'side'" in cli_fails(["ergo", "--method", "reba", "--angles", str(path)], capsys)
